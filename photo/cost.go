package photo

import (
	"bufio"
	"encoding/binary"
	"errors"
	"image"
	"io"
)

// The memory a photo needs is known before it is decoded: Go's decoders
// allocate the whole image at once, laid out by the file's header, so the
// header says how many bytes decoding will take. Pixels alone do not: the same
// 6300×6300 pixels take 40 MB as an 8-bit grey PNG and 318 MB as a 16-bit RGBA
// one. The figures below follow the decoders' source (image/jpeg, image/png,
// golang.org/x/image/webp at the versions in go.mod); where a header cannot be
// read, the most the decoder could take for an image of that size is assumed.

// Bytes the decoders take per pixel at most, when a file's headers leave it open.
const (
	// A 4-component progressive JPEG: Y, Cb, Cr and K planes (4), the CMYK
	// image made from them (4) and 4 bytes per coefficient of each plane (16).
	worstJPEG = 24
	// A 16-bit interlaced PNG: the image (8) and its seven passes (8 together).
	worstPNG = 16
	// A lossy WebP with lossless alpha: YCbCr 4:2:0 (1.5), the alpha plane (1)
	// and the lossless decoder's buffers for it (8); rounded up.
	worstWebP = 11
)

// decodeCost returns the bytes Go's decoder allocates to decode the image whose
// DecodeConfig is cfg: the decoded image as the decoder lays it out (rounded up
// to whole JPEG blocks or WebP macroblocks) and what the decoder holds beside it
// while it works. opaque reports that the headers rule out transparency. r
// holds the whole file, size bytes.
func decodeCost(f format, cfg image.Config, r io.ReaderAt, size int64) (n int64, opaque bool) {
	w, h := int64(cfg.Width), int64(cfg.Height)
	switch f {
	case formatJPEG:
		// JPEG has no transparency.
		fr, err := readJPEGFrame(bufio.NewReaderSize(io.NewSectionReader(r, 0, size), 32<<10))
		if err != nil || int64(fr.width) != w || int64(fr.height) != h {
			return w * h * worstJPEG, true
		}
		return fr.cost(), true
	case formatPNG:
		hd, err := readPNGHeader(bufio.NewReaderSize(io.NewSectionReader(r, 0, size), 32<<10))
		if err != nil || int64(hd.width) != w || int64(hd.height) != h {
			return w * h * worstPNG, false
		}
		return hd.cost(), hd.opaque()
	case formatWebP:
		return webpCost(cfg, r, size)
	}
	return w * h * worstJPEG, false
}

// jpegComponent is a component of a JPEG frame: its identifier and its
// horizontal and vertical sampling factors.
type jpegComponent struct{ id, h, v int }

// jpegFrame is what a JPEG's markers tell of the memory its decoding takes.
type jpegFrame struct {
	width, height int
	progressive   bool
	comps         []jpegComponent
	// maybeRGB is set when image/jpeg might take the three components for R, G
	// and B rather than Y, Cb and Cr, and then makes an RGBA image of them
	// besides the planes: component identifiers 'R', 'G', 'B', or an Adobe APP14
	// segment with transform 0 anywhere in the file. (A JFIF APP0 segment would
	// rule it out, but image/jpeg takes the last of several, so none is trusted.)
	maybeRGB bool
}

var errNoFrame = errors.New("jpeg: no frame header")

// readJPEGFrame reads a JPEG's markers the way image/jpeg does, up to the end of
// the image: the frame header (SOF0, SOF1 or SOF2) and every APP14 segment,
// including those between scans, which image/jpeg reads as well. Scan data is
// skipped byte by byte, as markers can only start at an 0xFF that is not
// followed by 0x00.
func readJPEGFrame(r *bufio.Reader) (jpegFrame, error) {
	var fr jpegFrame
	seenFrame := false
	var soi [2]byte
	if _, err := io.ReadFull(r, soi[:]); err != nil || soi != [2]byte{0xFF, 0xD8} {
		return fr, errNoFrame
	}
	var seg [16]byte
	for {
		b, err := r.ReadByte()
		if err != nil {
			// A file cut off is refused by the decoder, which then never gets
			// as far as making an RGB image: what was read is the whole story.
			break
		}
		if b != 0xFF {
			continue // scan data, or stray bytes image/jpeg skips too
		}
		marker, err := r.ReadByte()
		for err == nil && marker == 0xFF { // fill bytes
			marker, err = r.ReadByte()
		}
		if err != nil {
			break
		}
		switch {
		case marker == 0x00: // an escaped 0xFF in scan data
			continue
		case marker == 0xD9: // end of image
			return fr, frameOrError(fr, seenFrame)
		case marker >= 0xD0 && marker <= 0xD7: // restart markers have no length
			continue
		}
		if _, err := io.ReadFull(r, seg[:2]); err != nil {
			break
		}
		n := int(binary.BigEndian.Uint16(seg[:2])) - 2
		if n < 0 {
			break
		}
		switch {
		case (marker == 0xC0 || marker == 0xC1 || marker == 0xC2) && !seenFrame:
			body := make([]byte, n)
			if _, err := io.ReadFull(r, body); err != nil {
				return fr, frameOrError(fr, false)
			}
			if err := fr.parseSOF(body); err != nil {
				return fr, err
			}
			fr.progressive = marker == 0xC2
			seenFrame = true
			continue
		case marker == 0xEE && n >= 12:
			if _, err := io.ReadFull(r, seg[:12]); err != nil {
				return fr, frameOrError(fr, seenFrame)
			}
			if string(seg[:5]) == "Adobe" && seg[11] == 0 {
				fr.maybeRGB = true
			}
			n -= 12
		}
		if _, err := r.Discard(n); err != nil {
			break
		}
	}
	return fr, frameOrError(fr, seenFrame)
}

