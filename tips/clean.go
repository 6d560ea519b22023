package tips

import (
	"bytes"
	"encoding/binary"
)

// Cleaning says what CleanFile did to a file.
type Cleaning int

const (
	// NotCleaned: a type Vigía cannot clean; the file is kept as sent.
	NotCleaned Cleaning = iota
	// Cleaned: a JPEG or PNG whose metadata (camera, time, GPS, editing
	// software, comments) was removed; the picture itself is unchanged.
	Cleaned
	// Malformed: it claims to be a JPEG or PNG but cannot be walked; it is
	// kept as sent, and the reporter is told it was not cleaned.
	Malformed
)

var pngMagic = []byte("\x89PNG\r\n\x1a\n")

// CleanFile removes metadata that can identify a reporter from JPEG and
// PNG files without re-encoding them. A JPEG keeps its picture and little
// else, before, between and after scans: APP0 only as a JFIF header, its
// thumbnail (which can show the picture before it was cropped) cut off;
// APP14 only as Adobe's colour transform, its standard 12 bytes; every
// other APPn (EXIF, GPS, XMP, IPTC, MPF, maker notes, JFXX thumbnails,
// ICC profiles: these name a maker, a device and a date, and without one a
// wide-gamut photo may look a little less saturated in colour-managed
// viewers) and comments go, and so does everything after the end of the
// first picture (the second picture of an MPO file, an HDR gain map, a
// motion photo's video, each with metadata of its own). A JPEG cut off in
// its picture data is cleaned as far as it goes. A PNG keeps only its
// critical chunks and the ancillary ones that change how it is drawn and
// hold no text (transparency, gamma, chromaticities, sRGB, significant
// bits, background, pixel size, cICP, APNG frames), each at its standard
// length; text, EXIF, time, ICC profiles (a free-text name, and as in a
// JPEG colours may shift a little without one), suggested palettes, C2PA
// and vendor chunks go, and so does anything after IEND. A PNG whose
// IHDR, PLTE or IEND cannot be read is Malformed. Any other file is
// returned unchanged.
func CleanFile(data []byte) ([]byte, Cleaning) {
	switch {
	case len(data) >= 2 && data[0] == 0xFF && data[1] == 0xD8:
		return cleanJPEG(data)
	case bytes.HasPrefix(data, pngMagic):
		return cleanPNG(data)
	}
	return data, NotCleaned
}

