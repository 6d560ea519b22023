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
// else, before, between and after scans: its frame header, tables, restart
// interval, scans and number of lines, each cut to the bytes a decoder
// reads (padding after them, which decoders skip or refuse, goes); APP0
// only as a JFIF header, its thumbnail (which can show the picture before
// it was cropped) cut off; APP14 only as Adobe's colour transform, its
// standard 12 bytes; every other APPn (EXIF, GPS, XMP, IPTC, MPF, maker
// notes, JFXX thumbnails, ICC profiles: these name a maker, a device and a
// date, and without one a wide-gamut photo may look a little less
// saturated in colour-managed viewers), comments, reserved and extension
// segments go, and so does everything after the end of the first picture
// (the second picture of an MPO file, an HDR gain map, a motion photo's
// video, each with metadata of its own). A JPEG cut off in its picture
// data is cleaned as far as it goes. A JPEG with a segment Vigía keeps but
// cannot read (a table cut short, a frame header or scan shorter than its
// components), two frame headers, or a scan before a frame header it keeps
// (JPEG-LS, hierarchical) is Malformed. A PNG keeps only its
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
	framed := false  // the frame header (SOFn) has been met
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
		case marker >= 0xD0 && marker <= 0xD7 || marker == 0x01: // RSTn outside a scan, TEM: no length, no meaning
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
		kept, ok := keptSegment(marker, seg)
		if !ok {
			return data, Malformed
		}
		if frameHeader(marker) {
			if framed { // a second frame: no decoder reads one
				return data, Malformed
			}
			framed = true
		}
		if marker == 0xDA && !framed { // a scan of no frame Vigía keeps (JPEG-LS, hierarchical)
			return data, Malformed
		}
		out = append(out, kept...)
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

// frameHeader says whether marker starts a frame header a cleaned JPEG
// keeps: SOF0 to SOF15 but for DHT (0xC4), JPG (0xC8) and DAC (0xCC).
func frameHeader(marker byte) bool {
	return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC
}

// keptSegment returns what a cleaned JPEG keeps of a segment (marker,
// length and payload), or false if the segment cannot be read. It keeps
// only what a decoder needs, each cut to the bytes a decoder reads, so
// nothing can ride along after them: a frame header (SOFn) to its
// components, a start of scan to its components and spectral selection,
// DRI and DNL to their two bytes, DQT, DHT and DAC to the whole tables
// they start with (a segment with bytes but no table cannot be read); of
// APP0 a JFIF header, its thumbnail size set to 0×0 and its thumbnail
// dropped; of APP14 Adobe's fixed 12 bytes. Every other segment goes:
// other APPn, comments, an APP0 or APP14 that is not one of these (a JFXX
// thumbnail, an AVI1 header, a header too short to be one, which libjpeg
// ignores), JPG, JPGn, DHP, EXP and reserved markers.
func keptSegment(marker byte, seg []byte) ([]byte, bool) {
	payload := seg[4:]
	switch {
	case marker == 0xE0:
		if len(payload) < jfifHeader || !bytes.HasPrefix(payload, []byte("JFIF\x00")) {
			return nil, true
		}
		header := append(payload[:jfifHeader-2:jfifHeader-2], 0, 0) // no thumbnail
		return rebuilt(marker, header), true
	case marker == 0xEE:
		if len(payload) < adobeHeader || !bytes.HasPrefix(payload, []byte("Adobe")) {
			return nil, true
		}
		return rebuilt(marker, payload[:adobeHeader]), true
	case marker == 0xDB, marker == 0xC4, marker == 0xCC: // DQT, DHT, DAC
		n := tablesLen(marker, payload)
		switch {
		case n == 0 && len(payload) > 0:
			return nil, false
		case n == 0: // no table: nothing to keep
			return nil, true
		}
		return rebuilt(marker, payload[:n]), true
	case frameHeader(marker): // precision, height, width, Nf, then 3 bytes a component
		if len(payload) < 6 || payload[5] == 0 {
			return nil, false
		}
		return fixedSegment(marker, payload, 6+3*int(payload[5]))
	case marker == 0xDA: // SOS: Ns, 2 bytes a component, Ss, Se, Ah and Al
		if len(payload) < 1 || payload[0] == 0 {
			return nil, false
		}
		return fixedSegment(marker, payload, 4+2*int(payload[0]))
	case marker == 0xDD, marker == 0xDC: // DRI: restart interval; DNL: number of lines
		return fixedSegment(marker, payload, 2)
	}
	return nil, true
}

// fixedSegment returns a segment of the first n bytes of payload, or false
// if payload is shorter.
func fixedSegment(marker byte, payload []byte, n int) ([]byte, bool) {
	if len(payload) < n {
		return nil, false
	}
	return rebuilt(marker, payload[:n]), true
}

// rebuilt returns a segment: marker, length and payload.
func rebuilt(marker byte, payload []byte) []byte {
	seg := []byte{0xFF, marker, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(2+len(payload)))
	return append(seg, payload...)
}

// tablesLen returns the length of the whole tables p starts with, p the
// payload of a DQT, DHT or DAC segment; what follows them (a table no
// decoder accepts, or cut short) is padding.
func tablesLen(marker byte, p []byte) int {
	i := 0
	for i < len(p) {
		n := tableLen(marker, p[i:])
		if n == 0 {
			break
		}
		i += n
	}
	return i
}

// tableLen returns the length of the table p starts with, or 0 if it does
// not start with one a decoder accepts. p is not empty.
func tableLen(marker byte, p []byte) int {
	switch marker {
	case 0xDB: // Pq (0: 8-bit values, 1: 16-bit), Tq (0–3), then 64 values
		pq, tq := p[0]>>4, p[0]&0x0F
		n := 1 + 64*(1+int(pq))
		if pq > 1 || tq > 3 || len(p) < n {
			return 0
		}
		return n
	case 0xC4: // Tc (0: DC, 1: AC), Th (0–3), codes of each length 1 to 16, then their symbols
		tc, th := p[0]>>4, p[0]&0x0F
		if tc > 1 || th > 3 || len(p) < 17 {
			return 0
		}
		codes := 0
		for _, c := range p[1:17] {
			codes += int(c)
		}
		if codes > 256 || len(p) < 17+codes {
			return 0
		}
		return 17 + codes
	case 0xCC: // Tc (0: DC, 1: AC), Tb (0–3), then DC's bounds L ≤ U or AC's Kx, 1–63
		if len(p) < 2 {
			return 0
		}
		tc, tb, v := p[0]>>4, p[0]&0x0F, p[1]
		switch {
		case tb > 3:
			return 0
		case tc == 0 && v&0x0F <= v>>4, tc == 1 && v >= 1 && v <= 63:
			return 2
		}
	}
	return 0
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
