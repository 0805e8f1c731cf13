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
		s.renderSettings(w, r, http.StatusOK, st, views.Form{})
	})
}

// renderSettings shows the settings form with st's values, and form's messages
// when it comes back after a failed validation.
func (s *Server) renderSettings(w http.ResponseWriter, r *http.Request, status int, st returns.Settings, form views.Form) {
	s.renderSettingsWithLogo(w, r, status, st, form, views.Form{})
}

// renderSettingsWithLogo shows the settings form, and logoForm's message when
// a logo was refused.
func (s *Server) renderSettingsWithLogo(w http.ResponseWriter, r *http.Request, status int, st returns.Settings, form, logoForm views.Form) {
	changes, err := s.settings.SettingsChanges(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	// The locations come from Shopify; the page works without them.
	locations, err := s.refunds.RestockLocations(r.Context())
	if err != nil {
		s.log.Warn("read the shop's locations for the settings page", "err", err)
	}
	// The law is checked against the settings in effect, not against a
	// form that came back refused.
	inEffect, err := s.settings.Settings(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	p := views.SettingsPage{
		LawWarnings:    returns.SettingsAgainstLaw(inEffect),
		Currency:       s.storeCurrency(r),
		Identity:       s.storeIdentity(r),
		Shop:           s.shopIdentity(r),
		LogoForm:       logoForm,
		AdminPage:      s.adminPage(r, returns.Msg("Settings")),
		Settings:       st,
		Form:           form,
		Changes:        changes,
		Locations:      locations,
		LocationsKnown: err == nil,
	}
	s.render(w, r, status, views.SettingsPageView(p))
}

// handleAdminSettings saves the settings; a failed validation shows the form
// again with what was typed and a message per field.
func (s *Server) handleAdminSettings() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := parseForm(w, r); err != nil {
			s.Error(w, r, errFormUnreadable)
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
		if err := s.keepUnsent(r, f, &st); err != nil {
			s.Error(w, r, err)
			return
		}
		if err := s.keepWithdrawalSettings(r, f, &st); err != nil {
			s.Error(w, r, err)
			return
		}
		if loc, sent := f[returns.FieldRestockLocation]; sent {
			st.RestockLocationID = loc[0]
		} else {
			// A form without the field (Shopify's locations could not be
			// read, or a tab from before it existed) keeps the one in
			// effect.
			current, err := s.settings.Settings(r.Context())
			if err != nil {
				s.Error(w, r, err)
				return
			}
			st.RestockLocationID = current.RestockLocationID
		}
		retention, sent := f[returns.FieldPhotoRetentionDays]
		if sent {
			if st.PhotoRetentionDays, err = strconv.Atoi(strings.TrimSpace(retention[0])); err != nil {
				st.PhotoRetentionDays = -1 // refused by the validation, with its message
			}
		} else {
			// A form from before the setting existed (a tab left open over
			// an update) keeps the one in effect.
			current, err := s.settings.Settings(r.Context())
			if err != nil {
				s.Error(w, r, err)
				return
			}
			st.PhotoRetentionDays = current.PhotoRetentionDays
		}
		err = s.settings.UpdateSettings(r.Context(), st, staffFrom(r).Email)
		if returns.ErrorCode(err) == returns.EINVALID {
			form := failedForm(err, f)
			// The window is shown as typed, less the spaces around it: it
			// may not have parsed into st.
			form.Values[returns.FieldWindowDays] = windowDays
			if sent {
				form.Values[returns.FieldPhotoRetentionDays] = strings.TrimSpace(retention[0])
			}
			s.renderSettings(w, r, http.StatusUnprocessableEntity, st, form)
			return
		}
		if err != nil {
			s.Error(w, r, err)
			return
		}
		http.Redirect(w, r, paths.WithDone(paths.AdminSettingsURL(), "settings"), http.StatusSeeOther)
	})
}
