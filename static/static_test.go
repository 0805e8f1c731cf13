package static

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func TestURL(t *testing.T) {
	u := URL("app.css")
	if !regexp.MustCompile(`^/static/app\.[0-9a-f]{8}\.css$`).MatchString(u) {
		t.Errorf("URL(app.css) = %q", u)
	}
	if u != URL("app.css") {
		t.Error("URL is not stable")
	}
	defer func() {
		if recover() == nil {
			t.Error("URL of an unknown file did not panic")
		}
	}()
	URL("nope.css")
}

func get(t *testing.T, h http.Handler, method, path string, header ...string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func TestHandlerServesHashedNames(t *testing.T) {
	h := Handler()
	tests := []struct {
		name, contentType string
	}{
		{"app.css", "text/css; charset=utf-8"},
		{"admin.css", "text/css; charset=utf-8"},
		{"favicon.svg", "image/svg+xml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := get(t, h, http.MethodGet, URL(tt.name))
			body, _ := io.ReadAll(res.Body)
			want, _ := files.ReadFile(tt.name)
			if res.StatusCode != http.StatusOK || string(body) != string(want) {
				t.Fatalf("status %d, %d bytes", res.StatusCode, len(body))
			}
			for k, v := range map[string]string{
				"Content-Type":           tt.contentType,
				"Cache-Control":          "public, max-age=31536000, immutable",
				"X-Content-Type-Options": "nosniff",
			} {
				if got := res.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			etag := res.Header.Get("ETag")
			if !regexp.MustCompile(`^"[0-9a-f]{32}"$`).MatchString(etag) {
				t.Errorf("ETag = %q", etag)
			}
			res = get(t, h, http.MethodGet, URL(tt.name), "If-None-Match", etag)
			if res.StatusCode != http.StatusNotModified {
				t.Errorf("If-None-Match: status %d, want 304", res.StatusCode)
			}
			res = get(t, h, http.MethodHead, URL(tt.name))
			if res.StatusCode != http.StatusOK {
				t.Errorf("HEAD: status %d", res.StatusCode)
			}
		})
	}
}

func TestHandlerStrippedPrefix(t *testing.T) {
	h := http.StripPrefix("/static", Handler())
	if res := get(t, h, http.MethodGet, URL("app.css")); res.StatusCode != http.StatusOK {
		t.Errorf("status %d", res.StatusCode)
	}
}

func TestHandlerNotFound(t *testing.T) {
	h := Handler()
	hashed := URL("app.css")
	for _, path := range []string{
		"/static/app.css",          // the plain name
		"/static/app.00000000.css", // a stale hash
		"/static/nope.css",
		"/static/",
		"/static/static.go",
		"/static/../static/" + strings.TrimPrefix(hashed, Prefix) + "/x",
	} {
		res := get(t, h, http.MethodGet, path)
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", path, res.StatusCode)
		}
		if res.Header.Get("Cache-Control") != "" {
			t.Errorf("%s: a 404 is cacheable: %q", path, res.Header.Get("Cache-Control"))
		}
	}
	if res := get(t, h, http.MethodPost, hashed); res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: status %d", res.StatusCode)
	}
}

// TestCSS keeps the stylesheets within budget and free of what the CSP or the
// design rules out. Customer pages load only app.css; the backoffice adds
// admin.css.
func TestCSS(t *testing.T) {
	for _, name := range []string{"app.css", "admin.css"} {
		css, _ := files.ReadFile(name)
		t.Logf("%s: %d bytes", name, len(css))
		if len(css) > 8*1024 {
			t.Errorf("%s is %d bytes, want under 8 KiB", name, len(css))
		}
		for _, bad := range []string{"@import", "url(http", "@font-face", "!important"} {
			if strings.Contains(string(css), bad) {
				t.Errorf("%s contains %q", name, bad)
			}
		}
	}
	css, _ := files.ReadFile("app.css")
	for _, need := range []string{":focus-visible", ":has(", "prefers-color-scheme", "white-space: pre-line"} {
		if !strings.Contains(string(css), need) {
			t.Errorf("app.css lacks %q", need)
		}
	}
}
