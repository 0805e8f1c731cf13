package handlers

import (
	"net/http"
	"strconv"
	"strings"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/paths"
	"github.com/returnsportal/returns/views"
)

func (s *Server) handleAdminSettingsForm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st, err := s.settings.Settings(r.Context())
		if err != nil {
			s.Error(w, r, err)
			return
		}
		s.renderSettings(w, r, http.StatusOK, st, strconv.Itoa(st.WindowDays), nil)
	})
}

func (s *Server) renderSettings(w http.ResponseWriter, r *http.Request, status int, st returns.Settings, windowDays string, fields map[string]returns.Message) {
	changes, err := s.settings.SettingsChanges(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	p := views.SettingsPage{
		AdminPage:  s.adminPage(r, "Settings"),
		Action:     paths.AdminSettingsURL(),
		Settings:   st,
		WindowDays: windowDays,
		Fields:     fields,
		Changes:    changes,
	}
	s.render(w, r, status, views.SettingsPageView(p))
}

// handleAdminSettings saves the settings; a failed validation shows the form
// again with what was typed and a message per field.
func (s *Server) handleAdminSettings() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil {
			s.Error(w, r, returns.Errorf(returns.EINVALID, "The form could not be read. Please try again."))
			return
		}
		f := r.PostForm
		windowDays := strings.TrimSpace(f.Get(returns.FieldWindowDays))
		days, err := strconv.Atoi(windowDays)
		if err != nil {
			days = -1 // refused by the validation, with its message
		}
		st := returns.Settings{
			ReturnAddress:    f.Get(returns.FieldReturnAddress),
			WindowDays:       days,
			NonReturnableTag: f.Get(returns.FieldNonReturnableTag),
			InstructionsEN:   f.Get(returns.FieldInstructionsEN),
			InstructionsLV:   f.Get(returns.FieldInstructionsLV),
			StaffEmail:       f.Get(returns.FieldStaffEmail),
			// A checkbox is sent only when ticked.
			RequireEmailedLink: f.Get(returns.FieldRequireEmailedLink) != "",
		}
		err = s.settings.UpdateSettings(r.Context(), st, staffFrom(r).Email)
		if returns.ErrorCode(err) == returns.EINVALID {
			s.renderSettings(w, r, http.StatusUnprocessableEntity, st, windowDays, returns.ErrorFields(err))
			return
		}
		if err != nil {
			s.Error(w, r, err)
			return
		}
		http.Redirect(w, r, paths.WithDone(paths.AdminSettingsURL(), "settings"), http.StatusSeeOther)
	})
}
