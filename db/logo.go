package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"time"

	"github.com/returnsportal/returns"
)

var _ returns.LogoStore = (*DB)(nil)

// logoSetting is the name the settings' history records a change of the logo
// under, beside the settings' keys.
const logoSetting = "logo"

// CurrentLogo returns the logo in use, nil for none.
func (db *DB) CurrentLogo(ctx context.Context) (*returns.LogoRef, error) {
	var l returns.LogoRef
	err := db.reader.QueryRowContext(ctx, `SELECT hash, content_type, width, height FROM store_logo WHERE id = 1`).
		Scan(&l.Hash, &l.ContentType, &l.Width, &l.Height)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("read logo: %w", err)
	}
	return &l, nil
}

// Logo returns the logo in use when its hash is hash, else ENOTFOUND.
func (db *DB) Logo(ctx context.Context, hash string) (*returns.Logo, error) {
	var l returns.Logo
	err := db.reader.QueryRowContext(ctx, `SELECT hash, content_type, width, height, data FROM store_logo WHERE id = 1 AND hash = ?`, hash).
		Scan(&l.Hash, &l.ContentType, &l.Width, &l.Height, &l.Data)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, returns.Errorf(returns.ENOTFOUND, "Not found.")
	case err != nil:
		return nil, fmt.Errorf("read logo: %w", err)
	}
	return &l, nil
}

// SaveLogo puts logo in place of the logo in use (nil removes it) and records
// the change in the settings' history, in one transaction. Saving the logo in
// use again changes nothing.
func (db *DB) SaveLogo(ctx context.Context, logo *returns.Logo, at time.Time, by string) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	var before string
	err = tx.QueryRowContext(ctx, `SELECT hash FROM store_logo WHERE id = 1`).Scan(&before)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("read logo: %w", err)
	}
	after := ""
	if logo != nil {
		after = logo.Hash
	}
	if before == after {
		return nil
	}
	if logo == nil {
		_, err = tx.ExecContext(ctx, `DELETE FROM store_logo WHERE id = 1`)
	} else {
		_, err = tx.ExecContext(ctx, `
			INSERT INTO store_logo (id, hash, content_type, width, height, data, saved_at, saved_by) VALUES (1, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET hash = excluded.hash, content_type = excluded.content_type, width = excluded.width,
				height = excluded.height, data = excluded.data, saved_at = excluded.saved_at, saved_by = excluded.saved_by`,
			logo.Hash, logo.ContentType, logo.Width, logo.Height, logo.Data, millis(at), by)
	}
	if err != nil {
		return fmt.Errorf("save logo: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO settings_changes (at, changed_by, fields) VALUES (?, ?, ?)`,
		millis(at), by, `["`+logoSetting+`"]`); err != nil {
		return fmt.Errorf("record logo change: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit logo: %w", err)
	}
	return nil
}
