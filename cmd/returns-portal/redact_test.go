package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestRedactCommand erases a customer's return with the command while the
// portal serves it, then asks again, for an unknown address and with a
// malformed one.
func TestRedactCommand(t *testing.T) {
	dir := t.TempDir()
	base := startPortal(t, map[string]string{"DATA_DIR": dir})
	env := envFunc(map[string]string{"DATA_DIR": dir})
	redact := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), append([]string{"redact"}, args...), env, strings.NewReader(""), &out, &bytes.Buffer{})
		return out.String(), err
	}

	// Anna reports her tea towel damaged, in her own words.
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	get := func(path string) string {
		t.Helper()
		res, err := c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	if res, err := c.PostForm(base+"/", url.Values{"order": {"1001"}, "email": {"anna.berzina@example.lv"}}); err != nil {
		t.Fatal(err)
	} else {
		res.Body.Close()
	}
	order := get("/order?lang=en")
	key := regexp.MustCompile(`name="key" value="([0-9a-f]+)"`).FindStringSubmatch(order)
	line := regexp.MustCompile(`name="line" value="([^"]+)"`).FindStringSubmatch(order)
	if key == nil || line == nil {
		t.Fatalf("order page:\n%s", order)
	}
	const words = "Torn along the hem, ring me on 2000 0000"
	res := postMultipartForm(t, c, base+"/order/returns", map[string]string{
		"key": key[1], "kind": "damaged", "description": words, "resolution": "replacement", "line": line[1], "qty-" + line[1]: "1",
	})
	code := regexp.MustCompile(`R-[0-9A-Z]{8}`).FindString(res.Request.URL.Path)
	if code == "" {
		t.Fatalf("submit ended at %s", res.Request.URL)
	}
	if page := get("/returns/" + code + "?lang=en"); !strings.Contains(page, words) {
		t.Fatalf("the status page does not show her words:\n%s", page)
	}

	if out, err := redact("--email", "anna at example.lv"); err == nil || !strings.Contains(err.Error(), "is not an email address") || out != "" {
		t.Errorf("a malformed address: %q, %v; want a clear error", out, err)
	}
	if _, err := redact(); err == nil || !strings.Contains(err.Error(), "--email") {
		t.Errorf("no address: %v", err)
	}

	out, err := redact("--email", "Anna.Berzina@example.lv")
	if err != nil {
		t.Fatal(err)
	}
	if want := "1 return of anna.berzina@example.lv erased: " + code + ".\n"; out != want {
		t.Errorf("output %q, want %q", out, want)
	}
	page := get("/returns/" + code + "?lang=en")
	if strings.Contains(page, words) || !strings.Contains(page, code) || !strings.Contains(page, "Your personal data was erased") {
		t.Errorf("the status page after the erasure:\n%s", page)
	}

	for _, addr := range []string{"anna.berzina@example.lv", "nobody@example.com"} {
		out, err := redact("--email", addr)
		if err != nil || !strings.HasPrefix(out, "No returns of "+addr) {
			t.Errorf("%s again: %q, %v; want no returns and success", addr, out, err)
		}
	}
}
