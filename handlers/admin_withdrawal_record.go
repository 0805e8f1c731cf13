package handlers

import (
	"net/http"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/views"
)

// handleAdminWithdrawalRecord shows a withdrawal's record for a complaint, to
// print (admin.css's print rules leave the backoffice's frame off paper).
func (s *Server) handleAdminWithdrawalRecord() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec, err := s.backoffice.WithdrawalRecord(r.Context(), r.PathValue("code"))
		if err != nil {
			s.Error(w, r, err)
			return
		}
		p := views.WithdrawalRecordPage{
			AdminPage: s.adminPage(r, returns.Msg("Withdrawal record %s", rec.Return().Code)),
			Record:    rec,
		}
		s.render(w, r, http.StatusOK, views.WithdrawalRecordPageView(p))
	})
}

// handleAdminWithdrawalRecordJSON downloads a withdrawal's record as JSON,
// with the log's entries as stored, so that their hashes can be recomputed
// (docs/SECURITY.md).
func (s *Server) handleAdminWithdrawalRecordJSON() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec, err := s.backoffice.WithdrawalRecord(r.Context(), r.PathValue("code"))
		if err != nil {
			s.Error(w, r, err)
			return
		}
		body, err := rec.JSON()
		if err != nil {
			s.Error(w, r, err)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/json; charset=utf-8")
		// The code is checked (ValidReturnCode: letters, digits and a
		// dash), so it needs no quoting in the header.
		h.Set("Content-Disposition", `attachment; filename="withdrawal-`+rec.Return().Code+`.json"`)
		h.Set("Cache-Control", "no-store")
		w.Write(body)
	})
}
