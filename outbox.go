package returns

import (
	"context"
	"fmt"
	"time"
)

// EmailKind names an email the portal sends.
type EmailKind string

const (
	EmailRequestReceived    EmailKind = "request_received"
	EmailApproved           EmailKind = "approved"
	EmailDeclined           EmailKind = "declined"
	EmailItemReceived       EmailKind = "item_received"
	EmailRefunded           EmailKind = "refunded"
	EmailReplacementShipped EmailKind = "replacement_shipped"
	EmailCancelled          EmailKind = "cancelled"
	EmailClosed             EmailKind = "closed"
	// EmailStaffNewReturn tells the store's staff address about a new request.
	EmailStaffNewReturn EmailKind = "staff_new_return"
	// EmailAccessLink carries a one-time link to an order; it is about no return.
	EmailAccessLink EmailKind = "access_link"
	// EmailStaffAppUninstalled tells the store's staff address that the app
	// was uninstalled from the shop, so the portal stopped calling Shopify.
	EmailStaffAppUninstalled EmailKind = "staff_app_uninstalled"
	// EmailStaffDataRequest passes a customer's request for their data, as
	// Shopify sends it (customers/data_request), to the store's staff address.
	EmailStaffDataRequest EmailKind = "staff_data_request"
)

// StaffNotice is what a notice to the store's staff about the shop says:
// the app uninstalled, or a customer's data request. It is about no return.
type StaffNotice struct {
	ShopName   string
	ShopDomain string // e.g. "my-store.myshopify.com"
	At         time.Time
	// A data request: the customer, Shopify's id of the request, the orders
	// Shopify names (their names, e.g. "#1001", where the portal knows them,
	// else Shopify's ids) and the codes of the customer's returns in the portal.
	CustomerEmail string
	DataRequestID string
	Orders        []string
	ReturnCodes   []string
}

// EmailData is what an email is made from.
type EmailData struct {
	Kind     EmailKind
	Lang     string // "en" or "lv"; staff emails speak their account's
	Return   *Return
	Settings Settings
	// Store is the store's identity: its name heads and signs the email,
	// with its storefront and contact address; dates are in its time zone.
	// Its zero value leaves the name to the renderer's own, and dates in UTC.
	Store StoreIdentity
	// BaseURL is the portal's public address: the emails' links start with
	// it, so that they work from a mail client.
	BaseURL string
	// StatusToken is the access token that opens the return's status page
	// from a customer's email; "" in an email to staff.
	StatusToken string
	// Message is staff's word with an approval, the reason of a decline, or
	// why a refund is partial.
	Message  string
	Shipment *Shipment
	Amount   Money // the refunded amount
	// Manual is the part of Amount that staff pay back themselves: it went
	// through a manual payment method (cash on delivery, bank transfer).
	Manual Money
	// StoreCredit says Amount was issued as store credit to the customer.
	StoreCredit bool
	// RefundOf is what the returned items were worth when a partial refund
	// was made ("€29.00 of €49.00"); zero for a refund of their worth.
	RefundOf Money
	// AccessLink is the one-time link of an EmailAccessLink, which has no Return.
	AccessLink *AccessLinkEmail
	// Notice is what a staff notice about the shop says (EmailStaffAppUninstalled,
	// EmailStaffDataRequest), which has no Return.
	Notice *StaffNotice
	// AutoApprovalRule names the auto-approval rule that matched a new
	// return, for the staff notice of it; "" when none did.
	AutoApprovalRule string
	// Withdrawal is the refund deadline and the amount due of the
	// withdrawal an EmailStaffWithdrawalDeadline reminds staff of.
	Withdrawal *StaffWithdrawal
}

// Email is a rendered email: both parts and the subject.
type Email struct {
	Subject string
	Text    string
	HTML    string
}

// OutboxStatus is where an outbox message stands.
type OutboxStatus string

const (
	OutboxQueued OutboxStatus = "queued" // waiting to be sent, or to be tried again
	OutboxSent   OutboxStatus = "sent"
	OutboxFailed OutboxStatus = "failed" // refused for good (a 5xx answer): not retried
	OutboxDead   OutboxStatus = "dead"   // temporary failures for longer than OutboxGiveUpAfter
	OutboxUnsent OutboxStatus = "unsent" // kept, not sent: no SMTP server is configured
)

// OutboxGiveUpAfter is how long temporary failures are retried.
const OutboxGiveUpAfter = 48 * time.Hour

// OutboxMessage is an email in the transactional outbox: written in the same
// transaction as the change it tells of, sent later by the mail worker.
type OutboxMessage struct {
	ID int64
	// DedupeKey is unique per return, event and recipient, so a retried request
	// cannot queue an email twice.
	DedupeKey string
	ReturnID  int64
	Kind      EmailKind
	To        string
	ReplyTo   string
	Subject   string
	Text      string
	HTML      string
	// MessageID is made when the message is queued, so a resend after a crash
	// carries the same Message-ID and mail clients can tell it is one message.
	MessageID string
	// LinkTokenHash is the HashToken of the access token in the message's link
	// to the return's status page; it is stored with the message, and the token
	// itself only in the message.
	LinkTokenHash string
	Status        OutboxStatus
	Attempts      int
	LastError     string
	CreatedAt     time.Time
	NextAt        time.Time
	SentAt        time.Time
}

// OutboxStore reads the outbox for staff.
type OutboxStore interface {
	// OutboxMessages returns messages newest first, below the keyset cursor
	// before (0: from the newest), with status when it is not "".
	OutboxMessages(ctx context.Context, status OutboxStatus, before int64, limit int) ([]OutboxMessage, error)
	// OutboxMessage returns one message, or ENOTFOUND.
	OutboxMessage(ctx context.Context, id int64) (*OutboxMessage, error)
	// RequeueOutbox queues a failed, dead or unsent message again, to be sent
	// now; ECONFLICT for one that is queued or sent.
	RequeueOutbox(ctx context.Context, id int64, now time.Time) error
}

// OutboxPage is one page of the backoffice's outbox.
type OutboxPage struct {
	Messages []OutboxMessage
	Next     int64 // the cursor of the next page, 0 on the last
}

// OutboxService shows staff the outbox and sends messages again.
type OutboxService struct {
	store OutboxStore
	now   func() time.Time
}

// NewOutboxService returns an OutboxService.
func NewOutboxService(store OutboxStore, now func() time.Time) *OutboxService {
	return &OutboxService{store: store, now: now}
}

// Outbox returns a page of the outbox for staff.
func (s *OutboxService) Outbox(ctx context.Context, status OutboxStatus, before int64) (*OutboxPage, error) {
	const size = 50
	ms, err := s.store.OutboxMessages(ctx, status, before, size+1)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	p := &OutboxPage{Messages: ms}
	if len(ms) > size {
		p.Messages, p.Next = ms[:size], ms[size-1].ID
	}
	return p, nil
}

// OutboxMessage returns one message of the outbox for staff.
func (s *OutboxService) OutboxMessage(ctx context.Context, id int64) (*OutboxMessage, error) {
	return s.store.OutboxMessage(ctx, id)
}

// RequeueOutbox sends a failed, dead or unsent message again.
func (s *OutboxService) RequeueOutbox(ctx context.Context, id int64) error {
	return s.store.RequeueOutbox(ctx, id, s.now())
}
