package handlers

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/paths"
	"github.com/returnsportal/returns/views"
)

// keepUnsent fills the settings of the store's identity from the form, and
// keeps the ones in effect for each field the form did not send (a tab left
// open from before the fields existed).
func (s *Server) keepUnsent(r *http.Request, f url.Values, st *returns.Settings) error {
	fields := []struct {
		name string
		to   *string
		from func(returns.Settings) string
	}{
		{returns.FieldStoreName, &st.StoreName, func(c returns.Settings) string { return c.StoreName }},
		{returns.FieldContactEmail, &st.ContactEmail, func(c returns.Settings) string { return c.ContactEmail }},
		{returns.FieldTimeZone, &st.TimeZone, func(c returns.Settings) string { return c.TimeZone }},
		{returns.FieldReturnAddressLV, &st.ReturnAddressLV, func(c returns.Settings) string { return c.ReturnAddressLV }},
		{returns.FieldStaffLanguage, &st.StaffLanguage, func(c returns.Settings) string { return c.StaffLanguage }},
	}
	var current *returns.Settings
	for _, fd := range fields {
		if v, sent := f[fd.name]; sent {
			*fd.to = v[0]
			continue
		}
		if current == nil {
			c, err := s.settings.Settings(r.Context())
			if err != nil {
				return err
			}
			current = &c
		}
		*fd.to = fd.from(*current)
	}
	return nil
}

// shopIdentity is Shopify's identity of the shop as last read, zero when it
// never was.
func (s *Server) shopIdentity(r *http.Request) returns.ShopIdentity {
	if s.connection == nil {
		return returns.ShopIdentity{}
	}
	if rep, ok := s.connection.Last(); ok && rep.Reached {
		return rep.Shop
	}
	return returns.ShopIdentity{}
}

// maxLogoBody caps the logo form's body: one image as large as a photo may
// be, and the multipart framing.
const maxLogoBody = maxPhotoBytes + maxFormBytes

// handleAdminLogo saves an uploaded logo; a refused image shows the settings
// page again with the reason.
func (s *Server) handleAdminLogo() http.Handler {
	uploading := make(chan struct{}, 1)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.identity == nil {
			s.handleNotFound().ServeHTTP(w, r)
			return
		}
		// Logos are rare: one upload at a time keeps their temporary files
		// and decoding to one.
		select {
		case uploading <- struct{}{}:
			defer func() { <-uploading }()
		case <-r.Context().Done():
			return
		}
		rc := http.NewResponseController(w)
		rc.SetReadDeadline(time.Now().Add(uploadTimeout))
		rc.SetWriteDeadline(time.Now().Add(uploadTimeout + 30*time.Second))
		r.Body = http.MaxBytesReader(w, r.Body, maxLogoBody)
		var files photoFiles
		defer files.close()
		upload, err := readLogoForm(r, &files)
		if err == nil {
			err = s.identity.SaveLogo(r.Context(), upload, staffFrom(r).Email)
		}
		if returns.ErrorCode(err) == returns.EINVALID {
			io.Copy(io.Discard, r.Body)
			st, serr := s.settings.Settings(r.Context())
			if serr != nil {
				s.Error(w, r, serr)
				return
			}
			s.renderSettingsWithLogo(w, r, http.StatusUnprocessableEntity, st, views.Form{}, failedForm(err, nil))
			return
		}
		if err != nil {
			s.Error(w, r, err)
			return
		}
		http.Redirect(w, r, paths.WithDone(paths.AdminSettingsURL(), "logo"), http.StatusSeeOther)
	})
}

// readLogoForm reads the logo form: its one file goes to a temporary file.
func readLogoForm(r *http.Request, files *photoFiles) (returns.PhotoUpload, error) {
	refuse := func(format string, args ...any) (returns.PhotoUpload, error) {
		return nil, returns.Invalid(map[string]returns.Message{returns.FieldLogo: returns.Msg(format, args...)})
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, unreadable(err)
	}
	var upload returns.PhotoUpload
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, unreadable(err)
		}
		if part.FormName() != returns.FieldLogo || part.FileName() == "" || upload != nil {
			io.Copy(io.Discard, part)
			continue
		}
		upload, err = files.add(part, maxPhotoBytes)
		switch {
		case errors.Is(err, errPartTooBig):
			return refuse("The image is too large (at most %d MB).", maxPhotoBytes>>20)
		case errors.Is(err, errSpill):
			return nil, err // the server's disk, not the form
		case err != nil:
			return nil, unreadable(err)
		}
	}
	if upload == nil || upload.Size() == 0 {
		return refuse("Choose an image file for the logo.")
	}
	return upload, nil
}

// handleAdminLogoRemove removes the store's logo.
func (s *Server) handleAdminLogoRemove() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := parseForm(w, r); err != nil {
			s.Error(w, r, errFormUnreadable)
			return
		}
		if s.identity == nil {
			s.handleNotFound().ServeHTTP(w, r)
			return
		}
		if err := s.identity.RemoveLogo(r.Context(), staffFrom(r).Email); err != nil {
			s.Error(w, r, err)
			return
		}
		http.Redirect(w, r, paths.WithDone(paths.AdminSettingsURL(), "logo-removed"), http.StatusSeeOther)
	})
}

// logoCache is how long browsers and proxies keep the logo: for good, since a
// new logo has a new address.
const logoCache = "public, max-age=31536000, immutable"

// handleLogo serves the store's logo by its address: the hash of its content
// and the extension of its type. Any other address, an old logo's included,
// is not found.
func (s *Server) handleLogo() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		file := r.PathValue("file")
		hash, ext, ok := strings.Cut(file, ".")
		if !ok || s.identity == nil || !isLogoHash(hash) {
			http.NotFound(w, r)
			return
		}
		logo, err := s.identity.Logo(r.Context(), hash)
		if returns.ErrorCode(err) == returns.ENOTFOUND || (err == nil && logo.File() != hash+"."+ext) {
			http.NotFound(w, r)
			return
		}
		if err != nil {
			s.log.Error("read logo", "err", err)
			http.Error(w, "Internal error.", http.StatusInternalServerError)
			return
		}
		h := w.Header()
		h.Set("Content-Type", logo.ContentType)
		h.Set("Cache-Control", logoCache)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Length", strconv.Itoa(len(logo.Data)))
		if r.Method != http.MethodHead {
			w.Write(logo.Data)
		}
	})
}

// isLogoHash reports whether s is written as a logo's hash is: 32 lower-case
// hex digits.
func isLogoHash(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