func cleanJPEG(data []byte) ([]byte, Cleaning) {
	out := make([]byte, 0, len(data))
	out = append(out, 0xFF, 0xD8)
	i := 2
	scanned := false // the picture's data has begun
	for {
		if i+2 > len(data) {
			return truncatedJPEG(data, out, scanned)
		}
		if data[i] != 0xFF {
			return data, Malformed
		}
		marker := data[i+1]
		switch {
		case marker == 0xFF: // fill byte
			i++
			continue
		case marker == 0xD9: // end of image: whatever follows is another file
			return append(out, 0xFF, 0xD9), Cleaned
		case marker >= 0xD0 && marker <= 0xD7 || marker == 0x01: // RSTn, TEM: no length
			out = append(out, data[i:i+2]...)
			i += 2
			continue
		case marker == 0x00 || marker == 0xD8: // stuffing outside a scan, a second SOI
			return data, Malformed
		}
		if i+4 > len(data) {
			return truncatedJPEG(data, out, scanned)
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 {
			return data, Malformed
		}
		if i+2+n > len(data) {
			return truncatedJPEG(data, out, scanned)
		}
		seg := data[i : i+2+n]
		i += 2 + n
		out = append(out, keptSegment(marker, seg)...)
		if marker == 0xDA { // start of scan: its entropy-coded data follows
			end := scanEnd(data, i)
			out = append(out, data[i:end]...)
			i = end
			scanned = true
		}
	}
}

const (
	jfifHeader  = 14 // "JFIF\x00", version, density unit, X and Y density, thumbnail width and height
	adobeHeader = 12 // "Adobe", version, flags0, flags1, colour transform
)

// keptSegment returns what a cleaned JPEG keeps of a segment (marker,
// length and payload): of APP0 a JFIF header, its thumbnail size set to
// 0×0 and its thumbnail dropped; of APP14 Adobe's fixed 12 bytes; nothing
// of any other APPn, of a comment, nor of an APP0 or APP14 that is not
// one of these (a JFXX thumbnail, an AVI1 header, a header too short to be
// one, which libjpeg ignores); any other segment as it is.
func keptSegment(marker byte, seg []byte) []byte {
	payload := seg[4:]
	switch {
	case marker == 0xE0:
		if len(payload) < jfifHeader || !bytes.HasPrefix(payload, []byte("JFIF\x00")) {
			return nil
		}
		kept := append([]byte{0xFF, 0xE0, 0, 2 + jfifHeader}, payload[:jfifHeader-2]...)
		return append(kept, 0, 0)
	case marker == 0xEE:
		if len(payload) < adobeHeader || !bytes.HasPrefix(payload, []byte("Adobe")) {
			return nil
		}
		return append([]byte{0xFF, 0xEE, 0, 2 + adobeHeader}, payload[:adobeHeader]...)
	case marker >= 0xE1 && marker <= 0xEF, marker == 0xFE: // other APPn, comment
		return nil
	}
	return seg
}

// scanEnd returns where the entropy-coded data of a scan starting at i
// ends: at the first marker that is not a restart marker (a stuffed
// 0xFF00 is data), or at the end of data.
func scanEnd(data []byte, i int) int {
	for {
		j := bytes.IndexByte(data[i:], 0xFF)
		if j < 0 {
			return len(data)
		}
		i += j
		if i+1 == len(data) {
			return i
		}
		if m := data[i+1]; m != 0x00 && (m < 0xD0 || m > 0xD7) {
			return i // a marker, or fill bytes before one
		}
		i += 2
	}
}

// truncatedJPEG decides about a JPEG that ends before its end-of-image
// marker. Cut off in its picture data (an interrupted upload), it is
// cleaned as far as it goes: every byte kept has been walked, and an
// unfinished segment at the end is dropped. Cut off before any picture
// data, it is Malformed.
func truncatedJPEG(data, out []byte, scanned bool) ([]byte, Cleaning) {
	if !scanned {
		return data, Malformed
	}
	return out, Cleaned
}

func cleanPNG(data []byte) ([]byte, Cleaning) {
	out := make([]byte, 0, len(data))
	out = append(out, pngMagic...)
	i := len(pngMagic)
	for i < len(data) {
		if i+12 > len(data) {
			return data, Malformed
		}
		n := int(binary.BigEndian.Uint32(data[i:]))
		if n < 0 || n > len(data)-i-12 {
			return data, Malformed
		}
		typ := string(data[i+4 : i+8])
		end := i + 12 + n
		switch keptChunk(typ, n) {
		case keep:
			out = append(out, data[i:end]...)
		case badCritical:
			return data, Malformed
		}
		i = end
		if typ == "IEND" {
			return out, Cleaned
		}
	}
	return data, Malformed
}

type chunkFate int

const (
	drop chunkFate = iota
	keep
	badCritical // a critical chunk of a length no decoder reads
)

// keptChunk says whether a cleaned PNG keeps a chunk of type typ and
// length n. The critical chunks are kept, and must have a length a decoder
// can read. Of the ancillary chunks only those that change how the picture
// is drawn and hold no text are kept, and only at their standard length
// (decoders skip one of another length, so nothing can ride along in it):
// transparency, gamma, chromaticities, sRGB intent, significant bits,
// background colour, pixel size (a DPI says nothing of the reporter), cICP
// (the colour space of an HDR picture) and APNG's animation, frame control
// and frame data. Everything else is dropped, among it iCCP (a free-text
// profile name; sRGB, gAMA and cHRM say enough, though a wide-gamut
// picture, a Display P3 screenshot, may look a little less saturated),
// sPLT (a named palette), text, eXIf, tIME, C2PA (caBX) and private
// chunks.
func keptChunk(typ string, n int) chunkFate {
	ok := false
	switch typ {
	case "IHDR":
		if n != 13 {
			return badCritical
		}
		return keep
	case "PLTE":
		if n == 0 || n > 3*256 || n%3 != 0 {
			return badCritical
		}
		return keep
	case "IEND":
		if n != 0 {
			return badCritical
		}
		return keep
	case "IDAT":
		ok = true
	case "fdAT":
		ok = n >= 4 // a sequence number, then the frame's data
	case "tRNS":
		ok = n <= 256
	case "gAMA", "cICP":
		ok = n == 4
	case "cHRM":
		ok = n == 32
	case "sRGB":
		ok = n == 1
	case "sBIT":
		ok = n >= 1 && n <= 4
	case "bKGD":
		ok = n == 1 || n == 2 || n == 6
	case "pHYs":
		ok = n == 9
	case "acTL":
		ok = n == 8
	case "fcTL":
		ok = n == 26
	}
	if ok {
		return keep
	}
	return drop
}
