package photo

import (
	"bytes"
	"encoding/binary"
	"image"
)

// Phones store photos as the sensor saw them and record in EXIF how to turn them
// upright. Re-encoding drops EXIF, so the turn is applied to the pixels instead;
// otherwise a photo taken in portrait would reach staff lying on its side.

// exifOrientation returns the EXIF Orientation (1–8) of a JPEG: the tag 0x0112 in
// IFD0 of the first APP1 "Exif" segment before the image data. It returns 1 (as
// stored) when there is none or anything about it is malformed.
func exifOrientation(data []byte) int {
	i := 2 // past SOI
	for i+4 <= len(data) {
		if data[i] != 0xFF {
			return 1
		}
		marker := data[i+1]
		if marker == 0xFF { // fill byte before a marker
			i++
			continue
		}
		i += 2
		switch {
		case marker == 0x01 || marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7):
			continue // markers without a length
		case marker == 0xDA || marker == 0xD9:
			return 1 // start of scan or end of image: no EXIF came before
		}
		n := int(data[i])<<8 | int(data[i+1]) // the length counts its own 2 bytes
		if n < 2 || i+n > len(data) {
			return 1
		}
		if seg := data[i+2 : i+n]; marker == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return tiffOrientation(seg[6:])
		}
		i += n
	}
	return 1
}

// tiffOrientation reads the Orientation tag of IFD0 from a TIFF structure.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	if bo.Uint16(t[2:]) != 42 {
		return 1
	}
	off := uint64(bo.Uint32(t[4:]))
	if off < 8 || off+2 > uint64(len(t)) {
		return 1
	}
	n := uint64(bo.Uint16(t[off:]))
	for k := uint64(0); k < n; k++ {
		e := off + 2 + k*12
		if e+12 > uint64(len(t)) {
			return 1
		}
		entry := t[e : e+12]
		if bo.Uint16(entry) != 0x0112 {
			continue
		}
		// Orientation is one SHORT, stored in the first 2 bytes of the value field.
		if bo.Uint16(entry[2:]) != 3 || bo.Uint32(entry[4:]) != 1 {
			return 1
		}
		if v := int(bo.Uint16(entry[8:])); v >= 1 && v <= 8 {
			return v
		}
		return 1
	}
	return 1
}

// orient returns img, a 4:2:0 *image.YCbCr at the origin as resample makes it,
// turned upright according to an EXIF orientation, or img itself for
// orientation 1 or an unknown value. Only JPEGs carry an orientation, and they
// have no transparency, so resample has made them YCbCr.
func orient(img *image.YCbCr, orientation int) *image.YCbCr {
	if orientation < 2 || orientation > 8 {
		return img
	}
	w, h := img.Rect.Dx(), img.Rect.Dy()
	dw, dh := w, h
	if orientation >= 5 { // 5–8 swap width and height
		dw, dh = h, w
	}
	// at maps a pixel of the upright image to the stored pixel it shows.
	var at func(x, y int) (int, int)
	switch orientation {
	case 2: // mirrored left to right
		at = func(x, y int) (int, int) { return w - 1 - x, y }
	case 3: // turned 180°
		at = func(x, y int) (int, int) { return w - 1 - x, h - 1 - y }
	case 4: // mirrored top to bottom
		at = func(x, y int) (int, int) { return x, h - 1 - y }
	case 5: // mirrored along the main diagonal
		at = func(x, y int) (int, int) { return y, x }
	case 6: // stored turned 90° anticlockwise: turn clockwise
		at = func(x, y int) (int, int) { return y, h - 1 - x }
	case 7: // mirrored along the other diagonal
		at = func(x, y int) (int, int) { return w - 1 - y, h - 1 - x }
	case 8: // stored turned 90° clockwise: turn anticlockwise
		at = func(x, y int) (int, int) { return w - 1 - y, x }
	}
	return orientYCbCr(img, dw, dh, at)
}

// orientYCbCr returns src (4:2:0, at the origin) as a dw×dh image whose pixel
// (x, y) is src's pixel at(x, y). Each chroma sample is taken from the stored
// sample under the first of the four pixels it covers: when a side is odd, a
// turned chroma sample may sit one pixel off the luma it used to cover, which
// half-resolution chroma does not show.
func orientYCbCr(src *image.YCbCr, dw, dh int, at func(x, y int) (int, int)) *image.YCbCr {
	dst := image.NewYCbCr(image.Rect(0, 0, dw, dh), image.YCbCrSubsampleRatio420)
	for y := range dh {
		for x := range dw {
			sx, sy := at(x, y)
			dst.Y[y*dst.YStride+x] = src.Y[sy*src.YStride+sx]
		}
	}
	for cy := range (dh + 1) / 2 {
		for cx := range (dw + 1) / 2 {
			sx, sy := at(2*cx, 2*cy)
			s := (sy/2)*src.CStride + sx/2
			d := cy*dst.CStride + cx
			dst.Cb[d], dst.Cr[d] = src.Cb[s], src.Cr[s]
		}
	}
	return dst
}
