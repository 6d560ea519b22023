package tips

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
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

// Cleaning never grows a file, changes only what it cleans, is done once
// and for all, and leaves a picture Go can decode as it was (but for Go's
// quirk with APP0, below).
func FuzzCleanFile(f *testing.F) {
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x04, 'a', 'b', 0xFF, 0xDA, 0, 2})
	f.Add(append(append([]byte{}, pngMagic...), chunk("tEXt", "a\x00b")...))
	f.Add(join(withExif(readFixture(f, "video-001.q50.420.progressive.jpeg")), comment))
	f.Add(join(withExif(readFixture(f, "video-001.restart2.jpeg")), exifGPS))
	small := readFixture(f, "video-001.restart2.jpeg")
	f.Add(join(small[:2], jfif(1, 1, []byte("abc")), segment(0xE0, "JFXX\x00\x13\x01\x01abc"), adobe(1, "x"), small[2:]))
	f.Add(rgbAfterJFXX(f))
	f.Add(join(small[:2], segment(0xF0, "GPS"), segment(0xDB, "\x00"+strings.Repeat("\x01", 64)+"GPS"), small[2:]))
	var buf bytes.Buffer
	if err := png.Encode(&buf, picture()); err != nil {
		f.Fatal(err)
	}
	p := buf.Bytes()
	f.Add(join(p[:33], chunk("gAMA", "\x00\x00\xb1\x8f"), chunk("iCCP", "a\x00\x00b"), p[33:len(p)-12], chunk("caBX", "c"), p[len(p)-12:]))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, how := CleanFile(data)
		if len(out) > len(data) {
			t.Fatalf("cleaning grew the file: %d > %d", len(out), len(data))
		}
		if how != Cleaned {
			if !bytes.Equal(out, data) {
				t.Fatal("an uncleaned file was changed")
			}
			return
		}
		if again, how := CleanFile(out); how != Cleaned || !bytes.Equal(again, out) {
			t.Fatalf("a cleaned file cleaned again: %v, %d bytes to %d", how, len(out), len(again))
		}
		cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil || cfg.Width*cfg.Height > 1<<20 {
			return
		}
		a, _, err := image.Decode(bytes.NewReader(data))
		if err != nil {
			return
		}
		if b, _, err := image.Decode(bytes.NewReader(out)); err == nil && rgb(a) != rgb(b) && data[0] == 0xFF && bytes.Contains(data, []byte{0xFF, 0xE0}) {
			// Go reads a 3-component JPEG as YCbCr if the last APP0 it
			// meets starts "JFIF\x00", else maybe as RGB from its
			// component ids; libjpeg as YCbCr once it has met a whole
			// JFIF header. Dropping any other APP0 can change what Go
			// reads, never what libjpeg reads: the cleaned copy, holding
			// only whole JFIF headers, reads in Go as in libjpeg.
			return
		}
		samePixels(t, data, out)
	})
}

// rgbAfterJFXX returns a JPEG Go reads as RGB and libjpeg as YCbCr: its
// components are named R, G and B, and a JFXX APP0 follows its JFIF one.
func rgbAfterJFXX(t testing.TB) []byte {
	j := encodeJPEG(t, picture(), 90)
	sof, sos := bytes.Index(j, []byte{0xFF, 0xC0}), bytes.Index(j, []byte{0xFF, 0xDA})
	j[sof+10], j[sof+13], j[sof+16] = 'R', 'G', 'B' // component ids
	j[sos+5], j[sos+7], j[sos+9] = 'R', 'G', 'B'    // the scan's selectors
	return join(j[:2], jfif(0, 0, nil), segment(0xE0, "JFXX\x00\x13\x00\x00"), j[2:])
}

// rgb says whether Go decoded a 3-component JPEG as RGB, not YCbCr.
func rgb(img image.Image) bool {
	_, ok := img.(*image.RGBA)
	return ok
}

