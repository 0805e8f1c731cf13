package photo

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/returnsportal/returns"
)

// tinyWebP is a complete lossless WebP of one opaque pixel #336699 (32 bytes). It was
// written by hand from RFC 9649 and is the output of vp8l(1, 1, 0xFF336699); see vp8l
// in helpers_test.go for the meaning of every bit. Go has no WebP encoder.
var tinyWebP = []byte{
	'R', 'I', 'F', 'F', 0x18, 0x00, 0x00, 0x00, 'W', 'E', 'B', 'P', // RIFF, size 24, WEBP
	'V', 'P', '8', 'L', 0x0c, 0x00, 0x00, 0x00, // VP8L chunk of 12 bytes
	0x2f,                   // VP8L signature
	0x00, 0x00, 0x00, 0x00, // width−1 = 0, height−1 = 0, no alpha, version 0
	0xa8, 0x59, 0x67, 0x9a, 0xd9, 0xff, 0x00, // no transform/cache/meta; 5 one-symbol codes; padding
}

// lossyWebP is a 150×100 lossy (VP8) WebP: golang.org/x/image v0.48.0
// testdata/blue-purple-pink.lossy.webp, copyright The Go Authors, BSD licence.
const lossyWebP = "testdata/blue-purple-pink.lossy.webp"

func TestProcess(t *testing.T) {
	t.Run("JPEGRoundTrip", func(t *testing.T) {
		src := gradient(64, 48)
		got := mustProcess(t, New(), encodeJPEG(t, src))
		checkPhoto(t, got, "image/jpeg", 64, 48)
		m := decode(t, got)
		if d := meanDiff(src, m); d > 6 {
			t.Errorf("mean difference per channel = %.1f, want ≤ 6", d)
		}
	})

	t.Run("ExifWithGPSIsDropped", func(t *testing.T) {
		in := withSegment(t, encodeJPEG(t, gradient(32, 32)), 0xE1, exifAPP1(binary.LittleEndian, 1))
		lat := binary.LittleEndian.AppendUint32(nil, 5856) // the GPSLatitude seconds numerator
		for _, s := range [][]byte{[]byte("Exif"), []byte(gpsDescription), lat} {
			if !bytes.Contains(in, s) {
				t.Fatalf("test input lacks %q", s)
			}
		}
		got := mustProcess(t, New(), in)
		checkPhoto(t, got, "image/jpeg", 32, 32)
		for _, s := range [][]byte{[]byte("Exif"), []byte("II*\x00"), []byte(gpsDescription), []byte("56.9496"), lat} {
			if bytes.Contains(got.Data, s) {
				t.Errorf("output contains %q", s)
			}
		}
		if n := countAPPn(got.Data); n != 0 {
			t.Errorf("output has %d APPn segments, want 0", n)
		}
	})

	t.Run("PNGWithAlphaStaysPNG", func(t *testing.T) {
		src := image.NewNRGBA(image.Rect(0, 0, 20, 10))
		for i := range src.Pix {
			src.Pix[i] = 200
		}
		src.SetNRGBA(3, 4, color.NRGBA{10, 20, 30, 0}) // one transparent pixel
		got := mustProcess(t, New(), encodePNG(t, src))
		checkPhoto(t, got, "image/png", 20, 10)
		if _, _, _, a := decode(t, got).At(3, 4).RGBA(); a != 0 {
			t.Errorf("alpha of the transparent pixel = %d, want 0", a)
		}
	})

	t.Run("OpaquePNGBecomesJPEG", func(t *testing.T) {
		got := mustProcess(t, New(), encodePNG(t, gradient(40, 30)))
		checkPhoto(t, got, "image/jpeg", 40, 30)
	})

	t.Run("PalettedPNG", func(t *testing.T) {
		src := image.NewPaletted(image.Rect(0, 0, 8, 8), color.Palette{color.Black, color.Transparent})
		src.SetColorIndex(1, 1, 1)
		checkPhoto(t, mustProcess(t, New(), encodePNG(t, src)), "image/png", 8, 8)
	})

	t.Run("GrayJPEG", func(t *testing.T) {
		src := image.NewGray(image.Rect(0, 0, 16, 24))
		checkPhoto(t, mustProcess(t, New(), encodeJPEG(t, src)), "image/jpeg", 16, 24)
	})

	t.Run("LongSideScaledDown", func(t *testing.T) {
		for _, tc := range []struct{ w, h, wantW, wantH int }{
			{4000, 1000, 3000, 750},
			{900, 3600, 750, 3000},
			{3000, 3000, 3000, 3000}, // at the limit: unchanged
			{20000, 10, 3000, 1},     // a thin strip keeps at least one row
			{12337, 1, 3000, 1},      // even when its one row would scale to none
		} {
			got := mustProcess(t, New(), encodeJPEG(t, image.NewGray(image.Rect(0, 0, tc.w, tc.h))))
			checkPhoto(t, got, "image/jpeg", tc.wantW, tc.wantH)
		}
	})

	t.Run("ScalingDoesNotAlias", func(t *testing.T) {
		// One-pixel black and white columns must average to grey, not turn into
		// wide stripes of either.
		src := image.NewGray(image.Rect(0, 0, 6400, 8))
		for y := 0; y < 8; y++ {
			for x := 0; x < 6400; x += 2 {
				src.SetGray(x, y, color.Gray{255})
			}
		}
		got := mustProcess(t, New(), encodePNG(t, src))
		checkPhoto(t, got, "image/jpeg", 3000, 3)
		m := decode(t, got)
		for x := 0; x < 3000; x++ {
			if r, _, _, _ := m.At(x, 1).RGBA(); r>>8 < 100 || r>>8 > 155 {
				t.Fatalf("pixel %d = %d, want about 128", x, r>>8)
			}
		}
	})

	t.Run("ZeroProcessorUsesDefaults", func(t *testing.T) {
		checkPhoto(t, mustProcess(t, &Processor{}, encodeJPEG(t, gradient(8, 8))), "image/jpeg", 8, 8)
	})
}

