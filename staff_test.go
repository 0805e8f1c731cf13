package returns_test

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/returnsportal/returns"
)

// fakeHasher is a PasswordHasher that records its calls; the …Fn fields decide
// the answers.
type fakeHasher struct {
	HashFn   func(password string) (string, error)
	VerifyFn func(hash, password string) bool

	mu       sync.Mutex
	hashed   []string    // passwords given to Hash
	verified [][2]string // (hash, password) given to Verify
}

func (h *fakeHasher) Hash(password string) (string, error) {
	h.mu.Lock()
	h.hashed = append(h.hashed, password)
	h.mu.Unlock()
	return h.HashFn(password)
}

func (h *fakeHasher) Verify(hash, password string) bool {
	h.mu.Lock()
	h.verified = append(h.verified, [2]string{hash, password})
	h.mu.Unlock()
	return h.VerifyFn(hash, password)
}

// fakeStaffStore is a StaffStore whose StaffByEmailFn answers lookups. The
// sign-in tests never write accounts.
type fakeStaffStore struct {
	StaffByEmailFn func(email string) (*returns.Staff, error)
}

func (s *fakeStaffStore) CreateStaff(ctx context.Context, st *returns.Staff) error {
	panic("CreateStaff in a sign-in test")
}

func (s *fakeStaffStore) StaffByEmail(ctx context.Context, email string) (*returns.Staff, error) {
	return s.StaffByEmailFn(email)
}

func (s *fakeStaffStore) ListStaff(ctx context.Context) ([]returns.Staff, error) {
	panic("ListStaff in a sign-in test")
}

func (s *fakeStaffStore) UpdateStaff(ctx context.Context, st *returns.Staff) error {
	panic("UpdateStaff in a sign-in test")
}

func (s *fakeStaffStore) SetStaffLanguage(ctx context.Context, id int64, lang string) error {
	panic("SetStaffLanguage in a sign-in test")
}

// TestSignInChecksADummyHashForUnknownAccounts: an unknown email costs one
// password check, as a wrong password does, against a hash made once from a
// password nobody types, so its time does not tell which accounts exist. A
// store failure is not taken for an unknown account.
func TestSignInChecksADummyHashForUnknownAccounts(t *testing.T) {
	kim := &returns.Staff{ID: 7, Email: "kim@example.com", PasswordHash: "kim's hash"}
	hasher := &fakeHasher{
		HashFn:   func(password string) (string, error) { return "hash of " + password, nil },
		VerifyFn: func(hash, password string) bool { return false },
	}
	var storeErr error
	staff := &fakeStaffStore{StaffByEmailFn: func(email string) (*returns.Staff, error) {
		if storeErr != nil {
			return nil, storeErr
		}
		if email == kim.Email {
			c := *kim
			return &c, nil
		}
		return nil, returns.Errorf(returns.ENOTFOUND, "Staff member not found.")
	}}
	svc := returns.NewAccountService(staff, nil, hasher, time.Now, quietLog)
	ctx := context.Background()

	_, _, wrongPassword := svc.SignIn(ctx, "Kim@Example.com", "typed password")
	if len(hasher.verified) != 1 || hasher.verified[0] != [2]string{"kim's hash", "typed password"} {
		t.Fatalf("wrong password: Verify calls %q, want one against kim's hash", hasher.verified)
	}

	_, st, unknown := svc.SignIn(ctx, "nobody@example.com", "typed password")
	if st != nil || returns.ErrorCode(unknown) != returns.EUNAUTHORIZED {
		t.Fatalf("unknown email: SignIn() = %v, %v; want EUNAUTHORIZED", st, unknown)
	}
	if unknown.Error() != wrongPassword.Error() {
		t.Errorf("unknown email answers %q, wrong password %q", unknown, wrongPassword)
	}
	if len(hasher.verified) != 2 {
		t.Fatalf("unknown email: %d Verify calls in all, want 2: the dummy hash costs what a wrong password does", len(hasher.verified))
	}
	if len(hasher.hashed) != 1 || hasher.hashed[0] == "typed password" {
		t.Fatalf("Hash calls %q, want one, of a password nobody typed", hasher.hashed)
	}
	if got, want := hasher.verified[1], [2]string{"hash of " + hasher.hashed[0], "typed password"}; got != want {
		t.Fatalf("unknown email: Verify(%q, %q), want Verify(%q, %q)", got[0], got[1], want[0], want[1])
	}

	// The dummy hash is made once, not per attempt.
	svc.SignIn(ctx, "someone.else@example.com", "another password")
	if len(hasher.hashed) != 1 || len(hasher.verified) != 3 || hasher.verified[2][0] != hasher.verified[1][0] {
		t.Fatalf("second unknown email: Hash calls %q, Verify calls %q", hasher.hashed, hasher.verified)
	}

	storeErr = errors.New("disk I/O error")
	if _, _, err := svc.SignIn(ctx, "kim@example.com", "typed password"); returns.ErrorCode(err) == returns.EUNAUTHORIZED || err == nil {
		t.Fatalf("store failure: SignIn() error = %v, want an internal error, not a failed sign-in", err)
	}
}

