package handlers

import (
	"net/http"
	"strconv"

	returns "github.com/returnsportal/returns"
)

// errNoSuchPhoto is the answer for a photo that is not there, or not the
// asker's to see.
var errNoSuchPhoto = returns.Errorf(returns.ENOTFOUND, "We could not find that photo.")

// photoID is the id of the photo a request names, or errNoSuchPhoto when it
// names none.
func photoID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("photo"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNoSuchPhoto
	}
	return id, nil
}

// servePhoto writes a photo with a server-chosen file name and the given
// Cache-Control; nosniff is set for every answer.
func servePhoto(w http.ResponseWriter, p *returns.Photo, id int64, cacheControl string) {
	ext := ".jpg"
	if p.ContentType == "image/png" {
		ext = ".png"
	}
	h := w.Header()
	h.Set("Content-Type", p.ContentType)
	h.Set("Content-Disposition", `inline; filename="photo-`+itoa(id)+ext+`"`)
	h.Set("Cache-Control", cacheControl)
	h.Set("Content-Length", strconv.Itoa(len(p.Data)))
	w.Write(p.Data)
}
