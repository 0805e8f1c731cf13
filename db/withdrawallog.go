package db

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"time"

	"github.com/returnsportal/returns"
)

// Kinds of entries of the withdrawal log.
const (
	logStatement       = "statement"
	logAcknowledgement = "acknowledgement" // the acknowledgement's email sent
	logRefund          = "refund"          // a refund of the withdrawal succeeded
	logReceived        = "received"        // staff marked the items received
	logParcel          = "parcel"          // the customer told the parcel sent back
)

// statementEntry is the payload of a statement's entry: its full content.
// Its fields are marshalled in this order, which makes the JSON canonical.
type statementEntry struct {
	Order        string          `json:"order"`
	Name         string          `json:"name"`
	Email        string          `json:"email"`
	Reason       string          `json:"reason"`
	Channel      string          `json:"channel"`
	MadeAt       string          `json:"made_at"` // RFC 3339, UTC, milliseconds
	RegisteredBy int64           `json:"registered_by"`
	Items        []statementItem `json:"items"`
}

type statementItem struct {
	LineItem  string `json:"line_item"`
	Title     string `json:"title"`
	Quantity  int    `json:"quantity"`
	UnitPrice string `json:"unit_price"` // e.g. "49.00 EUR"
}

// appendStatement appends the statement of r, a new withdrawal, to the log
// in tx.
func (db *DB) appendStatement(ctx context.Context, tx *sql.Tx, r *returns.Return) error {
	w := r.Withdrawal
	e := statementEntry{
		Order: r.OrderName, Name: w.Name, Email: w.Email, Reason: w.Reason, Channel: string(w.Channel),
		MadeAt: w.MadeAt.UTC().Format("2006-01-02T15:04:05.000Z07:00"), RegisteredBy: w.RegisteredBy,
	}
	for _, it := range r.Items {
		e.Items = append(e.Items, statementItem{LineItem: it.LineItemID, Title: it.Name(), Quantity: it.Quantity, UnitPrice: it.UnitPrice.String()})
	}
	payload, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("log statement of %s: %w", r.Code, err)
	}
	return db.appendLog(ctx, tx, millis(r.CreatedAt), r.Code, logStatement, string(payload))
}

// acknowledgementEntry is the payload of an acknowledgement's entry: whom
// it went to, when, and the SHA-256 (hex) of its text as sent and as kept
// (the kept copy has its links' access tokens removed), so that either copy
// can be shown to be the one sent.
type acknowledgementEntry struct {
	To             string `json:"to"`
	Subject        string `json:"subject"`
	MessageID      string `json:"message_id"`
	SentAt         string `json:"sent_at"`
	TextSHA256     string `json:"text_sha256"`
	KeptTextSHA256 string `json:"kept_text_sha256"`
}

// refundEntry is the payload of a succeeded refund's entry.
type refundEntry struct {
	Refund    int64  `json:"refund"`
	Amount    string `json:"amount"`   // e.g. "52.90 EUR"
	Delivery  string `json:"delivery"` // the part of Amount that refunds the delivery
	ShopifyID string `json:"shopify_id"`
	At        string `json:"at"`
	Source    string `json:"source"` // refundFromPortal or refundFromShopAdmin
}

// Who made a logged refund: staff through the portal, or the merchant in
// Shopify admin (booked from its webhook).
const (
	refundFromPortal    = "portal"
	refundFromShopAdmin = "shopify_admin"
)

// receivedEntry is the payload of the items' receipt.
type receivedEntry struct {
	By string `json:"by"` // the actor, e.g. "staff:3"
	At string `json:"at"`
}

// parcelEntry is the payload of the parcel the customer told: the proof of
// dispatch after which the refund may not be withheld.
type parcelEntry struct {
	Carrier     string `json:"carrier"`
	CarrierName string `json:"carrier_name"`
	Number      string `json:"number"`
	SentAt      string `json:"sent_at"`
}

// logTime is how the log's payloads write a time: RFC 3339, UTC, milliseconds.
func logTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

// withdrawalCode returns the code of return id when it is a withdrawal, ""
// when it is not: only withdrawals are logged.
func withdrawalCode(ctx context.Context, tx *sql.Tx, id int64) (string, error) {
	var code string
	err := tx.QueryRowContext(ctx, `SELECT r.code FROM returns r JOIN withdrawals w ON w.return_id = r.id WHERE r.id = ?`, id).Scan(&code)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read withdrawal of return %d: %w", id, err)
	}
	return code, nil
}

// appendWithdrawalEntry appends an entry of kind with payload e to the log
// in tx, when return id is a withdrawal.
func (db *DB) appendWithdrawalEntry(ctx context.Context, tx *sql.Tx, id int64, at time.Time, kind string, e any) error {
	code, err := withdrawalCode(ctx, tx, id)
	if err != nil || code == "" {
		return err
	}
	payload, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("log %s of %s: %w", kind, code, err)
	}
	return db.appendLog(ctx, tx, millis(at), code, kind, string(payload))
}

