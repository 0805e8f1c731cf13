package returns

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// WithdrawalLogProblem is what first does not hold in the withdrawal log:
// an entry missing, not following the entry before it, or changed after it
// was written (Seq names it); or something of a withdrawal that the
// database holds but the log does not (ReturnCode and Kind name it, Ref
// which one when a withdrawal can have several, e.g. the refund's id).
type WithdrawalLogProblem struct {
	Seq    int64
	Reason string

	ReturnCode string
	Kind       string // an entry's kind: statement, acknowledgement, refund, parcel, received
	Ref        string
}

// The reasons a WithdrawalLogProblem gives.
const (
	LogEntryMissing   = "missing"
	LogEntryUnchained = "does not follow the entry before it"
	LogEntryChanged   = "was changed after it was written"
	// LogEntryUnkeyed: the entry's hash is not keyed (format 1), so it
	// does not show the entry unchanged.
	LogEntryUnkeyed = "is not keyed: its hash was made without the log's key, so it does not show the entry unchanged"
	// LogEntryUnlogged: the database holds a withdrawal's statement,
	// acknowledgement sent, succeeded refund, parcel or receipt that has
	// no entry in the log: an entry was deleted (the last ones leave no
	// gap in the chain) or never written.
	LogEntryUnlogged = "is not in the log"
)

func (p *WithdrawalLogProblem) Error() string {
	if p.Reason == LogEntryUnlogged {
		what := p.Kind
		if p.Ref != "" {
			what += " " + p.Ref
		}
		return fmt.Sprintf("withdrawal log: the %s of withdrawal %s is in the database but not in the log (its entry was deleted or never written)", what, p.ReturnCode)
	}
	return fmt.Sprintf("withdrawal log entry %d: %s", p.Seq, p.Reason)
}

// WithdrawalRecordStore reads what a withdrawal's record holds beside the
// return itself: the log and the acknowledgement's email as kept.
type WithdrawalRecordStore interface {
	// WithdrawalLog returns the log's entries of the withdrawal code in
	// order.
	WithdrawalLog(ctx context.Context, code string) ([]WithdrawalLogEntry, error)
	// VerifyWithdrawalLog checks the whole log's chain; it returns the
	// number of good entries, and a *WithdrawalLogProblem naming the first
	// bad one.
	VerifyWithdrawalLog(ctx context.Context) (int64, error)
	// ReturnEmails returns the outbox messages of kind about return
	// returnID, oldest first, as kept (a sent one without its link's token).
	ReturnEmails(ctx context.Context, returnID int64, kind EmailKind) ([]OutboxMessage, error)
}

// WithdrawalRecord is a withdrawal's record as staff export it to answer a
// complaint: the store, the statement, its acknowledgement, the refund clock
// and the refunds, the goods coming back, and the log's entries with whether
// the whole chain verifies now.
type WithdrawalRecord struct {
	// Store is the store's identity, whose zone (never nil) every time of
	// the record is told in; Address the return address the customer was
	// told, in the return's language.
	Store   StoreIdentity
	Address string
	// View is the return as staff see it: its statement, refunds, timeline,
	// refund deadline and, when known, the amount due.
	View *StaffReturn
	// Acknowledgements are the acknowledgement's emails of the statement,
	// oldest first, as kept: a sent one without its link's access token.
	Acknowledgements []OutboxMessage
	// ReceivedAt is when staff marked the goods received; zero while they
	// have not.
	ReceivedAt time.Time
	// Log is the log's entries of this withdrawal. LogChecked is the number
	// of entries of the whole log that verified, and LogProblem the first
	// one that did not (nil when the whole chain verifies).
	Log        []WithdrawalLogEntry
	LogChecked int64
	LogProblem *WithdrawalLogProblem
	// ExportedAt is when the record was made.
	ExportedAt time.Time
}

// Return is the withdrawal's return.
func (rec *WithdrawalRecord) Return() *Return { return rec.View.Return }

// LogVerifies reports whether the whole log's chain verified when the
// record was made.
func (rec *WithdrawalRecord) LogVerifies() bool { return rec.LogProblem == nil }

// ErrNotWithdrawal is the answer for the record of a return that is not a
// withdrawal: as for a return that does not exist, there is no such record.
var ErrNotWithdrawal = Errorf(ENOTFOUND, "This return is not a withdrawal: it has no withdrawal record.")

