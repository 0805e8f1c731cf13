package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestDevshopCommand serves the demo store alone with client credentials and
// a short token lifetime, and asks it for a token as the portal does.
func TestDevshopCommand(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- runDevshop(ctx, []string{"--addr", "127.0.0.1:0", "--client-id", "client-1", "--client-secret", "secret-1",
			"--token-ttl", "2s", "--scopes", "read_orders, write_orders"}, outW, io.Discard)
		outW.Close()
	}()

	lines := bufio.NewScanner(outR)
	var printed []string
	base := ""
	for len(printed) < 3 && lines.Scan() {
		printed = append(printed, lines.Text())
		if m := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`).FindStringSubmatch(lines.Text()); m != nil {
			base = m[1]
		}
	}
	go io.Copy(io.Discard, outR)
	if base == "" {
		t.Fatalf("no address printed: %q", printed)
	}
	all := strings.Join(printed, "\n")
	if strings.Contains(all, "secret-1") || !strings.Contains(all, "client ID client-1, tokens for 2s") || !strings.Contains(all, "Scopes read_orders,write_orders") {
		t.Fatalf("printed:\n%s", all)
	}

	resp, err := http.PostForm(base+"/admin/oauth/access_token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {"client-1"}, "client_secret": {"secret-1"}})
	if err != nil {
		t.Fatal(err)
	}
	var answer struct {
		AccessToken string `json:"access_token"`
		Scope       string
		ExpiresIn   int `json:"expires_in"`
	}
	err = json.NewDecoder(resp.Body).Decode(&answer)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || answer.AccessToken == "" || answer.Scope != "read_orders,write_orders" || answer.ExpiresIn != 2 {
		t.Fatalf("grant: %d %+v %v", resp.StatusCode, answer, err)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("devshop did not stop")
	}
}

func TestDevshopCommand_Refusals(t *testing.T) {
	for _, args := range [][]string{
		{"--addr", "0.0.0.0:0"},
		{"--addr", "127.0.0.1:0", "--client-id", "client-1"},
		{"--addr", "127.0.0.1:0", "--client-secret", "secret-1"},
		{"--addr", "127.0.0.1:0", "--client-id", "c", "--client-secret", "s", "--token-ttl", "10ms"},
	} {
		if err := runDevshop(context.Background(), args, io.Discard, io.Discard); err == nil {
			t.Errorf("devshop %v started", args)
		}
	}
}