func frameOrError(fr jpegFrame, seenFrame bool) error {
	if !seenFrame {
		return errNoFrame
	}
	return nil
}

// parseSOF reads a frame header's body: precision, height, width, and each
// component's identifier and sampling factors.
func (fr *jpegFrame) parseSOF(b []byte) error {
	if len(b) < 6 {
		return errNoFrame
	}
	fr.height = int(binary.BigEndian.Uint16(b[1:]))
	fr.width = int(binary.BigEndian.Uint16(b[3:]))
	n := int(b[5])
	if n != 1 && n != 3 && n != 4 || len(b) < 6+3*n {
		return errNoFrame
	}
	for i := range n {
		c := b[6+3*i:]
		h, v := int(c[1]>>4), int(c[1]&0x0F)
		if h < 1 || h > 4 || v < 1 || v > 4 {
			return errNoFrame
		}
		if n == 1 {
			// image/jpeg takes one component as 1×1 whatever it claims.
			h, v = 1, 1
		}
		fr.comps = append(fr.comps, jpegComponent{id: int(c[0]), h: h, v: v})
	}
	if n == 3 && fr.comps[0].id == 'R' && fr.comps[1].id == 'G' && fr.comps[2].id == 'B' {
		fr.maybeRGB = true
	}
	return nil
}

// cost returns the bytes image/jpeg allocates for the frame (see makeImg and
// processSOS in image/jpeg/scan.go): planes rounded up to whole blocks of the
// first component's sampling, a K plane and the CMYK image for four
// components, the RGBA image when the components may be R, G and B, and for a
// progressive file one block of 64 int32 coefficients per block of each plane.
func (fr *jpegFrame) cost() int64 {
	w, h := int64(fr.width), int64(fr.height)
	h0, v0 := int64(fr.comps[0].h), int64(fr.comps[0].v)
	mxx := (w + 8*h0 - 1) / (8 * h0)
	myy := (h + 8*v0 - 1) / (8 * v0)
	W, H := 8*h0*mxx, 8*v0*myy // the planes' size, in whole blocks
	var n int64
	if len(fr.comps) == 1 {
		n = W * H
	} else {
		// Chroma planes are the luma plane divided by the ratio of sampling
		// factors, rounded up as image.NewYCbCr does.
		hr := max(h0/int64(fr.comps[1].h), 1)
		vr := max(v0/int64(fr.comps[1].v), 1)
		cw, ch := (W+hr-1)/hr, (H+vr-1)/vr
		n = W*H + 2*cw*ch
		switch {
		case len(fr.comps) == 4:
			k := fr.comps[3]
			n += 8*int64(k.h)*mxx*8*int64(k.v)*myy + 4*w*h
		case fr.maybeRGB:
			n += 4 * w * h
		}
	}
	if fr.progressive {
		for _, c := range fr.comps {
			n += mxx * myy * int64(c.h) * int64(c.v) * 64 * 4
		}
	}
	return n
}

// pngHeader is what a PNG's chunks before the image data tell of the memory
// its decoding takes.
type pngHeader struct {
	width, height int
	depth         int
	colorType     int
	interlaced    bool
	// transparent is set by a tRNS chunk, which makes image/png decode grey
	// and 16-bit truecolour images as NRGBA or NRGBA64.
	transparent bool
}

var errPNGHeader = errors.New("png: unreadable header")

