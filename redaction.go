package returns

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
)

// RedactedEmail takes the place of a customer's address on a return whose
// personal data was erased. The .invalid top-level domain is reserved (RFC
// 2606) and never delivers; the mailer, the mail worker and the outbox's
// requeue refuse it as well, so no email is ever sent to it.
const RedactedEmail = "redacted@invalid"

// Timeline events of the privacy work.
const (
	// EventPersonalDataErased: the customer's personal data was erased from the
	// return. Message: "Personal data erased (source)", nothing personal.
	EventPersonalDataErased EventType = "personal_data_erased"
	// EventPhotosDeleted: the return's photos were deleted by the retention
	// setting. Message: "Photos deleted after N days".
	EventPhotosDeleted EventType = "photos_deleted"
)

// messagesKeptOnErasure are the event types whose messages are kept when a
// return's personal data is erased: an amount, Shopify's refusal of a refund or
// of a write-back, and the privacy work's own entries, none of which carries
// anything a person typed about the customer. Every other message is erased:
// staff's word to the customer with an approval, a decline's reason, internal
// notes (which often quote the customer, and which no program can check for
// names, phone numbers or addresses), a replacement's tracking number (it
// leads to the customer's address at the carrier), the lines written to the
// Shopify order (they repeat the reason and the tracking number), and any type
// added later, until someone decides it is safe to keep. An automatic
// approval's message names the staff's rule, nothing about the customer.
var messagesKeptOnErasure = []EventType{
	EventRefunded, EventRefundFailed, EventRefundUnknown, EventShopifyDeferred,
	EventPersonalDataErased, EventPhotosDeleted, EventAutoApproved,
}

// ErasesMessage reports whether erasing a return's personal data erases the
// message of an event of type t.
func ErasesMessage(t EventType) bool { return !slices.Contains(messagesKeptOnErasure, t) }

// Erasure is one batch of returns whose personal data a store erases. Erasing a
// return, in one transaction with its event:
//   - its email becomes RedactedEmail and its note (the customer's words) is
//     emptied; it is stamped with At, so it is never erased twice;
//   - its photos are deleted, rows and data;
//   - the messages of its events not of a type in KeepMessages are emptied,
//     and the note lines of its write-backs (done or pending: after an
//     erasure nothing personal leaves the portal, Shopify included; the tags
//     still go);
//   - its replacement shipments lose their tracking numbers and links (the
//     carrier and the date stay);
//   - its link tokens are deleted, so no link in an old email opens it;
//   - its queued emails are deleted, and the kept copies of the others (sent,
//     failed, dead, unsent) lose their addresses, subjects, bodies and errors;
//   - Event is appended to its timeline.
//
// Besides the returns, the customer's one-time links to orders (by Email or
// OrderIDs; every link with All) are deleted, and the access-link emails to
// that address treated as a return's. Codes, statuses, items, amounts, the
// refund ledger and the dates stay: the store's books need them.
type Erasure struct {
	// Email selects the returns of a customer's address, compared without
	// regard to ASCII case; "" selects none by address.
	Email string
	// OrderIDs select the returns of these orders too (Shopify's
	// orders_to_redact), whatever their address.
	OrderIDs []string
	// All selects every return, and every link and email (shop/redact).
	All bool
	// After is the keyset cursor: only returns with a greater ID are erased.
	After int64
	// Limit bounds the returns erased by one call.
	Limit int
	// At is when the erasure happens.
	At time.Time
	// Event is appended to the timeline of each return erased (the store
	// fills its ReturnID).
	Event Event
	// KeepMessages are the event types whose messages stay (ErasesMessage is
	// false for them); the messages of every other type are emptied.
	KeepMessages []EventType
}

// ErasedReturn names a return whose personal data was erased.
type ErasedReturn struct {
	ID      int64
	Code    string
	OrderID string
}

// ErasureStore erases the personal data the portal keeps.
type ErasureStore interface {
	// ErasePersonalData erases, as Erasure says, up to e.Limit returns not
	// erased yet, in ID order after e.After, in one transaction, and returns
	// them in ID order. Fewer than e.Limit means no more are left.
	ErasePersonalData(ctx context.Context, e Erasure) ([]ErasedReturn, error)
}

// eraseBatch is how many returns one transaction erases: a return can hold
// five photos of some megabytes, and the writer must not be held for long
// while customers submit returns.
const eraseBatch = 20

// RedactionService erases customers' personal data from their returns, on
// Shopify's compliance webhooks (customers/redact, shop/redact) and on the
// `returns-portal redact` command for requests that reach the merchant
// directly.
type RedactionService struct {
	store  ErasureStore
	orders *OrderCache // nil when the caller keeps no orders (the command)
	now    func() time.Time
	log    *slog.Logger
}

