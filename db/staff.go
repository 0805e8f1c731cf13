package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/returnsportal/returns"
)

// CreateStaff stores a new staff account and fills s.ID. The email must be lower
// case already; an email that has an account answers ECONFLICT.
func (db *DB) CreateStaff(ctx context.Context, s *returns.Staff) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	res, err := tx.ExecContext(ctx, `
		INSERT INTO staff (email, password_hash, disabled, created_at, lang) VALUES (?, ?, ?, ?, ?)`,
		s.Email, s.PasswordHash, s.Disabled, millis(s.CreatedAt), s.Lang)
	if isUnique(err) {
		return returns.Errorf(returns.ECONFLICT, "There is already an account with this email address.")
	}
	if err != nil {
		return fmt.Errorf("insert staff: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("insert staff: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit staff: %w", err)
	}
	s.ID = id
	return nil
}

const staffColumns = `staff.id, staff.email, staff.password_hash, staff.disabled, staff.created_at, staff.lang`

// StaffByEmail returns the account with an email (lower case), or ENOTFOUND.
func (db *DB) StaffByEmail(ctx context.Context, email string) (*returns.Staff, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()

	var s returns.Staff
	var created int64
	err = tx.QueryRowContext(ctx, `SELECT `+staffColumns+` FROM staff WHERE email = ?`, email).
		Scan(&s.ID, &s.Email, &s.PasswordHash, &s.Disabled, &created, &s.Lang)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errStaffNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("read staff: %w", err)
	}
	s.CreatedAt = fromMillis(created)
	return &s, nil
}

func errStaffNotFound() error {
	return returns.Errorf(returns.ENOTFOUND, "There is no account with this email address.")
}

// ListStaff returns every staff account, oldest first.
func (db *DB) ListStaff(ctx context.Context) ([]returns.Staff, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()

	rows, err := tx.QueryContext(ctx, `SELECT `+staffColumns+` FROM staff ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("read staff: %w", err)
	}
	defer rows.Close()
	var staff []returns.Staff
	for rows.Next() {
		var s returns.Staff
		var created int64
		if err := rows.Scan(&s.ID, &s.Email, &s.PasswordHash, &s.Disabled, &created, &s.Lang); err != nil {
			return nil, fmt.Errorf("read staff: %w", err)
		}
		s.CreatedAt = fromMillis(created)
		staff = append(staff, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read staff: %w", err)
	}
	return staff, nil
}

// UpdateStaff saves an account's password hash and disabled flag; the email and
// creation time never change. An unknown account answers ENOTFOUND.
func (db *DB) UpdateStaff(ctx context.Context, s *returns.Staff) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	res, err := tx.ExecContext(ctx, `UPDATE staff SET password_hash = ?, disabled = ? WHERE id = ?`,
		s.PasswordHash, s.Disabled, s.ID)
	if err != nil {
		return fmt.Errorf("update staff %d: %w", s.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("update staff %d: %w", s.ID, err)
	}
	if n == 0 {
		return returns.Errorf(returns.ENOTFOUND, "Staff account not found.")
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit staff %d: %w", s.ID, err)
	}
	return nil
}

// SetStaffLanguage saves the language of account id, and nothing else of it.
// An unknown account answers ENOTFOUND.
func (db *DB) SetStaffLanguage(ctx context.Context, id int64, lang string) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	res, err := tx.ExecContext(ctx, `UPDATE staff SET lang = ? WHERE id = ?`, lang, id)
	if err != nil {
		return fmt.Errorf("set language of staff %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("set language of staff %d: %w", id, err)
	}
	if n == 0 {
		return returns.Errorf(returns.ENOTFOUND, "Staff account not found.")
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit language of staff %d: %w", id, err)
	}
	return nil
}

// CreateStaffSession stores a new session. An unknown staff member answers
// ENOTFOUND.
func (db *DB) CreateStaffSession(ctx context.Context, s *returns.StaffSession) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	var exists bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM staff WHERE id = ?)`, s.StaffID).Scan(&exists); err != nil {
		return fmt.Errorf("read staff %d: %w", s.StaffID, err)
	}
	if !exists {
		return returns.Errorf(returns.ENOTFOUND, "Staff account not found.")
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO staff_sessions (id, staff_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)`,
		s.ID, s.StaffID, millis(s.CreatedAt), millis(s.LastSeenAt)); err != nil {
		// The id is the hash of 256 random bits: a clash is a bug, not a
		// conflict to show anyone. The error names no id: it is a credential.
		return fmt.Errorf("insert session of staff %d: %w", s.StaffID, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit session of staff %d: %w", s.StaffID, err)
	}
	return nil
}

// StaffSession returns a session with its staff member, or ENOTFOUND.
func (db *DB) StaffSession(ctx context.Context, id string) (*returns.StaffSession, *returns.Staff, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()

	var sess returns.StaffSession
	var st returns.Staff
	var created, seen, staffCreated int64
	err = tx.QueryRowContext(ctx, `
		SELECT s.id, s.staff_id, s.created_at, s.last_seen_at, `+staffColumns+`
		FROM staff_sessions s JOIN staff ON staff.id = s.staff_id
		WHERE s.id = ?`, id).
		Scan(&sess.ID, &sess.StaffID, &created, &seen, &st.ID, &st.Email, &st.PasswordHash, &st.Disabled, &staffCreated, &st.Lang)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, returns.Errorf(returns.ENOTFOUND, "Session not found.")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read staff session: %w", err)
	}
	sess.CreatedAt, sess.LastSeenAt, st.CreatedAt = fromMillis(created), fromMillis(seen), fromMillis(staffCreated)
	return &sess, &st, nil
}

// TouchStaffSession records that a session was used at at. It never moves
// last_seen_at back, so a late touch from a slow request cannot shorten a
// session's idle time. A session that is gone answers ENOTFOUND.
func (db *DB) TouchStaffSession(ctx context.Context, id string, at time.Time) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	res, err := tx.ExecContext(ctx, `UPDATE staff_sessions SET last_seen_at = MAX(last_seen_at, ?) WHERE id = ?`, millis(at), id)
	if err != nil {
		return fmt.Errorf("touch staff session: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("touch staff session: %w", err)
	}
	if n == 0 {
		return returns.Errorf(returns.ENOTFOUND, "Session not found.")
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit staff session: %w", err)
	}
	return nil
}

// DeleteStaffSessions deletes session id when id != "", whoever it belongs to,
// and otherwise every session of staffID. Deleting what is gone already is no
// error: signing out twice is signing out.
func (db *DB) DeleteStaffSessions(ctx context.Context, staffID int64, id string) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	if id != "" {
		_, err = tx.ExecContext(ctx, `DELETE FROM staff_sessions WHERE id = ?`, id)
	} else {
		_, err = tx.ExecContext(ctx, `DELETE FROM staff_sessions WHERE staff_id = ?`, staffID)
	}
	if err != nil {
		return fmt.Errorf("delete sessions of staff %d: %w", staffID, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit deleted sessions of staff %d: %w", staffID, err)
	}
	return nil
}