// memAccounts keeps staff accounts and their sessions in memory, as the
// database does; the …Fn fields, when set, answer instead. It records the
// touches of sessions and how often sessions were read.
type memAccounts struct {
	StaffSessionFn func(id string) (*returns.StaffSession, *returns.Staff, error)
	TouchFn        func(id string, at time.Time) error
	DeleteFn       func(staffID int64, id string) error
	CreateFn       func(s *returns.StaffSession) error

	mu           sync.Mutex
	staff        []returns.Staff
	sessions     map[string]returns.StaffSession
	touches      []time.Time
	sessionReads int
	deletes      int
}

func (m *memAccounts) CreateStaff(ctx context.Context, st *returns.Staff) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, x := range m.staff {
		if x.Email == st.Email {
			return returns.Errorf(returns.ECONFLICT, "This email address has an account already.")
		}
	}
	st.ID = int64(len(m.staff) + 1)
	m.staff = append(m.staff, *st)
	return nil
}

func (m *memAccounts) StaffByEmail(ctx context.Context, email string) (*returns.Staff, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, x := range m.staff {
		if x.Email == email {
			return &x, nil
		}
	}
	return nil, returns.Errorf(returns.ENOTFOUND, "Staff member not found.")
}

func (m *memAccounts) ListStaff(ctx context.Context) ([]returns.Staff, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.staff), nil
}

func (m *memAccounts) UpdateStaff(ctx context.Context, st *returns.Staff) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.staff {
		if m.staff[i].ID == st.ID {
			m.staff[i].PasswordHash, m.staff[i].Disabled = st.PasswordHash, st.Disabled
			return nil
		}
	}
	return returns.Errorf(returns.ENOTFOUND, "Staff member not found.")
}

func (m *memAccounts) SetStaffLanguage(ctx context.Context, id int64, lang string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.staff {
		if m.staff[i].ID == id {
			m.staff[i].Lang = lang
			return nil
		}
	}
	return returns.Errorf(returns.ENOTFOUND, "Staff member not found.")
}

