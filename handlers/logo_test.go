package handlers_test

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/paths"
)

// withEXIF puts an APP1 (EXIF) segment holding secret right after a JPEG's
// start, as a phone writes the GPS position of where it was taken.
func withEXIF(jpg []byte, secret string) []byte {
	payload := append([]byte("Exif\x00\x00II*\x00\x08\x00\x00\x00"), secret...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	out = append(out, payload...)
	return append(out, jpg[2:]...)
}

// transparentPNG makes a logo with a transparent background.
func transparentPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for x := w / 4; x < 3*w/4; x++ {
		img.Set(x, h/2, color.NRGBA{20, 60, 200, 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var logoSrc = regexp.MustCompile(`src="(/logo/[0-9a-f]{32}\.(?:png|jpg))"`)

// TestLogoUpload: staff upload a logo in the settings; it comes back
// re-encoded without its EXIF, scaled within the logo's bounds, from an
// address made of its hash, kept for good by browsers, with its type and
// nosniff; customer pages show it with the store's name as its alt text. Bad
// files are refused with a message that says why, and the logo in use stays.
func TestLogoUpload(t *testing.T) {
	h := newHarness(t, nil)
	staff := h.staff("kim@example.com")
	const secret = "GPS 56.9496N 24.1052E"
	upload := withEXIF(jpegBytes(t, 1200, 300), secret)
	form := settingsForm()
	form.Set(returns.FieldStoreName, "Linen & Co")
	if a := h.postForm(staff, paths.AdminSettingsURL(), form); a.status != http.StatusSeeOther {
		t.Fatalf("save the name: %d", a.status)
	}

	a := h.postMultipart(staff, paths.AdminLogoURL(), []part{{name: returns.FieldLogo, filename: "logo.jpg", data: upload}})
	if a.status != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", a.status, a.body)
	}
	page := h.get(h.client(), "/")
	m := logoSrc.FindStringSubmatch(page.body)
	if m == nil {
		t.Fatalf("no logo on the lookup page:\n%s", page.body)
	}
	if !strings.Contains(page.body, `alt="Linen &amp; Co"`) {
		t.Error("the logo's alt text is not the store's name")
	}
	logo := h.get(h.client(), m[1])
	if logo.status != http.StatusOK {
		t.Fatalf("logo: %d", logo.status)
	}
	if ct := logo.header.Get("Content-Type"); ct != "image/jpeg" {
		t.Errorf("Content-Type %q", ct)
	}
	if cc := logo.header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
		t.Errorf("Cache-Control %q", cc)
	}
	if ns := logo.header.Get("X-Content-Type-Options"); ns != "nosniff" {
		t.Errorf("X-Content-Type-Options %q", ns)
	}
	if strings.Contains(logo.body, secret) || strings.Contains(logo.body, "Exif") {
		t.Error("the served logo kept its EXIF")
	}
	cfg, _, err := image.DecodeConfig(strings.NewReader(logo.body))
	if err != nil || cfg.Width != 480 || cfg.Height != 120 {
		t.Errorf("logo is %dx%d (%v), want scaled to 480x120", cfg.Width, cfg.Height, err)
	}
	if len(logo.body) > 100<<10 {
		t.Errorf("logo is %d bytes", len(logo.body))
	}
	// Another address of the same shape is not found, nor a wrong extension.
	if a := h.get(h.client(), "/logo/0123456789abcdef0123456789abcdef.jpg"); a.status != http.StatusNotFound {
		t.Errorf("unknown logo: %d", a.status)
	}
	if a := h.get(h.client(), strings.TrimSuffix(m[1], ".jpg")+".png"); a.status != http.StatusNotFound {
		t.Errorf("logo under another extension: %d", a.status)
	}

	for _, tc := range []struct{ name, file, want string }{
		{"not an image", "<html><script>alert(1)</script></html>", "This file is not a JPEG, PNG or WebP image."},
		{"a damaged PNG", "\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR", "The image is damaged or incomplete."},
		{"no file", "", "Choose an image file for the logo."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parts := []part{{name: returns.FieldLogo, filename: "x.png", data: []byte(tc.file)}}
			if tc.file == "" {
				parts = nil
			}
			a := h.postMultipart(staff, paths.AdminLogoURL(), parts)
			if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, tc.want) {
				t.Errorf("%d, want 422 with %q:\n%s", a.status, tc.want, a.body)
			}
			if page := h.get(h.client(), "/"); !strings.Contains(page.body, m[1]) {
				t.Error("a refused upload changed the logo in use")
			}
		})
	}

	// A logo with transparency stays a PNG; the old address then leads
	// nowhere.
	a = h.postMultipart(staff, paths.AdminLogoURL(), []part{{name: returns.FieldLogo, filename: "logo.png", data: transparentPNG(t, 200, 50)}})
	if a.status != http.StatusSeeOther {
		t.Fatalf("second upload: %d", a.status)
	}
	m2 := logoSrc.FindStringSubmatch(h.get(h.client(), "/").body)
	if m2 == nil || m2[1] == m[1] || !strings.HasSuffix(m2[1], ".png") {
		t.Fatalf("logo after the PNG upload: %v", m2)
	}
	if a := h.get(h.client(), m[1]); a.status != http.StatusNotFound {
		t.Errorf("the replaced logo: %d", a.status)
	}
	if a := h.get(h.client(), m2[1]); a.header.Get("Content-Type") != "image/png" {
		t.Errorf("PNG logo served as %q", a.header.Get("Content-Type"))
	}

	// Removed, no page shows one; strangers cannot upload or remove.
	if a := h.postForm(staff, paths.AdminLogoRemoveURL(), nil); a.status != http.StatusSeeOther {
		t.Fatalf("remove: %d", a.status)
	}
	if logoSrc.MatchString(h.get(h.client(), "/").body) {
		t.Error("the removed logo is still shown")
	}
	if a := h.postMultipart(h.client(), paths.AdminLogoURL(), []part{{name: returns.FieldLogo, filename: "logo.png", data: transparentPNG(t, 20, 5)}}); a.status == http.StatusSeeOther {
		t.Error("a stranger uploaded a logo")
	}
}