func encodeJPEG(t testing.TB, img image.Image, quality int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// noise is a picture whose JPEG is full of 0xFF bytes in its scan data,
// which the encoder stuffs as 0xFF00.
func noise() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	x := uint32(2463534242)
	for i := range img.Pix {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		img.Pix[i] = uint8(x)
	}
	return img
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "jpeg", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// join concatenates byte slices into a new one.
func join(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// sos returns the offset of the n-th start-of-scan marker (from 1) in a
// fixture whose tables hold no 0xFFDA.
func sos(t *testing.T, data []byte, n int) int {
	t.Helper()
	at := -1
	for range n {
		i := bytes.Index(data[at+1:], []byte{0xFF, 0xDA})
		if i < 0 {
			t.Fatalf("no start of scan %d", n)
		}
		at += 1 + i
	}
	return at
}

// samePixels fails unless both pictures (JPEG or PNG) decode to the same
// pixels.
func samePixels(t testing.TB, want, got []byte) {
	t.Helper()
	a, _, err1 := image.Decode(bytes.NewReader(want))
	b, _, err2 := image.Decode(bytes.NewReader(got))
	if err1 != nil || err2 != nil {
		t.Fatalf("decode: %v %v", err1, err2)
	}
	if a.Bounds() != b.Bounds() {
		t.Fatalf("bounds %v, want %v", b.Bounds(), a.Bounds())
	}
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				t.Fatalf("pixel %d,%d changed", x, y)
			}
		}
	}
}

var (
	exifGPS = segment(0xE1, "Exif\x00\x00GPSLatitude 19.4326 Pixel 7 Juan Perez")
	xmp     = segment(0xE1, "http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>Juan Perez</x:xmpmeta>")
	comment = segment(0xFE, "taken by Juan Perez")
	mpf     = segment(0xE2, "MPF\x00 second picture at 0x4a3c")
)

// withExif puts EXIF with GPS right after a JPEG's SOI, as a phone does.
func withExif(jpg []byte) []byte {
	return join(jpg[:2], exifGPS, jpg[2:])
}

// Everything after the first picture's EOI goes (the second picture of an
// MPO file, an Ultra HDR gain map, a motion photo's video, each with its
// own metadata); APPn and comments go wherever they are, also between the
// scans of a progressive JPEG; scan data is walked, not searched: stuffed
// 0xFF00 and restart markers in it are not segment boundaries.
func TestCleanJPEGWalksScansAndCutsAtEOI(t *testing.T) {
	first := encodeJPEG(t, picture(), 90)
	second := withExif(encodeJPEG(t, noise(), 75))
	video := []byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom Exif GPS 19.4326 Juan Perez")
	prog := readFixture(t, "video-001.q50.420.progressive.jpeg")
	rst := readFixture(t, "video-001.restart2.jpeg")
	noisy := encodeJPEG(t, noise(), 100)
	p2, p5, p10 := sos(t, prog, 2), sos(t, prog, 5), sos(t, prog, 10)
	// A scan whose data holds 0xFF00 followed by what would be an APP1,
	// a comment and an EOI, and restart markers between runs of data.
	scan := []byte("\x01\xFF\x00\xE1\x00\x04\x02\xFF\xD0\xFF\x00\xFE\x00\x03\xFF\xD7\xFF\x00\xD9\x03")
	handmade := join([]byte{0xFF, 0xD8}, sof8x8, segment(0xDA, "\x01\x01\x00\x00\x3F\x00"), scan, []byte{0xFF, 0xD9})

	cases := []struct {
		name     string
		in, want []byte
		picture  bool // want decodes: compare its pixels with the cleaned copy's
	}{
		{"MPO or gain map: a second JPEG with EXIF GPS appended", join(first[:2], mpf, first[2:], second), first, true},
		{"motion photo: a video appended", join(withExif(first), video), first, true},
		{"progressive: metadata before, between and after scans", join(withExif(prog)[:len(exifGPS)+p2], comment,
			prog[p2:p5], xmp, mpf, prog[p5:p10], comment, prog[p10:len(prog)-2], exifGPS, prog[len(prog)-2:], second), prog, true},
		{"restart markers and stuffed bytes in scan data", join(withExif(rst), video), rst, true},
		{"stuffed bytes in a noisy picture", join(withExif(noisy), second), noisy, true},
		{"stuffed markers and restarts, handmade", join(withExif(handmade), second), handmade, false},
		{"fill bytes before markers", join(first[:2], []byte{0xFF, 0xFF}, exifGPS, first[2:len(first)-2],
			[]byte{0xFF, 0xFF, 0xFF}, comment, first[len(first)-2:], second), first, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !bytes.Contains(c.in, []byte("Juan")) {
				t.Fatal("test input carries no metadata")
			}
			got := mustClean(t, c.in, c.want)
			if c.picture {
				samePixels(t, c.want, got)
			}
		})
	}
	if !bytes.Contains(noisy, []byte{0xFF, 0x00}) || !bytes.Contains(rst, []byte{0xFF, 0xD0}) {
		t.Fatal("the test pictures hold no stuffed byte or restart marker")
	}
}