// WithdrawalRecord returns the record of the withdrawal code, or
// ErrNotWithdrawal for a return that is not one. The record is read as it
// stands now, the log's chain verified whole.
func (s *BackofficeService) WithdrawalRecord(ctx context.Context, code string) (*WithdrawalRecord, error) {
	if s.records == nil {
		return nil, ErrNotWithdrawal
	}
	r, err := returnByCode(ctx, s.returns, code)
	if err != nil {
		return nil, err
	}
	if r.Withdrawal == nil {
		return nil, ErrNotWithdrawal
	}
	v, err := s.StaffReturnView(ctx, r.Code)
	if err != nil {
		return nil, err
	}
	r = v.Return
	rec := &WithdrawalRecord{View: v, ExportedAt: s.now()}
	if s.store != nil {
		rec.Store = s.store.StoreIdentity(ctx)
	}
	rec.Store.Location = storeZone(ctx, s.zone)
	rec.Store.TimeZone = rec.Store.Location.String()
	st := DefaultSettings()
	if s.settings != nil {
		if st, err = s.settings.Settings(ctx); err != nil {
			return nil, fmt.Errorf("read settings for the record of %s: %w", r.Code, err)
		}
	}
	rec.Address = st.Address(r.Locale)
	if rec.Acknowledgements, err = s.records.ReturnEmails(ctx, r.ID, EmailWithdrawalAcknowledged); err != nil {
		return nil, fmt.Errorf("read the acknowledgement of %s: %w", r.Code, err)
	}
	for _, ev := range v.Events {
		if ev.Type == EventItemReceived {
			rec.ReceivedAt = ev.At
			break
		}
	}
	if rec.Log, err = s.records.WithdrawalLog(ctx, r.Code); err != nil {
		return nil, fmt.Errorf("read the log of %s: %w", r.Code, err)
	}
	rec.LogChecked, err = s.records.VerifyWithdrawalLog(ctx)
	var problem *WithdrawalLogProblem
	switch {
	case errors.As(err, &problem):
		rec.LogProblem = problem
	case err != nil:
		return nil, fmt.Errorf("verify the withdrawal log for %s: %w", r.Code, err)
	}
	return rec, nil
}

// WithdrawalRecordFormat names the JSON export's format and its version.
const WithdrawalRecordFormat = "returns-portal/withdrawal-record/1"

// withdrawalRecordJSON is the JSON export of a withdrawal's record
// (docs/SECURITY.md, "The withdrawal record's export"). Times are RFC 3339
// in the store's zone, days "YYYY-MM-DD" in it, amounts "58.00 EUR".
type withdrawalRecordJSON struct {
	Format          string               `json:"format"`
	ExportedAt      string               `json:"exported_at"`
	Store           recordStoreJSON      `json:"store"`
	Return          recordReturnJSON     `json:"return"`
	Statement       recordStatementJSON  `json:"statement"`
	Acknowledgement []recordEmailJSON    `json:"acknowledgements"`
	RefundDeadline  string               `json:"refund_deadline"`
	AmountDue       *recordAmountDueJSON `json:"amount_due"`
	Refunds         []recordRefundJSON   `json:"refunds"`
	Parcel          *recordParcelJSON    `json:"parcel"`
	ReceivedAt      string               `json:"received_at"`
	Log             recordLogJSON        `json:"log"`
}

type recordStoreJSON struct {
	Name     string `json:"name"`
	Address  string `json:"address"`
	TimeZone string `json:"time_zone"`
}

type recordReturnJSON struct {
	Code   string `json:"code"`
	Order  string `json:"order"`
	Status string `json:"status"`
}

type recordStatementJSON struct {
	Name    string           `json:"name"`
	Email   string           `json:"email"`
	Order   string           `json:"order"`
	Items   []recordItemJSON `json:"items"`
	Reason  string           `json:"reason"`
	Channel string           `json:"channel"`
	MadeAt  string           `json:"made_at"`
}

type recordItemJSON struct {
	LineItem  string `json:"line_item"`
	Title     string `json:"title"`
	Quantity  int    `json:"quantity"`
	UnitPrice string `json:"unit_price"`
}

type recordEmailJSON struct {
	To        string `json:"to"`
	Subject   string `json:"subject"`
	MessageID string `json:"message_id"`
	Status    string `json:"status"`
	QueuedAt  string `json:"queued_at"`
	SentAt    string `json:"sent_at"`
	Text      string `json:"text"`
}

type recordAmountDueJSON struct {
	Items    string `json:"items"`
	Delivery string `json:"delivery"`
	Total    string `json:"total"`
}

type recordRefundJSON struct {
	ID        int64  `json:"id"`
	At        string `json:"at"`
	Amount    string `json:"amount"`
	Delivery  string `json:"delivery"`
	ShopifyID string `json:"shopify_id"`
	State     string `json:"state"`
}

type recordParcelJSON struct {
	Carrier string `json:"carrier"`
	Number  string `json:"number"`
	SentAt  string `json:"sent_at"`
}

