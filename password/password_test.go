package password

import (
	"strings"
	"testing"
)

func TestHashAndVerify(t *testing.T) {
	var h Hasher
	hash, err := h.Hash("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q does not carry docs/SECURITY.md's parameters", hash)
	}
	other, _ := h.Hash("correct horse battery staple")
	if other == hash {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
	long := strings.Repeat("x", 100)
	longHash, _ := h.Hash(long)
	for _, tc := range []struct {
		name, hash, pw string
		want           bool
	}{
		{"right", hash, "correct horse battery staple", true},
		{"wrong", hash, "correct horse battery stapler", false},
		{"empty", hash, "", false},
		{"not truncated", longHash, strings.Repeat("x", 99) + "y", false},
		{"long right", longHash, long, true},
		{"garbage hash", "not-a-hash", "x", false},
		{"bcrypt hash", "$2a$10$abcdefghijklmnopqrstuv", "x", false},
		{"huge memory", strings.Replace(hash, "m=19456", "m=4000000", 1), "correct horse battery staple", false},
		// A character in the middle of the key carries six bits of it (the
		// last one may carry padding bits that decode to nothing).
		{"tampered key", tamper(hash, len(hash)-10), "correct horse battery staple", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := h.Verify(tc.hash, tc.pw); got != tc.want {
				t.Fatalf("Verify = %v, want %v", got, tc.want)
			}
		})
	}
}

// tamper returns s with the character at i replaced by another base64 one.
func tamper(s string, i int) string {
	c := byte('A')
	if s[i] == 'A' {
		c = 'B'
	}
	return s[:i] + string(c) + s[i+1:]
}
