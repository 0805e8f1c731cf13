package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/returnsportal/returns"
)

// autoApprovalKey is the settings row that holds the auto-approval rules, as
// one JSON list: the rules are a setting, saved and read as a whole. It is not
// among settingFields, so a save of the settings form leaves it alone.
const autoApprovalKey = returns.SettingAutoApprovalRules

// storedRule is an auto-approval rule as stored: the JSON names are the
// stored format, which renaming a field in Go must not change.
type storedRule struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	Enabled      bool   `json:"enabled"`
	Dissatisfied bool   `json:"dissatisfied"`
	Damaged      bool   `json:"damaged"`
	WithinDays   int    `json:"within_days"`
	MaxMinor     int64  `json:"max_minor"`
	Currency     string `json:"currency"`
	Deleted      bool   `json:"deleted,omitempty"`
}

// AutoApprovalRules returns the saved auto-approval rules in their order; none
// when none were saved.
func (db *DB) AutoApprovalRules(ctx context.Context) ([]returns.AutoApprovalRule, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var value string
	err = tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, autoApprovalKey).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read auto-approval rules: %w", err)
	}
	var stored []storedRule
	if err := json.Unmarshal([]byte(value), &stored); err != nil {
		return nil, fmt.Errorf("decode auto-approval rules: %w", err)
	}
	rules := make([]returns.AutoApprovalRule, len(stored))
	for i, s := range stored {
		rules[i] = returns.AutoApprovalRule{
			ID: s.ID, Name: s.Name, Enabled: s.Enabled, Dissatisfied: s.Dissatisfied, Damaged: s.Damaged,
			WithinDays: s.WithinDays, MaxAmount: returns.Money{Minor: s.MaxMinor, Currency: s.Currency}, Deleted: s.Deleted,
		}
	}
	return rules, nil
}

// SaveAutoApprovalRules replaces the auto-approval rules with rules, recording
// who saved them (by) and when (at), and, when they differ from the saved
// ones, a row in the settings' change history. It checks nothing: the service
// validates rules before saving them.
func (db *DB) SaveAutoApprovalRules(ctx context.Context, rules []returns.AutoApprovalRule, at time.Time, by string) error {
	if at.IsZero() {
		return fmt.Errorf("save auto-approval rules: no time of the save")
	}
	stored := make([]storedRule, len(rules))
	for i, r := range rules {
		stored[i] = storedRule{
			ID: r.ID, Name: r.Name, Enabled: r.Enabled, Dissatisfied: r.Dissatisfied, Damaged: r.Damaged,
			WithinDays: r.WithinDays, MaxMinor: r.MaxAmount.Minor, Currency: r.MaxAmount.Currency, Deleted: r.Deleted,
		}
	}
	b, err := json.Marshal(stored)
	if err != nil {
		return fmt.Errorf("encode auto-approval rules: %w", err)
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	var before string
	err = tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, autoApprovalKey).Scan(&before)
	if errors.Is(err, sql.ErrNoRows) {
		before = "[]"
	} else if err != nil {
		return fmt.Errorf("read auto-approval rules: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		autoApprovalKey, string(b), millis(at), by); err != nil {
		return fmt.Errorf("save auto-approval rules: %w", err)
	}
	if string(b) != before {
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings_changes (at, changed_by, fields) VALUES (?, ?, ?)`,
			millis(at), by, `["`+autoApprovalKey+`"]`); err != nil {
			return fmt.Errorf("record settings change: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit auto-approval rules: %w", err)
	}
	return nil
}
