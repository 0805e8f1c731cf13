package devshop

import "strings"

// The shop and the app's installation: QueryRoot.shop and
// currentAppInstallation, which need no access scope.

// shopTimeZone is the demo shop's IANA time zone.
const shopTimeZone = "Europe/Riga"

// shopObject answers Shop.
type shopObject struct{}

func (shopObject) typeName() string { return "Shop" }

func (shopObject) resolve(x *execution, field string, args map[string]any) (any, error) {
	s := x.shop
	switch field {
	case "id":
		return gid("Shop", shopID), nil
	case "name":
		return s.opts.ShopName, nil
	case "myshopifyDomain":
		return s.opts.ShopDomain, nil
	case "primaryDomain":
		return domain{host: s.primaryHost()}, nil
	case "currencyCode":
		return shopCurrency, nil
	case "ianaTimezone":
		return shopTimeZone, nil
	case "email", "contactEmail":
		return "owner@" + s.primaryHost(), nil
	}
	return nil, notResolved("Shop", field)
}

// shopID is the demo shop's numeric id.
const shopID = 548380009

// primaryHost is the storefront's host: the myshopify domain's shop name
// under .example, e.g. returns-demo.example.
func (s *Shop) primaryHost() string {
	return strings.TrimSuffix(s.opts.ShopDomain, ".myshopify.com") + ".example"
}

// domain answers Domain.
type domain struct{ host string }

func (domain) typeName() string { return "Domain" }

func (d domain) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "id":
		return gid("Domain", shopID), nil
	case "host":
		return d.host, nil
	case "url":
		return "https://" + d.host, nil
	case "sslEnabled":
		return true, nil
	}
	return nil, notResolved("Domain", field)
}

// appInstallation answers AppInstallation: the app's installation on the
// shop, with the access scopes it holds.
type appInstallation struct{}

func (appInstallation) typeName() string { return "AppInstallation" }

func (appInstallation) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "id":
		return gid("AppInstallation", shopID), nil
	case "accessScopes":
		out := make([]any, 0, len(x.shop.scopeList))
		for _, h := range x.shop.scopeList {
			out = append(out, accessScope(h))
		}
		return out, nil
	}
	return nil, notResolved("AppInstallation", field)
}

// accessScope answers AccessScope.
type accessScope string

func (accessScope) typeName() string { return "AccessScope" }

func (a accessScope) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "handle":
		return string(a), nil
	case "description":
		verb, resource, _ := strings.Cut(string(a), "_")
		return strings.TrimSpace(strings.ToUpper(verb[:min(1, len(verb))]) + verb[min(1, len(verb)):] + " " + strings.ReplaceAll(resource, "_", " ")), nil
	}
	return nil, notResolved("AccessScope", field)
}
