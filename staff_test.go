package returns_test

import (
	"context"
	"errors"
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
