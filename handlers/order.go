package handlers

import (
	"bytes"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/paths"
	"github.com/returnsportal/returns/views"
)

// Request body limits of the return form with its photos (maxFormBytes caps
// its text fields together).
const (
	maxPhotoBytes  = 8 << 20
	maxUploadBytes = returns.MaxPhotos*maxPhotoBytes + maxFormBytes
	// uploadTimeout is how long an upload may take on a slow phone connection; the
	// server's own read and write timeouts are shorter.
	uploadTimeout = 3 * time.Minute
)

// handleOrder shows the order the session proved, with the return form.
func (s *Server) handleOrder() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := s.sessions.customer(r)
		if c.OrderID == "" {
			http.Redirect(w, r, paths.LookupURL(), http.StatusSeeOther)
			return
		}
		co, err := s.customers.CustomerOrder(r.Context(), c.OrderID)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		s.renderOrder(w, r, http.StatusOK, co, views.ReturnForm{SubmissionKey: returns.NewToken()})
	})
}

func (s *Server) renderOrder(w http.ResponseWriter, r *http.Request, status int, co *returns.CustomerOrder, form views.ReturnForm) {
	form.MaxPhotos = returns.MaxPhotos
	form.MaxPhotoMB = maxPhotoBytes >> 20
	form.PhotoRetentionDays = co.Settings.PhotoRetentionDays
	p := views.OrderPage{
		Page:    s.page(r, returns.Msg("Order %s", co.Order.Name)),
		Order:   co.Order,
		Lines:   co.Lines,
		Returns: co.Returns,
		Form:    form,
	}
	p.Path = paths.OrderURL()
	s.render(w, r, status, views.OrderPageView(p))
}

// handleReturnCreate takes the return form. A failed validation shows the form
// again with the values sent and a message per field; success redirects to the
// confirmation (POST-redirect-GET), so a refresh cannot submit twice, and the
// form's submission key makes a double click or the back button harmless too.
func (s *Server) handleReturnCreate() http.Handler {
	uploading := make(chan struct{}, maxConcurrentUploads)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := s.sessions.customer(r)
		if c.OrderID == "" {
			s.renderError(w, r, http.StatusForbidden, returns.Msg("Your session has ended"), returns.Msg("Please find your order again to continue."), 0)
			return
		}
		// The body is read only in turn; until then it waits in the
		// connection, taking neither memory nor disk.
		select {
		case uploading <- struct{}{}:
			defer func() { <-uploading }()
		case <-r.Context().Done():
			return
		}
		rc := http.NewResponseController(w)
		rc.SetReadDeadline(time.Now().Add(uploadTimeout))
		rc.SetWriteDeadline(time.Now().Add(uploadTimeout + 30*time.Second))
		r.Body = http.MaxBytesReader(w, r.Body, maxUploadBytes)

		var files photoFiles
		defer files.close()
		req, form, err := readReturnForm(r, &files)
		req.Locale = localizer(r).Lang
		if err == nil {
			var ret *returns.Return
			ret, err = s.customers.SubmitReturn(r.Context(), c.OrderID, req)
			if err == nil {
				http.Redirect(w, r, paths.ReturnConfirmationURL(ret.Code), http.StatusSeeOther)
				return
			}
		}
		if r.Context().Err() != nil {
			// The client went away (while its photos waited to be
			// processed, say): nobody reads an answer.
			s.log.Info("return form abandoned", "path", logPath(r), "err", err)
			return
		}
		if returns.ErrorCode(err) != returns.EINVALID && returns.ErrorCode(err) != returns.ECONFLICT {
			s.Error(w, r, err)
			return
		}
		// Drain what is left of the body (up to the cap), so the browser reads the
		// answer instead of a reset connection.
		io.Copy(io.Discard, r.Body)
		co, oerr := s.customers.CustomerOrder(r.Context(), c.OrderID)
		if oerr != nil {
			s.Error(w, r, oerr)
			return
		}
		form.Form = failedForm(err, nil)
		if _, told := form.Fields[returns.FieldPhotos]; len(req.Photos) > 0 && !told {
			if form.Fields == nil {
				form.Fields = map[string]returns.Message{}
			}
			form.Fields[returns.FieldPhotos] = returns.Msg("Please choose your photos again.")
		}
		s.renderOrder(w, r, http.StatusUnprocessableEntity, co, form)
	})
}

