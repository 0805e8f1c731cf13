package shopify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	goshopify "github.com/bold-commerce/go-shopify/v4"
	"github.com/returnsportal/returns"
)

// tokenSource gives the access token of each call: the static token of an app
// made in the Shopify admin before 2026, or one from the client credentials
// grant of a Dev Dashboard app, kept in memory and renewed.
//
// A granted token is renewed before it expires: once less than a tenth of its
// life or five minutes is left, whichever is shorter, the next call starts a
// renewal in the background and goes on with the token it has, which is
// still good. A call that has no good token (none yet, expired, or refused
// with a 401) waits for a renewal instead. However many calls want one at
// once, one request goes to Shopify; each call waits for it only as long as
// its own context allows, and the request itself is not cut short by one
// caller leaving. The token is never logged and never leaves the package.
type tokenSource struct {
	static string // the static token; "" for client credentials

	clientID, clientSecret string
	endpoint               string       // https://{shop}.myshopify.com/admin/oauth/access_token
	http                   *http.Client // reaches devshop through the Endpoint override too
	now                    func() time.Time
	log                    *slog.Logger

	mu       sync.Mutex
	current  *grant      // nil: none yet, or dropped after a 401
	pending  *tokenFetch // the renewal in flight, if any
	failed   time.Time   // when the last background renewal failed
	requests int         // token requests made, for the log
}

// grant is a token the client credentials grant gave.
type grant struct {
	token      string
	obtainedAt time.Time
	expiresAt  time.Time // zero when Shopify did not say
	scopes     []string
}

// tokenFetch is one token request, which any number of calls wait for.
type tokenFetch struct {
	done  chan struct{}
	grant *grant
	err   error
}

// backgroundRetry is how long after a failed background renewal the next one
// may start; until then calls go on with the token they have.
const backgroundRetry = 5 * time.Second

func newStaticTokens(token string) *tokenSource {
	return &tokenSource{static: token}
}

func newGrantTokens(shop, clientID, clientSecret string, client *http.Client, now func() time.Time, log *slog.Logger) *tokenSource {
	return &tokenSource{
		clientID:     clientID,
		clientSecret: clientSecret,
		endpoint:     goshopify.ShopBaseUrl(shop) + "/admin/oauth/access_token",
		http:         client,
		now:          now,
		log:          log,
	}
}

// renewable reports whether a refused token can be replaced by asking again.
func (ts *tokenSource) renewable() bool { return ts.static == "" }