// A JPEG that ends before its EOI: cut off in its picture data (an
// interrupted upload) it is cleaned as far as it goes, an unfinished
// segment at the end dropped, since every byte kept has been walked; cut
// off before any picture data it is Malformed and kept as sent. A JPEG
// that cannot be walked is Malformed even after its first scan, never
// passed through as clean.
func TestCleanJPEGTruncatedOrBroken(t *testing.T) {
	prog := readFixture(t, "video-001.q50.420.progressive.jpeg")
	p1, p2, p3 := sos(t, prog, 1), sos(t, prog, 2), sos(t, prog, 3)
	dirty := join(withExif(prog)[:len(exifGPS)+p2], comment, prog[p2:p3], xmp, prog[p3:])
	at := func(i int) int { // offset in dirty of offset i in prog, i > p3
		return i + len(exifGPS) + len(comment) + len(xmp)
	}
	mid3 := p3 + 20 // in the third scan's data
	sof, atSOF := headerSegment(t, prog, 0xC2)
	frame := func(seg []byte) []byte { // prog with seg for its frame header
		return join(prog[:atSOF], seg, prog[atSOF+len(sof):])
	}

	cases := []struct {
		name string
		in   []byte
		want []byte
		how  Cleaning
	}{
		{"cut off in a scan", dirty[:at(mid3)], prog[:mid3], Cleaned},
		{"cut off in a segment between scans", join(prog[:p3], exifGPS[:12]), prog[:p3], Cleaned},
		{"cut off in a start of scan", dirty[:at(p3+5)], prog[:p3], Cleaned},
		{"cut off after a marker's first byte", join(prog[:p3], []byte{0xFF}), prog[:p3], Cleaned},
		{"cut off before the first scan", dirty[:len(exifGPS)+p1+5], nil, Malformed},
		{"a second SOI before the EOI", join(prog[:p3], []byte{0xFF, 0xD8}, exifGPS, prog[p3:]), nil, Malformed},
		{"stuffing outside a scan", join(prog[:p3], []byte{0xFF, 0x00}, exifGPS, prog[p3:]), nil, Malformed},
		{"junk between segments after a scan", join(prog[:p3], []byte("Exif GPS Juan"), prog[p3:]), nil, Malformed},
		{"a length field below two", join(prog[:p3], []byte{0xFF, 0xE1, 0x00, 0x01}, exifGPS, prog[p3:]), nil, Malformed},
		{"DQT with no whole table", join(prog[:p3], segment(0xDB, "GPS 19.43,-99.13"), prog[p3:]), nil, Malformed},
		{"DQT cut short in its first table", join(prog[:p1], segment(0xDB, "\x00GPS 19.43,-99.13"), prog[p1:]), nil, Malformed},
		{"DHT whose counts outrun it", join(prog[:p3], segment(0xC4, "\x00\x00\x01GPS 19.43,-99.13"), prog[p3:]), nil, Malformed},
		{"DHT of more than 256 codes", join(prog[:p3], segment(0xC4, "\x10"+string(bytes.Repeat([]byte{17}, 16))+
			string(bytes.Repeat([]byte("GPS 19.43,-99.13"), 17))), prog[p3:]), nil, Malformed},
		{"DAC with no valid entry", join(prog[:p3], segment(0xCC, "\x00\x12GPS"), prog[p3:]), nil, Malformed},
		{"SOF shorter than its components", frame(segment(0xC2, "\x08\x00\x08\x00\x08\x03\x01\x11\x00\x02\x11")), nil, Malformed},
		{"SOF of no component", frame(segment(0xC2, "\x08\x00\x08\x00\x08\x00GPS 19.43")), nil, Malformed},
		{"SOS shorter than its components", join(prog[:p3], segment(0xDA, "\x03\x01\x00\x02\x11\x00\x3F\x00"), prog[p3:]), nil, Malformed},
		{"SOS of no component", join(prog[:p3], segment(0xDA, "\x00\x00\x3F\x00GPS 19.43"), prog[p3:]), nil, Malformed},
		{"DRI of one byte", join(prog[:p3], segment(0xDD, "\x01"), prog[p3:]), nil, Malformed},
		{"a second frame header", join(prog[:p3], segment(0xC1, "\x08\x00\x08\x00\x08\x01GPS 19.43,-99.13"), prog[p3:]), nil, Malformed},
		{"a scan before any frame header (JPEG-LS)", join(prog[:2], segment(0xF7, "\x08\x00\x08\x00\x08\x01\x01\x11\x00"),
			segment(0xDA, "\x01\x01\x00\x00\x00\x00"), []byte("\x12\x34"), prog[len(prog)-2:]), nil, Malformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, how := CleanFile(c.in)
			if how != c.how {
				t.Fatalf("cleaning = %v, want %v", how, c.how)
			}
			if c.want == nil {
				c.want = c.in // kept as sent
			}
			if !bytes.Equal(got, c.want) {
				t.Fatalf("cleaned %d bytes to %d, want %d", len(c.in), len(got), len(c.want))
			}
		})
	}
}

