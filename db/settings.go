package db

import (
	"context"
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
	return s, nil
}

// SaveSettings stores every setting of s, recording who saved them (by) and when
// (db.Now). It checks nothing: the service validates settings before saving them.
func (db *DB) SaveSettings(ctx context.Context, s returns.Settings, by string) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	at := millis(db.Now())
	for _, f := range settingFields {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			f.key, f.get(&s), at, by); err != nil {
			return fmt.Errorf("save setting %s: %w", f.key, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit settings: %w", err)
	}
	return nil
}
