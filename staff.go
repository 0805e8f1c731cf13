package returns

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
	"unicode/utf8"
)

// Staff is a member of the store's staff who works in the backoffice.
type Staff struct {
	ID           int64
	Email        string
	PasswordHash string // argon2id, in the PHC string format
	Disabled     bool
	CreatedAt    time.Time
	// Lang is the language of the backoffice and of the emails sent to this
	// account ("en" or "lv"); "" until chosen, when the store's default applies.
	Lang string
}

// StaffLanguages are the languages the backoffice speaks, the first the
// default when neither the account nor the store chose one.
var StaffLanguages = []string{"en", "lv"}

// ValidStaffLanguage reports whether lang is one of StaffLanguages.
func ValidStaffLanguage(lang string) bool {
	for _, l := range StaffLanguages {
		if l == lang {
			return true
		}
	}
	return false
}

// StaffSession is a signed-in staff member's session. Its ID is the SHA-256 of the
// token in the cookie, so a copy of the database cannot be used to sign in.
type StaffSession struct {
	ID         string
	StaffID    int64
	CreatedAt  time.Time
	LastSeenAt time.Time
}

// Staff session limits (docs/SECURITY.md).
const (
	StaffIdleTimeout     = 30 * time.Minute
	StaffAbsoluteTimeout = 12 * time.Hour
	// staffTouchEvery is how stale LastSeenAt may get before a request writes it
	// again, so that browsing the backoffice is not one write per request.
	staffTouchEvery = time.Minute
)

// Password length limits, in characters.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 128
)

// StaffStore keeps staff accounts.
type StaffStore interface {
	// CreateStaff stores a new account and fills s.ID; ECONFLICT when the email
	// is taken.
	CreateStaff(ctx context.Context, s *Staff) error
	// StaffByEmail returns the account with an email (lower case), or ENOTFOUND.
	StaffByEmail(ctx context.Context, email string) (*Staff, error)
	// ListStaff returns every account, oldest first.
	ListStaff(ctx context.Context) ([]Staff, error)
	// UpdateStaff saves an account's password hash and disabled flag.
	UpdateStaff(ctx context.Context, s *Staff) error
	// SetStaffLanguage saves the language of the account id alone, so that a
	// switch of language never overwrites a password changed meanwhile;
	// ENOTFOUND for an unknown account.
	SetStaffLanguage(ctx context.Context, id int64, lang string) error
}

// StaffSessionStore keeps staff sessions.
type StaffSessionStore interface {
	CreateStaffSession(ctx context.Context, s *StaffSession) error
	// StaffSession returns a session with its staff member, or ENOTFOUND.
	StaffSession(ctx context.Context, id string) (*StaffSession, *Staff, error)
	TouchStaffSession(ctx context.Context, id string, at time.Time) error
	// DeleteStaffSessions deletes the session id when id != "" (whoever it
	// belongs to), or else every session of staffID.
	DeleteStaffSessions(ctx context.Context, staffID int64, id string) error
}

// PasswordHasher hashes and checks staff passwords.
type PasswordHasher interface {
	Hash(password string) (string, error)
	// Verify reports whether password matches hash. It takes as long for a wrong
	// password as for a right one.
	Verify(hash, password string) bool
}

// AccountService keeps staff accounts and their sessions: creating and
// changing accounts, signing in and out.
type AccountService struct {
	staff     StaffStore
	sessions  StaffSessionStore
	passwords PasswordHasher
	now       func() time.Time
	log       *slog.Logger
	dummy     dummyHash // checked when a sign-in names no account
}

// NewAccountService returns an AccountService.
func NewAccountService(staff StaffStore, sessions StaffSessionStore, passwords PasswordHasher, now func() time.Time, log *slog.Logger) *AccountService {
	return &AccountService{staff: staff, sessions: sessions, passwords: passwords, now: now, log: log}
}

// ErrSignInFailed is the one answer to every failed sign-in: unknown email, wrong
// password, disabled account.
var ErrSignInFailed = Errorf(EUNAUTHORIZED, "The email address or password is not right.")

// errSignedOut is the answer for a missing, ended or revoked session.
var errSignedOut = Errorf(EUNAUTHORIZED, "Please sign in.")

func checkPassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	if !utf8.ValidString(pw) || n < MinPasswordLen || n > MaxPasswordLen {
		return Errorf(EINVALID, "The password must be %d to %d characters long.", MinPasswordLen, MaxPasswordLen)
	}
	return nil
}

// CreateStaff creates a staff account whose language is not chosen yet.
func (s *AccountService) CreateStaff(ctx context.Context, email, password string) (*Staff, error) {
	return s.CreateStaffIn(ctx, email, password, "")
}

// CreateStaffIn creates a staff account that reads the backoffice in lang
// ("" for the store's default).
func (s *AccountService) CreateStaffIn(ctx context.Context, email, password, lang string) (*Staff, error) {
	if lang != "" && !ValidStaffLanguage(lang) {
		return nil, errStaffLanguage
	}
	addr := NormalizeEmail(email)
	if addr == "" {
		return nil, Errorf(EINVALID, "Enter a valid email address.")
	}
	if err := checkPassword(password); err != nil {
		return nil, err
	}
	hash, err := s.passwords.Hash(password)
	if err != nil {
		return nil, fmt.Errorf("hash password: %w", err)
	}
	st := &Staff{Email: addr, PasswordHash: hash, CreatedAt: s.now(), Lang: lang}
	if err := s.staff.CreateStaff(ctx, st); err != nil {
		return nil, err
	}
	return st, nil
}