func TestProcessWebP(t *testing.T) {
	t.Run("HandMadeLiteral", func(t *testing.T) {
		if want := vp8l(1, 1, 0xFF336699); !bytes.Equal(tinyWebP, want) {
			t.Fatalf("tinyWebP differs from vp8l(1, 1, 0xFF336699):\n%#v\n%#v", tinyWebP, want)
		}
		got := mustProcess(t, New(), tinyWebP)
		checkPhoto(t, got, "image/jpeg", 1, 1)
		r, g, b, _ := decode(t, got).At(0, 0).RGBA()
		if !near(r>>8, 0x33) || !near(g>>8, 0x66) || !near(b>>8, 0x99) {
			t.Errorf("pixel = %02x%02x%02x, want about 336699", r>>8, g>>8, b>>8)
		}
	})

	t.Run("LosslessWithAlphaBecomesPNG", func(t *testing.T) {
		got := mustProcess(t, New(), vp8l(3, 2, 0x80FF0000))
		checkPhoto(t, got, "image/png", 3, 2)
		if _, _, _, a := decode(t, got).At(2, 1).RGBA(); a>>8 != 0x80 {
			t.Errorf("alpha = %d, want 128", a>>8)
		}
	})

	t.Run("Lossy", func(t *testing.T) {
		data, err := os.ReadFile(lossyWebP)
		if err != nil {
			t.Fatal(err)
		}
		checkPhoto(t, mustProcess(t, New(), data), "image/jpeg", 150, 100)
	})
}

