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
//
// It also stands in for the rest of what a connected app meets: the client
// credentials grant with expiring tokens (oauth.go), access scopes and
// ACCESS_DENIED (access.go), emails hidden as protected customer data, the
// shop and the app's installation (shopinfo.go), webhook subscriptions and
// signed, retried deliveries (webhook.go, payload.go), and the merchant's
// actions in Shopify admin through an inspection API on loopback (admin.go).
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
	"strings"
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

// DefaultScopes are the access scopes of the app's installation when
// Options.Scopes is nil: those the portal asks for. read_all_orders lets the
// demo find #1003, which is 92 days old; read_products lets it read product
// tags. read_returns and write_returns let it read and drive Shopify's
// native returns, read_locations list the locations a return may be
// restocked at, and read_inventory read what a restock changed there and
// what a variant has in stock. write_draft_orders lets it make replacement
// orders, and read_fulfillments subscribe to the fulfilment webhooks.
var DefaultScopes = []string{"read_orders", "write_orders", "read_all_orders", "read_products",
	"read_returns", "write_returns", "read_locations", "read_inventory", "write_draft_orders", "read_fulfillments"}

// DefaultTokenTTL is the lifetime of a token from the client credentials
// grant when Options.TokenTTL is zero: Shopify's, about 24 hours (it answers
// expires_in 86399).
const DefaultTokenTTL = 24 * time.Hour

// Options configure a Shop.
type Options struct {
	// Now is the clock. The seed orders are dated relative to its value when New
	// runs, and the 60-day visibility window is measured from it. Default:
	// time.Now.
	Now func() time.Time
	// AccessToken is the static token of an app made in the Shopify admin
	// before 2026, which clients may send in X-Shopify-Access-Token. When
	// empty, New makes a random one; see Token.
	AccessToken string
	// ClientID and ClientSecret are the credentials of a Dev Dashboard app:
	// POST /admin/oauth/access_token grants tokens for them (the client
	// credentials grant), and the secret signs webhooks. Without them the
	// grant refuses every request, as for an app that does not exist.
	ClientID     string
	ClientSecret string
	// TokenTTL is the lifetime of a granted token; default DefaultTokenTTL.
	// Tests set seconds.
	TokenTTL time.Duration
	// WebhookSecret signs webhooks when there is no ClientSecret, as the
	// shared secret of an app made in the Shopify admin does.
	WebhookSecret string
	// Scopes are the access scopes of the app's installation, which every
	// token carries; nil means DefaultScopes. A field or mutation that needs
	// one missing is refused with ACCESS_DENIED.
	Scopes []string
	// HideEmails answers every order's email null, as Shopify does when the
	// app is not granted protected customer data (level 2: name, email,
	// phone, address).
	HideEmails bool
	// HideAddresses answers every order's shipping address null, as for an
	// app without access to the protected customer data fields Name and
	// Address.
	HideAddresses bool
	// ShopName and ShopDomain name the shop: shop.name and its myshopify
	// domain, which webhooks carry in X-Shopify-Shop-Domain. Defaults:
	// "Returns Demo Store" and "returns-demo.myshopify.com".
	ShopName   string
	ShopDomain string
	// Webhooks configures webhook delivery.
	Webhooks WebhookOptions
	// PendingRefundGateways name the payment gateways (e.g.
	// "shopify_payments") whose refund transactions stay PENDING until
	// SettleTransaction settles them, as an asynchronous gateway's do.
	PendingRefundGateways []string
	// StoreCreditDisabled makes the shop unable to issue store credit, as
	// one without new customer accounts is.
	StoreCreditDisabled bool
}

// Shop is the stand-in store. It is an http.Handler and safe for concurrent use.
type Shop struct {
	schema *ast.Schema
	now    func() time.Time
	token  string // the static token
	opts   Options

	gate       gate // holds mutations for crash tests; guarded by its own lock
	mu         sync.Mutex
	scopes     map[string]bool
	scopeList  []string // the scopes in the order given, for accessScopes and the grant
	orders     []*order
	locations  []*location      // the warehouse first: fulfillments ship from it
	items      []*inventoryItem // the inventory items of the seed orders' variants
	drafts     []*draftOrder    // draft orders, oldest first (draftorders.go)
	draftsMade int              // drafts ever made, deleted ones too: their names are not reused
	// storeCredit is each customer's store credit balance, by customer id,
	// in minor units of the shop currency (every customer's orders are in
	// it).
	storeCredit map[int64]int64
	// pendingGateways are the gateways whose refunds stay PENDING.
	pendingGateways []string
	bucket          bucket
	calls           int
	throttled       bool
	throttleN       int
	failN           int
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

	// The app's installation: whether it is installed, the tokens the
	// client credentials grant gave, and how often it was asked.
	uninstalled   bool
	granted       map[string]*grantedToken
	tokenRequests int
	// answeredVersion, when set, is the X-Shopify-API-Version of every
	// answer, whatever the path asked: a version that fell forward.
	answeredVersion string

	hooks webhooks // subscriptions and deliveries; guarded by mu
	// metafields are the orders' metafields; noteEdits the merchant's note
	// edits that wait for a read of the note (metafields.go, noteedit.go).
	metafields map[metafieldKey]*metafield
	// definitions are the metafield definitions, oldest first.
	definitions []*metafieldDefinition
	noteEdits   map[*order][]string
	admin       *http.ServeMux
}

