package photo

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/returnsportal/returns"
)

func tooLargeMessage(w, h int) string {
	return fmt.Sprintf("The image is too large to process (%d×%d pixels). Please send it as a JPEG photo, or smaller.", w, h)
}

// The finding: a 300 kB 16-bit PNG of 6300×6300 pixels, under the old
// 40-megapixel cap, took 425 MB to process. The budget is in bytes, so it is
// refused from its header.
func TestProcessBudgetIsInBytes(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"16BitRGBA", pngChunks(6300, 6300, 16, 6, 0)},
		// 8 bits a channel still takes 159 MB, and 36 MB more scaled: over the
		// budget as well.
		{"8BitRGBA", pngChunks(6300, 6300, 8, 6, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := process(New(), tc.data)
			runtime.ReadMemStats(&after)
			if got, want := returns.ErrorMessage(err).String(), tooLargeMessage(6300, 6300); returns.ErrorCode(err) != returns.EINVALID || got != want {
				t.Fatalf("Process() error %v, message %q; want %q", err, got, want)
			}
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 10<<20 {
				t.Errorf("allocated %d MB while refusing it", grew>>20)
			}
		})
	}

	// Same pixels, twice the bytes: with a budget between the two, the 8-bit
	// PNG is processed and the 16-bit one refused.
	const w, h = 400, 400
	src8 := gradient(w, h)
	src16 := image.NewRGBA64(src8.Rect)
	for y := range h {
		for x := range w {
			src16.Set(x, y, src8.At(x, y))
		}
	}
	p := &Processor{MaxMemory: 6 * w * h} // 8-bit RGB is decoded as RGBA: 4 bytes; 16-bit: 8
	checkPhoto(t, mustProcess(t, p, encodePNG(t, src8)), "image/jpeg", w, h)
	_, err := process(p, encodePNG(t, src16))
	if got, want := returns.ErrorMessage(err).String(), tooLargeMessage(w, h); got != want {
		t.Errorf("16-bit %d×%d: message %q, want %q", w, h, got, want)
	}
}

// What phones make is accepted: a 48-megapixel JPEG (72 MB as YCbCr 4:2:0),
// here taken in portrait, is stored upright at MaxSide.
func TestProcessPhoneCameraJPEG(t *testing.T) {
	if testing.Short() {
		t.Skip("makes and decodes a 48-megapixel JPEG (about 200 MB, a few seconds)")
	}
	const w, h = 8000, 6000
	src := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	for y := range h {
		for x := range w {
			src.Y[y*src.YStride+x] = uint8(x * 255 / w)
		}
	}
	for i := range src.Cb {
		src.Cb[i], src.Cr[i] = 90, 160
	}
	jpg := withSegment(t, encodeJPEG(t, src), 0xE1, exifAPP1(binary.LittleEndian, 6))
	src = nil
	if len(jpg) > DefaultMaxBytes {
		t.Fatalf("test photo is %d bytes, over the upload limit", len(jpg))
	}
	cfg, err := decoders[formatJPEG].config(bytes.NewReader(jpg))
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := decodeCost(formatJPEG, cfg, bytes.NewReader(jpg), int64(len(jpg))); n != w*h*3/2 {
		t.Errorf("decodeCost() = %d, want %d", n, w*h*3/2)
	}
	// Its memory: the decoded image and the photo scaled to 3000×2250.
	if got, err := New().Check(bytes.NewReader(jpg)); got != w*h*3/2+3000*2250*3/2 || err != nil {
		t.Errorf("Check() = %d, %v; want %d", got, err, w*h*3/2+3000*2250*3/2)
	}
	got := mustProcess(t, New(), jpg)
	// Turned clockwise: the left edge (dark) is now at the top.
	checkPhoto(t, got, "image/jpeg", 2250, 3000)
	m := decode(t, got)
	top, _, _, _ := m.At(1125, 10).RGBA()
	bottom, _, _, _ := m.At(1125, 2990).RGBA()
	if top>>8 > bottom>>8 {
		t.Errorf("top is brighter (%d) than the bottom (%d): not turned clockwise", top>>8, bottom>>8)
	}
}

// A request holds its processed photos until it has them all, so none may be
// larger than an upload.
func TestProcessRefusesAPhotoThatGrows(t *testing.T) {
	// Black and white noise: one bit a pixel in a paletted PNG, far more as a
	// JPEG.
	src := image.NewPaletted(image.Rect(0, 0, 600, 600), color.Palette{color.Black, color.White})
	r := rand.New(rand.NewPCG(1, 2))
	for i := range src.Pix {
		src.Pix[i] = uint8(r.IntN(2))
	}
	in := encodePNG(t, src)
	p := &Processor{MaxBytes: int64(len(in)) + 1}
	if limit := p.MaxBytes; int64(len(mustProcess(t, New(), in).Data)) <= limit {
		t.Fatalf("the test photo does not grow past %d bytes", limit)
	}
	_, err := process(p, in)
	if got, want := returns.ErrorMessage(err).String(), tooLargeMessage(600, 600); got != want {
		t.Errorf("message %q, want %q", got, want)
	}
}

