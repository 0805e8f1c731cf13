package db

import (
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/returnsportal/returns"
)

// Outbox page sizes, as for the queue.
const (
	outboxDefaultLimit = 50
	outboxMaxLimit     = 500
)

// insertOutbox queues the emails of a change for returnID (0 for an email about
// no return, such as an access link), unless an email with the same dedupe key is
// queued already: a retried request must neither queue a second email nor fail.
// It fills the IDs of the rows it inserts; a duplicate keeps ID 0. A message
// without a time is stamped with at.
func insertOutbox(ctx context.Context, tx *sql.Tx, returnID int64, emails []returns.OutboxMessage, at time.Time) error {
	for i := range emails {
		m := &emails[i]
		if m.DedupeKey == "" {
			return fmt.Errorf("queue %s email of return %d: no dedupe key", m.Kind, returnID)
		}
		m.ReturnID = returnID
		if m.Status == "" {
			m.Status = returns.OutboxQueued
		}
		if m.CreatedAt.IsZero() {
			m.CreatedAt = at
		}
		if m.NextAt.IsZero() {
			m.NextAt = m.CreatedAt
		}
		var id int64
		err := tx.QueryRowContext(ctx, `
			INSERT INTO outbox (dedupe_key, return_id, kind, to_addr, reply_to, subject, text_body, html_body,
				message_id, status, attempts, last_error, created_at, next_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (dedupe_key) DO NOTHING
			RETURNING id`,
			m.DedupeKey, sql.NullInt64{Int64: returnID, Valid: returnID != 0}, m.Kind, m.To, m.ReplyTo, m.Subject, m.Text, m.HTML,
			m.MessageID, m.Status, m.Attempts, m.LastError, millis(m.CreatedAt), millis(m.NextAt)).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			continue // queued already
		}
		if err != nil {
			return fmt.Errorf("queue %s email of return %d: %w", m.Kind, returnID, err)
		}
		m.ID = id
		if m.LinkTokenHash != "" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO return_tokens (token_hash, return_id, created_at) VALUES (?, ?, ?)`,
				m.LinkTokenHash, returnID, millis(m.CreatedAt)); err != nil {
				return fmt.Errorf("store the link token of a %s email of return %d: %w", m.Kind, returnID, err)
			}
		}
	}
	return nil
}

const outboxColumns = `id, dedupe_key, return_id, kind, to_addr, reply_to, subject, text_body, html_body,
	message_id, status, attempts, last_error, created_at, next_at, sent_at`

// scanOutbox reads and closes rows of outboxColumns.
func scanOutbox(rows *sql.Rows) ([]returns.OutboxMessage, error) {
	defer rows.Close()
	var ms []returns.OutboxMessage
	for rows.Next() {
		var m returns.OutboxMessage
		var created, next int64
		var returnID, sent sql.NullInt64
		if err := rows.Scan(&m.ID, &m.DedupeKey, &returnID, &m.Kind, &m.To, &m.ReplyTo, &m.Subject, &m.Text, &m.HTML,
			&m.MessageID, &m.Status, &m.Attempts, &m.LastError, &created, &next, &sent); err != nil {
			return nil, fmt.Errorf("read outbox: %w", err)
		}
		m.ReturnID = returnID.Int64 // 0 for an email about no return
		m.CreatedAt, m.NextAt = fromMillis(created), fromMillis(next)
		if sent.Valid {
			m.SentAt = fromMillis(sent.Int64)
		}
		ms = append(ms, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	return ms, nil
}

// OutboxMessages returns up to limit messages newest (highest ID) first, below
// the keyset cursor before (0: from the newest), with status when it is not "".
func (db *DB) OutboxMessages(ctx context.Context, status returns.OutboxStatus, before int64, limit int) ([]returns.OutboxMessage, error) {
	if limit <= 0 {
		limit = outboxDefaultLimit
	}
	limit = min(limit, outboxMaxLimit)
	if before <= 0 {
		before = 1<<63 - 1
	}
	q, args := `SELECT `+outboxColumns+` FROM outbox WHERE id < ?`, []any{before}
	if status != "" {
		q, args = `SELECT `+outboxColumns+` FROM outbox WHERE status = ? AND id < ?`, []any{status, before}
	}
	args = append(args, limit)

	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, q+` ORDER BY id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	return scanOutbox(rows)
}

// OutboxMessage returns one message of the outbox, or ENOTFOUND.
func (db *DB) OutboxMessage(ctx context.Context, id int64) (*returns.OutboxMessage, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("read outbox message %d: %w", id, err)
	}
	ms, err := scanOutbox(rows)
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, errOutboxNotFound()
	}
	return &ms[0], nil
}

