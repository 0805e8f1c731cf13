package handlers

import (
	"bufio"
	"net/http"
	"time"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/paths"
	"github.com/returnsportal/returns/views"
)

// exportDeadline is how long a CSV export may take to reach a slow client:
// the server's WriteTimeout (30 s) fits a page, not a hundred thousand rows.
const exportDeadline = 10 * time.Minute

// exportBuffer is what the export gathers before each write to the
// connection: a few hundred rows a chunk, whatever the number of rows.
const exportBuffer = 32 << 10

// handleAdminReports adds up the returns requested in a period (?from=&to=,
// YYYY-MM-DD; the last twelve weeks by default) as charts with their
// numbers. A day that does not parse comes back in its field with a message.
func (s *Server) handleAdminReports() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		period, ok := s.reportPeriod(w, r)
		if !ok {
			return
		}
		rep, err := s.reports.Report(r.Context(), period)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		p := s.reportsPage(r, period.FromText(), period.ToText())
		p.Report = rep
		s.render(w, r, http.StatusOK, views.ReportsPageView(p))
	})
}

// handleAdminReportsCSV exports the returns of a report's period as CSV,
// streamed as the database reads them. Once the first rows are out, a
// failure can no longer change the status: the connection is cut instead,
// so that the browser reports a failed download rather than keeping a file
// that silently lacks rows.
func (s *Server) handleAdminReportsCSV() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		period, ok := s.reportPeriod(w, r)
		if !ok {
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="returns-`+period.FromText()+`-to-`+period.ToText()+`.csv"`)
		h.Set("Cache-Control", "no-store")
		_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(exportDeadline))
		out := bufio.NewWriterSize(w, exportBuffer)
		err := s.reports.ExportCSV(r.Context(), period, out)
		if err == nil {
			err = out.Flush()
		}
		if err != nil {
			if r.Context().Err() == nil {
				s.log.Error("export returns", "path", logPath(r), "err", err)
			}
			panic(http.ErrAbortHandler)
		}
	})
}

// reportPeriod reads the period of a report from the query. When it does not
// parse, it shows the form again with what was typed and the messages, and
// reports false.
func (s *Server) reportPeriod(w http.ResponseWriter, r *http.Request) (returns.ReportPeriod, bool) {
	q := r.URL.Query()
	from, to := truncate(q.Get(paths.ParamFrom), 32), truncate(q.Get(paths.ParamTo), 32)
	period, err := s.reports.ReportPeriod(from, to)
	if err == nil {
		return period, true
	}
	if returns.ErrorCode(err) != returns.EINVALID {
		s.Error(w, r, err)
		return returns.ReportPeriod{}, false
	}
	p := s.reportsPage(r, from, to)
	p.Form.Error = nil
	p.Form.Fields = returns.ErrorFields(err)
	if len(p.Form.Fields) == 0 {
		msg := returns.ErrorMessage(err)
		p.Form.Error = &msg
	}
	s.render(w, r, http.StatusUnprocessableEntity, views.ReportsPageView(p))
	return returns.ReportPeriod{}, false
}

// reportsPage is the reports page with its form showing the days from and
// to.
func (s *Server) reportsPage(r *http.Request, from, to string) views.ReportsPage {
	return views.ReportsPage{
		AdminPage: s.adminPage(r, returns.Msg("Reports")),
		Form:      views.Form{Values: map[string]string{returns.FieldReportFrom: from, returns.FieldReportTo: to}},
	}
}