func (m *memAccounts) CreateStaffSession(ctx context.Context, s *returns.StaffSession) error {
	if m.CreateFn != nil {
		if err := m.CreateFn(s); err != nil {
			return err
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sessions == nil {
		m.sessions = map[string]returns.StaffSession{}
	}
	m.sessions[s.ID] = *s
	return nil
}

func (m *memAccounts) StaffSession(ctx context.Context, id string) (*returns.StaffSession, *returns.Staff, error) {
	m.mu.Lock()
	m.sessionReads++
	m.mu.Unlock()
	if m.StaffSessionFn != nil {
		return m.StaffSessionFn(id)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[id]
	if !ok {
		return nil, nil, returns.Errorf(returns.ENOTFOUND, "Session not found.")
	}
	for _, x := range m.staff {
		if x.ID == s.StaffID {
			return &s, &x, nil
		}
	}
	return nil, nil, returns.Errorf(returns.ENOTFOUND, "Session not found.")
}

func (m *memAccounts) TouchStaffSession(ctx context.Context, id string, at time.Time) error {
	if m.TouchFn != nil {
		return m.TouchFn(id, at)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.touches = append(m.touches, at)
	s := m.sessions[id]
	s.LastSeenAt = at
	m.sessions[id] = s
	return nil
}

func (m *memAccounts) DeleteStaffSessions(ctx context.Context, staffID int64, id string) error {
	m.mu.Lock()
	m.deletes++
	m.mu.Unlock()
	if m.DeleteFn != nil {
		return m.DeleteFn(staffID, id)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, s := range m.sessions {
		if (id != "" && k == id) || (id == "" && s.StaffID == staffID) {
			delete(m.sessions, k)
		}
	}
	return nil
}

// sessionsOf returns how many sessions a staff member has.
func (m *memAccounts) sessionsOf(staffID int64) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, s := range m.sessions {
		if s.StaffID == staffID {
			n++
		}
	}
	return n
}

// accountFixture is an AccountService over memAccounts and a hasher whose
// hash of p is "hash of p", at a clock the test moves.
type accountFixture struct {
	*returns.AccountService
	store  *memAccounts
	hasher *fakeHasher
	logs   *logBuffer
	now    time.Time
}

func newAccountFixture(t *testing.T) *accountFixture {
	t.Helper()
	f := &accountFixture{store: &memAccounts{}, logs: &logBuffer{}, now: serviceNow}
	f.hasher = &fakeHasher{
		HashFn:   func(password string) (string, error) { return "hash of " + password, nil },
		VerifyFn: func(hash, password string) bool { return hash == "hash of "+password },
	}
	f.AccountService = returns.NewAccountService(f.store, f.store, f.hasher, func() time.Time { return f.now }, f.logs.logger())
	return f
}

const (
	kimPassword = "correct horse battery"
	leePassword = "staple of the backoffice"
)

// withKimAndLee adds two accounts: kim (ID 1) and lee (ID 2).
func (f *accountFixture) withKimAndLee(t *testing.T) {
	t.Helper()
	for _, a := range [][2]string{{"kim@example.com", kimPassword}, {"lee@example.com", leePassword}} {
		if _, err := f.CreateStaff(context.Background(), a[0], a[1]); err != nil {
			t.Fatal(err)
		}
	}
}

// signIn signs in and returns the session's token.
func (f *accountFixture) signIn(t *testing.T, email, password string) string {
	t.Helper()
	token, _, err := f.SignIn(context.Background(), email, password)
	if err != nil {
		t.Fatalf("SignIn(%s) = %v", email, err)
	}
	return token
}

func TestCreateStaff(t *testing.T) {
	ctx := context.Background()
	f := newAccountFixture(t)
	st, err := f.CreateStaff(ctx, " Kim@Example.COM ", kimPassword)
	if err != nil {
		t.Fatalf("CreateStaff() = %v", err)
	}
	want := returns.Staff{ID: 1, Email: "kim@example.com", PasswordHash: "hash of " + kimPassword, CreatedAt: serviceNow}
	if *st != want || !slices.Equal(f.store.staff, []returns.Staff{want}) {
		t.Errorf("account %+v, stored %+v; want %+v", *st, f.store.staff, want)
	}

	t.Run("EmailTaken", func(t *testing.T) {
		if _, err := f.CreateStaff(ctx, "KIM@example.com", leePassword); returns.ErrorCode(err) != returns.ECONFLICT {
			t.Errorf("CreateStaff() = %v, want ECONFLICT", err)
		}
	})

	for _, tc := range []struct {
		name, email, password, msg string
	}{
		{"NoEmail", " ", kimPassword, "Enter a valid email address."},
		{"NotAnEmail", "kim", kimPassword, "Enter a valid email address."},
		{"DisplayName", "Kim <kim@example.com>", kimPassword, "Enter a valid email address."},
		{"PasswordTooShort", "kim2@example.com", strings.Repeat("p", returns.MinPasswordLen-1), "The password must be 12 to 128 characters long."},
		{"PasswordTooLong", "kim2@example.com", strings.Repeat("p", returns.MaxPasswordLen+1), "The password must be 12 to 128 characters long."},
		{"PasswordShortInCharacters", "kim2@example.com", strings.Repeat("ā", returns.MinPasswordLen-1), "The password must be 12 to 128 characters long."},
		{"PasswordNotUTF8", "kim2@example.com", strings.Repeat("\xff", returns.MinPasswordLen), "The password must be 12 to 128 characters long."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newAccountFixture(t)
			st, err := f.CreateStaff(ctx, tc.email, tc.password)
			if st != nil || returns.ErrorCode(err) != returns.EINVALID || returns.ErrorMessage(err).String() != tc.msg {
				t.Errorf("CreateStaff() = %+v, %v; want EINVALID %q", st, err, tc.msg)
			}
			if len(f.store.staff) != 0 || len(f.hasher.hashed) != 0 {
				t.Errorf("%d accounts stored, %d passwords hashed; want none", len(f.store.staff), len(f.hasher.hashed))
			}
		})
	}

	// Passwords are counted in characters, and hashed whole, never cut.
	for _, tc := range []struct{ name, password string }{
		{"Shortest", strings.Repeat("p", returns.MinPasswordLen)},
		{"Longest", strings.Repeat("p", returns.MaxPasswordLen)},
		{"ShortestInCharacters", strings.Repeat("ā", returns.MinPasswordLen)},
		{"LongestInCharacters", strings.Repeat("ā", returns.MaxPasswordLen)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newAccountFixture(t)
			if _, err := f.CreateStaff(ctx, "kim@example.com", tc.password); err != nil {
				t.Fatalf("CreateStaff() = %v", err)
			}
			if !slices.Equal(f.hasher.hashed, []string{tc.password}) {
				t.Errorf("hashed %q, want the password whole", f.hasher.hashed)
			}
		})
	}

	t.Run("HashFails", func(t *testing.T) {
		f := newAccountFixture(t)
		f.hasher.HashFn = func(string) (string, error) { return "", errors.New("out of memory") }
		if _, err := f.CreateStaff(ctx, "kim@example.com", kimPassword); err == nil || !strings.HasPrefix(err.Error(), "hash password: ") {
			t.Errorf("CreateStaff() = %v, want the hash error wrapped", err)
		}
		if len(f.store.staff) != 0 {
			t.Errorf("stored %+v", f.store.staff)
		}
	})
}

func TestSignIn(t *testing.T) {
	ctx := context.Background()
	f := newAccountFixture(t)
	f.withKimAndLee(t)
	if err := f.SetStaffDisabled(ctx, "lee@example.com", true); err != nil {
		t.Fatal(err)
	}

	token, st, err := f.SignIn(ctx, " KIM@example.com", kimPassword)
	if err != nil || st.ID != 1 {
		t.Fatalf("SignIn() = %+v, %v", st, err)
	}
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(token) {
		t.Errorf("token %q, want 64 hex digits", token)
	}
	// The store keeps the token's hash, never the token.
	want := returns.StaffSession{ID: returns.HashToken(token), StaffID: 1, CreatedAt: serviceNow, LastSeenAt: serviceNow}
	if s, ok := f.store.sessions[want.ID]; !ok || s != want || len(f.store.sessions) != 1 {
		t.Errorf("sessions %+v, want %+v", f.store.sessions, want)
	}
	if _, ok := f.store.sessions[token]; ok {
		t.Errorf("the token itself is a session id")
	}
	if again := f.signIn(t, "kim@example.com", kimPassword); again == token {
		t.Errorf("a second sign-in got the same token")
	}

	for _, tc := range []struct{ name, email, password string }{
		{"WrongPassword", "kim@example.com", leePassword},
		{"Disabled", "lee@example.com", leePassword},
		{"DisabledWrongPassword", "lee@example.com", kimPassword},
		{"Unknown", "nobody@example.com", kimPassword},
		{"NotAnEmail", "kim", kimPassword},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sessions := len(f.store.sessions)
			token, st, err := f.SignIn(ctx, tc.email, tc.password)
			if token != "" || st != nil || !errors.Is(err, returns.ErrSignInFailed) {
				t.Errorf("SignIn() = %q, %+v, %v; want ErrSignInFailed", token, st, err)
			}
			if len(f.store.sessions) != sessions {
				t.Errorf("a failed sign-in made a session")
			}
		})
	}

	t.Run("SessionNotStored", func(t *testing.T) {
		f.store.CreateFn = func(*returns.StaffSession) error { return errors.New("disk full") }
		defer func() { f.store.CreateFn = nil }()
		if _, _, err := f.SignIn(ctx, "kim@example.com", kimPassword); err == nil || errors.Is(err, returns.ErrSignInFailed) ||
			!strings.HasPrefix(err.Error(), "create staff session: ") {
			t.Errorf("SignIn() = %v, want the store's error wrapped", err)
		}
	})
}

