package photo

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"runtime"
	"testing"

	"golang.org/x/image/webp"
)

// jpegHeader returns the start of a JPEG: SOI, the given segments, a frame
// header (marker sof: 0xC0 baseline, 0xC2 progressive) of w×h pixels whose
// components have the given identifiers and sampling factors (0x22 is 2×2),
// and an SOS marker; after it, tail. That is all DecodeConfig and decodeCost
// read.
func jpegHeader(w, h int, sof byte, comps [][2]byte, segments [][]byte, tail []byte) []byte {
	out := []byte{0xFF, 0xD8}
	for _, s := range segments {
		out = append(out, s...)
	}
	body := []byte{8}
	body = binary.BigEndian.AppendUint16(body, uint16(h))
	body = binary.BigEndian.AppendUint16(body, uint16(w))
	body = append(body, byte(len(comps)))
	for _, c := range comps {
		body = append(body, c[0], c[1], 0)
	}
	out = append(out, 0xFF, sof)
	out = binary.BigEndian.AppendUint16(out, uint16(len(body)+2))
	out = append(out, body...)
	out = append(out, 0xFF, 0xDA, 0x00, 0x08, 1, 1, 0, 0, 63, 0)
	return append(out, tail...)
}

// segment returns a JPEG marker segment.
func segment(marker byte, payload string) []byte {
	out := []byte{0xFF, marker}
	out = binary.BigEndian.AppendUint16(out, uint16(len(payload)+2))
	return append(out, payload...)
}

// adobe is an APP14 segment with the given colour transform (0: RGB or CMYK,
// 1: YCbCr, 2: YCCK).
func adobe(transform byte) []byte {
	return segment(0xEE, "Adobe\x00\x64\x00\x00\x00\x00"+string(rune(transform)))
}

// pngChunks returns a PNG: the signature, an IHDR of w×h pixels of the given
// depth, colour type and interlace method, then the given chunks (type and
// data) and IEND.
func pngChunks(w, h uint32, depth, colorType, interlace byte, chunks ...[2]string) []byte {
	out := []byte("\x89PNG\r\n\x1a\n")
	chunk := func(out []byte, typ string, data []byte) []byte {
		out = binary.BigEndian.AppendUint32(out, uint32(len(data)))
		body := append([]byte(typ), data...)
		out = append(out, body...)
		return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(body))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, depth, colorType, 0, 0, interlace)
	out = chunk(out, "IHDR", ihdr)
	for _, c := range chunks {
		out = chunk(out, c[0], []byte(c[1]))
	}
	return chunk(out, "IEND", nil)
}

// webpChunks returns a RIFF WEBP file of the given chunks (FourCC and data).
func webpChunks(chunks ...[2]string) []byte {
	var body []byte
	for _, c := range chunks {
		body = append(body, c[0]...)
		body = binary.LittleEndian.AppendUint32(body, uint32(len(c[1])))
		body = append(body, c[1]...)
		if len(c[1])%2 == 1 {
			body = append(body, 0)
		}
	}
	out := []byte("RIFF")
	out = binary.LittleEndian.AppendUint32(out, uint32(4+len(body)))
	return append(append(out, "WEBP"...), body...)
}

// vp8x is a VP8X chunk's data for a w×h canvas, with the alpha flag if alpha.
func vp8x(w, h int, alpha bool) string {
	b := make([]byte, 10)
	if alpha {
		b[0] = 1 << 4
	}
	b[4], b[5], b[6] = byte(w-1), byte((w-1)>>8), byte((w-1)>>16)
	b[7], b[8], b[9] = byte(h-1), byte((h-1)>>8), byte((h-1)>>16)
	return string(b)
}

