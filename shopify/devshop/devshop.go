// Package devshop is an in-process stand-in of Shopify's Admin GraphQL API,
// seeded with demo orders. Demo mode serves it on loopback and points the real
// adapter at it; the adapter's tests do the same through httptest.
//
// It validates every operation against a pruned copy of Shopify's Admin schema
// (schema.graphql, made by internal/schemagen), so a misspelled field or a wrong
// argument fails here as it would at Shopify, and it answers with Shopify's
// shapes: data, errors with extensions.code, extensions.cost with a leaky bucket,
// and userErrors on mutations. State lives in memory: notes and tags change, and
// refunds (refundCreate with @idempotent, see refund.go) lower what is
// refundable.
package devshop

//go:generate go run ./internal/schemagen -root ../.. -schema ../shared/shopify/admin-2026-04.graphql -out shopify/devshop/schema.graphql

import (
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

//go:embed schema.graphql
var schemaSource string

var (
	schemaOnce   sync.Once
	parsedSchema *ast.Schema
	schemaErr    error
)

// loadSchema parses the embedded schema once per process; it is read-only after.
func loadSchema() (*ast.Schema, error) {
	schemaOnce.Do(func() {
		parsedSchema, schemaErr = gqlparser.LoadSchema(&ast.Source{Name: "schema.graphql", Input: schemaSource})
	})
	return parsedSchema, schemaErr
}

// DefaultScopes are the access scopes of the token New makes when Options.Scopes
// is nil. read_all_orders lets the demo find #1003, which is 92 days old.
var DefaultScopes = []string{"read_orders", "write_orders", "read_all_orders"}

// Options configure a Shop.
type Options struct {
	// Now is the clock. The seed orders are dated relative to its value when New
	// runs, and the 60-day visibility window is measured from it. Default:
	// time.Now.
	Now func() time.Time
	// AccessToken is the token clients must send in X-Shopify-Access-Token.
	// When empty, New makes a random one; see Token.
	AccessToken string
	// Scopes are the token's access scopes; nil means DefaultScopes.
	Scopes []string
}

// Shop is the stand-in store. It is an http.Handler and safe for concurrent use.
type Shop struct {
	schema *ast.Schema
	now    func() time.Time
	token  string

	gate      gate // holds mutations for crash tests; guarded by its own lock
	mu        sync.Mutex
	scopes    map[string]bool
	orders    []*order
	bucket    bucket
	calls     int
	throttled bool
	throttleN int
	failN     int
	// failMutationsN fails the next requests that hold a mutation, letting
	// queries through, with failStatus.
	failMutationsN int
	failStatus     int
	dropN          int
	malformedN     int
	delay          time.Duration
	commitDelay    time.Duration // added to the delay of requests that changed state
	committed      bool          // set by a mutation that changed state during the current request
	// idempotency holds what each refundCreate key made.
	idempotency map[string]*idempotentResult
	lastID      int64 // the last id newID gave
}

// New returns a Shop seeded with the demo orders. It panics if the embedded
// schema does not load, which the package's tests rule out.
func New(opts Options) *Shop {
	schema, err := loadSchema()
	if err != nil {
		panic("devshop: embedded schema: " + err.Error())
	}
	s := &Shop{schema: schema, now: opts.Now, token: opts.AccessToken, scopes: map[string]bool{},
		idempotency: map[string]*idempotentResult{}, lastID: firstNewID - 1}
	if s.now == nil {
		s.now = time.Now
	}
	if s.token == "" {
		b := make([]byte, 16)
		_, _ = rand.Read(b) // crypto/rand.Read never fails
		s.token = "shpat_" + hex.EncodeToString(b)
	}
	scopes := opts.Scopes
	if scopes == nil {
		scopes = DefaultScopes
	}
	for _, sc := range scopes {
		s.scopes[sc] = true
	}
	s.orders = seed(s.now())
	s.bucket = bucket{available: bucketSize}
	return s
}

// Token returns the access token clients must send.
func (s *Shop) Token() string { return s.token }

// Calls returns the number of GraphQL requests received that passed the
// authentication check, including failed and throttled ones.
func (s *Shop) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// SetThrottled answers every request THROTTLED while on, as when the bucket is
// empty.
func (s *Shop) SetThrottled(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttled = on
}

// ThrottleNext answers the next n requests THROTTLED.
func (s *Shop) ThrottleNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttleN = n
}

// FailNext answers the next n requests with the HTTP status (e.g. 500, 502, 503)
// and Shopify's internal-error body, without running them.
func (s *Shop) FailNext(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failN, s.failStatus = n, status
}