type recordLogJSON struct {
	Verifies   bool   `json:"verifies"`
	Checked    int64  `json:"entries_checked"`
	ProblemSeq int64  `json:"problem_seq,omitempty"`
	Problem    string `json:"problem,omitempty"`
	// ProblemReturn, ProblemKind and ProblemRef name what the database
	// holds of a withdrawal and the log does not.
	ProblemReturn string               `json:"problem_return,omitempty"`
	ProblemKind   string               `json:"problem_kind,omitempty"`
	ProblemRef    string               `json:"problem_ref,omitempty"`
	Entries       []recordLogEntryJSON `json:"entries"`
}

// recordLogEntryJSON is one log entry with every field its hash is made of,
// as stored: AtMillis is the time the hash covers.
type recordLogEntryJSON struct {
	Seq        int64  `json:"seq"`
	V          int    `json:"v"`
	AtMillis   int64  `json:"at_ms"`
	At         string `json:"at"`
	ReturnCode string `json:"return_code"`
	Kind       string `json:"kind"`
	Payload    string `json:"payload"`
	PrevHash   string `json:"prev_hash"`
	Hash       string `json:"hash"`
}

// JSON returns the record as the JSON an authority can read and recompute
// the log's hashes from.
func (rec *WithdrawalRecord) JSON() ([]byte, error) {
	zone := rec.Store.Location
	if zone == nil {
		zone = time.UTC
	}
	at := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(zone).Format(time.RFC3339)
	}
	r, v := rec.Return(), rec.View
	w := r.Withdrawal
	out := withdrawalRecordJSON{
		Format:     WithdrawalRecordFormat,
		ExportedAt: at(rec.ExportedAt),
		Store:      recordStoreJSON{Name: rec.Store.Name, Address: rec.Address, TimeZone: zone.String()},
		Return:     recordReturnJSON{Code: r.Code, Order: r.OrderName, Status: string(r.Status)},
		Statement: recordStatementJSON{
			Name: w.Name, Email: w.Email, Order: r.OrderName, Reason: w.Reason, Channel: string(w.Channel), MadeAt: at(w.MadeAt),
			Items: []recordItemJSON{},
		},
		Acknowledgement: []recordEmailJSON{},
		RefundDeadline:  r.WithdrawalRefundDeadline(zone).Format(time.DateOnly),
		Refunds:         []recordRefundJSON{},
		ReceivedAt:      at(rec.ReceivedAt),
		Log:             recordLogJSON{Verifies: rec.LogVerifies(), Checked: rec.LogChecked, Entries: []recordLogEntryJSON{}},
	}
	for _, it := range r.Items {
		out.Statement.Items = append(out.Statement.Items, recordItemJSON{LineItem: it.LineItemID, Title: it.Name(), Quantity: it.Quantity, UnitPrice: it.UnitPrice.String()})
	}
	for _, m := range rec.Acknowledgements {
		out.Acknowledgement = append(out.Acknowledgement, recordEmailJSON{
			To: m.To, Subject: m.Subject, MessageID: m.MessageID, Status: string(m.Status),
			QueuedAt: at(m.CreatedAt), SentAt: at(m.SentAt), Text: m.Text,
		})
	}
	if sw := v.Withdrawal; sw != nil && sw.Known {
		out.AmountDue = &recordAmountDueJSON{Items: sw.Items.String(), Delivery: sw.Delivery.Due.String(), Total: sw.Due.String()}
	}
	for _, ref := range v.Refunds {
		out.Refunds = append(out.Refunds, recordRefundJSON{
			ID: ref.ID, At: at(ref.CreatedAt), Amount: ref.Amount.String(), Delivery: Money{Minor: ref.Shipping.Minor, Currency: ref.Amount.Currency}.String(),
			ShopifyID: ref.ShopifyID, State: string(ref.State),
		})
	}
	if p := r.Parcel; p != nil {
		out.Parcel = &recordParcelJSON{Carrier: p.CarrierName, Number: p.Number, SentAt: at(p.SentAt)}
	}
	if p := rec.LogProblem; p != nil {
		out.Log.ProblemSeq, out.Log.Problem = p.Seq, p.Reason
		out.Log.ProblemReturn, out.Log.ProblemKind, out.Log.ProblemRef = p.ReturnCode, p.Kind, p.Ref
	}
	for _, e := range rec.Log {
		out.Log.Entries = append(out.Log.Entries, recordLogEntryJSON{
			Seq: e.Seq, V: e.V, AtMillis: e.At.UnixMilli(), At: at(e.At), ReturnCode: e.ReturnCode, Kind: e.Kind,
			Payload: e.Payload, PrevHash: e.PrevHash, Hash: e.Hash,
		})
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("write the record of %s as JSON: %w", r.Code, err)
	}
	return append(b, '\n'), nil
}
