package handlers

import (
	"context"
	"net/http"
	"strings"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/paths"
	"github.com/returnsportal/returns/views"
)

const staffKey ctxKey = iota + 100

// staffFrom returns the signed-in staff member of a request behind requireStaff.
func staffFrom(r *http.Request) *returns.Staff {
	st, _ := r.Context().Value(staffKey).(*returns.Staff)
	return st
}

// requireStaff lets through only requests of a signed-in, enabled staff member.
// A page asked for without one redirects to the sign-in form; an action gets 403
// and changes nothing.
func (s *Server) requireStaff(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		st, err := s.accounts.StaffBySession(r.Context(), s.sessions.staffToken(r))
		if err != nil {
			if returns.ErrorCode(err) != returns.EUNAUTHORIZED {
				s.Error(w, r, err)
				return
			}
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, paths.AdminLoginURL(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.renderError(w, r, http.StatusForbidden, returns.Msg("Please sign in"), returns.Msg("Your session has ended. Sign in again and repeat the action."), 0)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), staffKey, st)))
	})
}

func (s *Server) handleAdminLoginForm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := s.accounts.StaffBySession(r.Context(), s.sessions.staffToken(r)); err == nil {
			http.Redirect(w, r, paths.AdminURL(), http.StatusSeeOther)
			return
		}
		s.renderLogin(w, r, http.StatusOK, "", nil)
	})
}

// renderLogin shows the sign-in form with the email address typed and msg, the
// one message of a failed sign-in (nil for none).
func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, email string, msg *returns.Message) {
	p := views.LoginPage{
		AdminPage: s.adminPage(r, returns.Msg("Sign in")),
		Next:      safeNext(r.URL.Query().Get(paths.ParamNext)),
		Form:      views.Form{Values: map[string]string{returns.FieldEmail: truncate(email, 254)}, Error: msg},
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, views.LoginPageView(p))
}

// safeNext is the page to go to after signing in, when next is a backoffice
// page (never another site), else "".
func safeNext(next string) string {
	if (next == paths.AdminURL() || strings.HasPrefix(next, paths.AdminURL()+"/")) && !strings.Contains(next, "//") && !strings.Contains(next, "\\") {
		return next
	}
	return ""
}

// signInFailed is the one message for every failed sign-in: the domain's
// (returns.ErrSignInFailed).
var signInFailed = returns.ErrorMessage(returns.ErrSignInFailed)

// signInLimited is the answer to a sign-in refused by the limits.
var signInLimited = returns.Msg("Too many attempts. Please wait a few minutes and try again.")

func (s *Server) handleAdminLogin() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := parseForm(w, r); err != nil {
			s.renderLogin(w, r, http.StatusBadRequest, "", &signInFailed)
			return
		}
		email, password := r.PostForm.Get(returns.FieldEmail), r.PostForm.Get(returns.FieldPassword)
		ip, account := s.clientIP(r), returns.NormalizeEmail(email)
		if !s.allowLogin(ip, account) {
			s.log.Warn("sign-in rate limited", "ip", ip)
			s.renderLogin(w, r, http.StatusTooManyRequests, email, &signInLimited)
			return
		}
		if d := s.loginDelay(account); d > 0 {
			s.log.Warn("sign-in slowed down after failures on the account", "ip", ip, "delay", d)
			if err := s.cfg.Sleep(r.Context(), d); err != nil {
				return // the client gave up; no password is checked
			}
		}
		token, st, err := s.accounts.SignIn(r.Context(), email, password)
		if returns.ErrorCode(err) == returns.EUNAUTHORIZED {
			s.loginFailed(ip, account)
			s.renderLogin(w, r, http.StatusUnauthorized, email, &signInFailed)
			return
		}
		if err != nil {
			s.Error(w, r, err)
			return
		}
		if err := s.sessions.setStaff(w, r, token); err != nil {
			s.Error(w, r, err)
			return
		}
		s.loginSucceeded(ip, account)
		s.log.Info("staff signed in", "staff", st.ID)
		next := safeNext(r.URL.Query().Get(paths.ParamNext))
		if next == "" {
			next = paths.AdminURL()
		}
		http.Redirect(w, r, next, http.StatusSeeOther)
	})
}

// handleAdminLogout ends the session on the server, so the cookie is worthless
// even if it was copied.
func (s *Server) handleAdminLogout() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.accounts.SignOut(r.Context(), s.sessions.staffToken(r)); err != nil {
			s.Error(w, r, err)
			return
		}
		s.sessions.clearStaff(w, r)
		http.Redirect(w, r, paths.AdminLoginURL(""), http.StatusSeeOther)
	})
}

// handleAdminLanguage saves the language the language switch posts for the
// signed-in account, and goes back to the page the switch was on. Other
// accounts keep theirs.
func (s *Server) handleAdminLanguage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := parseForm(w, r); err != nil {
			s.Error(w, r, errFormUnreadable)
			return
		}
		if err := s.accounts.SetStaffLanguage(r.Context(), staffFrom(r).ID, r.PostForm.Get(paths.ParamLang)); err != nil {
			s.Error(w, r, err)
			return
		}
		next := safeNext(r.PostForm.Get(paths.ParamNext))
		if next == "" {
			next = paths.AdminURL()
		}
		http.Redirect(w, r, next, http.StatusSeeOther)
	})
}
