package handlers_test

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"net/http"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// pngHeaderOnly is a valid PNG signature and header claiming w×h RGBA pixels,
// with a few bytes of image data: a pixel bomb of about a hundred bytes.
func pngHeaderOnly(w, h uint32) []byte {
	var buf bytes.Buffer
	buf.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&buf, binary.BigEndian, uint32(len(data)))
		crc := crc32.NewIEEE()
		crc.Write([]byte(typ))
		crc.Write(data)
		buf.WriteString(typ)
		buf.Write(data)
		binary.Write(&buf, binary.BigEndian, crc.Sum32())
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8 bits, RGBA
	chunk("IHDR", ihdr)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(make([]byte, 1024))
	zw.Close()
	chunk("IDAT", z.Bytes())
	chunk("IEND", nil)
	return buf.Bytes()
}

// polyglotJPEG is a real JPEG that is also an HTML page: the markup sits in a
// comment segment right after the start marker, where a sniffing browser finds
// it, and again after the end marker.
func polyglotJPEG(t *testing.T) []byte {
	t.Helper()
	img := jpegBytes(t, 64, 48)
	payload := []byte("<html><body><script>alert(document.cookie)</script></body></html>")
	com := []byte{0xFF, 0xFE, 0, 0}
	binary.BigEndian.PutUint16(com[2:], uint16(len(payload)+2))
	out := append([]byte{}, img[:2]...)
	out = append(out, com...)
	out = append(out, payload...)
	out = append(out, img[2:]...)
	return append(out, payload...)
}

func gifBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewPaletted(image.Rect(0, 0, 8, 8), []color.Color{color.White, color.Black})
	var buf bytes.Buffer
	if err := gif.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestHostileUploadsThroughTheForm: what an attacker uploads as a damage photo
// is refused with a clear message and stores nothing, or is accepted only as a
// fresh image served under a name the server chose.
func TestHostileUploadsThroughTheForm(t *testing.T) {
	h := newHarness(t, nil)
	c := h.client()
	h.lookup(c, "1001", "anna.berzina@example.lv")
	submit := func(title string, photo part) answer {
		t.Helper()
		key, lines := h.orderForm(c)
		id := lines[title]
		if id == "" {
			t.Fatalf("%s cannot be chosen", title)
		}
		return h.postMultipart(c, "/order/returns", []part{
			field("key", key), field("kind", "damaged"), field("description", "Torn."), field("resolution", "refund"),
			field("line", id), field("qty-"+id, "1"), photo,
		})
	}

	for _, tc := range []struct {
		name  string
		photo part
		want  string
	}{
		{"50000×50000 PNG", part{name: "photos", filename: "bomb.png", data: pngHeaderOnly(50000, 50000)}, "The image is too large to process (50000×50000 pixels)"},
		{"SVG with a script", part{name: "photos", filename: "towel.svg", data: []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(document.cookie)</script><rect width="10" height="10"/></svg>`)}, "not a JPEG, PNG or WebP"},
		{"SVG named .jpg", part{name: "photos", filename: "towel.jpg", data: []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)}, "not a JPEG, PNG or WebP"},
		{"GIF", part{name: "photos", filename: "towel.gif", data: gifBytes(t)}, "not a JPEG, PNG or WebP"},
		{"truncated JPEG", part{name: "photos", filename: "towel.jpg", data: jpegBytes(t, 64, 48)[:300]}, "damaged or incomplete"},
		{"JPEG header only", part{name: "photos", filename: "towel.jpg", data: []byte{0xFF, 0xD8, 0xFF}}, "damaged or incomplete"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			a := submit("Linen tea towel", tc.photo)
			runtime.ReadMemStats(&after)
			if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, tc.want) {
				t.Fatalf("status %d, want 422 saying %q\n%s", a.status, tc.want, a.body)
			}
			// Decoding the bomb would take 10 GB; its header alone takes nothing.
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20 {
				t.Errorf("%d MB allocated while refusing it", grew>>20)
			}
			if n := returnCount(t, h, "1001", "anna.berzina@example.lv"); n != 0 {
				t.Fatalf("%d returns stored, want none", n)
			}
		})
	}

	for _, tc := range []struct {
		name  string
		photo part
	}{
		{"JPEG that is also HTML", part{name: "photos", filename: "towel.jpg", data: polyglotJPEG(t)}},
		{"file name ../../x.jpg.html", part{name: "photos", filename: "../../x.jpg.html", data: jpegBytes(t, 64, 48)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := submit("Ceramic mug", tc.photo)
			code := returnCodeRe.FindString(a.header.Get("Location"))
			if a.status != http.StatusSeeOther || code == "" {
				t.Fatalf("status %d, want the upload accepted\n%s", a.status, a.body)
			}
			page := h.get(c, "/returns/"+code)
			m := regexp.MustCompile(`/returns/` + code + `/photos/(\d+)`).FindStringSubmatch(page.body)
			if m == nil {
				t.Fatal("no photo on the status page")
			}
			staff := h.staff("kim-" + strings.ToLower(code) + "@example.com")
			for who, ph := range map[string]answer{"customer": h.get(c, m[0]), "staff": h.get(staff, "/admin"+m[0])} {
				if ph.status != http.StatusOK || ph.header.Get("Content-Type") != "image/jpeg" || ph.header.Get("X-Content-Type-Options") != "nosniff" {
					t.Fatalf("%s: photo status %d, headers %v", who, ph.status, ph.header)
				}
				if want := `inline; filename="photo-` + m[1] + `.jpg"`; ph.header.Get("Content-Disposition") != want {
					t.Errorf("%s: Content-Disposition %q, want %q", who, ph.header.Get("Content-Disposition"), want)
				}
				if !bytes.HasPrefix([]byte(ph.body), []byte{0xFF, 0xD8, 0xFF}) {
					t.Errorf("%s: the photo served is not a JPEG", who)
				}
				lower := strings.ToLower(ph.body)
				for _, bad := range []string{"<html", "<script", "<body", "alert("} {
					if strings.Contains(lower, bad) {
						t.Errorf("%s: the photo served still holds %q", who, bad)
					}
				}
			}
		})
	}
}
