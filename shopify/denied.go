package shopify

import "github.com/returnsportal/returns"

// codeAccessDenied is the extensions.code of a field or mutation Shopify
// refuses for want of an access scope.
const codeAccessDenied = "ACCESS_DENIED"

// fieldScopes are the access scopes the fields the adapter selects need, by
// field name: how a refusal is turned into the scope to add. Shopify's
// message names the scope too, but its wording is not a contract.
var fieldScopes = map[string]string{
	"order":        "read_orders",
	"orders":       "read_orders",
	"node":         "read_orders",
	"product":      "read_products",
	"orderUpdate":  "write_orders",
	"tagsAdd":      "write_orders",
	"refundCreate": "write_orders",
	"customer":     "read_customers",
}

// denied returns the cause of the first ACCESS_DENIED error of the answer, or
// nil when there is none.
func (ex *exchange) denied() *returns.ShopDenied {
	for _, e := range ex.errors {
		if e.code != codeAccessDenied {
			continue
		}
		d := &returns.ShopDenied{Cause: returns.DeniedScope, Detail: e.message}
		// The field is the last name in the error's path; list indexes
		// come between names.
		for i := len(e.path) - 1; i >= 0; i-- {
			if name, ok := e.path[i].(string); ok {
				d.Field = name
				break
			}
		}
		d.Scope = fieldScopes[d.Field]
		return d
	}
	return nil
}

// deniedError is the error people see for a refusal: it names the cause and
// what fixes it, for staff. Customers are shown the shop's own words for an
// unavailable dependency instead (handlers).
func deniedError(d *returns.ShopDenied) *returns.Error {
	switch d.Cause {
	case returns.DeniedScope:
		if d.Scope == "" {
			return returns.Errorf(returns.EUNAVAILABLE, "Shopify refused the portal access to %s: the app lacks an access scope. Compare the app’s scopes in the Dev Dashboard with the ones the portal needs.", d.Field)
		}
		return returns.Errorf(returns.EUNAVAILABLE, "Shopify refused the portal access to %s: the app lacks the %s access scope. Add it to the app in the Dev Dashboard and approve it on the store.", d.Field, d.Scope)
	case returns.DeniedUninstalled:
		return returns.Errorf(returns.EUNAVAILABLE, "The portal’s app is not installed on the Shopify store. Install it from the Dev Dashboard, then try again.")
	}
	return returns.Errorf(returns.EUNAVAILABLE, "Shopify refused the portal’s access token. Check the app’s credentials, and that it is still installed on the store.")
}