// jfif returns a JFIF APP0 segment: version 1.02, 72×72 dpi, and a w×h
// thumbnail of the given RGB pixels.
func jfif(w, h byte, thumb []byte) []byte {
	return segment(0xE0, "JFIF\x00\x01\x02\x01\x00\x48\x00\x48"+string([]byte{w, h})+string(thumb))
}

// adobe returns an Adobe APP14 segment with colour transform t, followed
// by extra bytes.
func adobe(t byte, extra string) []byte {
	return segment(0xEE, "Adobe\x00\x64\x00\x00\x00\x00"+string([]byte{t})+extra)
}

// APP0 is kept only as a JFIF header with no thumbnail (the thumbnail can
// show the picture before the reporter cropped it), APP14 only as Adobe's
// 12 bytes, wherever they are; JFXX thumbnails, other APP0 and APP14, and
// ICC profiles go. The picture decodes to the same pixels.
func TestCleanJPEGThumbnailsAndKeptSegments(t *testing.T) {
	first := encodeJPEG(t, picture(), 90)
	uncropped := encodeJPEG(t, noise(), 50) // what the reporter cropped out
	rgb := bytes.Repeat([]byte("Juan"), 3)  // a 2×2 RGB thumbnail
	plain := jfif(0, 0, nil)
	prog := readFixture(t, "video-001.q50.420.progressive.jpeg")
	p3 := sos(t, prog, 3)
	after := func(segs ...[]byte) []byte { // segs right after the SOI of first
		return join(first[:2], join(segs...), first[2:])
	}

	cases := []struct {
		name     string
		in, want []byte
	}{
		{"JFIF with an RGB thumbnail", after(jfif(2, 2, rgb)), after(plain)},
		{"JFIF with no thumbnail, padded", after(jfif(0, 0, []byte("Juan Perez"))), after(plain)},
		{"JFXX with a JPEG thumbnail after JFIF", after(plain, segment(0xE0, "JFXX\x00\x10"+string(uncropped))), after(plain)},
		{"JFXX with an RGB thumbnail", after(segment(0xE0, "JFXX\x00\x13\x02\x02"+string(rgb))), first},
		{"AVI1 APP0", after(segment(0xE0, "AVI1\x00\x00Juan Perez")), first},
		{"JFIF too short to be a header", after(segment(0xE0, "JFIF\x00\x01Juan")), first},
		{"JFIF with a thumbnail between scans", join(prog[:p3], jfif(2, 2, rgb), prog[p3:]), join(prog[:p3], plain, prog[p3:])},
		{"Adobe with bytes after its 12", after(plain, adobe(1, "Juan Perez")), after(plain, adobe(1, ""))},
		{"Adobe RGB with bytes after its 12", after(adobe(0, "Juan Perez")), after(adobe(0, ""))},
		{"APP14 that is not Adobe", after(segment(0xEE, "Juan Perez GPS 19.4326")), first},
		{"Adobe too short", after(segment(0xEE, "AdobeJuan")), first},
		{"ICC profile", after(segment(0xE2, "ICC_PROFILE\x00\x01\x01 Google Pixel 7 Juan Perez")), first},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !bytes.Contains(c.in, []byte("Juan")) && !bytes.Contains(c.in, uncropped[2:]) {
				t.Fatal("test input carries no metadata")
			}
			got := mustClean(t, c.in, c.want)
			samePixels(t, c.in, got)
		})
	}
	if len(plain) != 18 || !bytes.Equal(plain[2:4], []byte{0, 16}) {
		t.Fatalf("a plain JFIF header is %x", plain)
	}
}