// token returns the token to send now.
func (ts *tokenSource) token(ctx context.Context) (string, error) {
	if ts.static != "" {
		return ts.static, nil
	}
	ts.mu.Lock()
	g := ts.current
	now := ts.now()
	if g != nil && (g.expiresAt.IsZero() || now.Before(g.expiresAt)) {
		if !g.expiresAt.IsZero() && !now.Before(g.renewBy()) {
			// Still good, but not for long: renew in the background,
			// unless a renewal just failed.
			if ts.pending == nil && (ts.failed.IsZero() || now.Sub(ts.failed) >= backgroundRetry) {
				ts.startFetchLocked(ctx, true)
			}
		}
		ts.mu.Unlock()
		return g.token, nil
	}
	f := ts.pending
	if f == nil {
		f = ts.startFetchLocked(ctx, false)
	}
	ts.mu.Unlock()

	select {
	case <-f.done:
		if f.err != nil {
			return "", f.err
		}
		return f.grant.token, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// renewBy is when renewal starts: a tenth of the token's life, or five
// minutes, before it expires, whichever is shorter. A token whose expiry
// Shopify did not give is renewed only when refused.
func (g *grant) renewBy() time.Time {
	life := g.expiresAt.Sub(g.obtainedAt)
	return g.expiresAt.Add(-min(life/10, 5*time.Minute))
}

// invalidate drops token after Shopify refused it with a 401, so that the
// next call asks for a new one. A token other than the current one (refused
// after it was already replaced) changes nothing.
func (ts *tokenSource) invalidate(token string) {
	if ts.static != "" {
		return
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.current != nil && ts.current.token == token {
		ts.current = nil
	}
}

// startFetchLocked starts a token request. The caller holds ts.mu. The
// request keeps ctx's values but not its end, so that the caller going away
// does not fail the others waiting; the HTTP client's timeout bounds it.
func (ts *tokenSource) startFetchLocked(ctx context.Context, background bool) *tokenFetch {
	f := &tokenFetch{done: make(chan struct{})}
	ts.pending = f
	ts.requests++
	n := ts.requests
	go func() {
		g, err := ts.fetch(context.WithoutCancel(ctx))
		ts.mu.Lock()
		ts.pending = nil
		if err == nil {
			ts.current, ts.failed = g, time.Time{}
		} else if background {
			ts.failed = ts.now()
		}
		f.grant, f.err = g, err
		ts.mu.Unlock()
		close(f.done)
		if err != nil {
			ts.log.WarnContext(ctx, "shopify access token request failed", "request", n, "background", background, "err", err)
			return
		}
		ts.log.InfoContext(ctx, "shopify access token granted", "request", n, "expires_at", g.expiresAt, "scopes", strings.Join(g.scopes, ","))
	}()
	return f
}

// tokenError is a failed token request. permanent marks a refusal that asking
// again will not change (wrong credentials, app not installed); the others
// (Shopify or the network failing) are worth retrying.
type tokenError struct {
	status    int
	permanent bool
	detail    string
	domain    *returns.Error
	denied    *returns.ShopDenied
}

func (e *tokenError) Error() string {
	if e.status != 0 {
		return fmt.Sprintf("access token request: HTTP %d: %s", e.status, e.detail)
	}
	return "access token request: " + e.detail
}

// Unwrap gives the domain error people see and, for a refusal, its cause.
func (e *tokenError) Unwrap() []error {
	errs := []error{e.domain}
	if e.denied != nil {
		errs = append(errs, e.denied)
	}
	return errs
}

// maxTokenAnswer bounds how much of the grant's answer is read.
const maxTokenAnswer = 64 << 10

// fetch makes one token request.
func (ts *tokenSource) fetch(ctx context.Context) (*grant, error) {
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {ts.clientID},
		"client_secret": {ts.clientSecret},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ts.endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, &tokenError{detail: err.Error(), domain: unavailable()}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	asked := ts.now()
	resp, err := ts.http.Do(req)
	if err != nil {
		// The URL holds no secret (the form does), so the error can be
		// logged as it is.
		return nil, &tokenError{detail: err.Error(), domain: unavailable()}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenAnswer))
	if err != nil {
		return nil, &tokenError{status: resp.StatusCode, detail: "reading the answer: " + err.Error(), domain: unavailable()}
	}

	if resp.StatusCode != http.StatusOK {
		return nil, refusal(resp.StatusCode, body)
	}
	var answer struct {
		AccessToken string `json:"access_token"`
		Scope       string `json:"scope"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	if err := json.Unmarshal(body, &answer); err != nil || answer.AccessToken == "" {
		return nil, &tokenError{status: resp.StatusCode, detail: "the answer holds no access_token", domain: unavailable()}
	}
	g := &grant{token: answer.AccessToken, obtainedAt: asked}
	if answer.ExpiresIn > 0 {
		// The lifetime counts from before the request left, so a slow answer
		// only makes the token renewed a little early.
		g.expiresAt = asked.Add(time.Duration(answer.ExpiresIn) * time.Second)
	}
	for _, s := range strings.Split(answer.Scope, ",") {
		if s = strings.TrimSpace(s); s != "" {
			g.scopes = append(g.scopes, s)
		}
	}
	return g, nil
}

// refusal makes the error of a token request answered with a status other
// than 200.
func refusal(status int, body []byte) *tokenError {
	// Shopify answers an OAuth error body, {"error","error_description"};
	// only its text is kept, for the log, and nothing is branched on it
	// except app_not_installed, which names its own fix.
	var oauth struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	_ = json.Unmarshal(body, &oauth)
	detail := strings.TrimSpace(oauth.Error + ": " + oauth.Description)
	if oauth.Error == "" {
		detail = strings.TrimSpace(string(body[:min(len(body), 200)]))
	}
	e := &tokenError{status: status, detail: detail}
	switch {
	case status == http.StatusTooManyRequests || status >= 500:
		e.domain = unavailable()
	case oauth.Error == "app_not_installed":
		e.permanent = true
		e.denied = &returns.ShopDenied{Cause: returns.DeniedUninstalled, Detail: detail}
		e.domain = deniedError(e.denied)
	default:
		e.permanent = true
		e.domain = returns.Errorf(returns.EUNAVAILABLE, "Shopify refused the app’s client credentials. Check the client ID and secret from the Dev Dashboard.")
		e.denied = &returns.ShopDenied{Cause: returns.DeniedToken, Detail: detail}
	}
	return e
}

// status returns what the check shows of the token.
func (ts *tokenSource) status() returns.ShopToken {
	if ts.static != "" {
		return returns.ShopToken{Kind: returns.TokenStatic}
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	st := returns.ShopToken{Kind: returns.TokenClientCredentials}
	if g := ts.current; g != nil {
		st.ObtainedAt, st.ExpiresAt, st.Scopes = g.obtainedAt, g.expiresAt, slices.Clone(g.scopes)
	}
	return st
}

// isTokenError reports whether err is a failed token request, and whether
// retrying may help.
func isTokenError(err error) (ok, retry bool) {
	var te *tokenError
	if !errors.As(err, &te) {
		return false, false
	}
	return true, !te.permanent
}
