// Package photo checks uploaded damage photos and re-encodes them. It implements
// returns.PhotoProcessor.
//
// An upload is accepted by its content only: the first bytes must be those of a
// JPEG, PNG or WebP file, whatever the file name or the Content-Type header say.
// The image's dimensions are read before it is decoded, so that a small file that
// claims a huge canvas (a "pixel bomb") is refused without allocating it. The
// decoded pixels are then encoded again into a fresh JPEG or PNG: nothing of the
// uploaded bytes survives, so EXIF (with the GPS position of the customer's home),
// comments and any payload hidden in the file (a JPEG that is also an HTML page) are
// gone.
package photo

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/draw"
	"golang.org/x/image/webp"

	"github.com/returnsportal/returns"
)

// Defaults of New.
const (
	DefaultMaxBytes  = 8 << 20    // 8 MiB: a phone photo is 2–6 MB
	DefaultMaxPixels = 40_000_000 // 40 megapixels: above every current phone camera
)

// MaxSide is the longest side, in pixels, of a processed photo. Larger images are
// scaled down: staff look at damage on a screen, and a 3000 px photo of 1–2 MB is
// plenty for that while a 50 MP original would be 10 MB more to store and serve.
const MaxSide = 3000

// jpegQuality is the quality of re-encoded photos: visually lossless for photos
// at about a third of the size of quality 100.
const jpegQuality = 85

// Content types of processed photos.
const (
	ContentTypeJPEG = "image/jpeg"
	ContentTypePNG  = "image/png"
)

// Processor checks and re-encodes uploaded photos. A zero field takes its default.
// A Processor holds no state and is safe for concurrent use.
type Processor struct {
	MaxBytes  int64 // the largest upload accepted, in bytes
	MaxPixels int   // the largest image accepted, in pixels (width × height)
}

// New returns a Processor with the default limits.
func New() *Processor {
	return &Processor{MaxBytes: DefaultMaxBytes, MaxPixels: DefaultMaxPixels}
}

var _ returns.PhotoProcessor = (*Processor)(nil)

// format is an image format recognised by its magic bytes.
type format int

const (
	formatUnknown format = iota
	formatJPEG
	formatPNG
	formatWebP
)