// ReturnEmails returns the outbox messages of kind about return returnID,
// oldest first, as kept: a sent one without its link's access token.
func (db *DB) ReturnEmails(ctx context.Context, returnID int64, kind returns.EmailKind) ([]returns.OutboxMessage, error) {
	rows, err := db.reader.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE return_id = ? AND kind = ? ORDER BY id`, returnID, kind)
	if err != nil {
		return nil, fmt.Errorf("read the %s emails of return %d: %w", kind, returnID, err)
	}
	return scanOutbox(rows)
}

func errOutboxNotFound() error { return returns.Errorf(returns.ENOTFOUND, "Email not found.") }

// RequeueOutbox queues a failed, dead or unsent message again, due at now. It
// keeps the count of attempts and the last error, for staff. A message that is
// queued or sent, or whose personal data was erased (its address is
// returns.RedactedEmail), answers ECONFLICT, an unknown one ENOTFOUND.
func (db *DB) RequeueOutbox(ctx context.Context, id int64, now time.Time) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	res, err := tx.ExecContext(ctx, `
		UPDATE outbox SET status = 'queued', next_at = ?, lease_until = NULL, lease_token = NULL
		WHERE id = ? AND status IN ('failed', 'dead', 'unsent') AND to_addr <> ?`, millis(now), id, returns.RedactedEmail)
	if err != nil {
		return fmt.Errorf("requeue outbox message %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("requeue outbox message %d: %w", id, err)
	}
	if n == 0 {
		if err := outboxExists(ctx, tx, id); err != nil {
			return err
		}
		var to string
		if err := tx.QueryRowContext(ctx, `SELECT to_addr FROM outbox WHERE id = ?`, id).Scan(&to); err != nil {
			return fmt.Errorf("read outbox message %d: %w", id, err)
		}
		if to == returns.RedactedEmail {
			return returns.Errorf(returns.ECONFLICT, "This email's personal data was erased; it cannot be sent.")
		}
		return returns.Errorf(returns.ECONFLICT, "This email is queued or sent already.")
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit requeue of outbox message %d: %w", id, err)
	}
	return nil
}

// outboxExists answers ENOTFOUND when there is no outbox message id.
func outboxExists(ctx context.Context, tx *sql.Tx, id int64) error {
	var exists bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM outbox WHERE id = ?)`, id).Scan(&exists); err != nil {
		return fmt.Errorf("read outbox message %d: %w", id, err)
	}
	if !exists {
		return errOutboxNotFound()
	}
	return nil
}

// ClaimOutbox leases up to limit queued messages that are due at now and that no
// other worker holds (no lease, or one that ran out before now), soonest due
// first, until now+lease. It answers them in ID order with the lease's token,
// which OutboxSent, OutboxRetry, OutboxFailed and OutboxRelease must be given.
// The transaction begins IMMEDIATE, so two workers, in this process or another,
// never claim the same row at once.
func (db *DB) ClaimOutbox(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]returns.OutboxMessage, string, error) {
	if lease <= 0 || limit <= 0 {
		return nil, "", fmt.Errorf("claim outbox: lease %v and limit %d must be positive", lease, limit)
	}
	token, err := leaseToken()
	if err != nil {
		return nil, "", err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, "", err
	}
	defer tx.Rollback()

	rows, err := tx.QueryContext(ctx, `
		UPDATE outbox SET lease_until = ?, lease_token = ?
		WHERE id IN (`+claimSelect+`)
		RETURNING `+outboxColumns,
		millis(now.Add(lease)), token, millis(now), millis(now), limit)
	if err != nil {
		return nil, "", fmt.Errorf("claim outbox: %w", err)
	}
	ms, err := scanOutbox(rows)
	if err != nil {
		return nil, "", err
	}
	if err := tx.Commit(); err != nil {
		return nil, "", fmt.Errorf("commit outbox claim: %w", err)
	}
	slices.SortFunc(ms, func(a, b returns.OutboxMessage) int { return cmp.Compare(a.ID, b.ID) })
	return ms, token, nil
}

// claimSelect selects the messages ClaimOutbox leases, given now twice and the
// limit. It reads the (status, next_at) index in order, so it neither scans the
// sent messages nor sorts.
const claimSelect = `SELECT id FROM outbox
	WHERE status = 'queued' AND next_at <= ? AND (lease_until IS NULL OR lease_until < ?)
	ORDER BY next_at, id LIMIT ?`

