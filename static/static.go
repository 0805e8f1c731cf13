// Package static serves the portal's stylesheet and icon from the binary under
// content-hashed names, so that browsers may cache them forever: a changed file gets
// a new name, and pages link to the new name.
package static

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed app.css admin.css reports.css favicon.svg
var files embed.FS

// Prefix is the path under which Handler expects to be mounted.
const Prefix = "/static/"

// asset is one embedded file under its hashed name.
type asset struct {
	name        string // hashed name, e.g. "app.1a2b3c4d.css"
	data        []byte
	etag        string
	contentType string
}

var (
	byName   = map[string]*asset{} // original name → asset
	byHashed = map[string]*asset{} // hashed name → asset
)

// contentTypes pins the types of the files we ship instead of relying on the
// system's MIME tables, which differ between machines.
var contentTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".svg": "image/svg+xml",
}

func init() {
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		panic("static: " + err.Error())
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := files.ReadFile(e.Name())
		if err != nil {
			panic("static: " + err.Error())
		}
		sum := sha256.Sum256(data)
		hash := hex.EncodeToString(sum[:])
		ext := path.Ext(e.Name())
		ct, ok := contentTypes[ext]
		if !ok {
			ct = mime.TypeByExtension(ext)
		}
		a := &asset{
			name:        strings.TrimSuffix(e.Name(), ext) + "." + hash[:8] + ext,
			data:        data,
			etag:        `"` + hash[:32] + `"`,
			contentType: ct,
		}
		byName[e.Name()] = a
		byHashed[a.name] = a
	}
}

// URL returns the path of an embedded file under its hashed name, e.g.
// URL("app.css") == "/static/app.1a2b3c4d.css". It panics for a file that is not
// embedded: that is a typo in a template, which every page test catches.
func URL(name string) string {
	a, ok := byName[name]
	if !ok {
		panic("static: no embedded file " + name)
	}
	return Prefix + a.name
}

// Handler serves the embedded files under their hashed names, with headers that
// let browsers and proxies keep them for a year. Mount it at Prefix without
// stripping the prefix (a stripped path works too). Unknown names, and the plain
// names without a hash, answer 404, so that a stale page never gets a file that
// could be cached forever under the wrong content.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "Method not allowed.", http.StatusMethodNotAllowed)
			return
		}
		name := strings.TrimPrefix(r.URL.Path, Prefix)
		name = strings.TrimPrefix(name, "/")
		a, ok := byHashed[name]
		if !ok {
			w.Header().Set("X-Content-Type-Options", "nosniff")
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.contentType)
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("ETag", a.etag)
		// ServeContent answers If-None-Match with 304, HEAD and Range requests.
		http.ServeContent(w, r, a.name, time.Time{}, bytes.NewReader(a.data))
	})
}
