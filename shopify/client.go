// Package shopify is the adapter between the portal and Shopify's Admin GraphQL
// API. It implements returns.Shop and returns.Refunder over go-shopify's GraphQL
// client; no go-shopify type leaves the package. It gets its access tokens
// (token.go), checks the connection (check.go), keeps the app's webhook
// subscriptions (webhooks.go) and reads webhook payloads (webhook_payload.go).
//
// The operations it sends are the .graphql files beside this one. The devshop
// stand-in validates them against Shopify's schema, and its pruned schema is
// generated from them (see shopify/devshop/internal/schemagen).
package shopify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	goshopify "github.com/bold-commerce/go-shopify/v4"
	"github.com/returnsportal/returns"
)

// DefaultAPIVersion is the Admin API version the portal is written and tested
// against: the newest one whose complete schema the project has.
const DefaultAPIVersion = "2026-04"

var apiVersion = regexp.MustCompile(`^([0-9]{4}-[0-9]{2}|unstable)$`)

// Config configures a Client.
type Config struct {
	// Shop is the store's myshopify name, "my-store" or "my-store.myshopify.com".
	// It may be empty when Endpoint is set.
	Shop string
	// AccessToken is the static Admin API token (shpat_…) of a custom app
	// made in the Shopify admin before 2026. Set it, or ClientID and
	// ClientSecret, not both.
	AccessToken string
	// ClientID and ClientSecret are the credentials of an app made in the
	// Dev Dashboard and installed on the store: the client gets tokens of
	// about 24 hours from the client credentials grant and renews them.
	ClientID     string
	ClientSecret string
	// Now is the clock tokens expire by; default time.Now.
	Now func() time.Time
	// APIVersion is the pinned Admin API version; default DefaultAPIVersion.
	APIVersion string
	// Endpoint, when set, is a base URL such as "http://127.0.0.1:53412" that
	// replaces https://{shop}.myshopify.com; demo mode and tests use it to reach
	// devshop.
	Endpoint string
	// Timeout bounds each HTTP request; default 30s. go-shopify's own default of
	// 10s is too short for refunds.
	Timeout time.Duration
	// MaxAttempts bounds the attempts of a call that fails in a way worth
	// retrying (throttled, 429, 5xx, lost connection, unreadable answer);
	// default 4.
	MaxAttempts int
	// RetryWait is the wait before the first retry; it doubles with each retry
	// up to 10s, and a throttled answer's own estimate wins when longer.
	// Default 500ms.
	RetryWait time.Duration
	// MaxRetryWait caps any single wait between attempts, whatever Shopify
	// estimates, and a call's wait for points in the cost bucket before it
	// goes; default 30s. A request that cannot wait that long should carry a
	// context deadline.
	MaxRetryWait time.Duration
	// Logger receives retries and failures; default slog.Default().
	Logger *slog.Logger
}

// Client talks to one store's Admin GraphQL API. It is safe for concurrent use:
// calls run side by side, bounded only by Shopify's cost bucket, so a slow
// refund never holds up a customer's lookup.
type Client struct {
	shop        string
	tokens      *tokenSource
	now         func() time.Time
	version     string
	http        *http.Client // shared by every call; safe for concurrent use
	maxAttempts int
	retryWait   time.Duration
	maxWait     time.Duration
	log         *slog.Logger

	bucket *costBucket
	// costs holds what Shopify asked for each operation the last time
	// (requestedQueryCost), by operation name: the estimate the next call
	// of it waits for.
	costs sync.Map
}

// defaultCost is the estimate of an operation's cost before Shopify has
// answered it once. The portal's operations ask between 10 (a mutation with
// little selected) and about 800 points (LookupOrder's whole order).
const defaultCost = 50

var (
	_ returns.Shop     = (*Client)(nil)
	_ returns.Refunder = (*Client)(nil)
)