// errStaffLanguage refuses a language the backoffice does not speak.
var errStaffLanguage = Errorf(EINVALID, "Choose English or Latvian.")

// SetStaffLanguage saves the language staff member id reads the backoffice
// and their emails in.
func (s *AccountService) SetStaffLanguage(ctx context.Context, id int64, lang string) error {
	if !ValidStaffLanguage(lang) {
		return errStaffLanguage
	}
	return s.staff.SetStaffLanguage(ctx, id, lang)
}

// ListStaff returns every staff account.
func (s *AccountService) ListStaff(ctx context.Context) ([]Staff, error) {
	return s.staff.ListStaff(ctx)
}

// SetStaffPassword changes a staff member's password and ends their sessions.
func (s *AccountService) SetStaffPassword(ctx context.Context, email, password string) error {
	st, err := s.staff.StaffByEmail(ctx, NormalizeEmail(email))
	if err != nil {
		return err
	}
	if err := checkPassword(password); err != nil {
		return err
	}
	if st.PasswordHash, err = s.passwords.Hash(password); err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	if err := s.staff.UpdateStaff(ctx, st); err != nil {
		return err
	}
	return s.sessions.DeleteStaffSessions(ctx, st.ID, "")
}

// SetStaffDisabled disables (or enables again) a staff account; disabling ends
// every session of it at once.
func (s *AccountService) SetStaffDisabled(ctx context.Context, email string, disabled bool) error {
	st, err := s.staff.StaffByEmail(ctx, NormalizeEmail(email))
	if err != nil {
		return err
	}
	st.Disabled = disabled
	if err := s.staff.UpdateStaff(ctx, st); err != nil {
		return err
	}
	if disabled {
		return s.sessions.DeleteStaffSessions(ctx, st.ID, "")
	}
	return nil
}

// dummyHash is checked against when the email is unknown, so that an unknown
// email takes as long as a wrong password. A Service makes it once, with its own
// PasswordHasher, so its cost is that hasher's.
type dummyHash struct {
	once sync.Once
	hash string
}

// SignIn checks a staff member's email and password and starts a session. It
// returns the token for the cookie. Every failure gives the same error.
func (s *AccountService) SignIn(ctx context.Context, email, password string) (token string, st *Staff, err error) {
	st, err = s.staff.StaffByEmail(ctx, NormalizeEmail(email))
	if err != nil && ErrorCode(err) != ENOTFOUND {
		return "", nil, err
	}
	if st == nil {
		s.passwords.Verify(s.dummyHash(), password)
		return "", nil, ErrSignInFailed
	}
	if !s.passwords.Verify(st.PasswordHash, password) || st.Disabled {
		return "", nil, ErrSignInFailed
	}
	token = NewToken() + NewToken()
	now := s.now()
	sess := &StaffSession{ID: HashToken(token), StaffID: st.ID, CreatedAt: now, LastSeenAt: now}
	if err := s.sessions.CreateStaffSession(ctx, sess); err != nil {
		return "", nil, fmt.Errorf("create staff session: %w", err)
	}
	return token, st, nil
}

func (s *AccountService) dummyHash() string {
	s.dummy.once.Do(func() {
		s.dummy.hash, _ = s.passwords.Hash("not the password of anyone here")
	})
	return s.dummy.hash
}

// StaffBySession returns the signed-in staff member of a session token. A
// session past its idle or absolute timeout, revoked by sign-out, or of a
// disabled account gives EUNAUTHORIZED.
func (s *AccountService) StaffBySession(ctx context.Context, token string) (*Staff, error) {
	if len(token) != 64 {
		return nil, errSignedOut
	}
	id := HashToken(token)
	sess, st, err := s.sessions.StaffSession(ctx, id)
	if ErrorCode(err) == ENOTFOUND {
		return nil, errSignedOut
	}
	if err != nil {
		return nil, fmt.Errorf("read staff session: %w", err)
	}
	now := s.now()
	if st.Disabled || now.Sub(sess.LastSeenAt) > StaffIdleTimeout || now.Sub(sess.CreatedAt) > StaffAbsoluteTimeout {
		if err := s.sessions.DeleteStaffSessions(ctx, st.ID, id); err != nil {
			s.log.Error("delete ended staff session", "err", err)
		}
		return nil, errSignedOut
	}
	if now.Sub(sess.LastSeenAt) > staffTouchEvery {
		if err := s.sessions.TouchStaffSession(ctx, id, now); err != nil {
			s.log.Error("touch staff session", "err", err)
		}
	}
	return st, nil
}

// SignOut ends a session for good: the cookie, if replayed, finds no session.
func (s *AccountService) SignOut(ctx context.Context, token string) error {
	if len(token) != 64 {
		return nil
	}
	return s.sessions.DeleteStaffSessions(ctx, 0, HashToken(token))
}