// TestIdentitySettingsPage: the store's name and time zone from the settings
// head the customer pages and tell the staff's times; a zone that is not one
// is refused with its message.
func TestIdentitySettingsPage(t *testing.T) {
	h := newHarness(t, nil)
	staff := h.staff("kim@example.com")
	form := settingsForm()
	form.Set(returns.FieldStoreName, "Lina & Māls")
	form.Set(returns.FieldContactEmail, "help@lina.example")
	form.Set(returns.FieldTimeZone, "Europe/Riga")
	form.Set(returns.FieldReturnAddressLV, "Atgriešanas nodaļa\nRīga")
	if a := h.postForm(staff, paths.AdminSettingsURL(), form); a.status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", a.status, a.body)
	}
	page := h.get(h.client(), "/")
	for _, want := range []string{"Lina &amp; Māls", `href="mailto:help@lina.example"`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("lookup page without %q", want)
		}
	}
	if a := h.get(staff, paths.AdminSettingsURL()); !strings.Contains(a.body, "Times in Europe/Riga") {
		t.Error("the settings page does not name the store's time zone")
	}
	form.Set(returns.FieldTimeZone, "Mars/Olympus_Mons")
	a := h.postForm(staff, paths.AdminSettingsURL(), form)
	if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, "Enter a time zone by its IANA name") {
		t.Errorf("bad zone: %d", a.status)
	}
}

// settingsForm is the settings form with the default settings, as a browser
// sends it.
func settingsForm() url.Values {
	d := returns.DefaultSettings()
	return url.Values{
		returns.FieldReturnAddress: {d.ReturnAddress}, returns.FieldWindowDays: {"30"},
		returns.FieldNonReturnableTag: {d.NonReturnableTag}, returns.FieldInstructionsEN: {d.InstructionsEN},
		returns.FieldInstructionsLV: {d.InstructionsLV}, returns.FieldPhotoRetentionDays: {"30"},
	}
}
