package returns_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"

	"github.com/returnsportal/returns"
)

func TestNormalizeOrderNumber(t *testing.T) {
	tests := []struct{ in, want string }{
		{"1001", "1001"},
		{"#1001", "1001"},
		{"  #1001 ", "1001"},
		{"# 1001", "1001"},
		{"\t1001\n", "1001"},
		{"EN1001", "EN1001"},
		{"en1001", "EN1001"},
		{"1001-a", "1001-A"},
		{"1001_A.2", "1001_A.2"},
		{"#", ""},
		{"", ""},
		{"   ", ""},
		{"##1001", ""},
		{"1001#", ""},
		{"1001; DROP", ""},
		{"1001 1002", ""},
		{"1001'--", ""},
		{"<b>1001</b>", ""},
		{"1001\x00", ""},
		{"1001\x7f", ""},
		{"ＡＢ", ""},   // fullwidth letters
		{"１００１", ""}, // fullwidth digits
		{"Ā1001", ""},
		{strings.Repeat("1", 32), strings.Repeat("1", 32)},
		{strings.Repeat("1", 33), ""},
	}
	for _, tc := range tests {
		if got := returns.NormalizeOrderNumber(tc.in); got != tc.want {
			t.Errorf("NormalizeOrderNumber(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNormalizeEmail(t *testing.T) {
	tests := []struct{ in, want string }{
		{"anna@example.lv", "anna@example.lv"},
		{"Anna.Berzina@Example.LV", "anna.berzina@example.lv"},
		{"  anna@example.lv \t", "anna@example.lv"},
		{"anna+returns@example.lv", "anna+returns@example.lv"},
		{"", ""},
		{"   ", ""},
		{"no-at", ""},
		{"@example.lv", ""},
		{"anna@", ""},
		{"anna@example.lv\r\nBcc: x@evil.test", ""},
		{"a@b\r\nBcc: x", ""},
		{"anna@example.lv\nBcc: x@evil.test", ""},
		{"Anna <anna@example.lv>", ""},
		{`"Anna" <anna@example.lv>`, ""},
		{"<anna@example.lv>", ""},
		{"anna@example.lv, eve@evil.test", ""},
		{"anna@example.lv;eve@evil.test", ""},
		{"anna (Anna) @example.lv", ""},
		{"anna@example.lv (Anna)", ""},
		{"anna(Anna)@example.lv", ""},
		{"an na@example.lv", ""},
		{"anna@@example.lv", ""},
		{strings.Repeat("a", 64) + "@" + strings.Repeat("b", 186) + ".lv", strings.Repeat("a", 64) + "@" + strings.Repeat("b", 186) + ".lv"}, // 254 bytes
		{strings.Repeat("a", 64) + "@" + strings.Repeat("b", 187) + ".lv", ""},                                                               // 255 bytes
	}
	for _, tc := range tests {
		if got := returns.NormalizeEmail(tc.in); got != tc.want {
			t.Errorf("NormalizeEmail(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func hmacHex(key, msg string) string {
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(msg))
	return hex.EncodeToString(mac.Sum(nil))
}

func TestLinkSignature(t *testing.T) {
	// Shopify's documented example: {{ 'Polyjuice' | hmac_sha256: 'Polina' }}.
	liquid := hmacHex("Polina", "Polyjuice")
	if !strings.HasPrefix(liquid, "8e0d5d65") || !strings.HasSuffix(liquid, "dc20") || len(liquid) != 64 {
		t.Fatalf("HMAC-SHA256 of the Liquid example = %s, want 8e0d5d65…dc20", liquid)
	}
	want := hmacHex("secret", "1001|anna.berzina@example.lv")
	for _, tc := range []struct{ number, email string }{
		{"1001", "Anna.Berzina@Example.lv"},
		{"#1001", "anna.berzina@example.lv"},
		{" #1001 ", "  ANNA.BERZINA@EXAMPLE.LV "},
	} {
		if got := returns.LinkSignature("secret", tc.number, tc.email); got != want {
			t.Errorf("LinkSignature(%q, %q) = %s, want %s", tc.number, tc.email, got, want)
		}
	}
	if got := returns.LinkSignature("other", "1001", "anna.berzina@example.lv"); got == want {
		t.Error("the signature does not depend on the secret")
	}
	if got := returns.LinkSignature("secret", "1002", "anna.berzina@example.lv"); got == want {
		t.Error("the signature does not depend on the number")
	}
	// The separator keeps "10|01" and "100|1" apart.
	if returns.LinkSignature("s", "10", "01@x.lv") == returns.LinkSignature("s", "100", "1@x.lv") {
		t.Error("different number and email pairs give the same signature")
	}
}

func TestVerifyLinkSignature(t *testing.T) {
	const number, email = "1001", "anna.berzina@example.lv"
	sig := returns.LinkSignature("secret", number, email)
	tampered := []byte(sig)
	tampered[10] ^= 1
	tests := []struct {
		name                       string
		secret, number, email, sig string
		want                       bool
	}{
		{"Valid", "secret", number, email, sig, true},
		{"UpperCaseHex", "secret", number, email, strings.ToUpper(sig), true},
		{"NumberWithHashAndEmailCase", "secret", "#1001", "Anna.Berzina@Example.LV", sig, true},
		{"Tampered", "secret", number, email, string(tampered), false},
		{"TooShort", "secret", number, email, sig[:63], false},
		{"TooLong", "secret", number, email, sig + "0", false},
		{"Empty", "secret", number, email, "", false},
		{"NotHex", "secret", number, email, strings.Repeat("z", 64), false},
		{"OtherEmail", "secret", number, "eve@example.lv", sig, false},
		{"OtherNumber", "secret", "1002", email, sig, false},
		{"OtherSecret", "secret2", number, email, sig, false},
		{"EmptySecret", "", number, email, returns.LinkSignature("", number, email), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := returns.VerifyLinkSignature(tc.secret, tc.number, tc.email, tc.sig); got != tc.want {
				t.Errorf("VerifyLinkSignature() = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestNewReturnCode(t *testing.T) {
	shape := regexp.MustCompile(`^R-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{8}$`)
	seen := map[string]bool{}
	symbols := map[rune]bool{}
	for range 1000 {
		c := returns.NewReturnCode()
		if !shape.MatchString(c) || !returns.ValidReturnCode(c) {
			t.Fatalf("NewReturnCode() = %q", c)
		}
		if strings.ContainsAny(c[2:], "0O1ILU") {
			t.Fatalf("NewReturnCode() = %q holds a confusable symbol", c)
		}
		if seen[c] {
			t.Fatalf("NewReturnCode() repeated %q", c)
		}
		seen[c] = true
		for _, r := range c[2:] {
			symbols[r] = true
		}
	}
	// 8000 draws from 30 symbols: missing one by chance has odds of about 10^-117.
	if len(symbols) != 30 {
		t.Errorf("codes used %d of the 30 symbols", len(symbols))
	}
}

func TestValidReturnCode(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"R-7KQ9X2MD", true},
		{"R-22222222", true},
		{"R-ZZZZZZZZ", true},
		{"r-7KQ9X2MD", false},
		{"R-7kq9x2md", false},
		{"R-7KQ9X2M", false},
		{"R-7KQ9X2MDD", false},
		{"R-7KQ9X2MO", false},
		{"R-7KQ9X2M0", false},
		{"R-7KQ9X2M1", false},
		{"R-7KQ9X2MI", false},
		{"R-7KQ9X2ML", false},
		{"R-7KQ9X2MU", false},
		{"X-7KQ9X2MD", false},
		{"R_7KQ9X2MD", false},
		{"R-7KQ9X2\u00c9", false}, // 10 bytes, not 10 symbols
		{"R-7KQ9X2M'", false},
		{"", false},
	}
	for _, tc := range tests {
		if got := returns.ValidReturnCode(tc.in); got != tc.want {
			t.Errorf("ValidReturnCode(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestNewToken(t *testing.T) {
	shape := regexp.MustCompile(`^[0-9a-f]{32}$`)
	seen := map[string]bool{}
	for range 1000 {
		tok := returns.NewToken()
		if !shape.MatchString(tok) {
			t.Fatalf("NewToken() = %q, want 32 lower-case hex digits", tok)
		}
		if seen[tok] {
			t.Fatalf("NewToken() repeated %q", tok)
		}
		seen[tok] = true
	}
}
