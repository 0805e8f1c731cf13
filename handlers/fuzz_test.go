package handlers

import (
	"bytes"
	"mime/multipart"
	"net/http/httptest"
	"testing"

	returns "github.com/returnsportal/returns"
)

// FuzzReturnForm throws arbitrary multipart bodies at the return form's reader:
// it never panics, and what it accepts stays within the limits.
func FuzzReturnForm(f *testing.F) {
	seed := func(fields map[string]string, photo []byte) []byte {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.SetBoundary("fuzzboundary")
		for k, v := range fields {
			mw.WriteField(k, v)
		}
		if photo != nil {
			w, _ := mw.CreateFormFile("photos", "../../x.jpg.html")
			w.Write(photo)
		}
		mw.Close()
		return buf.Bytes()
	}
	f.Add(seed(map[string]string{"key": "0123456789abcdef0123456789abcdef", "kind": "damaged", "description": "Torn.", "line": "gid://shopify/LineItem/1", "qty-gid://shopify/LineItem/1": "1"}, []byte("\xff\xd8\xff\xe0 not really a jpeg")))
	f.Add(seed(map[string]string{"kind": "dissatisfied", "reason": "other", "other_reason": "x", "line": "a", "qty-a": "-1"}, nil))
	f.Add([]byte("--fuzzboundary\r\nContent-Disposition: form-data; name=\"line\"\r\n\r\nx\r\n--fuzzboundary--"))
	f.Add([]byte("not multipart at all"))
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest("POST", "/order/returns", bytes.NewReader(body))
		r.Header.Set("Content-Type", "multipart/form-data; boundary=fuzzboundary")
		var files photoFiles
		defer files.close()
		req, _, err := readReturnForm(r, &files)
		if err != nil {
			if c := returns.ErrorCode(err); c != returns.EINVALID {
				t.Fatalf("error code %q: %v", c, err)
			}
			return
		}
		if len(req.Photos) > returns.MaxPhotos {
			t.Fatalf("%d photos accepted", len(req.Photos))
		}
		for _, p := range req.Photos {
			if p.Size() == 0 || p.Size() > maxPhotoBytes {
				t.Fatalf("photo of %d bytes accepted", p.Size())
			}
		}
	})
}