// readReturnForm reads the multipart return form part by part: photos go to
// files (up to maxPhotoBytes each), text fields stay in memory (up to
// maxFormBytes together).
func readReturnForm(r *http.Request, files *photoFiles) (returns.ReturnRequest, views.ReturnForm, error) {
	req := returns.ReturnRequest{Quantities: map[string]int{}}
	form := views.ReturnForm{Quantities: map[string]int{}, Chosen: map[string]bool{}}
	fields := map[string]returns.Message{}
	invalid := func(err error) (returns.ReturnRequest, views.ReturnForm, error) {
		return req, form, err
	}

	mr, err := r.MultipartReader()
	if err != nil {
		return invalid(unreadable(err))
	}
	values := map[string][]string{}
	textBytes := int64(0)
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return invalid(unreadable(err))
		}
		name := part.FormName()
		if name == returns.FieldPhotos {
			if part.FileName() == "" {
				io.Copy(io.Discard, part)
				continue
			}
			if len(req.Photos) >= returns.MaxPhotos {
				fields[returns.FieldPhotos] = returns.Msg("Send at most %d photos.", returns.MaxPhotos)
				io.Copy(io.Discard, part)
				continue
			}
			upload, err := files.add(part, maxPhotoBytes)
			if errors.Is(err, errPartTooBig) {
				fields[returns.FieldPhotos] = returns.Msg("The photo is too large (at most %d MB).", maxPhotoBytes>>20)
				io.Copy(io.Discard, part)
				continue
			}
			if errors.Is(err, errSpill) {
				return invalid(err) // the server's disk, not the form
			}
			if err != nil {
				return invalid(unreadable(err))
			}
			if upload.Size() > 0 {
				req.Photos = append(req.Photos, upload)
			}
			continue
		}
		data, err := readPart(part, maxFormBytes-textBytes)
		if err != nil {
			return invalid(unreadable(err))
		}
		textBytes += int64(len(data))
		if len(values) < 600 {
			values[name] = append(values[name], string(data))
		}
	}
	get := func(k string) string {
		if v := values[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}

	req.SubmissionKey = get(returns.FieldKey)
	req.Kind = returns.Kind(get(returns.FieldKind))
	req.Reason = returns.Reason(get(returns.FieldReason))
	req.Resolution = returns.Resolution(get(returns.FieldResolution))
	form.SubmissionKey, form.Kind, form.Reason, form.Resolution = req.SubmissionKey, req.Kind, req.Reason, req.Resolution
	form.Description = returns.CleanText(get(returns.FieldDescription))
	form.OtherReason = returns.CleanText(get(returns.FieldOtherReason))
	req.Description, req.OtherReason = form.Description, form.OtherReason
	for _, id := range values[returns.FieldLine] {
		form.Chosen[id] = true
		raw := strings.TrimSpace(get(returns.FieldQuantity(id)))
		q, err := strconv.Atoi(raw)
		if err != nil {
			fields[returns.FieldQuantity(id)] = returns.Msg("Enter a whole number.")
			continue
		}
		req.Quantities[id] = q
		form.Quantities[id] = q
	}
	for k, v := range values {
		if id, ok := strings.CutPrefix(k, "qty-"); ok && !form.Chosen[id] {
			if q, err := strconv.Atoi(strings.TrimSpace(v[0])); err == nil {
				form.Quantities[id] = q
			}
		}
	}
	if len(fields) > 0 {
		return invalid(returns.Invalid(fields))
	}
	return req, form, nil
}

var errPartTooBig = errors.New("part too big")

// unreadable is the error for a form that could not be read: too large as a whole,
// cut off, or not multipart.
func unreadable(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return returns.Invalid(map[string]returns.Message{returns.FieldPhotos: returns.Msg("The photos are too large together (at most %d MB).", maxUploadBytes>>20)})
	}
	return errFormUnreadable
}

// readPart reads a multipart part of at most max bytes.
func readPart(p *multipart.Part, max int64) ([]byte, error) {
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(p, max+1))
	if err != nil {
		return nil, err
	}
	if n > max {
		return nil, errPartTooBig
	}
	return buf.Bytes(), nil
}
