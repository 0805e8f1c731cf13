package photo

import (
	"image"
	"image/color"

	"golang.org/x/image/draw"
)

// resample returns src scaled to w×h pixels (w, h at most src's size), each
// the average of the source pixels it covers, weighted by the area of each that
// falls inside it: a box filter over exact areas. Fine stripes average to grey
// instead of aliasing into wide bands (moiré on fabric is just what staff look
// at).
//
// The result is an *image.YCbCr with 4:2:0 subsampling when opaque is set and
// an *image.RGBA otherwise: the JPEG encoder reads either directly, and a
// YCbCr photo takes 1.5 bytes a pixel instead of 4. The source is read one row
// at a time, converted to RGBA by image/draw's fast paths, so that resampling
// needs only a few rows of memory besides the result: a 50-megapixel photo is
// already 75 MB when decoded.
func resample(src image.Image, w, h int, opaque bool) image.Image {
	b := src.Bounds()
	sw, sh := b.Dx(), b.Dy()
	xs := boxTaps(sw, w)
	ys := boxTaps(sh, h)

	row := image.NewRGBA(image.Rect(0, 0, sw, 1))
	hsum := make([]uint32, 4*w) // a source row, averaged across (times sw)
	acc := make([]uint64, 4*w)  // an output row (times sw×sh)
	norm := 1 / (float64(sw) * float64(sh))
	lastY := -1

	var rgba *image.RGBA
	var ycc *image.YCbCr
	var cb, cr []uint32 // chroma of the current pair of output rows, summed
	var pixel []uint8   // an output row, as RGBA
	if opaque {
		ycc = image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
		cb, cr = make([]uint32, (w+1)/2), make([]uint32, (w+1)/2)
		pixel = make([]uint8, 4*w)
	} else {
		rgba = image.NewRGBA(image.Rect(0, 0, w, h))
	}

	for y := range h {
		clear(acc)
		for _, t := range ys.taps(y) {
			if t.src != lastY {
				draw.Draw(row, row.Rect, src, image.Pt(b.Min.X, b.Min.Y+t.src), draw.Src)
				sumRow(hsum, row.Pix, xs)
				lastY = t.src
			}
			wt := uint64(t.weight)
			for i, v := range hsum {
				acc[i] += uint64(v) * wt
			}
		}
		out := pixel
		if rgba != nil {
			out = rgba.Pix[y*rgba.Stride : y*rgba.Stride+4*w]
		}
		for i, v := range acc {
			out[i] = uint8(float64(v)*norm + 0.5)
		}
		if ycc != nil {
			toYCbCrRow(ycc, y, pixel, cb, cr)
		}
	}
	if rgba != nil {
		return rgba
	}
	return ycc
}

// toYCbCrRow stores output row y, given as opaque RGBA, in m: its luma at once,
// its chroma summed into cb and cr, which are averaged into m at the second
// row of each pair (or at the last row).
func toYCbCrRow(m *image.YCbCr, y int, rgba []uint8, cb, cr []uint32) {
	w := m.Rect.Dx()
	if y%2 == 0 {
		clear(cb)
		clear(cr)
	}
	yrow := m.Y[y*m.YStride:]
	for x := range w {
		p := rgba[4*x : 4*x+4]
		yy, u, v := color.RGBToYCbCr(p[0], p[1], p[2])
		yrow[x] = yy
		cb[x/2] += uint32(u)
		cr[x/2] += uint32(v)
	}
	if y%2 == 0 && y != m.Rect.Dy()-1 {
		return
	}
	rows := uint32(1 + y%2)
	crow := (y / 2) * m.CStride
	for cx := range cb {
		n := rows * uint32(min(2, w-2*cx))
		m.Cb[crow+cx] = uint8((cb[cx] + n/2) / n)
		m.Cr[crow+cx] = uint8((cr[cx] + n/2) / n)
	}
}

// sumRow sums a row of RGBA source pixels into the output columns, each source
// pixel weighted by the part of it each column covers.
func sumRow(hsum []uint32, pix []uint8, xs boxFilter) {
	for x := range len(hsum) / 4 {
		var r, g, b, a uint32
		for _, t := range xs.taps(x) {
			p := pix[4*t.src : 4*t.src+4]
			w := t.weight
			r += uint32(p[0]) * w
			g += uint32(p[1]) * w
			b += uint32(p[2]) * w
			a += uint32(p[3]) * w
		}
		hsum[4*x], hsum[4*x+1], hsum[4*x+2], hsum[4*x+3] = r, g, b, a
	}
}

// tap is a source pixel's share in an output pixel.
type tap struct {
	src    int
	weight uint32
}

// boxFilter holds the taps of each output pixel along one axis.
type boxFilter struct {
	all   []tap
	start []int // output pixel i's taps are all[start[i]:start[i+1]]
}

func (f boxFilter) taps(i int) []tap { return f.all[f.start[i]:f.start[i+1]] }

// boxTaps returns the taps that scale n source pixels to m output pixels
// (m ≤ n). Lengths are counted in units of 1/(n·m) of the whole: source pixel
// j spans [j·m, (j+1)·m) and output pixel i spans [i·n, (i+1)·n), so each
// weight is a whole number and an output pixel's weights add up to n.
func boxTaps(n, m int) boxFilter {
	f := boxFilter{start: make([]int, m+1)}
	for i := range m {
		f.start[i] = len(f.all)
		lo, hi := i*n, (i+1)*n
		for j := lo / m; j*m < hi; j++ {
			w := min(hi, (j+1)*m) - max(lo, j*m)
			f.all = append(f.all, tap{src: j, weight: uint32(w)})
		}
	}
	f.start[m] = len(f.all)
	return f
}
