package returns

import (
	"context"
	"errors"
	"fmt"
)

// Shopify's compliance webhooks: a customer's data to erase or to hand over,
// and the shop's to erase after the app was uninstalled.

// Redactor erases what the portal holds about customers, for the compliance
// webhooks; *RedactionService is one.
type Redactor interface {
	// RedactCustomer erases what the portal holds about the customer with
	// email, and on the orders orderIDs, and reports how many returns it
	// changed.
	RedactCustomer(ctx context.Context, email string, orderIDs []string, source string) (int, error)
	// RedactShop erases what the portal holds about every customer of the
	// shop and reports how many returns it changed.
	RedactShop(ctx context.Context, source string) (int, error)
}

// ReturnSearch finds returns as staff search the queue.
type ReturnSearch interface {
	// Queue returns the returns matching f, newest first.
	Queue(ctx context.Context, f QueueFilter) ([]Return, error)
}

// errNoRedactor keeps a compliance request pending until a redaction
// service is given.
var errNoRedactor = errors.New("no redaction service is wired: the request waits in the inbox")

// applyRedact passes a compliance request to erase customers' data on to
// the redaction service. The inbox's copies of the deliveries applied so far
// (orders/updated carries the customer's email, a compliance request names
// them) are emptied too, and so is the request's own once it is recorded:
// they were kept only to look into, and an erasure leaves nothing behind that
// is kept for that.
func (s *ShopEventService) applyRedact(ctx context.Context, w *InboxWebhook, rq *ShopRedact, out *WebhookOutcome) error {
	if s.redactor == nil {
		return errNoRedactor
	}
	source := "Shopify " + w.Topic + " webhook " + w.WebhookID
	var n int
	var err error
	if w.Topic == TopicShopRedact {
		n, err = s.redactor.RedactShop(ctx, source)
	} else {
		n, err = s.redactor.RedactCustomer(ctx, rq.CustomerEmail, rq.OrderIDs, source)
	}
	if ErrorCode(err) == EINVALID {
		// Neither an address nor an order to erase by: there is nothing the
		// portal could find of the customer, now or later.
		return cannotApply{fmt.Errorf("%s: %w", w.Topic, err)}
	}
	if err != nil {
		return fmt.Errorf("%s: %w", w.Topic, err)
	}
	if _, err := s.inbox.ForgetWebhookBodies(ctx); err != nil {
		return fmt.Errorf("%s: empty the inbox's copies: %w", w.Topic, err)
	}
	out.ForgetBody = true
	s.log.Info("compliance request honoured", "topic", w.Topic, "webhook", w.WebhookID, "returns", n)
	return nil
}

// applyDataRequest passes a customer's request for their data to staff, who
// have 30 days to answer it, and records it on the customer's returns.
func (s *ShopEventService) applyDataRequest(ctx context.Context, w *InboxWebhook, rq *ShopRedact) error {
	var found []Return
	seen := map[int64]bool{}
	add := func(rs []Return) {
		for _, r := range rs {
			if !seen[r.ID] {
				seen[r.ID] = true
				found = append(found, r)
			}
		}
	}
	names := map[string]string{}
	for _, id := range rq.OrderIDs {
		rs, err := s.returns.ReturnsByOrder(ctx, id)
		if err != nil {
			return fmt.Errorf("read returns of order: %w", err)
		}
		for _, r := range rs {
			names[id] = r.OrderName
		}
		add(rs)
	}
	if email := NormalizeEmail(rq.CustomerEmail); email != "" {
		rs, err := s.search.Queue(ctx, QueueFilter{Query: email, Limit: 500})
		if err != nil {
			return fmt.Errorf("find the customer's returns: %w", err)
		}
		add(rs)
	}

	n := StaffNotice{ShopDomain: rq.ShopDomain, At: w.OccurredAt, CustomerEmail: rq.CustomerEmail, DataRequestID: rq.DataRequestID}
	for _, id := range rq.OrderIDs {
		if name := names[id]; name != "" {
			n.Orders = append(n.Orders, name)
		} else {
			n.Orders = append(n.Orders, id+" (no return in the portal)")
		}
	}
	for _, r := range found {
		n.ReturnCodes = append(n.ReturnCodes, r.Code+" (order "+r.OrderName+")")
	}
	key := "data-request:" + w.WebhookID
	if rq.DataRequestID != "" {
		key = "data-request:" + rq.DataRequestID
	}
	email, err := s.mailer.StaffNotice(ctx, EmailStaffDataRequest, key, n)
	if err != nil {
		return err
	}
	msg := dataRequestMessage(rq.DataRequestID, email != nil)
	var evs []Event
	for _, r := range found {
		evs = append(evs, Event{ReturnID: r.ID, At: s.now(), Actor: ActorSystem, Type: EventDataRequest}.says(msg))
	}
	created, err := s.notices.QueueStaffNotice(ctx, email, evs)
	if err != nil {
		return err
	}
	s.log.Info("customer data request received", "webhook", w.WebhookID, "request", rq.DataRequestID, "returns", len(found))
	if email == nil {
		s.log.Warn("no staff email address is set: a customer's data request is only on their returns' timelines and in this log", "request", rq.DataRequestID)
	} else if created {
		s.mailer.Queued([]OutboxMessage{*email})
	}
	return nil
}

// dataRequestMessage is the timeline's word on a customer's data request:
// whole sentences, one for each case, so that each translates as a whole.
func dataRequestMessage(requestID string, staffEmailed bool) Message {
	switch {
	case requestID != "" && staffEmailed:
		return Msg("Shopify passed on the customer’s request for the data the portal holds about them (data request %s); staff were emailed to answer it within 30 days.", requestID)
	case requestID != "":
		return Msg("Shopify passed on the customer’s request for the data the portal holds about them (data request %s); answer it within 30 days.", requestID)
	case staffEmailed:
		return Msg("Shopify passed on the customer’s request for the data the portal holds about them; staff were emailed to answer it within 30 days.")
	}
	return Msg("Shopify passed on the customer’s request for the data the portal holds about them; answer it within 30 days.")
}
