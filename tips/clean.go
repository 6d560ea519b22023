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
// PNG files without re-encoding them: in JPEG every APPn segment except
// JFIF (APP0) and Adobe colour information (APP14) — so EXIF, GPS, XMP,
// IPTC, ICC and maker notes — and comments; in PNG the text, EXIF and time
// chunks. Any other file is returned unchanged.
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
	for {
		if i+4 > len(data) || data[i] != 0xFF {
			return data, Malformed
		}
		marker := data[i+1]
		if marker == 0xFF { // fill byte
			i++
			continue
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return data, Malformed
		}
		seg := data[i : i+2+n]
		switch {
		case marker == 0xDA: // start of scan: the rest is image data
			out = append(out, data[i:]...)
			return out, Cleaned
		case marker == 0xFE: // comment
		case marker >= 0xE1 && marker <= 0xEF && marker != 0xEE: // APP1–APP15 but Adobe
		default:
			out = append(out, seg...)
		}
		i += 2 + n
	}
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
		switch typ {
		case "tEXt", "zTXt", "iTXt", "eXIf", "tIME":
		default:
			out = append(out, data[i:end]...)
		}
		i = end
		if typ == "IEND" {
			return out, Cleaned
		}
	}
	return data, Malformed
}