// sha256Hex is the SHA-256 of s in hex.
func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// logFormat is the format of the entries this code writes: 2, hashed with
// HMAC-SHA256 and the log's key. Format 1 (SHA-256 alone) is only read.
const logFormat = 2

// SetWithdrawalLogKey sets the key the withdrawal log's entries are hashed
// with (HMAC-SHA256), which the database file never holds: whoever rewrites
// the file cannot make a changed entry's hash without it. A DB without a
// key refuses to append to the log or verify it.
func (db *DB) SetWithdrawalLogKey(key []byte) {
	db.logKey = append([]byte(nil), key...)
}

// errNoLogKey is the failure to write or check the log without its key.
var errNoLogKey = errors.New("the withdrawal log has no key (LOG_SECRET, or one derived from LINK_SECRET)")

// appendLog appends one entry to the log, chained to the last one.
func (db *DB) appendLog(ctx context.Context, tx *sql.Tx, at int64, code, kind, payload string) error {
	if len(db.logKey) == 0 {
		return fmt.Errorf("append %s of %s to the log: %w", kind, code, errNoLogKey)
	}
	var seq int64
	var prev string
	err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM withdrawal_log ORDER BY seq DESC LIMIT 1`).Scan(&seq, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("read the log's last entry: %w", err)
	}
	seq++
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO withdrawal_log (seq, v, at, return_code, kind, payload, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		seq, logFormat, at, code, kind, payload, prev, logHash(db.logKey, logFormat, seq, at, code, kind, payload, prev)); err != nil {
		return fmt.Errorf("append %s of %s to the log: %w", kind, code, err)
	}
	return nil
}

// logHash is an entry's hash (hex) over its fields, each prefixed by its
// length so that no two entries hash the same bytes: in format 1 SHA-256
// over seq, at, code, kind, payload and prev; in format 2 HMAC-SHA256 with
// key over the format ("2") and the same fields.
func logHash(key []byte, v int, seq, at int64, code, kind, payload, prev string) string {
	fields := []string{strconv.FormatInt(seq, 10), strconv.FormatInt(at, 10), code, kind, payload, prev}
	var h hash.Hash
	if v == 1 {
		h = sha256.New()
	} else {
		h = hmac.New(sha256.New, key)
		fields = append([]string{strconv.Itoa(v)}, fields...)
	}
	for _, f := range fields {
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// LogProblem is the first entry of the withdrawal log that does not hold;
// the domain's type, so that a withdrawal's record can tell it from a failed
// read.
type LogProblem = returns.WithdrawalLogProblem

// VerifyWithdrawalLog checks the log's chain from its first entry: seq
// numbers from 1 without gaps, each entry's prev_hash the hash of the one
// before, and each hash that of its fields. A chain can lose its last
// entries without a gap, so it then checks the log against the tables
// whose rows the entries record: every withdrawal's statement, every
// acknowledgement sent, every succeeded refund of a withdrawal (made
// through the portal or in Shopify admin), every parcel told and every
// receipt of a withdrawal's goods must have its entry. Log and tables are
// read in one snapshot, so that a withdrawal written meanwhile is seen in
// both or neither. It returns the number of entries, and a *LogProblem
// naming the first thing that does not hold.
func (db *DB) VerifyWithdrawalLog(ctx context.Context) (int64, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return 0, fmt.Errorf("read the withdrawal log: %w", err)
	}
	defer tx.Rollback()
	n, err := verifyChain(ctx, tx, db.logKey)
	if err != nil {
		return n, err
	}
	return n, crossCheckLog(ctx, tx)
}

// verifyChain checks the log's chain with key; see VerifyWithdrawalLog.
func verifyChain(ctx context.Context, tx *sql.Tx, key []byte) (int64, error) {
	if len(key) == 0 {
		return 0, fmt.Errorf("verify the withdrawal log: %w", errNoLogKey)
	}
	rows, err := tx.QueryContext(ctx, `SELECT seq, v, at, return_code, kind, payload, prev_hash, hash FROM withdrawal_log ORDER BY seq`)
	if err != nil {
		return 0, fmt.Errorf("read the withdrawal log: %w", err)
	}
	defer rows.Close()
	var n int64
	prev := ""
	for rows.Next() {
		var seq, at int64
		var v int
		var code, kind, payload, prevHash, hash string
		if err := rows.Scan(&seq, &v, &at, &code, &kind, &payload, &prevHash, &hash); err != nil {
			return n, fmt.Errorf("read the withdrawal log: %w", err)
		}
		switch {
		case seq != n+1:
			return n, &LogProblem{Seq: n + 1, Reason: returns.LogEntryMissing}
		case prevHash != prev:
			return n, &LogProblem{Seq: seq, Reason: returns.LogEntryUnchained}
		// An unkeyed entry's hash is no proof: anyone with the file can
		// rewrite it and every later one, so a log must not be able to
		// pass by being turned back into format 1.
		case v != logFormat:
			return n, &LogProblem{Seq: seq, Reason: returns.LogEntryUnkeyed}
		case !hmac.Equal([]byte(logHash(key, v, seq, at, code, kind, payload, prevHash)), []byte(hash)):
			return n, &LogProblem{Seq: seq, Reason: returns.LogEntryChanged}
		}
		prev = hash
		n++
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("read the withdrawal log: %w", err)
	}
	return n, nil
}

// logCrossChecks are the queries that find what the database holds of a
// withdrawal without its entry in the log, each answering the return's
// code and which one (or ”), by kind. Their order is the order a
// withdrawal's entries are usually written in.
var logCrossChecks = []struct{ kind, query string }{
	{logStatement, `
		SELECT r.code, '' FROM withdrawals w JOIN returns r ON r.id = w.return_id
		WHERE NOT EXISTS (SELECT 1 FROM withdrawal_log l WHERE l.return_code = r.code AND l.kind = 'statement')
		ORDER BY r.id LIMIT 1`},
	{logAcknowledgement, `
		SELECT r.code, o.message_id FROM outbox o JOIN returns r ON r.id = o.return_id JOIN withdrawals w ON w.return_id = r.id
		WHERE o.kind = 'withdrawal_acknowledged' AND o.status = 'sent'
		AND NOT EXISTS (SELECT 1 FROM withdrawal_log l WHERE l.return_code = r.code AND l.kind = 'acknowledgement'
			AND json_extract(l.payload, '$.message_id') = o.message_id)
		ORDER BY o.id LIMIT 1`},
	{logRefund, `
		SELECT r.code, f.id FROM refunds f JOIN returns r ON r.id = f.return_id JOIN withdrawals w ON w.return_id = r.id
		WHERE f.state = 'succeeded'
		AND NOT EXISTS (SELECT 1 FROM withdrawal_log l WHERE l.return_code = r.code AND l.kind = 'refund'
			AND json_extract(l.payload, '$.refund') = f.id)
		ORDER BY f.id LIMIT 1`},
	{logParcel, `
		SELECT r.code, p.number FROM return_parcels p JOIN returns r ON r.id = p.return_id JOIN withdrawals w ON w.return_id = r.id
		WHERE NOT EXISTS (SELECT 1 FROM withdrawal_log l WHERE l.return_code = r.code AND l.kind = 'parcel')
		ORDER BY r.id LIMIT 1`},
	{logReceived, `
		SELECT r.code, '' FROM returns r JOIN withdrawals w ON w.return_id = r.id
		WHERE EXISTS (SELECT 1 FROM events e WHERE e.return_id = r.id AND e.status = 'item_received')
		AND NOT EXISTS (SELECT 1 FROM withdrawal_log l WHERE l.return_code = r.code AND l.kind = 'received')
		ORDER BY r.id LIMIT 1`},
}

// crossCheckLog checks the log against the tables; see VerifyWithdrawalLog.
func crossCheckLog(ctx context.Context, tx *sql.Tx) error {
	for _, c := range logCrossChecks {
		var code, ref string
		err := tx.QueryRowContext(ctx, c.query).Scan(&code, &ref)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return fmt.Errorf("check the withdrawal log's %s entries: %w", c.kind, err)
		}
		return &LogProblem{Reason: returns.LogEntryUnlogged, ReturnCode: code, Kind: c.kind, Ref: ref}
	}
	return nil
}

// WithdrawalLog returns the log's entries of the withdrawal code in order,
// or every entry when code is "".
func (db *DB) WithdrawalLog(ctx context.Context, code string) ([]returns.WithdrawalLogEntry, error) {
	rows, err := db.reader.QueryContext(ctx, `
		SELECT seq, v, at, return_code, kind, payload, prev_hash, hash FROM withdrawal_log
		WHERE ? = '' OR return_code = ? ORDER BY seq`, code, code)
	if err != nil {
		return nil, fmt.Errorf("read the withdrawal log: %w", err)
	}
	defer rows.Close()
	var out []returns.WithdrawalLogEntry
	for rows.Next() {
		var e returns.WithdrawalLogEntry
		var at int64
		if err := rows.Scan(&e.Seq, &e.V, &at, &e.ReturnCode, &e.Kind, &e.Payload, &e.PrevHash, &e.Hash); err != nil {
			return nil, fmt.Errorf("read the withdrawal log: %w", err)
		}
		e.At = fromMillis(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the withdrawal log: %w", err)
	}
	return out, nil
}