// New returns a Shop seeded with the demo orders. It panics if the embedded
// schema does not load, which the package's tests rule out.
func New(opts Options) *Shop {
	schema, err := loadSchema()
	if err != nil {
		panic("devshop: embedded schema: " + err.Error())
	}
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = DefaultTokenTTL
	}
	if opts.ShopName == "" {
		opts.ShopName = "Returns Demo Store"
	}
	if opts.ShopDomain == "" {
		opts.ShopDomain = "returns-demo.myshopify.com"
	}
	s := &Shop{schema: schema, now: opts.Now, token: opts.AccessToken, scopes: map[string]bool{},
		idempotency: map[string]*idempotentResult{}, lastID: firstNewID - 1,
		granted: map[string]*grantedToken{}}
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
	s.setScopesLocked(scopes)
	s.locations = seedLocations(s.now())
	s.orders, s.items = seed(s.now(), s.locations)
	s.storeCredit = map[int64]int64{}
	s.pendingGateways = slices.Clone(opts.PendingRefundGateways)
	s.bucket = bucket{available: bucketSize}
	s.opts = opts
	s.hooks.init(opts.Webhooks)
	s.admin = s.adminMux()
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

// OrderSnapshot is a copy of an order's state, for tests, and the JSON of
// GET /_devshop/orders/{number}.
type OrderSnapshot struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Email       string    `json:"email"`
	Locale      string    `json:"locale"`
	Currency    string    `json:"currency"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	CancelledAt time.Time `json:"cancelled_at"`
	Note        string    `json:"note"`
	Tags        []string  `json:"tags"`
	// FinancialStatus is displayFinancialStatus, e.g. "PARTIALLY_REFUNDED".
	FinancialStatus string `json:"financial_status"`
	// ReturnStatus is Order.returnStatus, e.g. "RETURNED".
	ReturnStatus string `json:"return_status"`
	// TotalReceived, TotalRefunded and Refundable are in the presentment
	// currency, e.g. "29.00".
	TotalReceived string `json:"total_received"`
	TotalRefunded string `json:"total_refunded"`
	Refundable    string `json:"refundable"`
	// Transactions are the order's payments and refund transactions, in
	// order of creation.
	Transactions []TransactionSnapshot `json:"transactions"`
	Refunds      []RefundSnapshot      `json:"refunds"`
	// RefundDetails are the refunds' line items and transactions, in the
	// order of Refunds.
	RefundDetails []RefundDetailSnapshot `json:"refund_details"`
	// RefundKeys are the idempotency keys of every refundCreate for this
	// order that the store looked at, in arrival order with repeats: those
	// that made or replayed a refund and those refused; "" stands for a
	// request without a key. Requests that never ran (answered by a fault
	// knob, throttled, or held by HoldMutations and dropped) are not in it. A
	// portal that keeps its promise sends only its ledger's keys.
	RefundKeys []string `json:"refund_keys"`
	// Returns are the order's returns, oldest first.
	Returns []ReturnSnapshot `json:"returns"`
	// Inventory is the stock of the order's items at each location.
	Inventory []InventorySnapshot `json:"inventory"`
	// ShippingAddress is the address's lines as MailingAddress.formatted
	// gives them; ShippingLine the shipping line's title.
	ShippingAddress []string `json:"shipping_address"`
	ShippingLine    string   `json:"shipping_line"`
	// Fulfillments are the order's fulfilments with their tracking.
	Fulfillments []FulfillmentSnapshot `json:"fulfillments"`
}

// RefundSnapshot is a copy of a refund, for tests.
type RefundSnapshot struct {
	ID       string `json:"id"`     // e.g. "gid://shopify/Refund/1000001"
	Amount   string `json:"amount"` // in the presentment currency, e.g. "29.00"
	Currency string `json:"currency"`
	Note     string `json:"note"`
	// Keys are the idempotency keys of the requests answered with this
	// refund: the one that made it, then one per replay. A refund the
	// merchant made in admin has none. Its transactions are among the
	// order's, with the payment they went back to as parent; its details
	// are OrderSnapshot.RefundDetails.
	Keys []string `json:"keys"`
}

// RefundDetailSnapshot is what a refund gave back: its line items and its
// own transactions, and the return it was made for.
type RefundDetailSnapshot struct {
	ID string `json:"id"`
	// Return is the return whose processing made the refund, "" for none.
	Return       string                `json:"return_id,omitempty"`
	Lines        []RefundLineSnapshot  `json:"lines"`
	Transactions []TransactionSnapshot `json:"transactions"`
}

// TransactionSnapshot is a copy of an order transaction, for tests.
type TransactionSnapshot struct {
	ID       string `json:"id"`
	Kind     string `json:"kind"`   // "SALE", "REFUND", …
	Status   string `json:"status"` // "SUCCESS", …
	Gateway  string `json:"gateway"`
	Amount   string `json:"amount"`    // in the presentment currency
	ParentID string `json:"parent_id"` // the payment a refund went back to
	// Manual is true for a manual payment method's transaction (cash on
	// delivery…), which moves no money.
	Manual bool `json:"manual"`
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
	o := s.orderByName(name)
	if o == nil {
		return OrderSnapshot{}, false
	}
	return o.snapshot(), true
}

// orderByName returns the order with the given name, "#1001" or "1001", or
// nil. The caller holds s.mu.
func (s *Shop) orderByName(name string) *order {
	if !strings.HasPrefix(name, "#") {
		name = "#" + name
	}
	for _, o := range s.orders {
		if o.name == name {
			return o
		}
	}
	return nil
}

// snapshot copies o. The caller holds the shop's mutex.
func (o *order) snapshot() OrderSnapshot {
	snap := OrderSnapshot{
		ID:              o.gid(),
		Name:            o.name,
		Email:           o.email,
		Locale:          o.locale,
		Currency:        o.presentment,
		CreatedAt:       o.createdAt,
		UpdatedAt:       o.updatedAt,
		CancelledAt:     o.cancelledAt,
		Note:            o.note,
		Tags:            slices.Clone(o.tags),
		FinancialStatus: o.financial,
		ReturnStatus:    o.returnStatus(),
		TotalReceived:   money{minor: o.received(), currency: o.presentment}.fixed(),
		TotalRefunded:   money{minor: o.refunded(), currency: o.presentment}.fixed(),
		Refundable:      money{minor: o.refundable(), currency: o.presentment}.fixed(),
		Transactions:    []TransactionSnapshot{},
		Refunds:         o.refundSnapshots(),
		RefundDetails:   o.refundDetails(),
		RefundKeys:      slices.Clone(o.refundKeys),
		Returns:         []ReturnSnapshot{},
		Inventory:       o.inventorySnapshots(),
	}
	for _, r := range o.returns {
		snap.Returns = append(snap.Returns, r.snapshot())
	}
	if len(o.shippingLines) > 0 {
		snap.ShippingLine = o.shippingLines[0].title
	}
	if o.shipping != nil {
		lines, _ := o.shipping.resolve(nil, "formatted", nil)
		for _, l := range lines.([]any) {
			snap.ShippingAddress = append(snap.ShippingAddress, l.(string))
		}
	}
	snap.Fulfillments = []FulfillmentSnapshot{}
	for _, f := range o.fulfillments {
		snap.Fulfillments = append(snap.Fulfillments, f.snapshot())
	}
	for _, t := range o.transactions {
		snap.Transactions = append(snap.Transactions, t.snapshot())
	}
	return snap
}

func (t *transaction) snapshot() TransactionSnapshot {
	ts := TransactionSnapshot{ID: t.gid(), Kind: t.kind, Status: t.status, Gateway: t.gateway,
		Amount: money{minor: t.amount, currency: t.order.presentment}.fixed(), Manual: isManualGateway(t.gateway)}
	if t.parent != nil {
		ts.ParentID = t.parent.gid()
	}
	return ts
}

func (o *order) refundSnapshots() []RefundSnapshot {
	out := []RefundSnapshot{}
	for _, r := range o.refunds {
		out = append(out, RefundSnapshot{
			ID:       r.gid(),
			Amount:   money{minor: r.total(), currency: o.presentment}.fixed(),
			Currency: o.presentment,
			Note:     r.note,
			Keys:     append([]string{}, r.keys...),
		})
	}
	return out
}

// Start serves the shop on a new loopback port until ctx ends or stop is called,
// and returns the base URL to give the adapter (e.g. "http://127.0.0.1:53412").
// stop also stops webhook deliveries (Close).
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
			s.Close() // the shop stops delivering webhooks with its server
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