func TestDecodeCost(t *testing.T) {
	ycc420 := [][2]byte{{1, 0x22}, {2, 0x11}, {3, 0x11}}
	ycc444 := [][2]byte{{1, 0x11}, {2, 0x11}, {3, 0x11}}
	rgbIDs := [][2]byte{{'R', 0x11}, {'G', 0x11}, {'B', 0x11}}
	cmyk := [][2]byte{{1, 0x11}, {2, 0x11}, {3, 0x11}, {4, 0x11}}
	gray := [][2]byte{{1, 0x11}}
	// Scan data with an escaped 0xFF and a restart marker, then an APP14
	// segment between scans, where image/jpeg reads it too.
	scanThenAdobe := append([]byte{0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56}, adobe(0)...)
	// Lossy WebP frames are read into memory: the file's size counts.
	extLossy := webpChunks([2]string{"VP8X", vp8x(300, 200, false)}, [2]string{"ICCP", "icc"}, [2]string{"VP8 ", "xx"})
	extAlpha := webpChunks([2]string{"VP8X", vp8x(300, 200, true)}, [2]string{"ALPH", "\x00"}, [2]string{"VP8 ", "xx"})
	extAlphaCompressed := webpChunks([2]string{"VP8X", vp8x(300, 200, true)}, [2]string{"ALPH", "\x01"}, [2]string{"VP8 ", "xx"})
	const macroblocks = 304 * 208 * 3 / 2
	tests := []struct {
		name   string
		f      format
		w, h   int
		data   []byte
		want   int64
		opaque bool
	}{
		// A phone's 48-megapixel photo: Y at full size, Cb and Cr at a quarter.
		{"JPEG420", formatJPEG, 8000, 6000, jpegHeader(8000, 6000, 0xC0, ycc420, nil, nil), 8000*6000 + 2*4000*3000, true},
		// Blocks are 16×16 pixels at 4:2:0: 4001×3001 is decoded as 4016×3008.
		{"JPEG420Rounded", formatJPEG, 4001, 3001, jpegHeader(4001, 3001, 0xC0, ycc420, nil, nil), 4016*3008 + 2*2008*1504, true},
		{"JPEG444", formatJPEG, 4000, 3000, jpegHeader(4000, 3000, 0xC1, ycc444, nil, nil), 3 * 4000 * 3000, true},
		{"JPEGGrey", formatJPEG, 100, 100, jpegHeader(100, 100, 0xC0, gray, nil, nil), 104 * 104, true},
		// Progressive: 4 bytes for each of the 64 coefficients of each block.
		{"JPEGProgressive", formatJPEG, 4000, 3008, jpegHeader(4000, 3008, 0xC2, ycc420, nil, nil), 4000*3008 + 2*2000*1504 + 4*(4000*3008+2*2000*1504), true},
		{"JPEGRGBIdentifiers", formatJPEG, 800, 600, jpegHeader(800, 600, 0xC0, rgbIDs, nil, nil), 3*800*600 + 4*800*600, true},
		{"JPEGAdobeRGB", formatJPEG, 800, 600, jpegHeader(800, 600, 0xC0, ycc444, [][]byte{adobe(0)}, nil), 3*800*600 + 4*800*600, true},
		{"JPEGAdobeYCbCr", formatJPEG, 800, 600, jpegHeader(800, 600, 0xC0, ycc444, [][]byte{adobe(1)}, nil), 3 * 800 * 600, true},
		{"JPEGAdobeRGBAfterScan", formatJPEG, 800, 600, jpegHeader(800, 600, 0xC0, ycc444, nil, scanThenAdobe), 3*800*600 + 4*800*600, true},
		{"JPEGAdobeInsideEXIF", formatJPEG, 800, 600, jpegHeader(800, 600, 0xC0, ycc444, [][]byte{segment(0xE1, "Exif\x00\x00"+string(adobe(0)))}, nil), 3 * 800 * 600, true},
		{"JPEGCMYK", formatJPEG, 800, 600, jpegHeader(800, 600, 0xC0, cmyk, [][]byte{adobe(2)}, nil), 4*800*600 + 4*800*600, true},
		{"JPEGNoFrame", formatJPEG, 800, 600, []byte{0xFF, 0xD8, 0xFF, 0xD9}, worstJPEG * 800 * 600, true},
		{"JPEGFrameOfAnotherSize", formatJPEG, 800, 600, jpegHeader(80, 60, 0xC0, gray, nil, nil), worstJPEG * 800 * 600, true},

		// The finding: 16-bit RGBA takes 8 bytes a pixel.
		{"PNG16BitRGBA", formatPNG, 6300, 6300, pngChunks(6300, 6300, 16, 6, 0), 8 * 6300 * 6300, false},
		{"PNG8BitRGBA", formatPNG, 6300, 6300, pngChunks(6300, 6300, 8, 6, 0), 4 * 6300 * 6300, false},
		{"PNG8BitRGB", formatPNG, 6300, 6300, pngChunks(6300, 6300, 8, 2, 0), 4 * 6300 * 6300, true},
		{"PNG16BitRGB", formatPNG, 100, 100, pngChunks(100, 100, 16, 2, 0), 8 * 100 * 100, true},
		{"PNGGrey", formatPNG, 100, 100, pngChunks(100, 100, 8, 0, 0), 100 * 100, true},
		{"PNGGrey16", formatPNG, 100, 100, pngChunks(100, 100, 16, 0, 0), 2 * 100 * 100, true},
		{"PNGGreyWithTRNS", formatPNG, 100, 100, pngChunks(100, 100, 8, 0, 0, [2]string{"tRNS", "\x00\x00"}), 4 * 100 * 100, false},
		{"PNGGrey16WithTRNS", formatPNG, 100, 100, pngChunks(100, 100, 16, 0, 0, [2]string{"tRNS", "\x00\x00"}), 8 * 100 * 100, false},
		{"PNGGreyAlpha", formatPNG, 100, 100, pngChunks(100, 100, 8, 4, 0), 4 * 100 * 100, false},
		{"PNGPaletted", formatPNG, 100, 100, pngChunks(100, 100, 8, 3, 0, [2]string{"PLTE", "\x00\x00\x00"}), 100 * 100, true},
		{"PNGPalettedWithTRNS", formatPNG, 100, 100, pngChunks(100, 100, 4, 3, 0, [2]string{"PLTE", "\x00\x00\x00"}, [2]string{"tRNS", "\x00"}), 100 * 100, false},
		{"PNGInterlaced", formatPNG, 100, 100, pngChunks(100, 100, 8, 6, 1), 2 * 4 * 100 * 100, false},
		{"PNGTRNSAfterIDATIsNotRead", formatPNG, 100, 100, pngChunks(100, 100, 8, 0, 0, [2]string{"IDAT", ""}, [2]string{"tRNS", "\x00\x00"}), 100 * 100, true},
		{"PNGCutOff", formatPNG, 100, 100, pngChunks(100, 100, 8, 0, 0)[:40], worstPNG * 100 * 100, false},

		{"WebPLossless", formatWebP, 300, 200, webpChunks([2]string{"VP8L", "x"}), 8 * 300 * 200, false},
		{"WebPLossy", formatWebP, 300, 200, webpChunks([2]string{"VP8 ", "xxxx"}), macroblocks + 24, true},
		{"WebPExtendedLossy", formatWebP, 300, 200, extLossy, macroblocks + int64(len(extLossy)), true},
		{"WebPExtendedAlpha", formatWebP, 300, 200, extAlpha, macroblocks + int64(len(extAlpha)) + 300*200, false},
		{"WebPExtendedCompressedAlpha", formatWebP, 300, 200, extAlphaCompressed, macroblocks + int64(len(extAlphaCompressed)) + 300*200 + 8*300*200, false},
		{"WebPExtendedLossless", formatWebP, 300, 200, webpChunks([2]string{"VP8X", vp8x(300, 200, true)}, [2]string{"VP8L", "x"}), 8 * 300 * 200, false},
		{"WebPExtendedNoFrame", formatWebP, 300, 200, webpChunks([2]string{"VP8X", vp8x(300, 200, false)}), worstWebP * 300 * 200, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := image.Config{Width: tc.w, Height: tc.h}
			got, opaque := decodeCost(tc.f, cfg, bytes.NewReader(tc.data), int64(len(tc.data)))
			if got != tc.want || opaque != tc.opaque {
				t.Errorf("decodeCost() = %d, opaque %v; want %d, %v", got, opaque, tc.want, tc.opaque)
			}
		})
	}
}

