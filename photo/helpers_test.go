package photo

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

// Images for the tests are made here rather than kept as files, so that what each
// one holds is visible in the code.

// gradient returns an opaque w×h image with smooth colours, like a photo.
func gradient(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.SetRGBA(x, y, color.RGBA{uint8(x * 255 / max(w-1, 1)), uint8(y * 255 / max(h-1, 1)), 128, 255})
		}
	}
	return m
}

// quadrants returns a w×h image whose top-left quarter is red, top-right green,
// bottom-left blue and bottom-right white, to see where a turn moved each corner.
func quadrants(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var c color.RGBA
			switch {
			case x < w/2 && y < h/2:
				c = red
			case y < h/2:
				c = green
			case x < w/2:
				c = blue
			default:
				c = white
			}
			m.SetRGBA(x, y, c)
		}
	}
	return m
}

var (
	red   = color.RGBA{255, 0, 0, 255}
	green = color.RGBA{0, 255, 0, 255}
	blue  = color.RGBA{0, 0, 255, 255}
	white = color.RGBA{255, 255, 255, 255}
)

func encodeJPEG(tb testing.TB, m image.Image) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 95}); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func encodePNG(tb testing.TB, m image.Image) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// withSegment inserts a JPEG marker segment (e.g. 0xE1 APP1, 0xFE COM) right after
// the SOI marker of a JPEG.
func withSegment(tb testing.TB, jpg []byte, marker byte, payload []byte) []byte {
	tb.Helper()
	if len(payload)+2 > 0xFFFF {
		tb.Fatalf("segment payload of %d bytes is too long", len(payload))
	}
	out := append([]byte{}, jpg[:2]...)
	out = append(out, 0xFF, marker)
	out = binary.BigEndian.AppendUint16(out, uint16(len(payload)+2))
	out = append(out, payload...)
	return append(out, jpg[2:]...)
}

// byteOrder is binary.LittleEndian or binary.BigEndian.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// gpsDescription is text placed in an EXIF ImageDescription, to look for in outputs.
const gpsDescription = "Home of the customer 56.9496N 24.1052E"

// exifAPP1 returns the payload of an APP1 Exif segment ("Exif\0\0" and a TIFF
// structure in byte order bo) whose IFD0 holds an ImageDescription, the Orientation
// and a pointer to a GPS IFD with GPSLatitudeRef "N" and GPSLatitude 56° 56' 58.56",
// laid out as cameras write them.
func exifAPP1(bo byteOrder, orientation uint16) []byte {
	const (
		ifd0Off = 8
		ifd0Len = 2 + 3*12 + 4
		gpsOff  = ifd0Off + ifd0Len
		gpsLen  = 2 + 2*12 + 4
		latOff  = gpsOff + gpsLen
		descOff = latOff + 3*8
	)
	t := []byte("II")
	if bo == binary.BigEndian {
		t = []byte("MM")
	}
	t = bo.AppendUint16(t, 42)
	t = bo.AppendUint32(t, ifd0Off)
	entry := func(t []byte, tag, typ uint16, count uint32, value []byte) []byte {
		t = bo.AppendUint16(t, tag)
		t = bo.AppendUint16(t, typ)
		t = bo.AppendUint32(t, count)
		return append(t, append(value, make([]byte, 4-len(value))...)...)
	}
	u16 := func(v uint16) []byte { return bo.AppendUint16(nil, v) }
	u32 := func(v uint32) []byte { return bo.AppendUint32(nil, v) }
	// IFD0: tags in ascending order.
	t = bo.AppendUint16(t, 3)
	t = entry(t, 0x010E, 2, uint32(len(gpsDescription)+1), u32(descOff)) // ImageDescription, ASCII
	t = entry(t, 0x0112, 3, 1, u16(orientation))                         // Orientation, SHORT
	t = entry(t, 0x8825, 4, 1, u32(gpsOff))                              // GPSInfo IFD pointer, LONG
	t = bo.AppendUint32(t, 0)                                            // no IFD1
	// GPS IFD.
	t = bo.AppendUint16(t, 2)
	t = entry(t, 0x0001, 2, 2, []byte("N\x00"))                    // GPSLatitudeRef, ASCII
	t = entry(t, 0x0002, 5, 3, u32(latOff))                        // GPSLatitude, 3 RATIONAL
	t = bo.AppendUint32(t, 0)                                      // no next IFD
	for _, r := range [][2]uint32{{56, 1}, {56, 1}, {5856, 100}} { // 56° 56' 58.56"
		t = bo.AppendUint32(t, r[0])
		t = bo.AppendUint32(t, r[1])
	}
	t = append(t, gpsDescription+"\x00"...)
	return append([]byte("Exif\x00\x00"), t...)
}