// New returns a Client for cfg.
func New(cfg Config) (*Client, error) {
	cfg.AccessToken = strings.TrimSpace(cfg.AccessToken)
	cfg.ClientID, cfg.ClientSecret = strings.TrimSpace(cfg.ClientID), strings.TrimSpace(cfg.ClientSecret)
	grantsTokens := cfg.ClientID != "" || cfg.ClientSecret != ""
	switch {
	case cfg.AccessToken != "" && grantsTokens:
		return nil, errors.New("shopify: give an access token or client credentials, not both")
	case grantsTokens && (cfg.ClientID == "" || cfg.ClientSecret == ""):
		return nil, errors.New("shopify: client credentials need both the client ID and the client secret")
	case cfg.AccessToken == "" && !grantsTokens:
		return nil, errors.New("shopify: access token or client credentials required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.APIVersion == "" {
		cfg.APIVersion = DefaultAPIVersion
	}
	// go-shopify silently drops a malformed version and calls the unversioned
	// endpoint, so check it here.
	if !apiVersion.MatchString(cfg.APIVersion) {
		return nil, fmt.Errorf("shopify: API version %q is not like 2026-04", cfg.APIVersion)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 4
	}
	if cfg.RetryWait <= 0 {
		cfg.RetryWait = 500 * time.Millisecond
	}
	if cfg.MaxRetryWait <= 0 {
		cfg.MaxRetryWait = 30 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}

	transport := &observer{next: http.DefaultTransport}
	shop := strings.TrimSpace(cfg.Shop)
	shop = strings.TrimPrefix(strings.TrimPrefix(shop, "https://"), "http://")
	shop = strings.TrimSuffix(shop, "/")
	if cfg.Endpoint != "" {
		u, err := url.Parse(cfg.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("shopify: endpoint %q is not a base URL like http://127.0.0.1:8081", cfg.Endpoint)
		}
		transport.base = u
		if shop == "" {
			shop = "devshop"
		}
	}
	if shop == "" {
		return nil, errors.New("shopify: shop name required")
	}

	c := &Client{
		shop:        shop,
		now:         cfg.Now,
		version:     cfg.APIVersion,
		http:        &http.Client{Transport: transport, Timeout: cfg.Timeout},
		maxAttempts: cfg.MaxAttempts,
		retryWait:   cfg.RetryWait,
		maxWait:     cfg.MaxRetryWait,
		log:         cfg.Logger,
		bucket:      newCostBucket(cfg.MaxRetryWait),
	}
	c.tokens = newStaticTokens(cfg.AccessToken)
	if grantsTokens {
		c.tokens = newGrantTokens(shop, cfg.ClientID, cfg.ClientSecret, c.http, cfg.Now, cfg.Logger)
	}
	// Every call makes its own go-shopify client; making one here checks the
	// settings once, so that later ones cannot fail.
	if _, err := c.graphQL(""); err != nil {
		return nil, fmt.Errorf("shopify: %w", err)
	}
	return c, nil
}

// TokenStatus returns what the client knows of its access token: its kind,
// and for a granted one when it was granted, when it expires and the scopes
// the grant answered. Before the first call there is no granted token yet.
func (c *Client) TokenStatus() returns.ShopToken { return c.tokens.status() }

// graphQL returns a go-shopify client for one call. A *goshopify.Client
// writes its RateLimits and attempt count on every call without a lock
// (go-shopify v4.7.0, goshopify.go and graphql.go), so sharing one would race;
// one per call is cheap, and the HTTP client under it is shared.
func (c *Client) graphQL(token string) (*goshopify.Client, error) {
	// No WithRetry: go-shopify's retries sleep without watching ctx. call does
	// its own.
	return goshopify.NewClient(goshopify.App{}, c.shop, token,
		goshopify.WithVersion(c.version),
		goshopify.WithHTTPClient(c.http),
	)
}

// unavailable is the error people see when Shopify fails.
func unavailable() *returns.Error {
	return returns.Errorf(returns.EUNAVAILABLE, "Shopify is not answering right now. Please try again shortly.")
}

// call runs one GraphQL operation and decodes its data into a new T. It retries
// failures worth retrying, with backoff, until ctx ends or the attempts run out.
// Every operation it sends is safe to repeat (queries; a note replaced by the
// same full note; tags added as a union). A non-idempotent mutation must not
// come through here: it goes through callIdempotent with its key.
//
// Errors: throttling, 5xx, timeouts, lost connections and unreadable answers
// carry EUNAVAILABLE (and the context's error when ctx ended); so do a missing
// access scope and a refused token, with a *returns.ShopDenied naming the
// cause. Other GraphQL errors (an invalid query) are bugs, and come back as
// plain errors (EINTERNAL).
func call[T any](ctx context.Context, c *Client, op, query string, vars map[string]any) (*T, error) {
	out, _, err := callAs[T](ctx, c, op, query, vars, unavailable)
	return out, err
}

// callIdempotent runs a mutation that carries an @idempotent key, which makes
// a repeat of the same request return the first result. It retries like call,
// but every failure to get an answer is an EUNKNOWN error made by lost: the
// mutation may have been carried out, and only asking again with the same key
// tells. So is Shopify's refusal of a key already used with other input: what
// that key made is not known here.
func callIdempotent[T any](ctx context.Context, c *Client, op, query string, vars map[string]any, lost func() *returns.Error) (*T, error) {
	out, _, err := callAs[T](ctx, c, op, query, vars, lost)
	return out, err
}

// callAs is call with failed, the error a call that got no usable answer
// carries. It returns the exchange of the attempt that succeeded too, for
// what the answer's headers say.
//
// Refusals that name their cause come back with it: a missing access scope
// (ACCESS_DENIED), a token Shopify refused even after one renewal, client
// credentials the grant refused. They carry a *returns.ShopDenied in their
// chain, and are never retried. A refusal that follows an attempt which may
// have been carried out is failed() all the same: only asking again tells.
func callAs[T any](ctx context.Context, c *Client, op, query string, vars map[string]any, failed func() *returns.Error) (*T, *exchange, error) {
	return callRetrying[T](ctx, c, op, query, vars, failed, true)
}

// callUnrepeatable runs a mutation that takes no idempotency key and must not
// be carried out twice (returnRequest, returnProcess). It retries only
// attempts that did not run (refused at the door, throttled, a token to
// renew); once an attempt may have run, a failure to get its answer is an
// error made by lost, and only reading what it would have changed tells.
func callUnrepeatable[T any](ctx context.Context, c *Client, op, query string, vars map[string]any, lost func() *returns.Error) (*T, error) {
	out, _, err := callRetrying[T](ctx, c, op, query, vars, lost, false)
	return out, err
}

// callRetrying is callAs; with repeatable false it does not send again an
// attempt that may have run.
func callRetrying[T any](ctx context.Context, c *Client, op, query string, vars map[string]any, failed func() *returns.Error, repeatable bool) (*T, *exchange, error) {
	mayHaveRun := false // an attempt reached Shopify and was not refused at the door
	renewed := false
	for attempt := 1; ; attempt++ {
		out := new(T)
		ex := &exchange{}
		err := c.once(ctx, op, query, vars, out, ex)
		if err == nil {
			return out, ex, nil
		}
		refusedAtDoor := ex.status == http.StatusUnauthorized || ex.hasCode(codeAccessDenied)
		mayHaveRun = mayHaveRun || (ex.sent && !refusedAtDoor)
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, nil, fmt.Errorf("shopify %s: %w: %w", op, failed(), ctxErr)
		}
		if isToken, retryToken := isTokenError(err); isToken && (!retryToken || attempt >= c.maxAttempts) {
			if mayHaveRun {
				return nil, nil, fmt.Errorf("shopify %s: %w: %w", op, failed(), err)
			}
			return nil, nil, fmt.Errorf("shopify %s: %w", op, err)
		}
		if ex.status == http.StatusUnauthorized && c.tokens.renewable() && !renewed {
			// The token expired or was revoked before its time: one new
			// token, and the same attempt again, which did not run.
			renewed = true
			c.tokens.invalidate(ex.token)
			attempt--
			continue
		}
		if denied := ex.denied(); denied != nil || ex.status == http.StatusUnauthorized {
			if mayHaveRun {
				return nil, nil, fmt.Errorf("shopify %s: %w: %s", op, failed(), describe(err, ex))
			}
			if denied == nil {
				denied = &returns.ShopDenied{Cause: returns.DeniedToken, Detail: "HTTP 401"}
			}
			return nil, nil, fmt.Errorf("shopify %s: %w: %w [request %s]", op, deniedError(denied), denied, ex.requestID)
		}
		retry, wait := c.classify(err, ex, attempt)
		if !retry {
			if permanentUnavailable(err) || ex.hasCode(codeKeyMismatch) {
				return nil, nil, fmt.Errorf("shopify %s: %w: %s", op, failed(), describe(err, ex))
			}
			return nil, nil, fmt.Errorf("shopify %s: %s", op, describe(err, ex))
		}
		var throttled goshopify.RateLimitError
		if !repeatable && mayHaveRun && !errors.As(err, &throttled) {
			// Throttled requests are refused before they run; anything else
			// that reached Shopify may have been carried out.
			return nil, nil, fmt.Errorf("shopify %s: %w: not sent again: %s", op, failed(), describe(err, ex))
		}
		if attempt >= c.maxAttempts {
			return nil, nil, fmt.Errorf("shopify %s: %w: gave up after %d attempts: %s", op, failed(), attempt, describe(err, ex))
		}
		c.log.WarnContext(ctx, "shopify call failed; retrying",
			"op", op, "attempt", attempt, "wait", wait, "status", ex.status, "request_id", ex.requestID, "err", describe(err, ex))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, nil, fmt.Errorf("shopify %s: %w: %w", op, failed(), ctx.Err())
		case <-t.C:
		}
	}
}