// A request's uploads are all checked before any is decoded.
func TestProcessChecksEveryUploadFirst(t *testing.T) {
	big := encodeJPEG(t, gradient(2000, 2000)) // 6 MB decoded
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := New().Process(context.Background(), []returns.PhotoUpload{bytes.NewReader(big), bytes.NewReader([]byte("not an image"))})
	runtime.ReadMemStats(&after)
	if got := returns.ErrorMessage(err).String(); got != "This file is not a JPEG, PNG or WebP image." {
		t.Fatalf("message %q", got)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 2<<20 {
		t.Errorf("allocated %d MB: the first upload was decoded", grew>>20)
	}
}

func TestProcessWaitsForMemory(t *testing.T) {
	jpg := encodeJPEG(t, gradient(64, 64))
	upload := []returns.PhotoUpload{bytes.NewReader(jpg)}
	p := New()
	g := p.memoryGate()
	holder := g.newBatch()
	hold := g.enter(holder, g.capacity) // all the memory, as a 50-megapixel photo would

	t.Run("UntilTheContextEnds", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, err := p.Process(ctx, upload)
			done <- err
		}()
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) || returns.ErrorCode(err) == returns.EINVALID {
				t.Errorf("Process() error = %v, want context.Canceled, not a refusal", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Process did not return after its context ended")
		}
	})

	t.Run("UntilThereIsRoom", func(t *testing.T) {
		done := make(chan error, 1)
		go func() {
			_, err := p.Process(context.Background(), upload)
			done <- err
		}()
		// It waits in the queue: the memory is taken.
		deadline := time.Now().Add(10 * time.Second)
		for queued(g) == 0 {
			select {
			case err := <-done:
				t.Fatalf("Process() = %v while the memory was taken", err)
			default:
			}
			if time.Now().After(deadline) {
				t.Fatal("Process did not queue for memory")
			}
			time.Sleep(time.Millisecond)
		}
		g.leave(hold)
		g.endBatch(holder)
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Process() error = %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Process did not go on once the memory was given back")
		}
	})
	checkGateEmpty(t, g)
}

// However a request ends, its photos leave the gate.
func TestProcessLeavesTheGate(t *testing.T) {
	jpg := encodeJPEG(t, gradient(64, 64))
	p := New()
	for name, uploads := range map[string][][]byte{
		"Processed":             {jpg, jpg},
		"SecondDamaged":         {jpg, jpg[:len(jpg)/2]},
		"FirstDamaged":          {jpg[:len(jpg)/2], jpg},
		"RefusedBeforeDecoding": {jpg, []byte("not an image")},
	} {
		t.Run(name, func(t *testing.T) {
			var us []returns.PhotoUpload
			for _, u := range uploads {
				us = append(us, bytes.NewReader(u))
			}
			p.Process(context.Background(), us)
			checkGateEmpty(t, p.memoryGate())
		})
	}
}

func queued(g *gate) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.queue)
}

func checkGateEmpty(tb testing.TB, g *gate) {
	tb.Helper()
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.used != 0 || len(g.queue) != 0 || g.inProgress != 0 {
		tb.Errorf("gate: %d bytes in use, %d waiting, %d requests under way; want none", g.used, len(g.queue), g.inProgress)
	}
}

func TestResampleAveragesAreas(t *testing.T) {
	// Three pixels to two: each output pixel covers one and a half.
	src := image.NewRGBA(image.Rect(0, 0, 3, 1))
	for x, v := range []uint8{0, 90, 180} {
		src.SetRGBA(x, 0, color.RGBA{v, v, v, 255})
	}
	m := resample(src, 2, 1, false).(*image.RGBA)
	for x, want := range []uint8{30, 150} { // (0 + 90/2) / 1.5, (90/2 + 180) / 1.5
		if got := m.RGBAAt(x, 0); got != (color.RGBA{want, want, want, 255}) {
			t.Errorf("pixel %d = %v, want %d", x, got, want)
		}
	}

	// A sub-image (bounds not at the origin) of one colour stays that colour,
	// as YCbCr.
	big := image.NewRGBA(image.Rect(0, 0, 50, 40))
	for i := 0; i < len(big.Pix); i += 4 {
		copy(big.Pix[i:], []uint8{200, 100, 50, 255})
	}
	sub := big.SubImage(image.Rect(5, 5, 45, 35))
	y := resample(sub, 7, 5, true).(*image.YCbCr)
	if y.Rect != image.Rect(0, 0, 7, 5) || y.SubsampleRatio != image.YCbCrSubsampleRatio420 {
		t.Fatalf("resample() = %v %v", y.Rect, y.SubsampleRatio)
	}
	wantY, wantCb, wantCr := color.RGBToYCbCr(200, 100, 50)
	for py := range 5 {
		for px := range 7 {
			if c := y.YCbCrAt(px, py); c != (color.YCbCr{wantY, wantCb, wantCr}) {
				t.Fatalf("pixel %d,%d = %v, want %v", px, py, c, color.YCbCr{wantY, wantCb, wantCr})
			}
		}
	}
}

// A large photo's buffers are collected as soon as it is done, before the next
// photo makes its own: otherwise the heap would hold both.
func TestProcessCollectsLargePhotos(t *testing.T) {
	jpg := encodeJPEG(t, gradient(4000, 3000)) // 18 MB decoded, 10 MB scaled
	p := New()
	if cost, err := p.Check(bytes.NewReader(jpg)); err != nil || cost < collectAfter {
		t.Fatalf("Check() = %d, %v; want at least %d", cost, err, collectAfter)
	}
	p.memoryGate().idle = nil // only Process's own collection counts here
	gc := debug.SetGCPercent(-1)
	defer debug.SetGCPercent(gc)

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	photos, err := p.Process(context.Background(), []returns.PhotoUpload{bytes.NewReader(jpg)})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 8<<20 {
		t.Errorf("heap grew by %d MB for a %d kB photo: its buffers were not collected", grew>>20, len(photos[0].Data)>>10)
	}
}