// pngParts splits a PNG as Go's encoder writes it into its signature and
// IHDR, its IDAT chunks, and its IEND.
func pngParts(t *testing.T, p []byte) (head, idat, iend []byte) {
	t.Helper()
	h := len(pngMagic) + 12 + 13
	e := len(p) - 12
	if string(p[h+4:h+8]) != "IDAT" || string(p[e+4:e+8]) != "IEND" {
		t.Fatal("unexpected PNG layout")
	}
	return p[:h], p[h:e], p[e:]
}

// A PNG keeps its critical chunks and the ancillary ones that change how
// it is drawn and hold no text, each at its standard length; iCCP, C2PA,
// vendor and every other chunk go. The picture decodes to the same pixels.
func TestCleanPNGKeepsOnlyRenderingChunks(t *testing.T) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, picture()); err != nil {
		t.Fatal(err)
	}
	orig := buf.Bytes()
	head, idat, iend := pngParts(t, orig)
	data := idat[8 : len(idat)-4]
	half := len(data) / 2
	split := join(chunk("IDAT", string(data[:half])), chunk("IDAT", string(data[half:])))
	rendering := join(
		chunk("cHRM", "\x00\x00\x7a\x26\x00\x00\x80\x84\x00\x00\xfa\x00\x00\x00\x80\xe8\x00\x00\x75\x30\x00\x00\xea\x60\x00\x00\x3a\x98\x00\x00\x17\x70"),
		chunk("gAMA", "\x00\x00\xb1\x8f"),
		chunk("sRGB", "\x00"),
		chunk("cICP", "\x01\x0d\x00\x01"),
		chunk("sBIT", "\x08\x08\x08"),
		chunk("bKGD", "\x00\xff\x00\xff\x00\xff"),
		chunk("pHYs", "\x00\x00\x16\x25\x00\x00\x16\x25\x01"),
		chunk("tRNS", "\x00\x01\x00\x02\x00\x03"),
	)
	iccp := chunk("iCCP", "Pixel 7 de Juan Perez\x00\x00\x78\x9c\x03\x00\x00\x00\x00\x01")
	c2pa := chunk("caBX", "\x00\x00\x00\x20jumbc2pa GPS 19.4326,-99.1332 Juan Perez")
	fcTL := func(seq byte) []byte {
		return chunk("fcTL", "\x00\x00\x00"+string([]byte{seq})+"\x00\x00\x00\x10\x00\x00\x00\x08"+
			"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x0a\x00\x00")
	}
	fdAT := chunk("fdAT", "\x00\x00\x00\x02"+string(data))

	cases := []struct {
		name     string
		in, want []byte
	}{
		{"private C2PA chunk and iCCP", join(head, iccp, idat, c2pa, iend), orig},
		{"rendering chunks kept", join(head, rendering, iccp, idat, iend), join(head, rendering, idat, iend)},
		{"vendor chunks, a named palette and text around two IDATs", join(head,
			chunk("sPLT", "Juan Perez\x00\x08\xff\x00\x00\xff\x00\x01"), chunk("iDOT", "\x00\x00\x00\x02Juan"),
			chunk("zTXt", "Author\x00\x00Juan Perez"), split, chunk("prVW", "Juan Perez"), iend), join(head, split, iend)},
		{"kept chunks padded past their standard length", join(head, chunk("gAMA", "\x00\x00\xb1\x8fJuan Perez"),
			chunk("pHYs", "\x00\x00\x16\x25\x00\x00\x16\x25\x01Juan"), chunk("sRGB", "\x00Juan"), idat, iend), orig},
		{"APNG frames kept", join(head, chunk("acTL", "\x00\x00\x00\x02\x00\x00\x00\x00"), fcTL(0), idat, fcTL(1), fdAT,
			chunk("tEXt", "Comment\x00Juan Perez"), iend), join(head, chunk("acTL", "\x00\x00\x00\x02\x00\x00\x00\x00"), fcTL(0), idat, fcTL(1), fdAT, iend)},
		{"anything after IEND", join(orig, c2pa), orig},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !bytes.Contains(c.in, []byte("Juan")) {
				t.Fatal("test input carries no metadata")
			}
			got := mustClean(t, c.in, c.want)
			samePixels(t, c.in, got)
		})
	}
}