// Codes of Shopify's idempotency errors (top-level errors[].extensions.code).
// How they surface for refundCreate is unverified (SHOPIFY-API.md §4): a
// concurrent request is retried with the same key either way, and a mismatch
// is never branched on beyond "outcome unknown".
const (
	codeConcurrentRequest = "IDEMPOTENCY_CONCURRENT_REQUEST"
	codeKeyMismatch       = "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"
)

// once makes one attempt of operation op, recording the exchange in ex. It
// first waits, as long as ctx allows, for the points Shopify asked for op the
// last time, and afterwards records the bucket's state and op's cost from the
// answer.
func (c *Client) once(ctx context.Context, op, query string, vars map[string]any, out any, ex *exchange) error {
	// The token comes first, so that no points of the bucket are held while
	// a new one is asked for.
	token, err := c.tokens.token(ctx)
	if err != nil {
		return err
	}
	ex.token = token
	release, err := c.bucket.take(ctx, c.costOf(op))
	if err != nil {
		return fmt.Errorf("wait for Shopify's query cost bucket: %w", err)
	}
	defer release()
	gql, err := c.graphQL(token)
	if err != nil {
		return err
	}
	err = gql.GraphQL.Query(withExchange(ctx, ex), query, vars, out)
	c.bucket.observe(ex.maximum, ex.available, ex.restoreRate)
	if ex.requested > 0 {
		c.costs.Store(op, ex.requested)
	}
	return err
}

