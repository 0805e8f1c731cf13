package main

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// config is the portal's configuration, read from the environment only.
type config struct {
	Port        string
	DataDir     string
	BaseURL     string
	SessionKeys [][]byte
	LinkSecret  string
	// LogSecret is the withdrawal log's key (LOG_SECRET); "" derives it
	// from LinkSecret (see LogKey).
	LogSecret string

	ShopifyShop string
	// ShopifyClientID and ShopifyClientSecret are a Dev Dashboard app's
	// credentials: the portal gets its tokens from the client credentials
	// grant, and the secret signs the webhooks.
	ShopifyClientID     string
	ShopifyClientSecret string
	// ShopifyToken is the static token of an app made in the Shopify admin
	// before 2026; ShopifyWebhookSecret signs its webhooks.
	ShopifyToken         string
	ShopifyWebhookSecret string
	ShopifyAPIVersion    string
	// ShopifyEndpoint replaces https://{shop}.myshopify.com, to run against a
	// stand-in such as `returns-portal devshop` (tests, benchmarks, staging).
	ShopifyEndpoint string

	// LookupLimits are the lookup rate limits: per client address a minute, an
	// hour, and per order number an hour.
	LookupLimits [3]int

	// SMTP settings; SMTPHost "" means no SMTP server: emails are kept in the
	// outbox, not sent.
	SMTPHost     string
	SMTPPort     int
	SMTPUsername string
	SMTPPassword string
	SMTPTLS      string // starttls, tls or none
	MailFrom     string

	// Demo is true when no Shopify settings are given: the built-in demo store
	// stands in for Shopify.
	Demo bool
	// OnFly is true on Fly.io, where the client address comes from Fly-Client-IP.
	OnFly bool
}

const (
	minSessionKeyLen = 32
	minLinkSecretLen = 16
)

// loadConfig reads the configuration. In demo mode a missing secret is generated
// once and kept in DATA_DIR; with Shopify settings every secret must be given.
func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		Port:                 getenv("PORT"),
		DataDir:              getenv("DATA_DIR"),
		BaseURL:              strings.TrimRight(getenv("BASE_URL"), "/"),
		LinkSecret:           getenv("LINK_SECRET"),
		LogSecret:            getenv("LOG_SECRET"),
		ShopifyShop:          strings.TrimSpace(getenv("SHOPIFY_SHOP")),
		ShopifyClientID:      strings.TrimSpace(getenv("SHOPIFY_CLIENT_ID")),
		ShopifyClientSecret:  strings.TrimSpace(getenv("SHOPIFY_CLIENT_SECRET")),
		ShopifyToken:         strings.TrimSpace(getenv("SHOPIFY_ACCESS_TOKEN")),
		ShopifyWebhookSecret: strings.TrimSpace(getenv("SHOPIFY_WEBHOOK_SECRET")),
		ShopifyAPIVersion:    strings.TrimSpace(getenv("SHOPIFY_API_VERSION")),
		ShopifyEndpoint:      strings.TrimRight(strings.TrimSpace(getenv("SHOPIFY_ENDPOINT")), "/"),
		LookupLimits:         [3]int{5, 20, 10},
		OnFly:                getenv("FLY_APP_NAME") != "",
	}
	if c.Port == "" {
		c.Port = "8080"
	}
	if c.DataDir == "" {
		c.DataDir = "data"
	}
	if c.ShopifyAPIVersion == "" {
		c.ShopifyAPIVersion = "2026-04"
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return c, fmt.Errorf("BASE_URL must be an absolute http(s) URL such as https://returns.example.com, not %q", c.BaseURL)
		}
	}
	for _, k := range strings.Split(getenv("SESSION_KEYS"), ",") {
		if k = strings.TrimSpace(k); k == "" {
			continue
		}
		if len(k) < minSessionKeyLen {
			return c, fmt.Errorf("each key in SESSION_KEYS must be at least %d characters (e.g. from `openssl rand -hex 32`)", minSessionKeyLen)
		}
		c.SessionKeys = append(c.SessionKeys, []byte(k))
	}
	if err := c.loadSMTP(getenv); err != nil {
		return c, err
	}
	if v := strings.TrimSpace(getenv("LOOKUP_RATE_LIMITS")); v != "" {
		parts := strings.Split(v, ",")
		for i := range c.LookupLimits {
			n := -1
			if len(parts) == 3 {
				n, _ = strconv.Atoi(strings.TrimSpace(parts[i]))
			}
			if n < 1 {
				return c, fmt.Errorf("LOOKUP_RATE_LIMITS must be three positive numbers, per address a minute, an hour and per order an hour, e.g. 5,20,10; not %q", v)
			}
			c.LookupLimits[i] = n
		}
	}
	if c.ShopifyEndpoint != "" {
		u, err := url.Parse(c.ShopifyEndpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return c, fmt.Errorf("SHOPIFY_ENDPOINT must be a base URL such as http://127.0.0.1:9090, not %q", c.ShopifyEndpoint)
		}
	}
	if c.LinkSecret != "" && len(c.LinkSecret) < minLinkSecretLen {
		return c, fmt.Errorf("LINK_SECRET must be at least %d characters", minLinkSecretLen)
	}
	if c.LogSecret != "" && len(c.LogSecret) < minLinkSecretLen {
		return c, fmt.Errorf("LOG_SECRET must be at least %d characters", minLinkSecretLen)
	}

	if err := c.checkShopify(); err != nil {
		return c, err
	}
	if !c.Demo {
		var missing []string
		if len(c.SessionKeys) == 0 {
			missing = append(missing, "SESSION_KEYS")
		}
		if c.LinkSecret == "" {
			missing = append(missing, "LINK_SECRET")
		}
		if c.BaseURL == "" {
			missing = append(missing, "BASE_URL")
		}
		if len(missing) > 0 {
			return c, fmt.Errorf("with SHOPIFY_SHOP set, %s must be set too (see README.md, Configuration)", strings.Join(missing, " and "))
		}
	}
	return c, nil
}