func TestProcessRefuses(t *testing.T) {
	jpg := encodeJPEG(t, gradient(64, 64))
	var gifData bytes.Buffer
	if err := gif.Encode(&gifData, gradient(4, 4), nil); err != nil {
		t.Fatal(err)
	}
	const (
		notImage = "This file is not a JPEG, PNG or WebP image."
		damaged  = "The image is damaged or incomplete."
		tooBig   = "The photo is too large (at most 8 MB)."
	)
	tooLarge := func(w, h int) string {
		return fmt.Sprintf("The image is too large to process (%d×%d pixels). Please send it as a JPEG photo, or smaller.", w, h)
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"Empty", nil, notImage},
		{"TextNamedJPG", []byte("x.jpg: this is not a photo\n"), notImage},
		{"SVGWithScript", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>`), notImage},
		{"HTML", []byte("<!doctype html><html><script>alert(1)</script></html>"), notImage},
		{"GIF", gifData.Bytes(), notImage},
		{"PDF", []byte("%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n"), notImage},
		{"BMP", append([]byte("BM"), make([]byte, 60)...), notImage},
		{"JPEGMagicOnly", []byte{0xFF, 0xD8, 0xFF}, damaged},
		{"PNGSignatureOnly", []byte("\x89PNG\r\n\x1a\n"), damaged},
		{"RIFFNotWebP", append([]byte("RIFF\x04\x00\x00\x00WAVE"), make([]byte, 32)...), notImage},
		{"TruncatedJPEG", jpg[:len(jpg)/2], damaged},
		{"TruncatedPNG", func() []byte { p := encodePNG(t, gradient(64, 64)); return p[:len(p)-40] }(), damaged},
		{"TruncatedWebP", tinyWebP[:26], damaged},
		{"PNGBomb50000x50000", pngHeaderOnly(50000, 50000), tooLarge(50000, 50000)},
		{"PNGHeaderWithoutPixels", pngHeaderOnly(10, 10), damaged},
		{"JPEGBomb65535x65535", jpegHeaderOnly(65535, 65535), tooLarge(65535, 65535)},
		{"WebPBomb16384x16384", vp8l(16384, 16384, 0xFF000000), tooLarge(16384, 16384)}, // 32 bytes, 268 megapixels
		{"PNGZeroWidth", pngHeaderOnly(0, 10), damaged},
		{"TwentyMB", append(append([]byte{}, jpg...), make([]byte, 20<<20)...), tooBig},
		{"OneByteOverLimit", make([]byte, DefaultMaxBytes+1), tooBig},
		{"AtLimitIsNotTooBig", append(append([]byte{}, jpg[:len(jpg)-2]...), make([]byte, DefaultMaxBytes-len(jpg)+2)...), damaged},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := process(New(), tc.data)
			if code := returns.ErrorCode(err); code != returns.EINVALID {
				t.Fatalf("Process() = %d bytes, err %v; want code %s", len(p.Data), err, returns.EINVALID)
			}
			if got := returns.ErrorMessage(err).String(); got != tc.want {
				t.Errorf("message = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestProcessCustomLimits(t *testing.T) {
	// A grey JPEG takes a byte a pixel, in whole 8×8 blocks: 2000×1000 is 2,000,000
	// bytes, 2000×1001 is decoded as 2000×1008.
	p := &Processor{MaxBytes: 3 << 20, MaxMemory: 2_000_000}
	_, err := process(p, encodeJPEG(t, image.NewGray(image.Rect(0, 0, 2000, 1001))))
	if got, want := returns.ErrorMessage(err).String(), "The image is too large to process (2000×1001 pixels). Please send it as a JPEG photo, or smaller."; got != want {
		t.Errorf("2000×1001: message = %q, want %q", got, want)
	}
	checkPhoto(t, mustProcess(t, p, encodeJPEG(t, image.NewGray(image.Rect(0, 0, 2000, 1000)))), "image/jpeg", 2000, 1000)
	_, err = process(p, make([]byte, 3<<20+1))
	if got, want := returns.ErrorMessage(err).String(), "The photo is too large (at most 3 MB)."; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
}

// A pixel bomb must be refused from its header: decoding it would allocate
// 50000×50000×4 bytes = 10 GB.
func TestProcessPixelBombDoesNotAllocate(t *testing.T) {
	for name, data := range map[string][]byte{
		"PNG":  pngHeaderOnly(50000, 50000),
		"JPEG": jpegHeaderOnly(65535, 65535),
		"WebP": vp8l(16384, 16384, 0xFF000000),
	} {
		t.Run(name, func(t *testing.T) {
			p := New()
			const runs = 20
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			for range runs {
				if _, err := process(p, data); returns.ErrorCode(err) != returns.EINVALID {
					t.Fatalf("Process() err = %v, want EINVALID", err)
				}
			}
			runtime.ReadMemStats(&after)
			if per := (after.TotalAlloc - before.TotalAlloc) / runs; per > 10<<20 {
				t.Errorf("allocated %d bytes per call, want < 10 MB", per)
			}
			allocs := testing.AllocsPerRun(runs, func() { process(p, data) })
			t.Logf("%.0f allocations per call", allocs)
		})
	}
}

// A file can be a valid JPEG and an HTML page at once; served with the wrong type
// or sniffed by a browser, the page runs. Re-encoding keeps only the pixels.
func TestProcessPolyglot(t *testing.T) {
	const page = "<html><body><script>fetch('/admin').then(r=>r.text()).then(alert)</script></body></html>"
	jpg := encodeJPEG(t, gradient(48, 48))
	tests := map[string][]byte{
		"AfterEOI":   append(append([]byte{}, jpg...), page...),
		"InCOM":      withSegment(t, jpg, 0xFE, []byte(page)),
		"InAPP1":     withSegment(t, jpg, 0xE1, []byte(page)),
		"PNGAfterIE": append(encodePNG(t, gradient(16, 16)), page...),
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			got := mustProcess(t, New(), in)
			for _, s := range []string{"<script", "<html", "fetch("} {
				if bytes.Contains(bytes.ToLower(got.Data), []byte(s)) {
					t.Errorf("output contains %q", s)
				}
			}
		})
	}
}

func TestOrientation(t *testing.T) {
	// The stored image is quadrants(64, 32): red green / blue white. want is the
	// upright image's corners: top-left, top-right, bottom-left, bottom-right.
	tests := []struct {
		orientation uint16
		w, h        int
		want        [4]color.RGBA
	}{
		{1, 64, 32, [4]color.RGBA{red, green, blue, white}},
		{2, 64, 32, [4]color.RGBA{green, red, white, blue}},
		{3, 64, 32, [4]color.RGBA{white, blue, green, red}},
		{4, 64, 32, [4]color.RGBA{blue, white, red, green}},
		{5, 32, 64, [4]color.RGBA{red, blue, green, white}},
		{6, 32, 64, [4]color.RGBA{blue, red, white, green}}, // turned clockwise
		{7, 32, 64, [4]color.RGBA{white, green, blue, red}},
		{8, 32, 64, [4]color.RGBA{green, white, red, blue}}, // turned anticlockwise
		{9, 64, 32, [4]color.RGBA{red, green, blue, white}}, // invalid: as stored
		{0, 64, 32, [4]color.RGBA{red, green, blue, white}},
	}
	jpg := encodeJPEG(t, quadrants(64, 32))
	for _, tc := range tests {
		for _, bo := range []byteOrder{binary.LittleEndian, binary.BigEndian} {
			t.Run(strings.ReplaceAll(bo.String(), "Endian", "")+"/"+string(rune('0'+tc.orientation)), func(t *testing.T) {
				got := mustProcess(t, New(), withSegment(t, jpg, 0xE1, exifAPP1(bo, tc.orientation)))
				checkPhoto(t, got, "image/jpeg", tc.w, tc.h)
				m := decode(t, got)
				corners := [4]image.Point{{tc.w / 4, tc.h / 4}, {tc.w * 3 / 4, tc.h / 4}, {tc.w / 4, tc.h * 3 / 4}, {tc.w * 3 / 4, tc.h * 3 / 4}}
				for i, pt := range corners {
					if c := m.At(pt.X, pt.Y); !nearColor(c, tc.want[i]) {
						t.Errorf("pixel at %v = %v, want %v", pt, c, tc.want[i])
					}
				}
			})
		}
	}
}

func TestExifOrientationMalformed(t *testing.T) {
	jpg := encodeJPEG(t, gradient(8, 8))
	good := exifAPP1(binary.LittleEndian, 6)
	tests := map[string][]byte{
		"NoExif":          jpg,
		"NotTIFF":         withSegment(t, jpg, 0xE1, []byte("Exif\x00\x00XX*\x00\x08\x00\x00\x00")),
		"WrongMagic":      withSegment(t, jpg, 0xE1, []byte("Exif\x00\x00II+\x00\x08\x00\x00\x00")),
		"IFDPastEnd":      withSegment(t, jpg, 0xE1, []byte("Exif\x00\x00II*\x00\xff\xff\xff\xff")),
		"IFDInHeader":     withSegment(t, jpg, 0xE1, []byte("Exif\x00\x00II*\x00\x02\x00\x00\x00")),
		"EntriesPastEnd":  withSegment(t, jpg, 0xE1, []byte("Exif\x00\x00II*\x00\x08\x00\x00\x00\xff\xff")),
		"TruncatedTIFF":   withSegment(t, jpg, 0xE1, good[:6+8+2+12+4]),
		"XMPNotExif":      withSegment(t, jpg, 0xE1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta/>")),
		"SegmentPastEnd":  append(append([]byte{}, jpg[:2]...), 0xFF, 0xE1, 0xFF, 0xFF, 'E', 'x'),
		"ShortLength":     append(append([]byte{}, jpg[:2]...), 0xFF, 0xE1, 0x00, 0x01, 0, 0),
		"OnlySOI":         jpg[:2],
		"ExifAfterScan":   append(append([]byte{}, jpg...), withSegment(t, []byte{0xFF, 0xD8}, 0xE1, good)...),
		"NotAMarker":      append([]byte{0xFF, 0xD8, 0x00, 0x00}, withSegment(t, []byte{0xFF, 0xD8}, 0xE1, good)...),
		"WrongType":       withSegment(t, jpg, 0xE1, bytes.Replace(good, []byte{0x12, 0x01, 0x03, 0x00}, []byte{0x12, 0x01, 0x04, 0x00}, 1)),
		"ValueOutOfRange": withSegment(t, jpg, 0xE1, exifAPP1(binary.LittleEndian, 200)),
	}
	for name, data := range tests {
		t.Run(name, func(t *testing.T) {
			if got := exifOrientation(data); got != 1 {
				t.Errorf("exifOrientation() = %d, want 1", got)
			}
		})
	}
	t.Run("FillBytesBeforeMarker", func(t *testing.T) {
		data := withSegment(t, jpg, 0xE1, good)
		data = append([]byte{0xFF, 0xD8, 0xFF, 0xFF}, data[2:]...)
		if got := exifOrientation(data); got != 6 {
			t.Errorf("exifOrientation() = %d, want 6", got)
		}
	})
	t.Run("AfterAPP0", func(t *testing.T) {
		data := withSegment(t, withSegment(t, jpg, 0xE1, good), 0xE0, []byte("JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"))
		if got := exifOrientation(data); got != 6 {
			t.Errorf("exifOrientation() = %d, want 6", got)
		}
	})
}

// process processes data as the only upload of a request.
func process(p *Processor, data []byte) (returns.Photo, error) {
	photos, err := p.Process(context.Background(), []returns.PhotoUpload{bytes.NewReader(data)})
	if err != nil {
		return returns.Photo{}, err
	}
	return photos[0], nil
}

func mustProcess(tb testing.TB, p *Processor, data []byte) returns.Photo {
	tb.Helper()
	got, err := process(p, data)
	if err != nil {
		tb.Fatalf("Process() error = %v", err)
	}
	return got
}

// checkPhoto checks the fields of a processed photo against its data.
func checkPhoto(tb testing.TB, p returns.Photo, contentType string, w, h int) {
	tb.Helper()
	if p.ContentType != contentType || p.Width != w || p.Height != h {
		tb.Errorf("photo = %s %d×%d, want %s %d×%d", p.ContentType, p.Width, p.Height, contentType, w, h)
	}
	b := decode(tb, p).Bounds()
	if b.Dx() != p.Width || b.Dy() != p.Height {
		tb.Errorf("data is %d×%d, fields say %d×%d", b.Dx(), b.Dy(), p.Width, p.Height)
	}
}

// decode decodes a processed photo with the decoder its content type names.
func decode(tb testing.TB, p returns.Photo) image.Image {
	tb.Helper()
	var m image.Image
	var err error
	switch p.ContentType {
	case "image/jpeg":
		m, err = jpeg.Decode(bytes.NewReader(p.Data))
	case "image/png":
		m, err = png.Decode(bytes.NewReader(p.Data))
	default:
		tb.Fatalf("content type %q", p.ContentType)
	}
	if err != nil {
		tb.Fatalf("decode %s output: %v", p.ContentType, err)
	}
	return m
}

// countAPPn counts the APPn segments before the first scan of a JPEG.
func countAPPn(data []byte) int {
	n := 0
	for i := 2; i+4 <= len(data) && data[i] == 0xFF && data[i+1] != 0xDA; {
		if data[i+1] >= 0xE0 && data[i+1] <= 0xEF {
			n++
		}
		i += 2 + int(data[i+2])<<8 + int(data[i+3])
	}
	return n
}

func meanDiff(a, b image.Image) float64 {
	var sum, n float64
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			r1, g1, b1, _ := a.At(x, y).RGBA()
			r2, g2, b2, _ := b.At(x, y).RGBA()
			for _, d := range [3][2]uint32{{r1, r2}, {g1, g2}, {b1, b2}} {
				sum += abs(float64(d[0]>>8) - float64(d[1]>>8))
				n++
			}
		}
	}
	return sum / n
}

func nearColor(c color.Color, want color.RGBA) bool {
	r, g, b, _ := c.RGBA()
	return near(r>>8, uint32(want.R)) && near(g>>8, uint32(want.G)) && near(b>>8, uint32(want.B))
}

func near(a, b uint32) bool { return abs(float64(a)-float64(b)) <= 24 }

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}
