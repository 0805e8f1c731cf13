package photo

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/color"
	"testing"

	"github.com/returnsportal/returns"
)

// FuzzProcess feeds Process arbitrary bytes. It must never panic, refuse only with
// EINVALID, and whatever it accepts must be a JPEG or PNG that decodes to the size
// it reports, within the limits and without metadata.
//
// The seeds are the images of the unit tests, made small; more seeds are in
// testdata/fuzz/FuzzProcess. Run with: go test ./photo -run '^$' -fuzz FuzzProcess
func FuzzProcess(f *testing.F) {
	small := gradient(12, 9)
	jpg := encodeJPEG(f, small)
	alpha := image.NewNRGBA(image.Rect(0, 0, 5, 4))
	alpha.SetNRGBA(1, 1, color.NRGBA{1, 2, 3, 4})
	for _, seed := range [][]byte{
		jpg,
		withSegment(f, jpg, 0xE1, exifAPP1(binary.LittleEndian, 6)),
		withSegment(f, jpg, 0xE1, exifAPP1(binary.BigEndian, 7)),
		withSegment(f, jpg, 0xFE, []byte("<html><script>x</script>")),
		jpg[:len(jpg)/2],
		encodePNG(f, small),
		encodePNG(f, alpha),
		pngHeaderOnly(50000, 50000),
		jpegHeaderOnly(4000, 4000),
		tinyWebP,
		vp8l(7, 3, 0x80FF00FF),
		vp8l(16384, 16384, 0xFF000000),
		[]byte("<svg><script>alert(1)</script></svg>"),
	} {
		f.Add(seed)
	}
	// Small limits keep each run fast; the checks are the same at any size.
	p := &Processor{MaxBytes: 1 << 20, MaxMemory: 4 << 20}
	f.Fuzz(func(t *testing.T, data []byte) {
		photos, err := p.Process(context.Background(), []returns.PhotoUpload{bytes.NewReader(data)})
		if err != nil {
			if code := returns.ErrorCode(err); code != returns.EINVALID {
				t.Fatalf("Process() error code %s (%v), want %s", code, err, returns.EINVALID)
			}
			return
		}
		got := photos[0]
		m := decode(t, got)
		b := m.Bounds()
		if b.Dx() != got.Width || b.Dy() != got.Height {
			t.Fatalf("output is %d×%d, fields say %d×%d", b.Dx(), b.Dy(), got.Width, got.Height)
		}
		// Every image takes at least a byte a pixel to decode.
		if got.Width < 1 || got.Height < 1 || int64(got.Width)*int64(got.Height) > p.MaxMemory {
			t.Fatalf("output is %d×%d, memory limit %d bytes", got.Width, got.Height, p.MaxMemory)
		}
		if got.Width > MaxSide || got.Height > MaxSide {
			t.Fatalf("output is %d×%d, longest side limit %d", got.Width, got.Height, MaxSide)
		}
		if bytes.Contains(got.Data, []byte("Exif")) || bytes.Contains(got.Data, []byte("<script")) {
			t.Fatalf("output carries bytes of the input")
		}
	})
}
