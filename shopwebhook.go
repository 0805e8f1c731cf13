package returns

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"time"
)

// Webhook topics the portal hears of, as Shopify names them in the
// X-Shopify-Topic header of a delivery.
const (
	// TopicRefundsCreate: a refund was made on an order, by the portal or by the
	// merchant in Shopify admin.
	TopicRefundsCreate = "refunds/create"
	// TopicOrdersUpdated: an order changed (its note, tags, payments…).
	TopicOrdersUpdated = "orders/updated"
	// TopicAppUninstalled: the merchant uninstalled the app; its tokens no
	// longer work.
	TopicAppUninstalled = "app/uninstalled"
	// TopicCustomersRedact: a compliance request to erase what the app holds
	// about a customer.
	TopicCustomersRedact = "customers/redact"
	// TopicCustomersDataRequest: a compliance request for what the app holds
	// about a customer, for the merchant to pass on.
	TopicCustomersDataRequest = "customers/data_request"
	// TopicShopRedact: a compliance request, 48 hours after the app was
	// uninstalled, to erase what the app holds about the shop.
	TopicShopRedact = "shop/redact"
)

// SubscribedTopics are the topics the portal subscribes to at start. The
// compliance topics are not among them: they are declared in the app's
// configuration.
var SubscribedTopics = []string{
	TopicRefundsCreate, TopicOrdersUpdated, TopicAppUninstalled,
	TopicReturnsApprove, TopicReturnsDecline, TopicReturnsCancel, TopicReturnsClose, TopicReturnsReopen, TopicReturnsProcess,
	TopicFulfillmentsCreate, TopicFulfillmentsUpdate,
}

// ComplianceTopic reports whether topic is one of Shopify's mandatory
// compliance topics. They are declared in the app's configuration (the Dev
// Dashboard or shopify.app.toml), never subscribed to through the API.
func ComplianceTopic(topic string) bool {
	switch topic {
	case TopicCustomersRedact, TopicCustomersDataRequest, TopicShopRedact:
		return true
	}
	return false
}

// ShopWebhook is a webhook subscription of the app at the shop.
type ShopWebhook struct {
	ID    string // Shopify GID of the WebhookSubscription
	Topic string // e.g. "refunds/create"
	URI   string // where Shopify delivers
}

// WebhookSetup is what making sure of the portal's webhook subscriptions
// found and did.
type WebhookSetup struct {
	// Created are the subscriptions made now.
	Created []ShopWebhook
	// Existing are those that were there already, pointing at the portal.
	Existing []ShopWebhook
	// Elsewhere are subscriptions of the same topics that point at another
	// address: left alone, for a person to judge (an old address of the
	// portal, or another system of the merchant's).
	Elsewhere []ShopWebhook
}

// WebhookHeaders are the headers of a webhook delivery the portal reads,
// besides the topic and the signature.
type WebhookHeaders struct {
	// WebhookID is X-Shopify-Webhook-Id: one per delivery, the same on every
	// retry of it, so it is what duplicates are recognised by.
	WebhookID string
	// EventID is X-Shopify-Event-Id: one per event, shared by the deliveries
	// of one event to several subscriptions.
	EventID string
	// TriggeredAt is X-Shopify-Triggered-At: when the event happened. A retry
	// carries the original time and payload, so it is what tells a stale
	// delivery from a fresh one. Zero when missing or unreadable.
	TriggeredAt time.Time
	// ShopDomain is X-Shopify-Shop-Domain, e.g. "my-store.myshopify.com".
	ShopDomain string
	// APIVersion is X-Shopify-API-Version: the version the payload is shaped
	// by.
	APIVersion string
}

// Names of the headers of a webhook delivery.
const (
	HeaderWebhookTopic       = "X-Shopify-Topic"
	HeaderWebhookHMAC        = "X-Shopify-Hmac-Sha256"
	HeaderWebhookID          = "X-Shopify-Webhook-Id"
	HeaderWebhookEventID     = "X-Shopify-Event-Id"
	HeaderWebhookTriggeredAt = "X-Shopify-Triggered-At"
	HeaderWebhookShopDomain  = "X-Shopify-Shop-Domain"
	HeaderWebhookAPIVersion  = "X-Shopify-API-Version"
)

// ReadWebhookHeaders reads a delivery's headers through get, such as an
// http.Header's Get.
func ReadWebhookHeaders(get func(name string) string) WebhookHeaders {
	h := WebhookHeaders{
		WebhookID:  strings.TrimSpace(get(HeaderWebhookID)),
		EventID:    strings.TrimSpace(get(HeaderWebhookEventID)),
		ShopDomain: strings.TrimSpace(get(HeaderWebhookShopDomain)),
		APIVersion: strings.TrimSpace(get(HeaderWebhookAPIVersion)),
	}
	// Shopify sends the time with nanoseconds and a Z, e.g.
	// 2026-11-26T12:00:00.123456789Z; RFC 3339 parsing takes both forms.
	if t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(get(HeaderWebhookTriggeredAt))); err == nil {
		h.TriggeredAt = t
	}
	return h
}

// VerifyWebhookHMAC reports whether header, the X-Shopify-Hmac-Sha256 of a
// delivery, is the base64 HMAC-SHA256 of the raw body keyed with secret (the
// app's client secret, or the webhook secret of an app made in the Shopify
// admin before 2026). The comparison takes the same time wherever the first
// difference is. An empty secret or header never verifies.
func VerifyWebhookHMAC(secret string, body []byte, header string) bool {
	if secret == "" || header == "" {
		return false
	}
	got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(header))
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}