// checkShopify decides between demo mode and a store, and checks that the
// Shopify settings are one whole kind: a Dev Dashboard app's client
// credentials, or an admin-made app's token with its webhook secret.
func (c *config) checkShopify() error {
	set := func(v string) bool { return v != "" }
	creds := set(c.ShopifyClientID) || set(c.ShopifyClientSecret)
	legacy := set(c.ShopifyToken) || set(c.ShopifyWebhookSecret)
	const howTo = "see README.md, Connect your store"
	switch {
	case !set(c.ShopifyShop) && !creds && !legacy:
		c.Demo = true
		return nil
	case creds && legacy:
		return fmt.Errorf("set SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET (a Dev Dashboard app) or SHOPIFY_ACCESS_TOKEN and SHOPIFY_WEBHOOK_SECRET (an app made in the Shopify admin before 2026), not both kinds; %s", howTo)
	case creds && !(set(c.ShopifyClientID) && set(c.ShopifyClientSecret)):
		return fmt.Errorf("set both SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET, from the app's Settings in the Dev Dashboard; %s", howTo)
	case legacy && !(set(c.ShopifyToken) && set(c.ShopifyWebhookSecret)):
		return fmt.Errorf("set both SHOPIFY_ACCESS_TOKEN and SHOPIFY_WEBHOOK_SECRET (the app's API secret key, which signs its webhooks); %s", howTo)
	case !creds && !legacy:
		return fmt.Errorf("with SHOPIFY_SHOP set, set SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET of the app from the Dev Dashboard (or SHOPIFY_ACCESS_TOKEN and SHOPIFY_WEBHOOK_SECRET of an app made in the Shopify admin before 2026), or unset SHOPIFY_SHOP for the demo store; %s", howTo)
	case !set(c.ShopifyShop):
		return fmt.Errorf("set SHOPIFY_SHOP to the store's myshopify name, e.g. linen-co or linen-co.myshopify.com; %s", howTo)
	}
	return nil
}

// logKeyLabel is what the withdrawal log's key is derived from LINK_SECRET
// with when LOG_SECRET is not set. It must never change: the log's entries
// verify only with the key they were written with.
const logKeyLabel = "returns-portal withdrawal-log v2"

// LogKey is the withdrawal log's HMAC key: LOG_SECRET as given, else the
// hex of HMAC-SHA256(LINK_SECRET, logKeyLabel), so that a store that sets
// only LINK_SECRET (and demo mode, which keeps it in DATA_DIR) has a key the
// database does not hold. Hex, so that a store about to rotate LINK_SECRET
// can set LOG_SECRET to the derived key first (`openssl dgst -sha256 -hmac`
// prints it) and keep its log verifying. It is nil when neither secret is
// known.
func (c *config) LogKey() []byte {
	if c.LogSecret != "" {
		return []byte(c.LogSecret)
	}
	if c.LinkSecret == "" {
		return nil
	}
	mac := hmac.New(sha256.New, []byte(c.LinkSecret))
	mac.Write([]byte(logKeyLabel))
	return []byte(hex.EncodeToString(mac.Sum(nil)))
}