// leaseToken returns a random token for a claim.
func leaseToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make lease token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// OutboxSent records that message id was sent at at, and counts the attempt.
// The copy of the message kept from then on has its links' access tokens
// removed (returns.RedactLinkTokens): only the customer's inbox holds them.
func (db *DB) OutboxSent(ctx context.Context, id int64, token string, at time.Time) error {
	return db.settleOutboxTx(ctx, id, token, func(tx *sql.Tx) (string, []any, error) {
		const set = `status = 'sent', sent_at = ?, attempts = attempts + 1, last_error = ''`
		var text, html, kind, to, subject, messageID string
		var returnID sql.NullInt64
		var leased sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT text_body, html_body, kind, to_addr, subject, message_id, return_id, lease_token FROM outbox WHERE id = ? AND status = 'queued'`, id).
			Scan(&text, &html, &kind, &to, &subject, &messageID, &returnID, &leased)
		if errors.Is(err, sql.ErrNoRows) {
			return set, []any{millis(at)}, nil // the update finds no row and says so
		}
		if err != nil {
			return "", nil, fmt.Errorf("read outbox message %d: %w", id, err)
		}
		kept := returns.RedactLinkTokens(text)
		// The acknowledgement of a withdrawal is part of its record: its
		// sending is logged with the sending, or neither is (a lost lease
		// rolls both back).
		if returns.EmailKind(kind) == returns.EmailWithdrawalAcknowledged && returnID.Valid && leased.String == token {
			e := acknowledgementEntry{To: to, Subject: subject, MessageID: messageID, SentAt: logTime(at), TextSHA256: sha256Hex(text), KeptTextSHA256: sha256Hex(kept)}
			if err := db.appendWithdrawalEntry(ctx, tx, returnID.Int64, at, logAcknowledgement, e); err != nil {
				return "", nil, err
			}
		}
		return set + `, text_body = ?, html_body = ?`, []any{millis(at), kept, returns.RedactLinkTokens(html)}, nil
	})
}

// OutboxRetry counts a failed attempt of message id, records its error and
// leaves it queued, to be tried again at next.
func (db *DB) OutboxRetry(ctx context.Context, id int64, token string, next time.Time, errText string) error {
	return db.settleOutbox(ctx, id, token, `next_at = ?, attempts = attempts + 1, last_error = ?`, millis(next), errText)
}

// OutboxFailed gives message id up with status failed (refused for good) or dead
// (temporary failures for too long), counting the attempt, or unsent (no SMTP
// server: nothing was tried), and records why.
func (db *DB) OutboxFailed(ctx context.Context, id int64, token string, status returns.OutboxStatus, errText string) error {
	switch status {
	case returns.OutboxFailed, returns.OutboxDead:
		return db.settleOutbox(ctx, id, token, `status = ?, attempts = attempts + 1, last_error = ?`, status, errText)
	case returns.OutboxUnsent:
		return db.settleOutbox(ctx, id, token, `status = ?, last_error = ?`, status, errText)
	}
	return fmt.Errorf("give up outbox message %d: cannot mark it %q", id, status)
}

// OutboxRelease gives the lease on message id back without counting an attempt,
// so that another worker, or this one after a restart, can claim it at once.
func (db *DB) OutboxRelease(ctx context.Context, id int64, token string) error {
	return db.settleOutbox(ctx, id, token, `status = status`)
}

// settleOutbox applies set (SQL written by this package, with args) to message
// id and ends its lease, with compare-and-set on the lease token: when the
// message is no longer queued under token (its lease ran out and another worker
// claimed it, or it was settled already), nothing changes and it answers
// ECONFLICT.
func (db *DB) settleOutbox(ctx context.Context, id int64, token string, set string, args ...any) error {
	return db.settleOutboxTx(ctx, id, token, func(*sql.Tx) (string, []any, error) { return set, args, nil })
}

// settleOutboxTx is settleOutbox with the SET clause and its arguments made
// inside the transaction, from what it reads.
func (db *DB) settleOutboxTx(ctx context.Context, id int64, token string, update func(tx *sql.Tx) (set string, args []any, err error)) error {
	if token == "" {
		return fmt.Errorf("settle outbox message %d: no lease token", id)
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	set, args, err := update(tx)
	if err != nil {
		return err
	}
	args = append(args, id, token)
	res, err := tx.ExecContext(ctx, `
		UPDATE outbox SET `+set+`, lease_until = NULL, lease_token = NULL
		WHERE id = ? AND lease_token = ? AND status = 'queued'`, args...)
	if err != nil {
		return fmt.Errorf("settle outbox message %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("settle outbox message %d: %w", id, err)
	}
	if n == 0 {
		if err := outboxExists(ctx, tx, id); err != nil {
			return err
		}
		return returns.Errorf(returns.ECONFLICT, "This email's lease was lost to another worker.")
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit outbox message %d: %w", id, err)
	}
	return nil
}