// A PNG whose IHDR, PLTE or IEND has a length no decoder reads is
// Malformed and kept as sent, not passed through as clean with whatever
// rides in the chunk.
func TestCleanPNGBadCriticalChunk(t *testing.T) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, picture()); err != nil {
		t.Fatal(err)
	}
	head, idat, iend := pngParts(t, buf.Bytes())
	ihdr := head[len(pngMagic)+8 : len(pngMagic)+8+13]
	text := chunk("tEXt", "Author\x00Juan Perez")

	cases := []struct {
		name string
		in   []byte
	}{
		{"IHDR with bytes after its 13", join(pngMagic, chunk("IHDR", string(ihdr)+"Juan Perez"), text, idat, iend)},
		{"IEND with a payload", join(head, text, idat, chunk("IEND", "GPS 19.4326 Juan Perez"))},
		{"PLTE not a whole number of colours", join(head, chunk("PLTE", "Juan"), text, idat, iend)},
		{"PLTE of more than 256 colours", join(head, chunk("PLTE", string(bytes.Repeat([]byte("Juan Perez GPS"), 60))), idat, iend)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, how := CleanFile(c.in)
			if how != Malformed || !bytes.Equal(got, c.in) {
				t.Fatalf("cleaning = %v, %d bytes to %d; want Malformed, kept as sent", how, len(c.in), len(got))
			}
		})
	}
}

// sof8x8 is the frame header of an 8×8 baseline JPEG of one component.
var sof8x8 = segment(0xC0, "\x08\x00\x08\x00\x08\x01\x01\x11\x00")