// WebhookSecret is the secret Shopify signs webhooks with: the client
// secret of a Dev Dashboard app, or the webhook secret of an admin-made app.
func (c *config) WebhookSecret() string {
	if c.ShopifyClientSecret != "" {
		return c.ShopifyClientSecret
	}
	return c.ShopifyWebhookSecret
}

// demoSecrets are the secrets demo mode generates and keeps in DATA_DIR, so that
// sessions and printed links survive a restart.
type demoSecrets struct {
	SessionKey string `json:"session_key"`
	LinkSecret string `json:"link_secret"`
}

// fillDemoSecrets sets the secrets the environment did not give from
// DATA_DIR/secrets.json, creating the file with new random secrets when needed.
func (c *config) fillDemoSecrets() error {
	if !c.Demo || (len(c.SessionKeys) > 0 && c.LinkSecret != "") {
		return nil
	}
	path := filepath.Join(c.DataDir, "secrets.json")
	var s demoSecrets
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("read %s: %w (delete it to make new secrets)", path, err)
		}
	case errors.Is(err, os.ErrNotExist):
	default:
		return fmt.Errorf("read %s: %w", path, err)
	}
	changed := false
	if len(s.SessionKey) < minSessionKeyLen {
		s.SessionKey, changed = randomHex(32), true
	}
	if len(s.LinkSecret) < minLinkSecretLen {
		s.LinkSecret, changed = randomHex(32), true
	}
	if changed {
		b, _ := json.MarshalIndent(s, "", "  ")
		if err := writeFileAtomic(path, b, 0o600); err != nil {
			return fmt.Errorf("keep demo secrets: %w", err)
		}
	}
	if len(c.SessionKeys) == 0 {
		c.SessionKeys = [][]byte{[]byte(s.SessionKey)}
	}
	if c.LinkSecret == "" {
		c.LinkSecret = s.LinkSecret
	}
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// writeFileAtomic writes a file through a temporary file and a rename, so a crash
// never leaves half a file.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// loadSMTP reads the SMTP settings. Without SMTP_HOST nothing is sent and every
// email stays visible in the backoffice's outbox.
func (c *config) loadSMTP(getenv func(string) string) error {
	c.SMTPHost = strings.TrimSpace(getenv("SMTP_HOST"))
	c.SMTPUsername = getenv("SMTP_USERNAME")
	c.SMTPPassword = getenv("SMTP_PASSWORD")
	c.SMTPTLS = strings.ToLower(strings.TrimSpace(getenv("SMTP_TLS")))
	c.MailFrom = strings.TrimSpace(getenv("MAIL_FROM"))
	if c.SMTPHost == "" {
		return nil
	}
	defaultPort := 587
	switch c.SMTPTLS {
	case "", "starttls":
		c.SMTPTLS = "starttls"
	case "tls":
		defaultPort = 465
	case "none":
		defaultPort = 25
	default:
		return fmt.Errorf("SMTP_TLS must be starttls, tls or none, not %q", c.SMTPTLS)
	}
	c.SMTPPort = defaultPort
	if p := strings.TrimSpace(getenv("SMTP_PORT")); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("SMTP_PORT must be a port number, not %q", p)
		}
		c.SMTPPort = n
	}
	if c.MailFrom == "" {
		return errors.New("with SMTP_HOST set, MAIL_FROM must be set too, e.g. \"Linen & Co <returns@example.com>\"")
	}
	if a, err := mail.ParseAddress(c.MailFrom); err != nil || strings.ContainsAny(c.MailFrom, "\r\n") || a.Address == "" {
		return fmt.Errorf("MAIL_FROM is not an email address: %q", c.MailFrom)
	}
	return nil
}

// StoreName is the name emails are signed with: MAIL_FROM's display name, else
// the shop's name, else "Demo store".
func (c *config) StoreName() string {
	if a, err := mail.ParseAddress(c.MailFrom); err == nil && a.Name != "" {
		return a.Name
	}
	if c.ShopifyShop != "" {
		return strings.TrimSuffix(c.ShopifyShop, ".myshopify.com")
	}
	return "Demo store"
}
