package handlers

import (
	"net/http"
	"strconv"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/paths"
	"github.com/returnsportal/returns/views"
)

// handleAdminOutbox lists the outbox, newest first, by status.
func (s *Server) handleAdminOutbox() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		status := returns.OutboxStatus(q.Get(paths.ParamStatus))
		switch status {
		case returns.OutboxQueued, returns.OutboxSent, returns.OutboxFailed, returns.OutboxDead, returns.OutboxUnsent:
		default:
			status = ""
		}
		before, _ := strconv.ParseInt(q.Get(paths.ParamBefore), 10, 64)
		page, err := s.outbox.Outbox(r.Context(), status, max(before, 0))
		if err != nil {
			s.Error(w, r, err)
			return
		}
		p := views.OutboxListPage{
			AdminPage: s.adminPage(r, returns.Msg("Outbox")),
			Messages:  page.Messages,
			Status:    status,
			Next:      page.Next,
		}
		s.render(w, r, http.StatusOK, views.OutboxListPageView(p))
	})
}

func (s *Server) outboxMessage(w http.ResponseWriter, r *http.Request) (*returns.OutboxMessage, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.Error(w, r, returns.Errorf(returns.ENOTFOUND, "No such message."))
		return nil, false
	}
	m, err := s.outbox.OutboxMessage(r.Context(), id)
	if err != nil {
		s.Error(w, r, err)
		return nil, false
	}
	return m, true
}

// handleAdminOutboxMessage shows one message with both of its parts.
func (s *Server) handleAdminOutboxMessage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m, ok := s.outboxMessage(w, r)
		if !ok {
			return
		}
		p := views.OutboxMessagePage{
			AdminPage:  s.adminPage(r, returns.Msg("Email %s", m.Subject)),
			Message:    m,
			ReturnCode: codeFromDedupeKey(m.DedupeKey),
		}
		s.render(w, r, http.StatusOK, views.OutboxMessagePageView(p))
	})
}

// codeFromDedupeKey takes the return code from an outbox key ("R-…:kind:role").
func codeFromDedupeKey(key string) string {
	if len(key) >= 10 && returns.ValidReturnCode(key[:10]) {
		return key[:10]
	}
	return ""
}

// handleAdminOutboxHTML serves a message's HTML part for the preview frame. Its
// own policy lets the email's inline styles apply and nothing else: no scripts,
// no requests, a sandbox; only the backoffice's own page may frame it.
func (s *Server) handleAdminOutboxHTML() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m, ok := s.outboxMessage(w, r)
		if !ok {
			return
		}
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox")
		h.Set("X-Frame-Options", "SAMEORIGIN")
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-store")
		w.Write([]byte(m.HTML))
	})
}

// handleAdminOutboxRequeue sends a failed, dead or unsent message again.
func (s *Server) handleAdminOutboxRequeue() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil || id <= 0 {
			s.Error(w, r, returns.Errorf(returns.ENOTFOUND, "No such message."))
			return
		}
		if err := s.outbox.RequeueOutbox(r.Context(), id); err != nil {
			s.Error(w, r, err)
			return
		}
		http.Redirect(w, r, paths.WithDone(paths.AdminOutboxMessageURL(id), "requeued"), http.StatusSeeOther)
	})
}
