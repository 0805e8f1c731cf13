package returns

import (
	"fmt"
	"strings"
	"time"
)

// TokenKind is how the portal gets its Shopify access token.
type TokenKind string

const (
	// TokenClientCredentials: tokens of about 24 hours from the client
	// credentials grant of an app made in the Dev Dashboard (the only kind of
	// new custom app since 2026-01-01), renewed by the portal.
	TokenClientCredentials TokenKind = "client_credentials"
	// TokenStatic: the shpat_ token of a custom app made in the Shopify admin
	// before 2026; it does not expire.
	TokenStatic TokenKind = "static"
)

// ShopToken is what the portal knows of its access token, never the token
// itself.
type ShopToken struct {
	Kind TokenKind
	// ObtainedAt is when the token in use was granted; ExpiresAt when it
	// expires. Both are zero for a static token, and before the first grant.
	ObtainedAt time.Time
	ExpiresAt  time.Time
	// Scopes are the access scopes the last grant answered ("scope" of the
	// client credentials answer); nil for a static token.
	Scopes []string
}

// ShopIdentity is the shop as Shopify names it.
type ShopIdentity struct {
	Name            string // e.g. "Linen & Co"
	MyshopifyDomain string // e.g. "linen-co.myshopify.com"
	// PrimaryDomainURL and PrimaryDomainHost are the storefront's address,
	// e.g. "https://linen.example" and "linen.example".
	PrimaryDomainURL  string
	PrimaryDomainHost string
	Currency          string // the shop’s currency, e.g. "EUR"
	TimeZone          string // IANA, e.g. "Europe/Riga"
}

// EmailAccess is whether Shopify shows the portal the email of an order.
type EmailAccess string

const (
	// EmailsVisible: an order’s email came back.
	EmailsVisible EmailAccess = "visible"
	// EmailsHidden: Shopify hides emails (protected customer data not
	// granted): an order that can be notified by email came back without
	// one. Customers cannot find their orders by email then.
	EmailsHidden EmailAccess = "hidden"
	// EmailsUnknown: no recent order has an email to tell by, or orders could
	// not be read.
	EmailsUnknown EmailAccess = "unknown"
)

// ShopCheck is what the portal found out about its connection to the shop:
// the facts only. Judging them (which scopes are missing, what to fix) is
// left to the caller.
type ShopCheck struct {
	CheckedAt time.Time
	Shop      ShopIdentity
	Token     ShopToken
	// Scopes are the access scopes of the app's installation
	// (currentAppInstallation.accessScopes), which is what Shopify enforces.
	Scopes []string
	// Emails is whether order emails come back; EmailsOrder names the order
	// that told (e.g. "#1005"), and EmailsProblem why it could not be told
	// (a missing scope, say), for staff.
	Emails        EmailAccess
	EmailsOrder   string
	EmailsProblem string
	// APIVersionRequested is the Admin API version the portal asks for;
	// APIVersionAnswered the X-Shopify-API-Version Shopify answered with,
	// which differs when the requested one left support and Shopify fell
	// forward.
	APIVersionRequested string
	APIVersionAnswered  string
	// Webhooks are the app's webhook subscriptions at the shop (those made
	// through the API; the ones declared in shopify.app.toml are not listed
	// by Shopify here).
	Webhooks []ShopWebhook
}

// HasScope reports whether the installation holds the access scope handle.
// A write_ scope grants the read_ scope of the same resource too, as Shopify
// treats them.
func (c *ShopCheck) HasScope(handle string) bool {
	return hasScope(c.Scopes, handle)
}

func hasScope(scopes []string, handle string) bool {
	for _, s := range scopes {
		if s == handle {
			return true
		}
		if resource, ok := strings.CutPrefix(handle, "read_"); ok && s == "write_"+resource {
			return true
		}
	}
	return false
}

// ScopeRequirement is an access scope the portal asks for, and why.
type ScopeRequirement struct {
	Handle string
	Reason string
}

// RequiredScopes are the access scopes the portal's app asks for, with the
// reason for each.
var RequiredScopes = []ScopeRequirement{
	{Handle: "read_orders", Reason: "find a customer’s order by number and email, and read its lines, payments and fulfillments"},
	{Handle: "write_orders", Reason: "write each return’s line and tag to the order’s note, and refund through Shopify"},
	{Handle: "read_all_orders", Reason: "find orders older than 60 days, which Shopify hides without it"},
	{Handle: "read_products", Reason: "read product tags, such as final-sale, that decide what may be returned"},
	{Handle: "write_returns", Reason: "record each return in Shopify’s Returns, approve, decline, close and process it there (restock and refund), and hear of what staff do to it in Shopify admin"},
	{Handle: "read_locations", Reason: "read the shop’s locations, to restock returned items at the one chosen in settings"},
	{Handle: "write_draft_orders", Reason: "make a replacement order for a damaged item: a draft order at no cost, completed into an order the store fulfils as usual"},
	{Handle: "read_fulfillments", Reason: "hear of the fulfilment of a replacement order (fulfillments/create and fulfillments/update webhooks), for its carrier and tracking number"},
	{Handle: "read_inventory", Reason: "see which variants of a product are in stock, when a replacement’s own variant is not"},
}

// MissingScopes returns the requirements among reqs the installation does
// not hold.
func (c *ShopCheck) MissingScopes(reqs []ScopeRequirement) []ScopeRequirement {
	var missing []ScopeRequirement
	for _, r := range reqs {
		if !c.HasScope(r.Handle) {
			missing = append(missing, r)
		}
	}
	return missing
}

// ShopDeniedCause says why Shopify refused something the portal asked for.
type ShopDeniedCause string

const (
	// DeniedScope: the app lacks an access scope (ACCESS_DENIED).
	DeniedScope ShopDeniedCause = "missing_scope"
	// DeniedEmailHidden: the order’s email is protected customer data that
	// Shopify does not show the app.
	DeniedEmailHidden ShopDeniedCause = "email_hidden"
	// DeniedToken: Shopify refused the access token, or the client
	// credentials when the portal asked for one.
	DeniedToken ShopDeniedCause = "token_refused"
	// DeniedUninstalled: the app is not installed on the shop.
	DeniedUninstalled ShopDeniedCause = "app_not_installed"
)

// ShopDenied is the cause of a refusal by Shopify, carried in the chain of
// the error of the call it failed (errors.As finds it), beside the domain
// error people see. It is for logs and for staff; a customer sees only what
// the domain error says.
type ShopDenied struct {
	Cause ShopDeniedCause
	// Scope is the access scope missing, when it is known (DeniedScope).
	Scope string
	// Field is the GraphQL field Shopify refused, e.g. "product".
	Field string
	// Detail is Shopify's own message, for the log.
	Detail string
}

func (d *ShopDenied) Error() string {
	s := "shopify denied: " + string(d.Cause)
	if d.Scope != "" {
		s += " (scope " + d.Scope + ")"
	}
	if d.Field != "" {
		s += fmt.Sprintf(" on field %q", d.Field)
	}
	if d.Detail != "" {
		s += ": " + d.Detail
	}
	return s
}