func TestStaffBySession(t *testing.T) {
	ctx := context.Background()
	signedOut := func(t *testing.T, err error) {
		t.Helper()
		if returns.ErrorCode(err) != returns.EUNAUTHORIZED || returns.ErrorMessage(err).String() != "Please sign in." {
			t.Errorf("StaffBySession() = %v, want EUNAUTHORIZED: Please sign in.", err)
		}
	}
	signedIn := func(t *testing.T, f *accountFixture, token string) {
		t.Helper()
		st, err := f.StaffBySession(ctx, token)
		if err != nil || st.Email != "kim@example.com" {
			t.Fatalf("StaffBySession() at %v = %+v, %v; want kim", f.now.Sub(serviceNow), st, err)
		}
	}

	t.Run("NotATokenIsNotLookedUp", func(t *testing.T) {
		f := newAccountFixture(t)
		for _, token := range []string{"", strings.Repeat("a", 63), strings.Repeat("a", 65)} {
			_, err := f.StaffBySession(ctx, token)
			signedOut(t, err)
		}
		_, err := f.StaffBySession(ctx, strings.Repeat("a", 64))
		signedOut(t, err)
		if f.store.sessionReads != 1 {
			t.Errorf("%d session reads, want only the 64-character token's", f.store.sessionReads)
		}
	})

	t.Run("TouchedAfterAMinute", func(t *testing.T) {
		f := newAccountFixture(t)
		f.withKimAndLee(t)
		token := f.signIn(t, "kim@example.com", kimPassword)
		for _, at := range []time.Duration{0, 30 * time.Second, time.Minute} {
			f.now = serviceNow.Add(at)
			signedIn(t, f, token)
		}
		if len(f.store.touches) != 0 {
			t.Errorf("touched at %v within the first minute", f.store.touches)
		}
		f.now = serviceNow.Add(time.Minute + time.Second)
		signedIn(t, f, token)
		if !slices.Equal(f.store.touches, []time.Time{f.now}) {
			t.Errorf("touches %v, want one now", f.store.touches)
		}
	})

	t.Run("IdleTimeout", func(t *testing.T) {
		f := newAccountFixture(t)
		f.withKimAndLee(t)
		token := f.signIn(t, "kim@example.com", kimPassword)
		other := f.signIn(t, "kim@example.com", kimPassword)
		f.now = serviceNow.Add(returns.StaffIdleTimeout)
		signedIn(t, f, token)
		f.now = f.now.Add(returns.StaffIdleTimeout + time.Nanosecond)
		_, err := f.StaffBySession(ctx, token)
		signedOut(t, err)
		// The ended session is deleted: the cookie opens nothing again, even
		// with a clock set back; kim's other session ends by itself.
		if _, ok := f.store.sessions[returns.HashToken(token)]; ok {
			t.Errorf("the idle session is still stored")
		}
		if _, ok := f.store.sessions[returns.HashToken(other)]; !ok {
			t.Errorf("another session of the account was deleted with it")
		}
	})

	t.Run("AbsoluteTimeout", func(t *testing.T) {
		f := newAccountFixture(t)
		f.withKimAndLee(t)
		token := f.signIn(t, "kim@example.com", kimPassword)
		// Busy all day: never idle, but signed out after 12 hours all the same.
		end := serviceNow.Add(returns.StaffAbsoluteTimeout)
		for f.now.Before(end) {
			f.now = f.now.Add(29 * time.Minute)
			if f.now.After(end) {
				f.now = end
			}
			signedIn(t, f, token)
		}
		f.now = f.now.Add(2 * time.Minute)
		_, err := f.StaffBySession(ctx, token)
		signedOut(t, err)
		if len(f.store.sessions) != 0 {
			t.Errorf("sessions %v after the absolute timeout, want none", f.store.sessions)
		}
	})

	t.Run("DisabledAccount", func(t *testing.T) {
		f := newAccountFixture(t)
		f.withKimAndLee(t)
		token := f.signIn(t, "kim@example.com", kimPassword)
		// Disabled by another process (the admin command): the session is
		// still stored, and ends at its next request.
		f.store.staff[0].Disabled = true
		_, err := f.StaffBySession(ctx, token)
		signedOut(t, err)
		if f.store.sessionsOf(1) != 0 {
			t.Errorf("the disabled account's session is still stored")
		}
	})

	t.Run("StoreFailureIsNoSignOut", func(t *testing.T) {
		f := newAccountFixture(t)
		f.store.StaffSessionFn = func(string) (*returns.StaffSession, *returns.Staff, error) {
			return nil, nil, errors.New("disk I/O error")
		}
		_, err := f.StaffBySession(ctx, strings.Repeat("a", 64))
		if err == nil || returns.ErrorCode(err) == returns.EUNAUTHORIZED || !strings.HasPrefix(err.Error(), "read staff session: ") {
			t.Errorf("StaffBySession() = %v, want the store's error wrapped", err)
		}
	})

	t.Run("TouchAndDeleteFailuresAreLogged", func(t *testing.T) {
		f := newAccountFixture(t)
		f.withKimAndLee(t)
		token := f.signIn(t, "kim@example.com", kimPassword)
		f.store.TouchFn = func(string, time.Time) error { return errors.New("touch: database is locked") }
		f.store.DeleteFn = func(int64, string) error { return errors.New("delete: database is locked") }
		f.now = serviceNow.Add(2 * time.Minute)
		signedIn(t, f, token)
		f.now = serviceNow.Add(time.Hour)
		_, err := f.StaffBySession(ctx, token)
		signedOut(t, err)
		log := f.logs.String()
		if !strings.Contains(log, "touch: database is locked") || !strings.Contains(log, "delete: database is locked") {
			t.Errorf("log %q, want both failures", log)
		}
	})
}

