package devshop

import "strings"

// Access scopes, as Shopify enforces them on the Admin API: a field or
// mutation whose scope the installation lacks answers null with an error
// whose extensions.code is ACCESS_DENIED, and the rest of the answer is
// served. The wording follows captures of Shopify's answers ("Access denied
// for product field. Required access: `read_products` access scope."); only
// the code and the error's path are meant for programs.
//
// What needs what here:
//
//   - QueryRoot.order, orders and node (an order): read_orders;
//   - LineItem.product and LineItem.variant: read_products;
//   - orderUpdate, tagsAdd and refundCreate: write_orders;
//   - returns, locations and inventory: see returns_graphql.go;
//   - webhookSubscriptionCreate of an order topic: read_orders (a userError).
//
// A write_ scope grants the read_ scope of the same resource, as at Shopify.

// hasScope reports whether the installation holds scope. The caller holds
// s.mu.
func (s *Shop) hasScope(scope string) bool {
	if s.scopes[scope] {
		return true
	}
	resource, ok := strings.CutPrefix(scope, "read_")
	return ok && s.scopes["write_"+resource]
}

// requireScope returns the ACCESS_DENIED error of field when the installation
// lacks scope. The caller holds s.mu.
func (s *Shop) requireScope(field, scope string) error {
	if s.hasScope(scope) {
		return nil
	}
	return codedError{code: "ACCESS_DENIED",
		message: "Access denied for " + field + " field. Required access: `" + scope + "` access scope."}
}