// pngHeaderOnly returns a PNG of just the signature, an IHDR claiming w×h 8-bit RGBA
// pixels (with a correct CRC, so that decoders trust it) and IEND: no pixel data.
func pngHeaderOnly(w, h uint32) []byte {
	out := []byte("\x89PNG\r\n\x1a\n")
	chunk := func(out []byte, typ string, data []byte) []byte {
		out = binary.BigEndian.AppendUint32(out, uint32(len(data)))
		body := append([]byte(typ), data...)
		out = append(out, body...)
		return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(body))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0) // bit depth 8, colour type RGBA, deflate, no filter, not interlaced
	out = chunk(out, "IHDR", ihdr)
	return chunk(out, "IEND", nil)
}

// jpegHeaderOnly returns the start of a baseline JPEG claiming w×h pixels in three
// components: SOI, SOF0 and an SOS marker, which is all DecodeConfig reads.
func jpegHeaderOnly(w, h uint16) []byte {
	out := []byte{0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 8}
	out = binary.BigEndian.AppendUint16(out, h)
	out = binary.BigEndian.AppendUint16(out, w)
	out = append(out, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1)
	return append(out, 0xFF, 0xDA, 0x00, 0x0C, 3, 1, 0, 2, 0x11, 3, 0x11, 0, 63, 0)
}

// vp8l returns a lossless WebP file of w×h pixels all of one colour (ARGB), built
// bit by bit after "WebP Lossless Bitstream Specification" (RFC 9649, section 3):
//
//	RIFF header: "RIFF", file size − 8 (LE32), "WEBP", then the "VP8L" chunk:
//	signature 0x2F; 14 bits width−1; 14 bits height−1; 1 bit alpha_is_used;
//	3 bits version 0; 1 bit "a transform follows" = 0; 1 bit "colour cache" = 0;
//	1 bit "meta prefix codes" = 0; then the five prefix codes (green, red, blue,
//	alpha, distance), each a "simple code" of one symbol: bit 1 (simple), bit 0
//	(one symbol), bit is_first_8bits, then the symbol in 1 or 8 bits.
//
// A prefix code of one symbol takes zero bits per use, so the pixels themselves
// take no bits at all: the file is 32 bytes whatever w and h are. Bits are packed
// from the least significant bit of each byte.
func vp8l(w, h int, argb uint32) []byte {
	var bits []byte
	var n uint
	put := func(v uint32, width uint) {
		for i := uint(0); i < width; i++ {
			if n%8 == 0 {
				bits = append(bits, 0)
			}
			bits[n/8] |= byte((v>>i)&1) << (n % 8)
			n++
		}
	}
	put(uint32(w-1), 14)
	put(uint32(h-1), 14)
	alphaUsed := uint32(0)
	if argb>>24 != 0xFF {
		alphaUsed = 1
	}
	put(alphaUsed, 1)
	put(0, 3)                                                                                    // version
	put(0, 1)                                                                                    // no transform
	put(0, 1)                                                                                    // no colour cache
	put(0, 1)                                                                                    // no meta prefix codes
	for _, sym := range []uint32{argb >> 8 & 0xFF, argb >> 16 & 0xFF, argb & 0xFF, argb >> 24} { // green, red, blue, alpha
		put(1, 1) // simple code
		put(0, 1) // one symbol
		put(1, 1) // of 8 bits
		put(sym, 8)
	}
	put(1, 1) // distance: simple code
	put(0, 1) // one symbol
	put(0, 1) // of 1 bit
	put(0, 1) // symbol 0
	payload := append([]byte{0x2F}, bits...)
	if len(payload)%2 == 1 {
		payload = append(payload, 0) // RIFF chunks are padded to an even size
	}
	out := []byte("RIFF")
	out = binary.LittleEndian.AppendUint32(out, uint32(4+8+len(payload)))
	out = append(out, "WEBPVP8L"...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(payload)))
	return append(out, payload...)
}