func TestSignOut(t *testing.T) {
	ctx := context.Background()
	f := newAccountFixture(t)
	f.withKimAndLee(t)
	token := f.signIn(t, "kim@example.com", kimPassword)
	laptop := f.signIn(t, "kim@example.com", kimPassword)
	if err := f.SignOut(ctx, token); err != nil {
		t.Fatal(err)
	}
	// The cookie replayed after sign-out opens nothing; the other session stays.
	if _, err := f.StaffBySession(ctx, token); returns.ErrorCode(err) != returns.EUNAUTHORIZED {
		t.Errorf("StaffBySession() after sign-out = %v, want EUNAUTHORIZED", err)
	}
	if st, err := f.StaffBySession(ctx, laptop); err != nil || st.ID != 1 {
		t.Errorf("the other session: %+v, %v", st, err)
	}
	deletes := f.store.deletes
	for _, bad := range []string{"", "short"} {
		if err := f.SignOut(ctx, bad); err != nil {
			t.Errorf("SignOut(%q) = %v", bad, err)
		}
	}
	if f.store.deletes != deletes {
		t.Errorf("a token that is none reached the store")
	}
}

func TestSetStaffPassword(t *testing.T) {
	ctx := context.Background()
	const newPassword = "a new and longer password"

	t.Run("EndsTheAccountsSessions", func(t *testing.T) {
		f := newAccountFixture(t)
		f.withKimAndLee(t)
		kim := f.signIn(t, "kim@example.com", kimPassword)
		f.signIn(t, "kim@example.com", kimPassword)
		f.signIn(t, "lee@example.com", leePassword)
		if err := f.SetStaffPassword(ctx, "Kim@Example.com", newPassword); err != nil {
			t.Fatalf("SetStaffPassword() = %v", err)
		}
		if got := f.store.staff[0].PasswordHash; got != "hash of "+newPassword {
			t.Errorf("hash %q", got)
		}
		if f.store.sessionsOf(1) != 0 || f.store.sessionsOf(2) != 1 {
			t.Errorf("kim has %d sessions, lee %d; want 0 and 1", f.store.sessionsOf(1), f.store.sessionsOf(2))
		}
		if _, err := f.StaffBySession(ctx, kim); returns.ErrorCode(err) != returns.EUNAUTHORIZED {
			t.Errorf("kim's old session: %v, want EUNAUTHORIZED", err)
		}
		if _, _, err := f.SignIn(ctx, "kim@example.com", kimPassword); !errors.Is(err, returns.ErrSignInFailed) {
			t.Errorf("the old password signs in: %v", err)
		}
		f.signIn(t, "kim@example.com", newPassword)
	})

	for _, tc := range []struct {
		name, email, password, code string
	}{
		{"TooShort", "kim@example.com", "short", returns.EINVALID},
		{"UnknownAccount", "nobody@example.com", newPassword, returns.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newAccountFixture(t)
			f.withKimAndLee(t)
			f.signIn(t, "kim@example.com", kimPassword)
			if err := f.SetStaffPassword(ctx, tc.email, tc.password); returns.ErrorCode(err) != tc.code {
				t.Errorf("SetStaffPassword() = %v, want %s", err, tc.code)
			}
			if f.store.staff[0].PasswordHash != "hash of "+kimPassword || f.store.sessionsOf(1) != 1 {
				t.Errorf("account %+v with %d sessions; want both unchanged", f.store.staff[0], f.store.sessionsOf(1))
			}
		})
	}
}

