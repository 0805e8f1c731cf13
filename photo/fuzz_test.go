package photo

import (
	"bytes"
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
	p := &Processor{MaxBytes: 1 << 20, MaxPixels: 1 << 20}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := p.Process(data)
		if err != nil {
			if code := returns.ErrorCode(err); code != returns.EINVALID {
				t.Fatalf("Process() error code %s (%v), want %s", code, err, returns.EINVALID)
			}
			return
		}
		m := decode(t, got)
		b := m.Bounds()
		if b.Dx() != got.Width || b.Dy() != got.Height {
			t.Fatalf("output is %d×%d, fields say %d×%d", b.Dx(), b.Dy(), got.Width, got.Height)
		}
		if got.Width < 1 || got.Height < 1 || got.Width*got.Height > p.MaxPixels {
			t.Fatalf("output is %d×%d, limit %d pixels", got.Width, got.Height, p.MaxPixels)
		}
		if got.Width > MaxSide || got.Height > MaxSide {
			t.Fatalf("output is %d×%d, longest side limit %d", got.Width, got.Height, MaxSide)
		}
		if bytes.Contains(got.Data, []byte("Exif")) || bytes.Contains(got.Data, []byte("<script")) {
			t.Fatalf("output carries bytes of the input")
		}
	})
}