// headerSegment returns the first segment with marker up to the first
// start of scan of a JPEG, walked by length, and its offset.
func headerSegment(t *testing.T, data []byte, marker byte) ([]byte, int) {
	t.Helper()
	for i := 2; i+4 <= len(data) && data[i] == 0xFF; {
		n := 2 + int(binary.BigEndian.Uint16(data[i+2:]))
		if data[i+1] == marker {
			return data[i : i+n], i
		}
		if data[i+1] == 0xDA {
			break
		}
		i += n
	}
	t.Fatalf("no segment %#x up to the first scan", marker)
	return nil, 0
}

// padded returns data with the segment at offset at, of length n, grown
// by extra bytes after its payload.
func padded(data []byte, at, n int, extra string) []byte {
	seg := segment(data[at+1], string(data[at+4:at+n])+extra)
	return join(data[:at], seg, data[at+n:])
}

// A JPEG keeps only the segments a decoder needs, each cut to the bytes a
// decoder reads: reserved and extension markers go wherever they are,
// whatever they carry; bytes after the whole tables of a DQT, DHT or DAC,
// after the components of a frame header or a start of scan, after a
// restart interval or a number of lines, go. The picture decodes to the
// same pixels.
func TestCleanJPEGKeepsOnlyWhatDecodersRead(t *testing.T) {
	const gps = "GPS 19.43,-99.13"
	first := encodeJPEG(t, picture(), 90) // one DQT of two tables, one DHT of four, as a camera writes them
	prog := readFixture(t, "video-001.q50.420.progressive.jpeg")
	rst := readFixture(t, "video-001.restart2.jpeg")
	p2, p5 := sos(t, prog, 2), sos(t, prog, 5)
	dqt, atDQT := headerSegment(t, first, 0xDB)
	dht, atDHT := headerSegment(t, first, 0xC4)
	sof, atSOF := headerSegment(t, first, 0xC0)
	sos1, atSOS := headerSegment(t, first, 0xDA)
	dri, atDRI := headerSegment(t, rst, 0xDD)
	dht5 := bytes.LastIndex(prog[:p5], []byte{0xFF, 0xC4}) // the DHT right before the fifth scan
	if len(dqt) != 4+2*65 || len(dht) != 4+4*17+12+12+162+162 || dht5+2+int(binary.BigEndian.Uint16(prog[dht5+2:])) != p5 {
		t.Fatal("unexpected JPEG layout")
	}
	eoi := len(first) - 2
	// An 8×8 arithmetic-coded JPEG: DAC's conditioning for DC table 0
	// (L 0, U 1) and AC table 0 (Kx 5), then padding.
	arith := func(dac string) []byte {
		return join([]byte{0xFF, 0xD8}, segment(0xC9, "\x08\x00\x08\x00\x08\x01\x01\x11\x00"), segment(0xCC, dac),
			segment(0xDA, "\x01\x01\x00\x00\x3F\x00"), []byte("\x12\x34\xFF\xD9"))
	}

	cases := []struct {
		name     string
		in, want []byte
		picture  bool // Go decodes want: compare its pixels with the cleaned copy's
	}{
		{"reserved JPG0 segment after SOI", join(first[:2], segment(0xF0, gps), first[2:]), first, true},
		{"JPG, JPG13, RES, DHP and EXP among the tables", join(first[:atSOF], segment(0xC8, gps), segment(0xFD, gps),
			segment(0x02, gps), segment(0xBF, gps), segment(0xDE, gps), segment(0xDF, gps), first[atSOF:]), first, true},
		{"reserved segments between scans and before EOI", join(prog[:p2], segment(0xF1, gps), prog[p2:p5], segment(0x4A, gps),
			prog[p5:len(prog)-2], segment(0xFD, gps), prog[len(prog)-2:]), prog, true},
		{"restart markers and TEM outside a scan", join(first[:2], []byte{0xFF, 0xD0, 0xFF, 0x01, 0xFF, 0xD7}, first[2:]), first, true},
		{"DQT padded", padded(first, atDQT, len(dqt), gps), first, true},
		{"DQT padded with what starts like a table", padded(first, atDQT, len(dqt), "\x00"+gps), first, true},
		{"DHT padded", padded(first, atDHT, len(dht), gps), first, true},
		{"DHT padded with what starts like a table", padded(first, atDHT, len(dht), "\x11\x00\x00\x00\x01"+gps), first, true},
		{"DQT padded with a table for no destination", padded(first, atDQT, len(dqt), "\x04"+strings.Repeat(gps, 4)), first, true},
		{"DHT padded with a table for no destination", padded(first, atDHT, len(dht), "\x14"+strings.Repeat("\x00", 15)+"\x10"+gps), first, true},
		{"DQT padded with a table of no precision", padded(first, atDQT, len(dqt), "\x20"+strings.Repeat(gps, 12)), first, true},
		{"DHT padded with a table of no class", padded(first, atDHT, len(dht), "\x20"+strings.Repeat("\x00", 15)+"\x10"+gps), first, true},
		{"DHT between scans padded", padded(prog, dht5, p5-dht5, gps), prog, true},
		{"empty DQT and DHT", join(first[:2], segment(0xDB, ""), segment(0xC4, ""), first[2:]), first, true},
		{"SOF padded", padded(first, atSOF, len(sof), gps), first, true},
		{"SOS padded", padded(first, atSOS, len(sos1), gps), first, true},
		{"SOS between scans padded", padded(prog, p5, 2+int(binary.BigEndian.Uint16(prog[p5+2:])), gps), prog, true},
		{"DRI padded", padded(rst, atDRI, len(dri), gps), rst, true},
		{"DNL padded", join(first[:eoi], segment(0xDC, "\x00\x08"+gps), first[eoi:]), join(first[:eoi], segment(0xDC, "\x00\x08"), first[eoi:]), false},
		{"DAC padded", arith("\x00\x10\x10\x05" + gps), arith("\x00\x10\x10\x05"), false},
		{"DAC padded with an entry out of range", arith("\x00\x10\x10\x05\x10\x40" + gps), arith("\x00\x10\x10\x05"), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if len(c.in) <= len(c.want) || bytes.Contains(c.want, []byte(gps)) {
				t.Fatal("test input holds nothing to clean")
			}
			got := mustClean(t, c.in, c.want)
			if c.picture {
				samePixels(t, c.want, got)
			}
		})
	}
}

