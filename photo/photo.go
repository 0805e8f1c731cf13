// Package photo checks uploaded damage photos and re-encodes them. It implements
// returns.PhotoProcessor.
//
// An upload is accepted by its content only: the first bytes must be those of a
// JPEG, PNG or WebP file, whatever the file name or the Content-Type header say.
// The memory the image takes to decode is worked out from its headers before it
// is decoded, in bytes (cost.go), so that a small file that claims a huge canvas
// (a "pixel bomb"), or a 16-bit PNG that takes 8 bytes a pixel, is refused
// without allocating it. Photos are decoded only while the memory of all the
// photos being decoded stays within a budget (gate.go). The decoded pixels are
// then encoded again into a fresh JPEG or PNG: nothing of the uploaded bytes
// survives, so EXIF (with the GPS position of the customer's home), comments and
// any payload hidden in the file (a JPEG that is also an HTML page) are gone.
package photo

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"runtime"
	"runtime/debug"
	"sync"

	"golang.org/x/image/webp"

	"github.com/returnsportal/returns"
)

// Defaults of New.
const (
	DefaultMaxBytes = 8 << 20 // 8 MiB: a phone photo is 2–6 MB
	// DefaultMaxMemory admits a 50-megapixel JPEG from a phone's main camera:
	// 8160×6120 pixels as YCbCr 4:2:0 are 75 MB decoded, 10 MB more once scaled
	// to MaxSide. A 16-bit RGBA PNG of 6300×6300 pixels (318 MB decoded) is
	// refused, and so is a progressive JPEG of more than about 11 megapixels,
	// whose decoding takes 4 bytes per coefficient besides the image; phones
	// write baseline JPEGs.
	DefaultMaxMemory = 84 << 20
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

// Processor checks and re-encodes uploaded photos. A zero field takes its
// default. A Processor is safe for concurrent use: it decodes several photos at
// once only while their memory together stays within MaxMemory, and gives the
// memory back to the operating system once no photo is being decoded (the
// portal's machine has 256 MB, and photos are what take most of it).
type Processor struct {
	MaxBytes int64 // the largest upload accepted, in bytes
	// MaxMemory is the most memory one photo may take while it is processed
	// (the decoded image as Go's decoders allocate it, and the processed
	// photo's pixels), and the most all the photos being processed take
	// together.
	MaxMemory int64

	gateOnce sync.Once
	gate     *gate
}

// New returns a Processor with the default limits.
func New() *Processor {
	return &Processor{MaxBytes: DefaultMaxBytes, MaxMemory: DefaultMaxMemory}
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

func (p *Processor) maxMemory() int64 {
	if p.MaxMemory > 0 {
		return p.MaxMemory
	}
	return DefaultMaxMemory
}

// collectAfter is the memory of a photo large enough to collect its garbage
// as soon as it is processed; see Process.
const collectAfter = 16 << 20

// releaseAfter is how many bytes of photos must have been processed before the
// gate, once empty, gives memory back to the operating system.
const releaseAfter = 16 << 20

func (p *Processor) memoryGate() *gate {
	p.gateOnce.Do(func() {
		p.gate = newGate(p.maxMemory())
		// Once the photos are done, their buffers are garbage that the
		// collector would only find at its next cycle, which an idle portal
		// may not run for minutes: collect it now and return it, so that a
		// burst of uploads does not leave the machine short of memory.
		p.gate.idle, p.gate.idleAfter = debug.FreeOSMemory, releaseAfter
	})
	return p.gate
}

// Process checks the uploads of one request and returns them re-encoded, in
// order: a JPEG (quality 85) for photos, a PNG for images with transparency,
// at most MaxSide pixels on the longest side, turned upright by a JPEG's EXIF
// orientation, and with no metadata. A refused upload gives an EINVALID error
// whose message says why. Every upload's headers are checked before any is
// decoded. Process waits while other photos take the memory the next one
// needs, until ctx ends.
func (p *Processor) Process(ctx context.Context, uploads []returns.PhotoUpload) ([]returns.Photo, error) {
	plans := make([]plan, len(uploads))
	for i, u := range uploads {
		if err := p.check(u, &plans[i], MaxSide); err != nil {
			return nil, err
		}
	}
	if len(plans) == 0 {
		return nil, nil
	}

	g := p.memoryGate()
	b := g.newBatch()
	defer g.endBatch(b)
	t := g.enter(b, plans[0].cost)
	defer func() {
		if t != nil {
			g.leave(t)
		}
	}()
	photos := make([]returns.Photo, 0, len(plans))
	for i := range plans {
		if err := t.wait(ctx); err != nil {
			return nil, fmt.Errorf("wait to decode photo %d: %w", i+1, err)
		}
		ph, err := p.render(&plans[i])
		if plans[i].cost >= collectAfter {
			// The photo's buffers are garbage now (whether it was processed
			// or refused halfway), but the collector would find them only at
			// its next cycle, while the next photo admitted makes a decoded
			// image of up to MaxMemory in one allocation: the heap would
			// hold both. Collected now, their memory is reused instead.
			runtime.GC()
		}
		if err != nil {
			return nil, err
		}
		photos = append(photos, ph)
		// The next photo queues before this one leaves, so that it goes
		// before other requests' photos of the same cost.
		done := t
		t = nil
		if i+1 < len(plans) {
			t = g.enter(b, plans[i+1].cost)
		}
		g.leave(done)
	}
	return photos, nil
}

// Check returns the memory, in bytes, that processing upload would take, or the
// EINVALID error that Process would refuse it with, without decoding it.
func (p *Processor) Check(upload returns.PhotoUpload) (int64, error) {
	var pl plan
	if err := p.check(upload, &pl, MaxSide); err != nil {
		return 0, err
	}
	return pl.cost, nil
}

// plan is what the headers of an upload say about processing it.
type plan struct {
	upload      returns.PhotoUpload
	format      format
	cfg         image.Config
	opaque      bool // the headers rule out transparency
	orientation int  // EXIF orientation of a JPEG; 1 is upright
	// resampled is set when the photo is scaled to ow×oh or turned; otherwise
	// the decoded image is encoded as it is.
	resampled bool
	ow, oh    int
	cost      int64 // bytes of memory processing takes
}

// check reads an upload's headers into pl, to be scaled to at most side
// pixels on its longest side, or refuses it.
func (p *Processor) check(upload returns.PhotoUpload, pl *plan, side int) error {
	size := upload.Size()
	if limit := p.maxBytes(); size > limit {
		return returns.Errorf(returns.EINVALID, "The photo is too large (at most %d MB).", limit>>20)
	}
	var head [12]byte
	n, _ := upload.ReadAt(head[:], 0)
	f := sniff(head[:n])
	if f == formatUnknown {
		return returns.Errorf(returns.EINVALID, "This file is not a JPEG, PNG or WebP image.")
	}

	// The headers first: decoders allocate the whole canvas a file claims, and
	// a 100-byte PNG can claim 50000×50000 pixels (10 GB as RGBA).
	cfg, err := decoders[f].config(readFile(upload))
	if err != nil {
		return errDamaged()
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return errDamaged()
	}
	*pl = plan{upload: upload, format: f, cfg: cfg, orientation: 1, ow: cfg.Width, oh: cfg.Height}
	decodeBytes, opaque := decodeCost(f, cfg, upload, size)
	pl.opaque = opaque
	if pl.ow > side || pl.oh > side {
		pl.ow, pl.oh = fit(pl.ow, pl.oh, side)
		// A strip thinner than its scale keeps a pixel across.
		pl.ow, pl.oh = max(pl.ow, 1), max(pl.oh, 1)
	}
	if f == formatJPEG {
		pl.orientation = exifOrientation(readHead(upload, size))
	}
	pl.resampled = pl.ow != cfg.Width || pl.oh != cfg.Height || pl.orientation != 1
	pl.cost = decodeBytes
	if pl.resampled {
		// The scaled photo is made while the decoded image is held; turning
		// it upright makes one more of it after the decoded image is dropped.
		out := outputCost(opaque, pl.ow, pl.oh)
		pl.cost = max(decodeBytes+out, 2*out)
	}
	if pl.cost > p.maxMemory() {
		return errTooLarge(cfg)
	}
	return nil
}

// render decodes a checked upload and encodes it again.
func (p *Processor) render(pl *plan) (returns.Photo, error) {
	img, err := decoders[pl.format].decode(readFile(pl.upload))
	if err != nil {
		return returns.Photo{}, errDamaged()
	}
	// The decoders check that the pixels match the header; this guards the rest of
	// Process against one that would not.
	if b := img.Bounds(); b.Dx() != pl.cfg.Width || b.Dy() != pl.cfg.Height {
		return returns.Photo{}, errDamaged()
	}

	transparent := !pl.opaque && !isOpaque(img)
	if pl.resampled {
		img = resample(img, pl.ow, pl.oh, !transparent)
		if m, ok := img.(*image.YCbCr); ok {
			img = orient(m, pl.orientation)
		}
	}

	var buf bytes.Buffer
	contentType := ContentTypeJPEG
	if transparent {
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
	// A request holds its processed photos until it has them all: each is
	// at most as large as an upload may be.
	if int64(buf.Len()) > p.maxBytes() {
		return returns.Photo{}, errTooLarge(pl.cfg)
	}
	b := img.Bounds()
	return returns.Photo{ContentType: contentType, Width: b.Dx(), Height: b.Dy(), Data: buf.Bytes()}, nil
}

// readFile returns a buffered reader of a whole upload.
func readFile(upload returns.PhotoUpload) io.Reader {
	return bufio.NewReaderSize(io.NewSectionReader(upload, 0, upload.Size()), 64<<10)
}

// exifHead is how much of a JPEG is read for its EXIF orientation: an APP1
// segment holds at most 64 KiB, and cameras put it first, after at most a JFIF
// APP0 segment.
const exifHead = 128 << 10

// readHead returns the first exifHead bytes of an upload (fewer if it is shorter).
func readHead(r io.ReaderAt, size int64) []byte {
	b := make([]byte, min(size, exifHead))
	n, _ := r.ReadAt(b, 0)
	return b[:n]
}

func errDamaged() error {
	return returns.Errorf(returns.EINVALID, "The image is damaged or incomplete.")
}

func errTooLarge(cfg image.Config) error {
	return returns.Errorf(returns.EINVALID, "The image is too large to process (%d×%d pixels). Please send it as a JPEG photo, or smaller.", cfg.Width, cfg.Height)
}

// fit returns w×h scaled to a longest side of side pixels, keeping the aspect ratio.
func fit(w, h, side int) (int, int) {
	if w >= h {
		return side, int(int64(h) * int64(side) / int64(w))
	}
	return int(int64(w) * int64(side) / int64(h)), side
}

// isOpaque reports whether every pixel of img is fully opaque.
func isOpaque(img image.Image) bool {
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
