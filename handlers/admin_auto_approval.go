package handlers

import (
	"net/http"
	"strconv"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/paths"
	"github.com/returnsportal/returns/views"
)

// handleAdminAutoApproval shows the auto-approval rules, each in its form.
func (s *Server) handleAdminAutoApproval() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderAutoApproval(w, r, http.StatusOK, 0, views.Form{})
	})
}

// renderAutoApproval shows the rules page; form, when it failed, comes back
// as the form of the rule with ID failed (0: the new rule's).
func (s *Server) renderAutoApproval(w http.ResponseWriter, r *http.Request, status int, failed int64, form views.Form) {
	rules, err := s.autoApproval.Rules(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.render(w, r, status, views.AutoApprovalPageView(views.AutoApprovalPage{
		AdminPage:   s.adminPage(r, returns.Msg("Auto-approval rules")),
		Rules:       rules,
		FailedRule:  failed,
		Form:        form,
		NewCurrency: s.autoApproval.NewRuleCurrency(r.Context()),
	}))
}

// handleAdminAutoApprovalSave saves one rule, or adds it when its form names
// none; a failed validation shows the page again with what was typed and a
// message per field.
func (s *Server) handleAdminAutoApprovalSave() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := parseForm(w, r); err != nil {
			s.Error(w, r, errFormUnreadable)
			return
		}
		f := r.PostForm
		var id int64
		if v := f.Get(returns.FieldRuleID); v != "" {
			var err error
			if id, err = strconv.ParseInt(v, 10, 64); err != nil || id <= 0 {
				s.Error(w, r, errFormUnreadable)
				return
			}
		}
		in := returns.AutoApprovalRuleInput{
			ID:   id,
			Name: f.Get(returns.FieldRuleName),
			// A checkbox is sent only when ticked.
			Enabled:      f.Get(returns.FieldRuleEnabled) != "",
			Dissatisfied: f.Get(returns.FieldRuleDissatisfied) != "",
			Damaged:      f.Get(returns.FieldRuleDamaged) != "",
			WithinDays:   f.Get(returns.FieldRuleDays),
			MaxAmount:    f.Get(returns.FieldRuleMaxAmount),
			Currency:     f.Get(returns.FieldRuleCurrency),
		}
		_, err := s.autoApproval.SaveRule(r.Context(), in, staffFrom(r).Email)
		if returns.ErrorCode(err) == returns.EINVALID {
			s.renderAutoApproval(w, r, http.StatusUnprocessableEntity, id, failedForm(err, f))
			return
		}
		if err != nil {
			s.Error(w, r, err)
			return
		}
		http.Redirect(w, r, paths.WithDone(paths.AdminAutoApprovalURL(), "rule-saved"), http.StatusSeeOther)
	})
}

// handleAdminAutoApprovalDelete deletes a rule.
func (s *Server) handleAdminAutoApprovalDelete() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("rule"), 10, 64)
		if err != nil || id <= 0 {
			s.handleNotFound().ServeHTTP(w, r)
			return
		}
		if err := s.autoApproval.DeleteRule(r.Context(), id, staffFrom(r).Email); err != nil {
			s.Error(w, r, err)
			return
		}
		http.Redirect(w, r, paths.WithDone(paths.AdminAutoApprovalURL(), "rule-deleted"), http.StatusSeeOther)
	})
}
