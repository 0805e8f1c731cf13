package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/returnsportal/returns"
)

// settingFields maps each stored setting key to its field of returns.Settings.
// Keys are stored names: renaming a field in Go must not rename its key.
var settingFields = []struct {
	key string
	get func(*returns.Settings) string
	set func(*returns.Settings, string) error
}{
	{"return_address",
		func(s *returns.Settings) string { return s.ReturnAddress },
		func(s *returns.Settings, v string) error { s.ReturnAddress = v; return nil }},
	{"window_days",
		func(s *returns.Settings) string { return strconv.Itoa(s.WindowDays) },
		func(s *returns.Settings, v string) (err error) { s.WindowDays, err = strconv.Atoi(v); return err }},
	{"non_returnable_tag",
		func(s *returns.Settings) string { return s.NonReturnableTag },
		func(s *returns.Settings, v string) error { s.NonReturnableTag = v; return nil }},
	{"instructions_en",
		func(s *returns.Settings) string { return s.InstructionsEN },
		func(s *returns.Settings, v string) error { s.InstructionsEN = v; return nil }},
	{"instructions_lv",
		func(s *returns.Settings) string { return s.InstructionsLV },
		func(s *returns.Settings, v string) error { s.InstructionsLV = v; return nil }},
	{"staff_email",
		func(s *returns.Settings) string { return s.StaffEmail },
		func(s *returns.Settings, v string) error { s.StaffEmail = v; return nil }},
	{"require_emailed_link",
		func(s *returns.Settings) string { return strconv.FormatBool(s.RequireEmailedLink) },
		func(s *returns.Settings, v string) (err error) {
			s.RequireEmailedLink, err = strconv.ParseBool(v)
			return err
		}},
	{"restock_location_id",
		func(s *returns.Settings) string { return s.RestockLocationID },
		func(s *returns.Settings, v string) error { s.RestockLocationID = v; return nil }},
	{"return_address_lv",
		func(s *returns.Settings) string { return s.ReturnAddressLV },
		func(s *returns.Settings, v string) error { s.ReturnAddressLV = v; return nil }},
	{"store_name",
		func(s *returns.Settings) string { return s.StoreName },
		func(s *returns.Settings, v string) error { s.StoreName = v; return nil }},
	{"contact_email",
		func(s *returns.Settings) string { return s.ContactEmail },
		func(s *returns.Settings, v string) error { s.ContactEmail = v; return nil }},
	{"time_zone",
		func(s *returns.Settings) string { return s.TimeZone },
		func(s *returns.Settings, v string) error { s.TimeZone = v; return nil }},
	{"staff_language",
		func(s *returns.Settings) string { return s.StaffLanguage },
		func(s *returns.Settings, v string) error { s.StaffLanguage = v; return nil }},
	{"refund_delivery",
		func(s *returns.Settings) string { return strconv.FormatBool(s.RefundDelivery) },
		func(s *returns.Settings, v string) (err error) {
			s.RefundDelivery, err = strconv.ParseBool(v)
			return err
		}},
	{"cheapest_delivery_minor",
		func(s *returns.Settings) string { return strconv.FormatInt(s.CheapestDeliveryMinor, 10) },
		func(s *returns.Settings, v string) (err error) {
			s.CheapestDeliveryMinor, err = strconv.ParseInt(v, 10, 64)
			return err
		}},
	{"cheapest_delivery_currency",
		func(s *returns.Settings) string { return s.CheapestDeliveryCurrency },
		func(s *returns.Settings, v string) error { s.CheapestDeliveryCurrency = v; return nil }},
	{"withdrawal_link_en",
		func(s *returns.Settings) string { return s.Withdrawal.LinkEN },
		func(s *returns.Settings, v string) error { s.Withdrawal.LinkEN = v; return nil }},
	{"withdrawal_link_lv",
		func(s *returns.Settings) string { return s.Withdrawal.LinkLV },
		func(s *returns.Settings, v string) error { s.Withdrawal.LinkLV = v; return nil }},
	{"exempt_custom_made_tag",
		func(s *returns.Settings) string { return s.Withdrawal.ExemptCustomMadeTag },
		func(s *returns.Settings, v string) error { s.Withdrawal.ExemptCustomMadeTag = v; return nil }},
	{"exempt_perishable_tag",
		func(s *returns.Settings) string { return s.Withdrawal.ExemptPerishableTag },
		func(s *returns.Settings, v string) error { s.Withdrawal.ExemptPerishableTag = v; return nil }},
	{"exempt_sealed_hygiene_tag",
		func(s *returns.Settings) string { return s.Withdrawal.ExemptSealedHygieneTag },
		func(s *returns.Settings, v string) error { s.Withdrawal.ExemptSealedHygieneTag = v; return nil }},
	{"withdrawal_delivery_days",
		func(s *returns.Settings) string { return strconv.Itoa(s.Withdrawal.DeliveryDays) },
		func(s *returns.Settings, v string) (err error) {
			s.Withdrawal.DeliveryDays, err = strconv.Atoi(v)
			return err
		}},
	{"withdrawal_not_informed_tag",
		func(s *returns.Settings) string { return s.Withdrawal.NotInformedTag },
		func(s *returns.Settings, v string) error { s.Withdrawal.NotInformedTag = v; return nil }},
	{"photo_retention_days",
		func(s *returns.Settings) string { return strconv.Itoa(s.PhotoRetentionDays) },
		func(s *returns.Settings, v string) (err error) {
			s.PhotoRetentionDays, err = strconv.Atoi(v)
			return err
		}},
}

