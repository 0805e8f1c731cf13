package shopify

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/returnsportal/returns"
)

var (
	//go:embed shop_check.graphql
	shopCheckOperation string
	//go:embed recent_order_emails.graphql
	recentOrderEmailsOperation string
)

// Check reads what the portal needs to know of its connection to the shop:
// the shop's identity, the token (its kind, expiry and the scopes the grant
// answered), the access scopes of the app's installation, whether order
// emails come back, the API version Shopify answered with, and the app's
// webhook subscriptions. It takes two requests (and a token request when
// there is no token yet).
//
// It fails only when the shop cannot be read at all: no token, the token
// refused, Shopify not answering. Whether emails come back is told from the
// newest orders (see RecentOrderEmails); when they cannot be read (no
// read_orders, say) Emails is EmailsUnknown and EmailsProblem says why.
func (c *Client) Check(ctx context.Context) (*returns.ShopCheck, error) {
	chk := &returns.ShopCheck{CheckedAt: c.now(), APIVersionRequested: c.version}
	resp, ex, err := callAs[shopCheckResponse](ctx, c, "ShopCheck", shopCheckOperation, nil, unavailable)
	if err != nil {
		return nil, err
	}
	chk.Token = c.tokens.status()
	chk.APIVersionAnswered = ex.version
	sh := resp.Shop
	chk.Shop = returns.ShopIdentity{
		Name:              sh.Name,
		MyshopifyDomain:   sh.MyshopifyDomain,
		PrimaryDomainURL:  sh.PrimaryDomain.URL,
		PrimaryDomainHost: sh.PrimaryDomain.Host,
		Currency:          sh.CurrencyCode,
		TimeZone:          sh.IanaTimezone,
	}
	chk.Scopes = []string{}
	for _, s := range resp.CurrentAppInstallation.AccessScopes {
		chk.Scopes = append(chk.Scopes, s.Handle)
	}
	chk.Webhooks = []returns.ShopWebhook{}
	for _, w := range resp.WebhookSubscriptions.Nodes {
		chk.Webhooks = append(chk.Webhooks, w.shopWebhook())
	}
	if resp.WebhookSubscriptions.PageInfo.HasNextPage {
		c.log.WarnContext(ctx, "shopify app has more webhook subscriptions than the check lists", "listed", len(chk.Webhooks))
	}

	chk.Emails = returns.EmailsUnknown
	emails, err := call[recentOrderEmailsResponse](ctx, c, "RecentOrderEmails", recentOrderEmailsOperation, nil)
	if err != nil {
		chk.EmailsProblem = returns.ErrorMessage(err).String()
		c.log.WarnContext(ctx, "shopify check could not read order emails", "err", err)
		return chk, nil
	}
	for _, o := range emails.Orders.Nodes {
		switch {
		case o.Email != nil && *o.Email != "":
			chk.Emails, chk.EmailsOrder = returns.EmailsVisible, o.Name
			return chk, nil
		case o.CanNotifyCustomer:
			// An order with an email that did not come back: hidden. One
			// is enough to tell, since Shopify hides all or none.
			chk.Emails, chk.EmailsOrder = returns.EmailsHidden, o.Name
			return chk, nil
		}
	}
	chk.EmailsProblem = fmt.Sprintf("none of the %d newest orders has an email to tell by", len(emails.Orders.Nodes))
	return chk, nil
}

type shopCheckResponse struct {
	Shop struct {
		Name            string `json:"name"`
		MyshopifyDomain string `json:"myshopifyDomain"`
		PrimaryDomain   struct {
			URL  string `json:"url"`
			Host string `json:"host"`
		} `json:"primaryDomain"`
		CurrencyCode string `json:"currencyCode"`
		IanaTimezone string `json:"ianaTimezone"`
	} `json:"shop"`
	CurrentAppInstallation struct {
		AccessScopes []struct {
			Handle string `json:"handle"`
		} `json:"accessScopes"`
	} `json:"currentAppInstallation"`
	WebhookSubscriptions subscriptionList `json:"webhookSubscriptions"`
}

type recentOrderEmailsResponse struct {
	Orders struct {
		Nodes []struct {
			Name              string  `json:"name"`
			Email             *string `json:"email"`
			CanNotifyCustomer bool    `json:"canNotifyCustomer"`
		} `json:"nodes"`
	} `json:"orders"`
}