// Pictures as encoders write them (baseline and progressive, colour,
// greyscale and CMYK, camera-like tables, restart markers) are kept byte
// for byte but for their metadata, and decode to the same pixels.
func TestCleanJPEGKeepsEncodersOutput(t *testing.T) {
	fixtures, err := filepath.Glob(filepath.Join("testdata", "jpeg", "*.jpeg"))
	if err != nil || len(fixtures) < 4 {
		t.Fatalf("fixtures: %v %v", fixtures, err)
	}
	pictures := map[string][]byte{
		"Go, quality 90":    encodeJPEG(t, picture(), 90),
		"Go, noise, 100":    encodeJPEG(t, noise(), 100),
		"Go, greyscale, 75": encodeJPEG(t, image.NewGray(image.Rect(0, 0, 24, 16)), 75),
	}
	for _, f := range fixtures {
		pictures[filepath.Base(f)] = readFixture(t, filepath.Base(f))
	}
	for name, jpg := range pictures {
		t.Run(name, func(t *testing.T) {
			for _, in := range [][]byte{jpg, join(withExif(jpg), comment)} {
				got, how := CleanFile(in)
				if how != Cleaned || !bytes.Equal(got, jpg) {
					t.Fatalf("cleaning = %v, %d bytes to %d, want %d", how, len(in), len(got), len(jpg))
				}
				samePixels(t, jpg, got)
			}
		})
	}
}

// mustClean cleans in, which must come out Cleaned and exactly want.
func mustClean(t *testing.T, in, want []byte) []byte {
	t.Helper()
	got, how := CleanFile(in)
	if how != Cleaned {
		t.Fatalf("cleaning = %v", how)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("cleaned %d bytes to %d, want %d", len(in), len(got), len(want))
	}
	return got
}