// costOf returns the points operation op is expected to ask for.
func (c *Client) costOf(op string) float64 {
	if v, ok := c.costs.Load(op); ok {
		return v.(float64)
	}
	return defaultCost
}

// classify reports whether a failed attempt is worth retrying, and after how
// long.
func (c *Client) classify(err error, ex *exchange, attempt int) (bool, time.Duration) {
	backoff := min(c.retryWait<<(attempt-1), 10*time.Second, c.maxWait)

	var rl goshopify.RateLimitError
	if errors.As(err, &rl) {
		// THROTTLED in a 200 or an HTTP 429. Shopify says how long to wait in
		// Retry-After (429) or through the bucket's state (THROTTLED).
		wait := time.Duration(rl.RetryAfter) * time.Second
		if ex.restoreRate > 0 && ex.requested > ex.available {
			wait = max(wait, time.Duration((ex.requested-ex.available)/ex.restoreRate*float64(time.Second)))
		}
		return true, min(max(wait, backoff), c.maxWait)
	}
	var re goshopify.ResponseError
	if errors.As(err, &re) {
		if re.Status >= 500 || ex.hasCode("INTERNAL_SERVER_ERROR", "THROTTLED", "SERVICE_UNAVAILABLE", codeConcurrentRequest) {
			return true, backoff
		}
		return false, 0
	}
	var de goshopify.ResponseDecodingError
	if errors.As(err, &de) {
		return true, backoff
	}
	if isToken, retry := isTokenError(err); isToken {
		// Shopify or the network failed the token request.
		return retry, backoff
	}
	// Anything else is the HTTP client's error (timeout, refused or dropped
	// connection) or an answer that is not JSON; both may pass.
	return true, backoff
}

// permanentUnavailable reports errors that retrying will not fix but that are
// still Shopify's side to people: the token refused (401/403), the shop
// locked or unpaid (402/423), an unknown API version (404).
func permanentUnavailable(err error) bool {
	var re goshopify.ResponseError
	return errors.As(err, &re) && re.Status >= 400
}

// describe makes an error detail for logs, never for people.
func describe(err error, ex *exchange) string {
	s := err.Error()
	if ex.status != 0 {
		s = fmt.Sprintf("HTTP %d: %s", ex.status, s)
	}
	if len(ex.codes) > 0 {
		s += " (codes " + strings.Join(ex.codes, ", ") + ")"
	}
	if ex.requestID != "" {
		s += " [request " + ex.requestID + "]"
	}
	return s
}
