package handlers

import (
	"net/http"
	"strconv"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/paths"
	"github.com/returnsportal/returns/views"
)

// handleAdminQueue lists returns, newest first, filtered by status and search,
// a page at a time (keyset pagination: ?before=<id>).
func (s *Server) handleAdminQueue() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		f := returns.QueueFilter{Status: returns.Status(q.Get(paths.ParamStatus)), Query: q.Get(paths.ParamQuery)}
		if b, err := strconv.ParseInt(q.Get(paths.ParamBefore), 10, 64); err == nil && b > 0 {
			f.Before = b
		}
		f.Withdrawals = q.Get(paths.ParamKind) == paths.KindWithdrawal
		if f.Withdrawals && q.Get(paths.ParamSort) == paths.SortDeadline {
			// By deadline the cursor is the deadline and the id after it.
			f.ByDeadline, f.DueAfter, f.AfterID = true, q.Get(paths.ParamDueAfter), f.Before
		}
		page, err := s.backoffice.ReturnQueue(r.Context(), f)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		status := f.Status
		if !status.Valid() {
			status = ""
		}
		p := views.QueuePage{
			AdminPage:   s.adminPage(r, returns.Msg("Returns")),
			Returns:     page.Returns,
			Counts:      page.Counts,
			Status:      status,
			Query:       f.Query,
			Next:        page.Next,
			NextDue:     page.NextDue,
			Clocks:      page.Clocks,
			Withdrawals: f.Withdrawals,
			ByDeadline:  f.ByDeadline,
		}
		for _, n := range page.Counts {
			p.Total += n
		}
		s.render(w, r, http.StatusOK, views.QueuePageView(p))
	})
}