// Settings returns returns.DefaultSettings with every saved setting in place of its
// default. UpdatedAt and UpdatedBy tell the latest save; they are zero when nothing
// was saved.
func (db *DB) Settings(ctx context.Context) (returns.Settings, error) {
	s := returns.DefaultSettings()
	tx, err := db.beginRead(ctx)
	if err != nil {
		return s, err
	}
	defer tx.Rollback()

	rows, err := tx.QueryContext(ctx, `SELECT key, value, updated_at, updated_by FROM settings ORDER BY updated_at, key`)
	if err != nil {
		return s, fmt.Errorf("read settings: %w", err)
	}
	defer rows.Close()
	saved := map[string]string{}
	for rows.Next() {
		var key, value, by string
		var at int64
		if err := rows.Scan(&key, &value, &at, &by); err != nil {
			return s, fmt.Errorf("read settings: %w", err)
		}
		saved[key] = value
		// Rows come oldest first, so the last one tells the latest save.
		s.UpdatedAt, s.UpdatedBy = fromMillis(at), by
	}
	if err := rows.Err(); err != nil {
		return s, fmt.Errorf("read settings: %w", err)
	}
	for _, f := range settingFields {
		v, ok := saved[f.key]
		if !ok {
			continue
		}
		if err := f.set(&s, v); err != nil {
			return s, fmt.Errorf("read setting %s: %w", f.key, err)
		}
	}
	// Every save that changes a setting records the change, so the newest
	// record's id numbers the settings in effect.
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM settings_changes`).Scan(&s.Revision); err != nil {
		return s, fmt.Errorf("read settings revision: %w", err)
	}
	return s, nil
}

// SaveSettings stores every setting of s, recording who saved them (by) and when
// (s.UpdatedAt), and, when any setting differs from the one in effect before (saved,
// or its default), a row in the change history naming the settings changed. It
// checks nothing: the service validates settings before saving them.
func (db *DB) SaveSettings(ctx context.Context, s returns.Settings, by string) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	before, err := savedSettings(ctx, tx)
	if err != nil {
		return err
	}
	defaults := returns.DefaultSettings()
	changed := []string{}
	if s.UpdatedAt.IsZero() {
		return fmt.Errorf("save settings: no time of the save")
	}
	at := millis(s.UpdatedAt)
	for _, f := range settingFields {
		v := f.get(&s)
		old, ok := before[f.key]
		if !ok {
			old = f.get(&defaults)
		}
		if v != old {
			changed = append(changed, f.key)
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			f.key, v, at, by); err != nil {
			return fmt.Errorf("save setting %s: %w", f.key, err)
		}
	}
	if len(changed) > 0 {
		b, err := json.Marshal(changed)
		if err != nil {
			return fmt.Errorf("encode changed settings: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings_changes (at, changed_by, fields) VALUES (?, ?, ?)`,
			at, by, string(b)); err != nil {
			return fmt.Errorf("record settings change: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit settings: %w", err)
	}
	return nil
}

// savedSettings returns the stored value of every saved setting by key.
func savedSettings(ctx context.Context, tx *sql.Tx) (map[string]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT key, value FROM settings`)
	if err != nil {
		return nil, fmt.Errorf("read settings: %w", err)
	}
	defer rows.Close()
	saved := map[string]string{}
	for rows.Next() {
		var key, value string
		if err := rows.Scan(&key, &value); err != nil {
			return nil, fmt.Errorf("read settings: %w", err)
		}
		saved[key] = value
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read settings: %w", err)
	}
	return saved, nil
}

// SettingsChanges returns up to limit changes of the settings, newest first.
func (db *DB) SettingsChanges(ctx context.Context, limit int) ([]returns.SettingsChange, error) {
	if limit <= 0 {
		limit = 20
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()

	rows, err := tx.QueryContext(ctx, `SELECT at, changed_by, fields FROM settings_changes ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("read settings changes: %w", err)
	}
	defer rows.Close()
	var changes []returns.SettingsChange
	for rows.Next() {
		var c returns.SettingsChange
		var at int64
		var fields string
		if err := rows.Scan(&at, &c.By, &fields); err != nil {
			return nil, fmt.Errorf("read settings changes: %w", err)
		}
		if err := json.Unmarshal([]byte(fields), &c.Fields); err != nil {
			return nil, fmt.Errorf("decode settings change: %w", err)
		}
		c.At = fromMillis(at)
		changes = append(changes, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read settings changes: %w", err)
	}
	return changes, nil
}
