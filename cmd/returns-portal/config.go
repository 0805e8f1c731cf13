package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// config is the portal's configuration, read from the environment only.
type config struct {
	Port        string
	DataDir     string
	BaseURL     string
	SessionKeys [][]byte
	LinkSecret  string

	ShopifyShop       string
	ShopifyToken      string
	ShopifyAPIVersion string

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
		Port:              getenv("PORT"),
		DataDir:           getenv("DATA_DIR"),
		BaseURL:           strings.TrimRight(getenv("BASE_URL"), "/"),
		LinkSecret:        getenv("LINK_SECRET"),
		ShopifyShop:       strings.TrimSpace(getenv("SHOPIFY_SHOP")),
		ShopifyToken:      strings.TrimSpace(getenv("SHOPIFY_ACCESS_TOKEN")),
		ShopifyAPIVersion: strings.TrimSpace(getenv("SHOPIFY_API_VERSION")),
		OnFly:             getenv("FLY_APP_NAME") != "",
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
	if c.LinkSecret != "" && len(c.LinkSecret) < minLinkSecretLen {
		return c, fmt.Errorf("LINK_SECRET must be at least %d characters", minLinkSecretLen)
	}

	switch {
	case c.ShopifyShop == "" && c.ShopifyToken == "":
		c.Demo = true
	case c.ShopifyShop == "" || c.ShopifyToken == "":
		return c, errors.New("set both SHOPIFY_SHOP and SHOPIFY_ACCESS_TOKEN, or neither for the demo store")
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