// NewRedactionService returns a RedactionService. orders, the cache the other
// services keep orders from Shopify in, loses the orders of returns erased;
// nil for none.
func NewRedactionService(store ErasureStore, orders *OrderCache, now func() time.Time, log *slog.Logger) *RedactionService {
	return &RedactionService{store: store, orders: orders, now: now, log: log}
}

// RedactCustomer erases the personal data of a customer from every return of
// their email address (compared without regard to case) and of the orders
// orderIDs (Shopify order GIDs; a bare number is taken as the order's ID, as
// the webhook's payload gives it), and their one-time links and emails; source
// says who asked, for the timeline (e.g. "Shopify customers/redact"). It
// returns how many returns were erased; a second call for the same customer
// erases none and changes nothing. A malformed address, or neither an address
// nor an order, answers EINVALID and erases nothing.
func (s *RedactionService) RedactCustomer(ctx context.Context, email string, orderIDs []string, source string) (int, error) {
	erased, err := s.RedactCustomerReturns(ctx, email, orderIDs, source)
	return len(erased), err
}

// RedactCustomerReturns is RedactCustomer that returns the returns erased, in
// the order they were made.
func (s *RedactionService) RedactCustomerReturns(ctx context.Context, email string, orderIDs []string, source string) ([]ErasedReturn, error) {
	e := Erasure{}
	if strings.TrimSpace(email) != "" {
		if e.Email = NormalizeEmail(email); e.Email == "" {
			return nil, Errorf(EINVALID, "%q is not a valid email address.", email)
		}
		if e.Email == RedactedEmail {
			return nil, Errorf(EINVALID, "%q is not a customer’s address.", email)
		}
	}
	for _, id := range orderIDs {
		if id = strings.TrimSpace(id); id == "" {
			continue
		}
		// Shopify's payload names orders by number (orders_to_redact: [299938]);
		// the portal keeps their GIDs.
		if strings.Trim(id, "0123456789") == "" {
			id = "gid://shopify/Order/" + id
		}
		e.OrderIDs = append(e.OrderIDs, id)
	}
	if e.Email == "" && len(e.OrderIDs) == 0 {
		return nil, Errorf(EINVALID, "Give the customer’s email address or their orders.")
	}
	erased, err := s.erase(ctx, e, source)
	for _, r := range erased {
		s.dropOrder(r.OrderID)
	}
	if err != nil {
		return erased, err
	}
	// The cached orders of orderIDs hold the customer's address too, whether
	// or not they had returns.
	for _, id := range e.OrderIDs {
		s.dropOrder(id)
	}
	s.log.Info("personal data erased", "returns", len(erased), "orders", len(e.OrderIDs), "source", source)
	return erased, nil
}

// RedactShop erases the personal data of every return, one-time link and
// email, as RedactCustomer does for one customer: Shopify asks for it 48 hours
// after the app was uninstalled (shop/redact). The store's books stay (codes,
// statuses, items, amounts, the refund ledger), and so do the staff accounts,
// their sessions and the settings, which are the merchant's and not a
// customer's. It returns how many returns were erased.
func (s *RedactionService) RedactShop(ctx context.Context, source string) (int, error) {
	erased, err := s.erase(ctx, Erasure{All: true}, source)
	if s.orders != nil {
		s.orders.clear()
	}
	if err != nil {
		return len(erased), err
	}
	s.log.Info("personal data of the shop's customers erased", "returns", len(erased), "source", source)
	return len(erased), nil
}

// erase runs e in batches of eraseBatch returns, each its own transaction,
// until none is left, and returns what it erased, also when a batch failed.
func (s *RedactionService) erase(ctx context.Context, e Erasure, source string) ([]ErasedReturn, error) {
	source = strings.TrimSpace(source)
	if source == "" || checkText(source, 100) != nil {
		return nil, fmt.Errorf("erase personal data: the source %q is no name of who asked", source)
	}
	e.Limit = eraseBatch
	e.KeepMessages = slices.Clone(messagesKeptOnErasure)
	var erased []ErasedReturn
	for {
		e.At = s.now()
		e.Event = Event{At: e.At, Actor: ActorSystem, Type: EventPersonalDataErased}.says(Msg("Personal data erased (%s)", source))
		batch, err := s.store.ErasePersonalData(ctx, e)
		erased = append(erased, batch...)
		if err != nil {
			return erased, fmt.Errorf("erase personal data: %w", err)
		}
		if len(batch) < e.Limit {
			return erased, nil
		}
		e.After = batch[len(batch)-1].ID
	}
}

func (s *RedactionService) dropOrder(id string) {
	if s.orders != nil {
		s.orders.drop(id)
	}
}
