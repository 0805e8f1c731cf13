package devshop

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Payments: the gateways of the demo orders, refund transactions that wait
// for their gateway, manual payment methods, customers and store credit.
//
//   - A refund through a gateway that Options.PendingRefundGateways (or
//     SetPendingRefundGateways) names is recorded with its REFUND transaction
//     PENDING, as an asynchronous gateway's is; it holds back what it refunds
//     (nothing can refund that money twice) but is not refunded yet: the
//     order's totalRefundedSet and displayFinancialStatus do not count it.
//     SettleTransaction (POST /_devshop/transactions/{id}/settle) makes it
//     SUCCESS or FAILURE, and Shopify's orders/updated follows. A FAILURE
//     frees the money again and carries errorCode GENERIC_ERROR.
//   - A manual payment method (cash on delivery, bank deposit, money order)
//     moves no money: Shopify records the refund against it as a SUCCESS
//     REFUND transaction whose manualPaymentGateway is true, and the merchant
//     pays the customer back themselves. That the transaction is SUCCESS
//     rather than PENDING is how the admin shows such a refund as done; it is
//     not confirmed by Shopify's documentation (unverified).
//   - Store credit (refundMethods with storeCreditRefund) needs an order with
//     a customer and a shop that can issue store credit (new customer
//     accounts on, which Options.StoreCreditDisabled turns off), as Shopify's
//     changelog of 2025-05-20 says. It is recorded as a REFUND transaction
//     without a parent through the gateway "shopify_store_credit" and adds
//     to the customer's balance; the gateway's name and formatted name are
//     unverified. Store credit never exceeds what is refundable, even with
//     allowOverRefunding, which Shopify documents only for refunds to the
//     original payment methods.
//   - formattedGateway is the gateway's name for people; the names for
//     bogus, shopify_payments, gift_card and the store credit gateway are
//     devshop's (unverified); a manual method's formatted name is its name.

// manualGateways are the manual payment methods Shopify offers, by the name
// their transactions carry as gateway.
var manualGateways = []string{gatewayCashOnDelivery, "Bank Deposit", "Money Order", "manual"}

// formattedGateways are the people's names of the other gateways.
var formattedGateways = map[string]string{
	gatewayBogus:           "Bogus",
	gatewayShopifyPayments: "Shopify Payments",
	gatewayGiftCard:        "Gift card",
	gatewayStoreCredit:     "Store credit",
}

func isManualGateway(gateway string) bool { return slices.Contains(manualGateways, gateway) }

func formattedGateway(gateway string) string {
	if f, ok := formattedGateways[gateway]; ok {
		return f
	}
	return gateway
}

// customer is the customer account of an order.
type customer struct {
	id                  int64
	firstName, lastName string
	email               string
	createdAt           time.Time
}

func (c *customer) typeName() string { return "Customer" }
func (c *customer) gid() string      { return gid("Customer", c.id) }

func (c *customer) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "id":
		return c.gid(), nil
	case "legacyResourceId":
		return strconv.FormatInt(c.id, 10), nil
	case "firstName":
		return nullIfEmpty(c.firstName), nil
	case "lastName":
		return nullIfEmpty(c.lastName), nil
	case "displayName":
		return strings.TrimSpace(c.firstName + " " + c.lastName), nil
	case "email":
		if x.shop.opts.HideEmails {
			return nil, nil // protected customer data the app is not granted
		}
		return nullIfEmpty(c.email), nil
	case "createdAt", "updatedAt":
		return dateTime(c.createdAt), nil
	case "note", "phone", "multipassIdentifier":
		return nil, nil
	case "tags":
		return []string{}, nil
	case "state":
		return "ENABLED", nil
	case "verifiedEmail":
		return true, nil
	case "locale":
		return "en", nil
	}
	return nil, notResolved("Customer", field)
}

// SetPendingRefundGateways makes refunds through the named gateways (e.g.
// "shopify_payments") stay PENDING from now on, until SettleTransaction;
// none keeps every refund immediate.
func (s *Shop) SetPendingRefundGateways(gateways ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pendingGateways = slices.Clone(gateways)
}

// SetStoreCredit turns the shop's ability to issue store credit on or off,
// as a merchant switching new customer accounts does.
func (s *Shop) SetStoreCredit(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.StoreCreditDisabled = !on
}

// refundStatus is the status a new REFUND transaction through gateway
// starts with. The caller holds s.mu.
func (s *Shop) refundStatus(gateway string) string {
	if slices.Contains(s.pendingGateways, gateway) {
		return "PENDING"
	}
	return "SUCCESS"
}

// canIssueStoreCredit says why store credit cannot go to o's customer, or
// "" when it can. The caller holds s.mu.
func (s *Shop) storeCreditRefusal(o *order) string {
	switch {
	case s.opts.StoreCreditDisabled:
		return "Store credit is not available: the shop does not use new customer accounts"
	case o.customer == nil:
		return "Store credit can only be issued to an order with a customer"
	}
	return ""
}

// errNoTransaction is the error of a settlement of a transaction that does
// not exist.
var errNoTransaction = errors.New("no such transaction")

// SettleTransaction settles a pending REFUND transaction, given by GID or
// numeric id, as its gateway finally answers: status "SUCCESS" or "FAILURE".
// Shopify then fires orders/updated. A transaction that is not a pending
// refund is refused.
func (s *Shop) SettleTransaction(id, status string) (TransactionSnapshot, error) {
	if status != "SUCCESS" && status != "FAILURE" {
		return TransactionSnapshot{}, fmt.Errorf("status %q: settle with SUCCESS or FAILURE", status)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.transactionByID(id)
	if t == nil {
		return TransactionSnapshot{}, errNoTransaction
	}
	if t.kind != "REFUND" || t.status != "PENDING" {
		return TransactionSnapshot{}, fmt.Errorf("transaction %s is a %s %s, not a pending refund", t.gid(), t.status, t.kind)
	}
	t.status = status
	t.processedAt = s.now().UTC().Truncate(time.Second)
	o := t.order
	o.updateFinancialStatus()
	s.orderChanged(o)
	return t.snapshot(), nil
}

// transactionByID finds a transaction of any order by GID or numeric id.
// The caller holds s.mu.
func (s *Shop) transactionByID(id string) *transaction {
	n, ok := parseGID("OrderTransaction", id)
	if !ok {
		v, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return nil
		}
		n = v
	}
	for _, o := range s.orders {
		for _, t := range o.transactions {
			if t.id == n {
				return t
			}
		}
	}
	return nil
}

// paymentsForRefund returns o's payments in the order Shopify fills a
// refund from them: gift cards first, then the others in order of payment.
// That a gift card comes first is reported by summaries of Shopify's help
// center, not confirmed on shopify.dev (unverified).
func (o *order) paymentsForRefund() []*transaction {
	var gift, other []*transaction
	for _, t := range o.transactions {
		if !t.isPayment() {
			continue
		}
		if t.gateway == gatewayGiftCard {
			gift = append(gift, t)
		} else {
			other = append(other, t)
		}
	}
	return append(gift, other...)
}

// StoreCredit returns the store credit balance of the customer with the
// given email, in the shop currency (e.g. "10.00"): what refunds to store
// credit gave them.
func (s *Shop) StoreCredit(email string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return money{minor: s.storeCredit[customerID(email)], currency: shopCurrency}.fixed()
}