func TestSetStaffDisabled(t *testing.T) {
	ctx := context.Background()
	f := newAccountFixture(t)
	f.withKimAndLee(t)
	f.signIn(t, "kim@example.com", kimPassword)
	f.signIn(t, "lee@example.com", leePassword)
	if err := f.SetStaffDisabled(ctx, "kim@example.com", true); err != nil {
		t.Fatal(err)
	}
	if !f.store.staff[0].Disabled || f.store.sessionsOf(1) != 0 || f.store.sessionsOf(2) != 1 {
		t.Errorf("kim disabled %v with %d sessions, lee %d; want kim's ended at once", f.store.staff[0].Disabled, f.store.sessionsOf(1), f.store.sessionsOf(2))
	}
	if _, _, err := f.SignIn(ctx, "kim@example.com", kimPassword); !errors.Is(err, returns.ErrSignInFailed) {
		t.Errorf("a disabled account signs in: %v", err)
	}
	deletes := f.store.deletes
	if err := f.SetStaffDisabled(ctx, "kim@example.com", false); err != nil {
		t.Fatal(err)
	}
	if f.store.staff[0].Disabled || f.store.deletes != deletes {
		t.Errorf("enabled again: disabled %v, %d session deletions", f.store.staff[0].Disabled, f.store.deletes-deletes)
	}
	f.signIn(t, "kim@example.com", kimPassword)
	if err := f.SetStaffDisabled(ctx, "nobody@example.com", true); returns.ErrorCode(err) != returns.ENOTFOUND {
		t.Errorf("SetStaffDisabled() of nobody = %v, want ENOTFOUND", err)
	}
	if list, err := f.ListStaff(ctx); err != nil || len(list) != 2 || list[0].Email != "kim@example.com" {
		t.Errorf("ListStaff() = %+v, %v", list, err)
	}
}
