package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	returns "github.com/returnsportal/returns"
)

func envFunc(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

func TestConfig(t *testing.T) {
	key := strings.Repeat("k", 32)
	shopify := map[string]string{
		"SHOPIFY_SHOP": "my-store", "SHOPIFY_CLIENT_ID": "client-id", "SHOPIFY_CLIENT_SECRET": "client-secret",
		"SESSION_KEYS": key, "LINK_SECRET": "link-secret-0123456789", "BASE_URL": "https://returns.example.com",
	}
	without := func(k string) map[string]string {
		m := map[string]string{}
		for kk, v := range shopify {
			if kk != k {
				m[kk] = v
			}
		}
		return m
	}
	with := func(env map[string]string, kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range env {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	legacy := with(without("SHOPIFY_CLIENT_ID"), "SHOPIFY_CLIENT_SECRET", "", "SHOPIFY_ACCESS_TOKEN", "shpat_x", "SHOPIFY_WEBHOOK_SECRET", "webhook-secret")
	for _, tc := range []struct {
		name    string
		env     map[string]string
		wantErr string // "" for success
		demo    bool
	}{
		{"nothing set: demo", map[string]string{}, "", true},
		{"shopify with every secret", shopify, "", false},
		{"shopify without SESSION_KEYS", without("SESSION_KEYS"), "SESSION_KEYS", false},
		{"shopify without LINK_SECRET", without("LINK_SECRET"), "LINK_SECRET", false},
		{"shopify without BASE_URL", without("BASE_URL"), "BASE_URL", false},
		{"shop without credentials", map[string]string{"SHOPIFY_SHOP": "my-store"}, "SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET", false},
		{"client ID without its secret", without("SHOPIFY_CLIENT_SECRET"), "set both SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET", false},
		{"client secret without its ID", without("SHOPIFY_CLIENT_ID"), "set both SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET", false},
		{"credentials without the shop", without("SHOPIFY_SHOP"), "set SHOPIFY_SHOP", false},
		{"an admin-made app's token and webhook secret", legacy, "", false},
		{"a token without its webhook secret", with(legacy, "SHOPIFY_WEBHOOK_SECRET", ""), "SHOPIFY_WEBHOOK_SECRET", false},
		{"a webhook secret without a token", with(legacy, "SHOPIFY_ACCESS_TOKEN", ""), "SHOPIFY_ACCESS_TOKEN", false},
		{"both kinds", with(shopify, "SHOPIFY_ACCESS_TOKEN", "shpat_x"), "not both kinds", false},
		{"client credentials and a webhook secret", with(shopify, "SHOPIFY_WEBHOOK_SECRET", "x"), "not both kinds", false},
		{"short session key", map[string]string{"SESSION_KEYS": "short"}, "at least 32", false},
		{"short link secret", map[string]string{"LINK_SECRET": "short"}, "at least 16", false},
		{"relative BASE_URL", map[string]string{"BASE_URL": "returns.example.com"}, "BASE_URL", false},
		{"SMTP without MAIL_FROM", map[string]string{"SMTP_HOST": "localhost"}, "MAIL_FROM", false},
		{"SMTP with a bad TLS mode", map[string]string{"SMTP_HOST": "localhost", "MAIL_FROM": "a@example.com", "SMTP_TLS": "ssl3"}, "SMTP_TLS", false},
		{"SMTP with a bad port", map[string]string{"SMTP_HOST": "localhost", "MAIL_FROM": "a@example.com", "SMTP_PORT": "99999"}, "SMTP_PORT", false},
		{"MAIL_FROM with a header", map[string]string{"SMTP_HOST": "localhost", "MAIL_FROM": "a@example.com\r\nBcc: x@example.com"}, "MAIL_FROM", false},
		{"SMTP for Mailpit", map[string]string{"SMTP_HOST": "localhost", "SMTP_PORT": "1025", "SMTP_TLS": "none", "MAIL_FROM": "Linen & Co <returns@example.com>"}, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := loadConfig(envFunc(tc.env))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Demo != tc.demo {
				t.Fatalf("Demo = %v, want %v", c.Demo, tc.demo)
			}
			if !c.Demo && c.WebhookSecret() != tc.env["SHOPIFY_CLIENT_SECRET"]+tc.env["SHOPIFY_WEBHOOK_SECRET"] {
				t.Errorf("WebhookSecret = %q, want the client secret or the webhook secret", c.WebhookSecret())
			}
		})
	}
}

func TestServeRefusesToStartWithoutSecrets(t *testing.T) {
	env := map[string]string{"SHOPIFY_SHOP": "my-store", "SHOPIFY_CLIENT_ID": "id", "SHOPIFY_CLIENT_SECRET": "secret", "DATA_DIR": t.TempDir(), "PORT": "0"}
	err := run(context.Background(), nil, envFunc(env), strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "SESSION_KEYS") {
		t.Fatalf("run = %v, want an error naming SESSION_KEYS", err)
	}
}

func TestDemoSecretsAreGeneratedOnceAndKept(t *testing.T) {
	dir := t.TempDir()
	load := func() config {
		t.Helper()
		c, err := loadConfig(envFunc(map[string]string{"DATA_DIR": dir}))
		if err != nil {
			t.Fatal(err)
		}
		if err := c.fillDemoSecrets(); err != nil {
			t.Fatal(err)
		}
		return c
	}
	first, second := load(), load()
	if len(first.SessionKeys) != 1 || len(first.SessionKeys[0]) < minSessionKeyLen || len(first.LinkSecret) < minLinkSecretLen {
		t.Fatalf("generated secrets too short: %q %q", first.SessionKeys, first.LinkSecret)
	}
	if string(first.SessionKeys[0]) != string(second.SessionKeys[0]) || first.LinkSecret != second.LinkSecret {
		t.Fatal("secrets changed between starts")
	}
	fi, err := os.Stat(filepath.Join(dir, "secrets.json"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("secrets.json mode %v, want 0600", fi.Mode().Perm())
	}
	// A secret from the environment wins over the kept one.
	c, _ := loadConfig(envFunc(map[string]string{"DATA_DIR": dir, "LINK_SECRET": "from-the-environment-123"}))
	c.fillDemoSecrets()
	if c.LinkSecret != "from-the-environment-123" {
		t.Fatalf("LinkSecret = %q", c.LinkSecret)
	}
}

func TestLinkCommandPrintsAVerifiableLink(t *testing.T) {
	env := map[string]string{"LINK_SECRET": "link-secret-0123456789", "BASE_URL": "https://returns.example.com", "DATA_DIR": t.TempDir()}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"link", "--order", "#1001", "--email", "Anna.Berzina@example.lv"}, envFunc(env), nil, &out, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(strings.TrimSpace(out.String()))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Scheme+"://"+u.Host+u.Path != "https://returns.example.com/start" || q.Get("order") != "1001" || q.Get("email") != "anna.berzina@example.lv" {
		t.Fatalf("link %s", u)
	}
	if !returns.VerifyLinkSignature(env["LINK_SECRET"], q.Get("order"), q.Get("email"), q.Get("sig")) {
		t.Fatalf("link %s does not verify", u)
	}
	if err := run(context.Background(), []string{"link", "--order", "1001"}, envFunc(env), nil, &out, &bytes.Buffer{}); err == nil {
		t.Fatal("link without --email did not fail")
	}
}

func TestDemoStartLinkOpensTheOrder(t *testing.T) {
	dir := t.TempDir()
	base := startPortal(t, map[string]string{"DATA_DIR": dir})
	var out bytes.Buffer
	if err := run(context.Background(), []string{"link", "--order", "1001", "--email", "anna.berzina@example.lv"}, envFunc(map[string]string{"DATA_DIR": dir, "BASE_URL": base}), nil, &out, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	c := noRedirects()
	res, err := c.Get(strings.TrimSpace(out.String()))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 303 || res.Header.Get("Location") != "/order" {
		t.Fatalf("signed link: %d → %q, want 303 → /order", res.StatusCode, res.Header.Get("Location"))
	}
	bad := strings.Replace(strings.TrimSpace(out.String()), "order=1001", "order=1002", 1)
	res, err = c.Get(bad)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 422 {
		t.Fatalf("wrongly signed link: %d, want 422 (the lookup form)", res.StatusCode)
	}
}

func TestSMTPDefaults(t *testing.T) {
	for _, tc := range []struct {
		tls      string
		wantPort int
	}{{"", 587}, {"starttls", 587}, {"tls", 465}, {"none", 25}} {
		c, err := loadConfig(envFunc(map[string]string{"SMTP_HOST": "smtp.example.com", "MAIL_FROM": "returns@example.com", "SMTP_TLS": tc.tls}))
		if err != nil {
			t.Fatal(err)
		}
		if c.SMTPPort != tc.wantPort {
			t.Errorf("SMTP_TLS=%q: port %d, want %d", tc.tls, c.SMTPPort, tc.wantPort)
		}
	}
}

// The withdrawal log's key: LOG_SECRET as given; without it, a key derived
// from LINK_SECRET under a fixed label (not LINK_SECRET itself, and not the
// same for another LINK_SECRET); a LOG_SECRET too short is refused.
func TestLogKey(t *testing.T) {
	base := map[string]string{
		"SHOPIFY_SHOP": "my-store", "SHOPIFY_CLIENT_ID": "client-id", "SHOPIFY_CLIENT_SECRET": "client-secret",
		"SESSION_KEYS": strings.Repeat("k", 32), "LINK_SECRET": "link-secret-0123456789", "BASE_URL": "https://returns.example.com",
	}
	load := func(extra ...string) (config, error) {
		env := map[string]string{}
		for k, v := range base {
			env[k] = v
		}
		for i := 0; i < len(extra); i += 2 {
			env[extra[i]] = extra[i+1]
		}
		return loadConfig(func(k string) string { return env[k] })
	}
	c, err := load("LOG_SECRET", "log-secret-0123456789")
	if err != nil {
		t.Fatal(err)
	}
	if got := string(c.LogKey()); got != "log-secret-0123456789" {
		t.Errorf("LOG_SECRET given: key %q", got)
	}
	c, err = load()
	if err != nil {
		t.Fatal(err)
	}
	derived := c.LogKey()
	// The hex of HMAC-SHA256(LINK_SECRET, label), as openssl prints it, so
	// that it can be set as LOG_SECRET before LINK_SECRET is rotated.
	mac := hmac.New(sha256.New, []byte("link-secret-0123456789"))
	mac.Write([]byte("returns-portal withdrawal-log v2"))
	if want := hex.EncodeToString(mac.Sum(nil)); string(derived) != want {
		t.Errorf("derived key %q, want %q", derived, want)
	}
	asSecret, err := load("LOG_SECRET", string(derived), "LINK_SECRET", "another-link-secret-0123")
	if err != nil || !bytes.Equal(asSecret.LogKey(), derived) {
		t.Errorf("the derived key set as LOG_SECRET is not the same key (%v)", err)
	}
	if again := c.LogKey(); !bytes.Equal(again, derived) {
		t.Error("the derived key changes between calls")
	}
	other, err := load("LINK_SECRET", "another-link-secret-0123")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(other.LogKey(), derived) {
		t.Error("two LINK_SECRETs derive the same log key")
	}
	if _, err := load("LOG_SECRET", "short"); err == nil || !strings.Contains(err.Error(), "LOG_SECRET") {
		t.Errorf("a short LOG_SECRET: %v, want refused", err)
	}
}
