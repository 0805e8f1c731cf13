package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/returnsportal/returns"
)

var _ returns.AccessLinkStore = (*DB)(nil)

// accessLinkKeep is how long access links and requests for them are kept. The
// bounds on links look back an hour; a day keeps them for anyone looking into a
// complaint, and no longer, since a link row holds the customer's address.
const accessLinkKeep = 24 * time.Hour

// RecordAccessLinkRequest commits a request for an access link, and r.Link with
// r.Email when r.Link is set and the links made since r.Since for its order stay
// under r.PerOrder and for its address under r.PerAddress, in one transaction.
// It deletes links and requests older than a day on the way.
func (db *DB) RecordAccessLinkRequest(ctx context.Context, r returns.AccessLinkRequest) (bool, error) {
	if (r.Link == nil) != (r.Email == nil) {
		return false, errors.New("record access link request: a link needs its email, and an email its link")
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()

	old := millis(r.At.Add(-accessLinkKeep))
	if _, err := tx.ExecContext(ctx, `DELETE FROM access_link_requests WHERE at < ?`, old); err != nil {
		return false, fmt.Errorf("delete old access link requests: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM access_links WHERE expires_at < ?`, old); err != nil {
		return false, fmt.Errorf("delete old access links: %w", err)
	}
	created := false
	if r.Link != nil {
		if created, err = insertAccessLink(ctx, tx, r); err != nil {
			return false, err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO access_link_requests (at, sent) VALUES (?, ?)`, millis(r.At), created); err != nil {
		return false, fmt.Errorf("record access link request: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("commit access link request: %w", err)
	}
	return created, nil
}

// insertAccessLink stores r.Link and queues r.Email, unless the link's order or
// address has had its links since r.Since.
func insertAccessLink(ctx context.Context, tx *sql.Tx, r returns.AccessLinkRequest) (bool, error) {
	l := r.Link
	var byOrder, byAddress int
	since := millis(r.Since)
	if err := tx.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM access_links WHERE order_id = ? AND created_at > ?),
		(SELECT COUNT(*) FROM access_links WHERE email = ? AND created_at > ?)`,
		l.OrderID, since, l.Email, since).Scan(&byOrder, &byAddress); err != nil {
		return false, fmt.Errorf("count access links: %w", err)
	}
	if byOrder >= r.PerOrder || byAddress >= r.PerAddress {
		return false, nil
	}
	if err := tx.QueryRowContext(ctx, `
		INSERT INTO access_links (token_hash, order_id, order_name, email, locale, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		RETURNING id`,
		l.TokenHash, l.OrderID, l.OrderName, l.Email, l.Locale, millis(l.CreatedAt), millis(l.ExpiresAt)).Scan(&l.ID); err != nil {
		return false, fmt.Errorf("insert access link: %w", err)
	}
	emails := []returns.OutboxMessage{*r.Email}
	if err := insertOutbox(ctx, tx, 0, emails, r.At); err != nil {
		return false, err
	}
	if emails[0].ID == 0 {
		// Dedupe keys carry the token's hash, which is new for every link.
		return false, fmt.Errorf("queue access link email: key %s queued already", r.Email.DedupeKey)
	}
	*r.Email = emails[0]
	return true, nil
}

const accessLinkColumns = `id, token_hash, order_id, order_name, email, locale, created_at, expires_at, used_at`

func scanAccessLink(row *sql.Row) (*returns.AccessLink, error) {
	var l returns.AccessLink
	var created, expires int64
	var used sql.NullInt64
	if err := row.Scan(&l.ID, &l.TokenHash, &l.OrderID, &l.OrderName, &l.Email, &l.Locale, &created, &expires, &used); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, returns.Errorf(returns.ENOTFOUND, "Link not found.")
		}
		return nil, fmt.Errorf("read access link: %w", err)
	}
	l.CreatedAt, l.ExpiresAt = fromMillis(created), fromMillis(expires)
	if used.Valid {
		l.UsedAt = fromMillis(used.Int64)
	}
	return &l, nil
}

// AccessLink returns the link with a token hash, or ENOTFOUND.
func (db *DB) AccessLink(ctx context.Context, tokenHash string) (*returns.AccessLink, error) {
	return scanAccessLink(db.reader.QueryRowContext(ctx, `SELECT `+accessLinkColumns+` FROM access_links WHERE token_hash = ?`, tokenHash))
}

// UseAccessLink marks the link with a token hash used at now and returns it, if
// it was unused and had not expired at now; ENOTFOUND otherwise. The check and
// the mark are one statement, so of two uses at once only one gets the link.
func (db *DB) UseAccessLink(ctx context.Context, tokenHash string, now time.Time) (*returns.AccessLink, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	l, err := scanAccessLink(tx.QueryRowContext(ctx, `
		UPDATE access_links SET used_at = ?
		WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?
		RETURNING `+accessLinkColumns, millis(now), tokenHash, millis(now)))
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("commit use of access link: %w", err)
	}
	return l, nil
}
