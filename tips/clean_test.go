package tips

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

func picture() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 16, 8))
	for x := 0; x < 16; x++ {
		for y := 0; y < 8; y++ {
			img.Set(x, y, color.RGBA{uint8(x * 16), uint8(y * 32), 90, 255})
		}
	}
	return img
}

func segment(marker byte, payload string) []byte {
	b := []byte{0xFF, marker, 0, 0}
	binary.BigEndian.PutUint16(b[2:], uint16(len(payload)+2))
	return append(b, payload...)
}

func chunk(typ, payload string) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(payload)))
	b = append(b, typ...)
	b = append(b, payload...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE([]byte(typ+payload)))
}

// A phone photo's EXIF (with GPS), XMP and comment go; the picture stays
// pixel for pixel the same.
func TestCleanJPEGRemovesMetadata(t *testing.T) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, picture(), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	orig := buf.Bytes()
	var dirty []byte
	dirty = append(dirty, orig[:2]...)
	dirty = append(dirty, segment(0xE1, "Exif\x00\x00GPSLatitude 19.4326 Pixel 7 Juan Perez")...)
	dirty = append(dirty, segment(0xE1, "http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>Juan Perez</x:xmpmeta>")...)
	dirty = append(dirty, segment(0xFE, "taken by Juan Perez")...)
	dirty = append(dirty, orig[2:]...)
	clean, how := CleanFile(dirty)
	if how != Cleaned {
		t.Fatalf("cleaning = %v", how)
	}
	for _, s := range []string{"GPS", "Juan", "Exif", "xmpmeta"} {
		if bytes.Contains(clean, []byte(s)) {
			t.Errorf("%q survived cleaning", s)
		}
	}
	a, err1 := jpeg.Decode(bytes.NewReader(orig))
	b, err2 := jpeg.Decode(bytes.NewReader(clean))
	if err1 != nil || err2 != nil {
		t.Fatalf("decode: %v %v", err1, err2)
	}
	for x := 0; x < 16; x++ {
		for y := 0; y < 8; y++ {
			if a.At(x, y) != b.At(x, y) {
				t.Fatalf("pixel %d,%d changed", x, y)
			}
		}
	}
}

func TestCleanPNGRemovesTextChunks(t *testing.T) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, picture()); err != nil {
		t.Fatal(err)
	}
	orig := buf.Bytes()
	iend := bytes.LastIndex(orig, []byte("IEND")) - 4
	var dirty []byte
	dirty = append(dirty, orig[:iend]...)
	dirty = append(dirty, chunk("tEXt", "Author\x00Juan Perez")...)
	dirty = append(dirty, chunk("iTXt", "XML:com.adobe.xmp\x00\x00\x00\x00\x00GPS 19.43")...)
	dirty = append(dirty, chunk("tIME", "\x07\xea\x0b\x1c\x0c\x00\x00")...)
	dirty = append(dirty, orig[iend:]...)
	if _, err := png.Decode(bytes.NewReader(dirty)); err != nil {
		t.Fatalf("test image is broken: %v", err)
	}
	clean, how := CleanFile(dirty)
	if how != Cleaned || !bytes.Equal(clean, orig) {
		t.Fatalf("cleaning = %v; clean copy differs from the original without metadata", how)
	}
}

func TestCleanFileKeepsOtherAndBrokenFiles(t *testing.T) {
	pdf := []byte("%PDF-1.7 Author Juan Perez")
	if got, how := CleanFile(pdf); how != NotCleaned || !bytes.Equal(got, pdf) {
		t.Fatalf("pdf: %v", how)
	}
	broken := append([]byte{0xFF, 0xD8}, segment(0xE1, "Exif GPS")[:5]...)
	if got, how := CleanFile(broken); how != Malformed || !bytes.Equal(got, broken) {
		t.Fatalf("truncated jpeg: %v", how)
	}
	if _, how := CleanFile(append(append([]byte{}, pngMagic...), 0xFF, 0xFF, 0xFF, 0xFF, 'I', 'D', 'A', 'T')); how != Malformed {
		t.Fatalf("png with a huge chunk length: %v", how)
	}
}

func FuzzCleanFile(f *testing.F) {
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x04, 'a', 'b', 0xFF, 0xDA, 0, 2})
	f.Add(append(append([]byte{}, pngMagic...), chunk("tEXt", "a\x00b")...))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, how := CleanFile(data)
		if len(out) > len(data) {
			t.Fatalf("cleaning grew the file: %d > %d", len(out), len(data))
		}
		if how != Cleaned && !bytes.Equal(out, data) {
			t.Fatal("an uncleaned file was changed")
		}
	})
}
