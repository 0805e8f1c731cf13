package shopify

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/returnsportal/returns"
)

var (
	//go:embed webhook_subscriptions.graphql
	webhookSubscriptionsOperation string
	//go:embed create_webhook_subscription.graphql
	createWebhookSubscriptionOperation string
)

// EnsureWebhooks makes sure the app is subscribed to each of topics (names
// such as "refunds/create") at uri, in JSON: it lists the subscriptions of
// those topics first and creates only the missing ones, so a restart makes no
// duplicates. A subscription of one of the topics at another address is
// reported in Elsewhere and left alone. Compliance topics cannot be
// subscribed to through the API (they are declared in the app's
// configuration) and are refused with EINVALID.
//
// On an error, the setup returned holds what was found and made before it.
func (c *Client) EnsureWebhooks(ctx context.Context, uri string, topics []string) (*returns.WebhookSetup, error) {
	setup := &returns.WebhookSetup{}
	uri = strings.TrimSpace(uri)
	if uri == "" {
		return setup, returns.Errorf(returns.EINVALID, "The address for Shopify’s webhooks is empty.")
	}
	topics = sortedTopics(topics)
	var enums []string
	for _, t := range topics {
		if returns.ComplianceTopic(t) {
			return setup, returns.Errorf(returns.EINVALID, "%s is a compliance topic: declare it in the app’s configuration, not through the API.", t)
		}
		enums = append(enums, topicEnum(t))
	}
	if len(enums) == 0 {
		return setup, nil
	}

	existing, err := c.webhookSubscriptions(ctx, enums)
	if err != nil {
		return setup, err
	}
	for _, t := range topics {
		found := false
		for _, sub := range existing {
			if sub.Topic != t {
				continue
			}
			if sub.URI == uri {
				setup.Existing = append(setup.Existing, sub)
				found = true
			} else {
				setup.Elsewhere = append(setup.Elsewhere, sub)
			}
		}
		if found {
			continue
		}
		sub, refused, err := c.createWebhookSubscription(ctx, t, uri)
		if err != nil {
			return setup, err
		}
		if refused == nil {
			setup.Created = append(setup.Created, *sub)
			continue
		}
		// Refused. Another instance of the portal starting at the same
		// time may have made it meanwhile: then it is there now.
		again, err := c.webhookSubscriptions(ctx, []string{topicEnum(t)})
		if err != nil {
			return setup, err
		}
		if i := slices.IndexFunc(again, func(s returns.ShopWebhook) bool { return s.URI == uri }); i >= 0 {
			setup.Existing = append(setup.Existing, again[i])
			continue
		}
		return setup, fmt.Errorf("shopify CreateWebhookSubscription %s: %w", t, refused)
	}
	return setup, nil
}

// webhookSubscriptions lists the app's subscriptions of the topics (enum
// values).
func (c *Client) webhookSubscriptions(ctx context.Context, enums []string) ([]returns.ShopWebhook, error) {
	resp, err := call[webhookSubscriptionsResponse](ctx, c, "WebhookSubscriptions", webhookSubscriptionsOperation,
		map[string]any{"topics": enums})
	if err != nil {
		return nil, err
	}
	if resp.WebhookSubscriptions.PageInfo.HasNextPage {
		// A hundred subscriptions of the portal's few topics would be a
		// leak elsewhere; the first hundred are enough to find the portal's.
		c.log.WarnContext(ctx, "shopify app has more than 100 webhook subscriptions of the portal's topics")
	}
	var out []returns.ShopWebhook
	for _, n := range resp.WebhookSubscriptions.Nodes {
		out = append(out, n.shopWebhook())
	}
	return out, nil
}

// createWebhookSubscription subscribes uri to topic. Shopify's refusal
// (userErrors) is refused, an error that quotes it for staff; err is a
// failure to get an answer.
func (c *Client) createWebhookSubscription(ctx context.Context, topic, uri string) (sub *returns.ShopWebhook, refused, err error) {
	resp, err := call[createWebhookSubscriptionResponse](ctx, c, "CreateWebhookSubscription", createWebhookSubscriptionOperation,
		map[string]any{"topic": topicEnum(topic), "uri": uri})
	if err != nil {
		return nil, nil, err
	}
	p := resp.WebhookSubscriptionCreate
	if p == nil {
		return nil, nil, errors.New("shopify CreateWebhookSubscription: no payload in the answer")
	}
	if len(p.UserErrors) > 0 {
		var msgs []string
		for _, e := range p.UserErrors {
			msgs = append(msgs, strings.TrimSpace(e.Message))
		}
		return nil, returns.Errorf(returns.EUNAVAILABLE, "Shopify refused to subscribe the portal to %s at %s: %s", topic, uri, strings.Join(msgs, "; ")), nil
	}
	if p.WebhookSubscription == nil {
		return nil, nil, errors.New("shopify CreateWebhookSubscription: neither a subscription nor userErrors in the answer")
	}
	s := p.WebhookSubscription.shopWebhook()
	return &s, nil, nil
}

type webhookSubscriptionsResponse struct {
	WebhookSubscriptions subscriptionList `json:"webhookSubscriptions"`
}

type createWebhookSubscriptionResponse struct {
	WebhookSubscriptionCreate *struct {
		WebhookSubscription *subscriptionNode `json:"webhookSubscription"`
		UserErrors          []userError       `json:"userErrors"`
	} `json:"webhookSubscriptionCreate"`
}

// subscriptionList is a page of webhookSubscriptions.
type subscriptionList struct {
	Nodes    []subscriptionNode `json:"nodes"`
	PageInfo pageInfo           `json:"pageInfo"`
}

type subscriptionNode struct {
	ID    string `json:"id"`
	Topic string `json:"topic"` // the enum, e.g. REFUNDS_CREATE
	URI   string `json:"uri"`
}

func (n subscriptionNode) shopWebhook() returns.ShopWebhook {
	return returns.ShopWebhook{ID: n.ID, Topic: topicName(n.Topic), URI: n.URI}
}

// topicNames are the webhook topics whose names the adapter knows, by their
// WebhookSubscriptionTopic value: a name turns into its value by upper case
// and "_" for "/", but not back, since resource names hold "_" too.
var topicNames = map[string]string{}

func init() {
	for _, name := range []string{
		returns.TopicRefundsCreate, returns.TopicOrdersUpdated, returns.TopicAppUninstalled,
		"orders/create", "orders/cancelled", "orders/paid", "orders/fulfilled", "orders/edited", "orders/delete",
		"returns/request", "returns/approve", "returns/decline", "returns/process", "returns/close",
		"returns/reopen", "returns/cancel", "returns/update", "fulfillments/create", "fulfillments/update",
		"reverse_deliveries/attach_deliverable", "reverse_fulfillment_orders/dispose",
	} {
		topicNames[topicEnum(name)] = name
	}
}

// topicName returns the name of a WebhookSubscriptionTopic value, or the
// value itself for a topic the adapter does not know.
func topicName(enum string) string {
	if name, ok := topicNames[enum]; ok {
		return name
	}
	return enum
}

// topicEnum returns the WebhookSubscriptionTopic value of a topic name,
// e.g. REFUNDS_CREATE for refunds/create.
func topicEnum(name string) string {
	out := []byte(name)
	for i, b := range out {
		switch {
		case b == '/':
			out[i] = '_'
		case 'a' <= b && b <= 'z':
			out[i] = b - 'a' + 'A'
		}
	}
	return string(out)
}

// sortedTopics returns topics without repeats, in order.
func sortedTopics(topics []string) []string {
	out := slices.Clone(topics)
	slices.Sort(out)
	return slices.Compact(out)
}