// decodeCost never says less than the decoders allocate: each real image is
// decoded while the bytes allocated are counted.
func TestDecodeCostCoversDecoding(t *testing.T) {
	const w, h = 640, 480
	opaque := gradient(w, h)
	withAlpha := image.NewNRGBA(image.Rect(0, 0, w, h))
	copy(withAlpha.Pix, opaque.Pix)
	withAlpha.Pix[3] = 0
	rgba64 := image.NewRGBA64(opaque.Rect)
	nrgba64 := image.NewNRGBA64(opaque.Rect)
	gray16 := image.NewGray16(opaque.Rect)
	for y := range h {
		for x := range w {
			rgba64.Set(x, y, opaque.At(x, y))
			nrgba64.Set(x, y, withAlpha.At(x, y))
			gray16.Set(x, y, opaque.At(x, y))
		}
	}
	paletted := image.NewPaletted(opaque.Rect, color.Palette{color.Black, color.White, color.Transparent})
	greyPNG := encodePNG(t, image.NewGray(opaque.Rect))
	lossy, err := os.ReadFile(lossyWebP)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		f      format
		data   []byte
		decode func([]byte) (image.Image, error)
	}{
		{"JPEG420", formatJPEG, encodeJPEG(t, opaque), decodeJPEG},
		{"JPEGGrey", formatJPEG, encodeJPEG(t, image.NewGray(opaque.Rect)), decodeJPEG},
		{"PNGRGB", formatPNG, encodePNG(t, opaque), decodePNG},
		{"PNGRGBA", formatPNG, encodePNG(t, withAlpha), decodePNG},
		{"PNG16BitRGB", formatPNG, encodePNG(t, rgba64), decodePNG},
		{"PNG16BitRGBA", formatPNG, encodePNG(t, nrgba64), decodePNG},
		{"PNGGrey", formatPNG, greyPNG, decodePNG},
		{"PNGGrey16", formatPNG, encodePNG(t, gray16), decodePNG},
		{"PNGGreyWithTRNS", formatPNG, withChunkBeforeIDAT(greyPNG, "tRNS", "\x00\x00"), decodePNG},
		{"PNGPaletted", formatPNG, encodePNG(t, paletted), decodePNG},
		{"WebPLossless", formatWebP, vp8l(w, h, 0x80102030), decodeWebP},
		{"WebPLossy", formatWebP, lossy, decodeWebP},
	}
	// What a decoder allocates besides the image: buffered readers, Huffman
	// and zlib tables.
	const slack = 256 << 10
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := decoders[tc.f].config(bytes.NewReader(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			cost, _ := decodeCost(tc.f, cfg, bytes.NewReader(tc.data), int64(len(tc.data)))
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			m, err := tc.decode(tc.data)
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatal(err)
			}
			allocated := int64(after.TotalAlloc - before.TotalAlloc)
			t.Logf("%T: decodeCost %d, allocated %d", m, cost, allocated)
			if cost < allocated-slack {
				t.Errorf("decodeCost() = %d, but decoding allocated %d bytes", cost, allocated)
			}
		})
	}
}

func decodeJPEG(b []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(b)) }
func decodePNG(b []byte) (image.Image, error)  { return png.Decode(bytes.NewReader(b)) }
func decodeWebP(b []byte) (image.Image, error) { return webp.Decode(bytes.NewReader(b)) }

// withChunkBeforeIDAT returns a PNG with a chunk added right before its first
// IDAT chunk.
func withChunkBeforeIDAT(p []byte, typ, data string) []byte {
	i := bytes.Index(p, []byte("IDAT")) - 4
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	body := append([]byte(typ), data...)
	chunk = append(chunk, body...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(body))
	return append(append(append([]byte{}, p[:i]...), chunk...), p[i:]...)
}
