package returns

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/mail"
	"regexp"
	"strings"
	"unicode"
)

// NormalizeOrderNumber turns what a customer typed ("#1001", " 1001 ") into the
// order number without "#" ("1001"). It returns "" for anything that cannot be an
// order number, so the caller answers it like any other failed lookup.
func NormalizeOrderNumber(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "#")
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 32 {
		return ""
	}
	for _, r := range s {
		// Shopify order names are a number with an optional prefix and suffix made
		// of letters, digits and dashes, e.g. "EN1001" or "1001-A".
		if !(r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '.')) {
			return ""
		}
	}
	return strings.ToUpper(s)
}

// NormalizeEmail trims an email address and lower-cases it. It returns "" when s is
// not a single plain address (no display name, no CR/LF, at most 254 bytes).
func NormalizeEmail(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 254 || strings.ContainsAny(s, "\r\n<>\" ,;") || checkText(s, 254) != nil {
		return ""
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s || !strings.Contains(s, "@") {
		return ""
	}
	return strings.ToLower(s)
}

// LinkSignature signs a start link for an order number (without "#") and email, as
// Liquid's hmac_sha256 filter does in the store's notification templates:
// lower-case hex HMAC-SHA256 of "<number>|<email lower-cased>" keyed with secret.
func LinkSignature(secret, number, email string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strings.TrimPrefix(strings.TrimSpace(number), "#") + "|" + strings.ToLower(strings.TrimSpace(email))))
	return hex.EncodeToString(mac.Sum(nil))
}

// VerifyLinkSignature reports, in constant time, whether sig signs number and email.
func VerifyLinkSignature(secret, number, email, sig string) bool {
	if secret == "" || len(sig) != sha256.Size*2 {
		return false
	}
	want := LinkSignature(secret, number, email)
	return hmac.Equal([]byte(want), []byte(strings.ToLower(sig)))
}

// codeAlphabet has no 0/O, 1/I/L or U, so codes survive being read aloud and
// handwritten on a parcel.
const codeAlphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewReturnCode returns a random public return code such as "R-7KQ9X2MD"
// (8 symbols of 30: about 39 bits, enough against collisions; the code is not a secret).
func NewReturnCode() string {
	b := make([]byte, 8)
	for i := range b {
		b[i] = codeAlphabet[randIntn(len(codeAlphabet))]
	}
	return "R-" + string(b)
}

// NewToken returns a random 128-bit secret as 32 hex digits.
func NewToken() string {
	return hex.EncodeToString(randBytes(16))
}

// ValidReturnCode reports whether s has the shape of a return code, so that other
// strings never reach the database.
func ValidReturnCode(s string) bool {
	if len(s) != 10 || !strings.HasPrefix(s, "R-") {
		return false
	}
	for i := 2; i < len(s); i++ {
		if !strings.ContainsRune(codeAlphabet, rune(s[i])) {
			return false
		}
	}
	return true
}

func randBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b) // crypto/rand.Read never fails on supported platforms (Go 1.24+).
	return b
}

// randIntn returns a uniform random number in [0, n) for small n, by rejection.
func randIntn(n int) int {
	limit := 256 - 256%n
	for {
		b := randBytes(1)[0]
		if int(b) < limit {
			return int(b) % n
		}
	}
}

// HashToken returns the hex SHA-256 of a secret token, which is what the
// database keeps of it (staff sessions, customers' access tokens), so that a copy
// of the database opens nothing. Tokens are random and 128 bits or more, so a
// plain hash is enough: there is nothing to guess.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// linkTokenRe finds access tokens in the links of emails: "t=" and NewToken's 32
// hex digits.
var linkTokenRe = regexp.MustCompile(`\bt=[0-9a-f]{32}\b`)

// RedactLinkTokens returns s with the access tokens of its links replaced, so
// that the copy of an email kept after it was sent opens nothing: the database
// keeps tokens only as hashes, and an email's body must not undo that.
func RedactLinkTokens(s string) string {
	return linkTokenRe.ReplaceAllString(s, "t=removed-after-sending")
}
