package handlers

import (
	"context"
	"fmt"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/returnsportal/returns/paths"
	"github.com/returnsportal/returns/static"
	"github.com/returnsportal/returns/views"
)

// withSecurityHeaders sets the headers every answer carries (docs/SECURITY.md).
func (s *Server) withSecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		if s.cfg.Secure {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// withRecover turns a panic into the internal error page and a log line with the
// stack, so that no page ever shows a Go error or a stack trace.
func (s *Server) withRecover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				s.Error(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// statusRecorder remembers the status written, for the access log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (upload deadlines).
func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// withLogging logs one line per request: method, path without the query (queries
// carry emails, signatures and tokens), status and duration.
func (s *Server) withLogging(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if r.URL.Path == paths.Healthz || strings.HasPrefix(r.URL.Path, static.Prefix) {
			return
		}
		s.log.Info("request", "method", r.Method, "path", logPath(r), "status", rec.status, "ms", time.Since(start).Milliseconds())
	})
}

// logPath is the request path with access tokens and photo ids kept out of logs.
func logPath(r *http.Request) string {
	if strings.HasPrefix(r.URL.Path, "/returns/") {
		return "/returns/…"
	}
	return r.URL.Path
}

type ctxKey int

const langKey ctxKey = iota

const langCookie = "lang"

// withLanguage picks the page language: ?lang=, then the lang cookie, then the
// locale of the order the session proved, then Accept-Language.
func (s *Server) withLanguage(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lang := ""
		if q := r.URL.Query().Get(paths.ParamLang); views.SupportedLanguage(q) {
			lang = q
			http.SetCookie(w, &http.Cookie{
				Name: langCookie, Value: q, Path: "/", MaxAge: 365 * 24 * 3600,
				HttpOnly: true, Secure: s.cfg.Secure, SameSite: http.SameSiteLaxMode,
			})
		} else if c, err := r.Cookie(langCookie); err == nil && views.SupportedLanguage(c.Value) {
			lang = c.Value
		} else if loc := s.sessions.customer(r).OrderLocale; loc != "" {
			lang = views.MatchLanguage(loc)
		} else {
			lang = views.MatchLanguage(r.Header.Get("Accept-Language"))
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), langKey, lang)))
	})
}

// localizer returns the localizer for the request's language.
func localizer(r *http.Request) views.Localizer {
	lang, _ := r.Context().Value(langKey).(string)
	if lang == "" {
		lang = "en"
	}
	return views.Localizer{Lang: lang}
}