// readPNGHeader reads the IHDR chunk and the chunks after it up to the first
// IDAT, where image/png requires a tRNS chunk to be.
func readPNGHeader(r *bufio.Reader) (pngHeader, error) {
	var hd pngHeader
	var b [8 + 8 + 13 + 4]byte // signature, chunk length and type, IHDR, CRC
	if _, err := io.ReadFull(r, b[:]); err != nil || string(b[12:16]) != "IHDR" {
		return hd, errPNGHeader
	}
	ihdr := b[16:29]
	hd.width = int(binary.BigEndian.Uint32(ihdr[0:]))
	hd.height = int(binary.BigEndian.Uint32(ihdr[4:]))
	hd.depth, hd.colorType = int(ihdr[8]), int(ihdr[9])
	hd.interlaced = ihdr[12] != 0
	for range 1 << 16 {
		if _, err := io.ReadFull(r, b[:8]); err != nil {
			return hd, errPNGHeader
		}
		n := int(binary.BigEndian.Uint32(b[:4]))
		switch string(b[4:8]) {
		case "IDAT", "IEND":
			return hd, nil
		case "tRNS":
			hd.transparent = true
		}
		if n < 0 || n > 1<<31-1 {
			return hd, errPNGHeader
		}
		if _, err := r.Discard(n + 4); err != nil { // data and CRC
			return hd, errPNGHeader
		}
	}
	return hd, errPNGHeader
}

// cost returns the bytes image/png allocates (see readImagePass in
// image/png/reader.go): the image in the type its colour type, depth and tRNS
// make, and for an interlaced file its seven passes, as many pixels again.
func (hd *pngHeader) cost() int64 {
	var perPixel int64
	switch hd.colorType {
	case 0: // grey
		switch {
		case hd.depth == 16 && hd.transparent:
			perPixel = 8
		case hd.depth == 16:
			perPixel = 2
		case hd.transparent:
			perPixel = 4
		default:
			perPixel = 1
		}
	case 3: // paletted
		perPixel = 1
	default: // truecolour, grey with alpha, truecolour with alpha
		perPixel = 4
		if hd.depth == 16 {
			perPixel = 8
		}
	}
	n := int64(hd.width) * int64(hd.height) * perPixel
	if hd.interlaced {
		n *= 2
	}
	return n
}

// opaque reports whether the image has neither an alpha channel nor a tRNS
// chunk, which is how a PNG says some pixels are transparent.
func (hd *pngHeader) opaque() bool {
	return !hd.transparent && (hd.colorType == 0 || hd.colorType == 2 || hd.colorType == 3)
}

// webpCost returns the bytes golang.org/x/image/webp allocates: a lossy (VP8)
// frame is YCbCr 4:2:0 in whole 16×16 macroblocks plus its partitions, read
// into memory; a lossless (VP8L) frame is NRGBA plus its transforms' buffers,
// at most 4 more bytes a pixel; an alpha plane (ALPH) takes a byte a pixel,
// and as much as a lossless frame more while it is decoded when compressed.
// DecodeConfig stops at a VP8X header without saying which frame follows, so
// the chunks after it are read.
//
// Only a lossy frame without alpha is sure to be opaque.
func webpCost(cfg image.Config, r io.ReaderAt, size int64) (n int64, opaque bool) {
	w, h := int64(cfg.Width), int64(cfg.Height)
	lossy := (w+15)/16*16*((h+15)/16*16)*3/2 + size
	lossless := 8 * w * h
	var head [12 + 8]byte
	if _, err := r.ReadAt(head[:], 0); err != nil {
		return w * h * worstWebP, false
	}
	switch string(head[12:16]) {
	case "VP8 ":
		return lossy, true
	case "VP8L":
		return lossless, false
	}
	// An extended file: ICC profile, alpha and frame chunks follow the VP8X chunk.
	var alpha int64
	off := int64(12)
	for range 64 {
		var ch [9]byte
		if _, err := r.ReadAt(ch[:], off); err != nil {
			break
		}
		n := int64(binary.LittleEndian.Uint32(ch[4:8]))
		switch string(ch[:4]) {
		case "ALPH":
			alpha = w * h
			if ch[8]&0x03 != 0 { // compressed: decoded as a lossless image first
				alpha += lossless
			}
		case "VP8 ":
			return lossy + alpha, alpha == 0
		case "VP8L":
			return lossless + alpha, false
		}
		off += 8 + n + n&1 // chunks are padded to an even length
	}
	return w * h * worstWebP, false
}

// outputCost returns the bytes of the processed photo's pixels, w×h: YCbCr
// 4:2:0 for an opaque image, RGBA for one that may have transparency.
func outputCost(opaque bool, w, h int) int64 {
	if opaque {
		return yCbCr420Bytes(w, h)
	}
	return 4 * int64(w) * int64(h)
}

// yCbCr420Bytes returns the bytes of a w×h image.YCbCr with 4:2:0 subsampling.
func yCbCr420Bytes(w, h int) int64 {
	return int64(w)*int64(h) + 2*int64((w+1)/2)*int64((h+1)/2)
}