// FailMutations answers the next n requests that hold a mutation with the HTTP
// status and Shopify's internal-error body, without running them; queries are
// answered as usual. It is how a write-back that fails after a good read looks.
func (s *Shop) FailMutations(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failMutationsN, s.failStatus = n, status
}

// DropAfterCommit makes the next n requests that change state commit their
// change and then close the connection without answering, as a lost answer
// after Shopify committed a mutation looks to a client. A refundCreate that
// replays an earlier result changes nothing, so it is answered.
func (s *Shop) DropAfterCommit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropN = n
}

// SetMalformed answers the next n requests with a body that is not JSON.
func (s *Shop) SetMalformed(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.malformedN = n
}

// SetDelay delays every answer by d, after the operation ran. The delay ends
// early when the client goes away.
func (s *Shop) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// OrderSnapshot is a copy of an order's state, for tests.
type OrderSnapshot struct {
	ID          string
	Name        string
	Email       string
	Locale      string
	Currency    string
	CreatedAt   time.Time
	CancelledAt time.Time
	Note        string
	Tags        []string
	// FinancialStatus is displayFinancialStatus, e.g. "PARTIALLY_REFUNDED".
	FinancialStatus string
	// TotalRefunded is totalRefundedSet in the presentment currency, e.g.
	// "29.00".
	TotalRefunded string
	Refunds       []RefundSnapshot
	// RefundKeys are the idempotency keys of every refundCreate for this
	// order that the store looked at, in arrival order with repeats: those
	// that made or replayed a refund and those refused; "" stands for a
	// request without a key. Requests that never ran (answered by a fault
	// knob, throttled, or held by HoldMutations and dropped) are not in it. A
	// portal that keeps its promise sends only its ledger's keys.
	RefundKeys []string
}

// RefundSnapshot is a copy of a refund, for tests.
type RefundSnapshot struct {
	ID       string // e.g. "gid://shopify/Refund/1000001"
	Amount   string // in the presentment currency, e.g. "29.00"
	Currency string
	Note     string
	// Keys are the idempotency keys of the requests answered with this
	// refund: the one that made it, then one per replay.
	Keys []string
}

// firstNewID is the first id of objects made after the seed (refunds and
// their transactions); the seed's ids stay below it.
const firstNewID = 1000001

// RefundCount returns the number of refunds of the order with the given name
// ("#1001"), or 0 when there is no such order.
func (s *Shop) RefundCount(orderName string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.orders {
		if o.name == orderName {
			return len(o.refunds)
		}
	}
	return 0
}

// OrderByName returns a copy of the order with the given name ("#1001"),
// regardless of the token's visibility window.
func (s *Shop) OrderByName(name string) (OrderSnapshot, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.orders {
		if o.name == name {
			return OrderSnapshot{
				ID:              o.gid(),
				Name:            o.name,
				Email:           o.email,
				Locale:          o.locale,
				Currency:        o.presentment,
				CreatedAt:       o.createdAt,
				CancelledAt:     o.cancelledAt,
				Note:            o.note,
				Tags:            slices.Clone(o.tags),
				FinancialStatus: o.financial,
				TotalRefunded:   money{minor: o.refunded(), currency: o.presentment}.fixed(),
				Refunds:         o.refundSnapshots(),
				RefundKeys:      slices.Clone(o.refundKeys),
			}, true
		}
	}
	return OrderSnapshot{}, false
}

func (o *order) refundSnapshots() []RefundSnapshot {
	out := []RefundSnapshot{}
	for _, r := range o.refunds {
		out = append(out, RefundSnapshot{
			ID:       r.gid(),
			Amount:   money{minor: r.total(), currency: o.presentment}.fixed(),
			Currency: o.presentment,
			Note:     r.note,
			Keys:     slices.Clone(r.keys),
		})
	}
	return out
}

// Start serves the shop on a new loopback port until ctx ends or stop is called,
// and returns the base URL to give the adapter (e.g. "http://127.0.0.1:53412").
func (s *Shop) Start(ctx context.Context) (baseURL string, stop func(), err error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			// Serve only fails here when the listener breaks; nothing to report to.
			_ = err
		}
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = srv.Shutdown(shutdownCtx)
			<-done
		})
	}
	go func() {
		select {
		case <-ctx.Done():
			stop()
		case <-done:
		}
	}()
	return "http://" + ln.Addr().String(), stop, nil
}

// SetCommitDelay delays the answer of every request that changed state by d,
// after the change is made: what a client sees when Shopify commits a mutation
// and then answers slowly (or the client stops waiting).
func (s *Shop) SetCommitDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commitDelay = d
}
