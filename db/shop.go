package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/returnsportal/returns"
)

var _ returns.ShopIdentityStore = (*DB)(nil)

// ShopIdentity returns the shop's identity saved last, and false when none was.
func (db *DB) ShopIdentity(ctx context.Context) (returns.ShopIdentity, bool, error) {
	var id returns.ShopIdentity
	err := db.reader.QueryRowContext(ctx, `SELECT name, myshopify_domain, primary_url, primary_host, currency, time_zone
		FROM shop_identity WHERE id = 1`).Scan(&id.Name, &id.MyshopifyDomain, &id.PrimaryDomainURL, &id.PrimaryDomainHost, &id.Currency, &id.TimeZone)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return id, false, nil
	case err != nil:
		return id, false, fmt.Errorf("read shop identity: %w", err)
	}
	return id, true, nil
}

// SaveShopIdentity replaces the saved identity with id, read at at.
func (db *DB) SaveShopIdentity(ctx context.Context, id returns.ShopIdentity, at time.Time) error {
	_, err := db.writer.ExecContext(ctx, `INSERT INTO shop_identity
		(id, name, myshopify_domain, primary_url, primary_host, currency, time_zone, checked_at)
		VALUES (1, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, myshopify_domain = excluded.myshopify_domain,
			primary_url = excluded.primary_url, primary_host = excluded.primary_host,
			currency = excluded.currency, time_zone = excluded.time_zone, checked_at = excluded.checked_at`,
		id.Name, id.MyshopifyDomain, id.PrimaryDomainURL, id.PrimaryDomainHost, id.Currency, id.TimeZone, millis(at))
	if err != nil {
		return fmt.Errorf("save shop identity: %w", err)
	}
	return nil
}