// sniff recognises JPEG, PNG and WebP by their first bytes. It never looks at a
// name or a header: those are chosen by whoever uploads.
func sniff(data []byte) format {
	switch {
	case len(data) >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF:
		return formatJPEG
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return formatPNG
	case len(data) >= 12 && string(data[0:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		return formatWebP
	}
	return formatUnknown
}

// decoders are the decoding functions of each format, called directly rather than
// through image.Decode, so that a format some other package registers (GIF, BMP,
// TIFF) can never be reached from an upload.
var decoders = map[format]struct {
	config func(io.Reader) (image.Config, error)
	decode func(io.Reader) (image.Image, error)
}{
	formatJPEG: {jpeg.DecodeConfig, jpeg.Decode},
	formatPNG:  {png.DecodeConfig, png.Decode},
	formatWebP: {webp.DecodeConfig, webp.Decode},
}

func (p *Processor) maxBytes() int64 {
	if p.MaxBytes > 0 {
		return p.MaxBytes
	}
	return DefaultMaxBytes
}

func (p *Processor) maxPixels() int {
	if p.MaxPixels > 0 {
		return p.MaxPixels
	}
	return DefaultMaxPixels
}

// Process checks an upload and returns it re-encoded: a JPEG (quality 85) for
// photos, a PNG for images with transparency, at most MaxSide pixels on the longest
// side, turned upright by a JPEG's EXIF orientation, and with no metadata. A refused
// upload gives an EINVALID error whose message says why.
func (p *Processor) Process(data []byte) (returns.Photo, error) {
	if limit := p.maxBytes(); int64(len(data)) > limit {
		return returns.Photo{}, returns.Errorf(returns.EINVALID, "The photo is too large (at most %d MB).", limit>>20)
	}
	f := sniff(data)
	if f == formatUnknown {
		return returns.Photo{}, returns.Errorf(returns.EINVALID, "This file is not a JPEG, PNG or WebP image.")
	}
	dec := decoders[f]

	// The header first: decoders allocate the whole canvas a file claims, and a
	// 100-byte PNG can claim 50000×50000 pixels (10 GB as RGBA).
	cfg, err := dec.config(bytes.NewReader(data))
	if err != nil {
		return returns.Photo{}, errDamaged()
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return returns.Photo{}, errDamaged()
	}
	if limit := p.maxPixels(); int64(cfg.Width)*int64(cfg.Height) > int64(limit) {
		return returns.Photo{}, returns.Errorf(returns.EINVALID, "The image is too large (at most %d megapixels).", limit/1_000_000)
	}

	// One decode at a time in the whole process: a 40-megapixel photo needs some
	// hundreds of MB while it is decoded and scaled, and two cores gain little from
	// doing several at once.
	decoding <- struct{}{}
	defer func() { <-decoding }()
	img, err := dec.decode(bytes.NewReader(data))
	if err != nil {
		return returns.Photo{}, errDamaged()
	}
	// The decoders check that the pixels match the header; this guards the rest of
	// Process against one that would not.
	if b := img.Bounds(); b.Dx() != cfg.Width || b.Dy() != cfg.Height {
		return returns.Photo{}, errDamaged()
	}

	img = downscale(img, MaxSide)
	if f == formatJPEG {
		img = orient(img, exifOrientation(data))
	}

	var buf bytes.Buffer
	contentType := ContentTypeJPEG
	if f != formatJPEG && !opaque(img) {
		// Only PNG keeps transparency; a transparent background encoded as JPEG
		// would turn black.
		contentType = ContentTypePNG
		err = png.Encode(&buf, img)
	} else {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: jpegQuality})
	}
	if err != nil {
		return returns.Photo{}, fmt.Errorf("encode %s: %w", contentType, err)
	}
	b := img.Bounds()
	return returns.Photo{ContentType: contentType, Width: b.Dx(), Height: b.Dy(), Data: buf.Bytes()}, nil
}

// decoding holds a token while a photo is decoded and re-encoded.
var decoding = make(chan struct{}, 1)

func errDamaged() error {
	return returns.Errorf(returns.EINVALID, "The image is damaged or incomplete.")
}

// downscale returns img scaled so that its longest side is at most side pixels, or
// img itself when it is small enough.
//
// Each step halves the image with bilinear sampling, which at exactly half the size
// averages every 2×2 block of pixels (a box filter): large reductions then do not
// alias (moiré on fabric is just what staff look at), and the last step shrinks by
// at most 2×. Kernel filters such as Catmull-Rom would be finer but need a buffer
// of 32 bytes per pixel of output width × input height: over 500 MB for a 40
// megapixel photo.
func downscale(img image.Image, side int) image.Image {
	for {
		b := img.Bounds()
		w, h := b.Dx(), b.Dy()
		if w <= side && h <= side {
			return img
		}
		dw, dh := w/2, h/2
		if w <= 2*side && h <= 2*side {
			dw, dh = fit(w, h, side)
		}
		dst := image.NewRGBA(image.Rect(0, 0, max(dw, 1), max(dh, 1)))
		draw.ApproxBiLinear.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
		img = dst
	}
}

// fit returns w×h scaled to a longest side of side pixels, keeping the aspect ratio.
func fit(w, h, side int) (int, int) {
	if w >= h {
		return side, int(int64(h) * int64(side) / int64(w))
	}
	return int(int64(w) * int64(side) / int64(h)), side
}

// opaque reports whether every pixel of img is fully opaque.
func opaque(img image.Image) bool {
	if o, ok := img.(interface{ Opaque() bool }); ok {
		return o.Opaque()
	}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if _, _, _, a := img.At(x, y).RGBA(); a != 0xffff {
				return false
			}
		}
	}
	return true
}
