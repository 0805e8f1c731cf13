package main

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestAdminCommands(t *testing.T) {
	dir := t.TempDir()
	env := envFunc(map[string]string{"DATA_DIR": dir})
	admin := func(stdin string, args ...string) (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), append([]string{"admin"}, args...), env, strings.NewReader(stdin), &out, &bytes.Buffer{})
		return out.String(), err
	}
	if _, err := admin("short\n", "create", "--email", "kim@example.com"); err == nil || !strings.Contains(err.Error(), "12 to 128") {
		t.Fatalf("a short password: %v", err)
	}
	if _, err := admin("", "create", "--email", "kim@example.com"); err == nil {
		t.Fatal("no password on stdin did not fail")
	}
	if _, err := admin("a long enough password\n", "create", "--email", "Kim@Example.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := admin("another long password\n", "create", "--email", "kim@example.com"); err == nil {
		t.Fatal("a second account with the same email was created")
	}
	if _, err := admin("a long enough password\n", "create", "--email", "ilze@example.lv", "--lang", "de"); err == nil || !strings.Contains(err.Error(), "English or Latvian") {
		t.Fatalf("a language the backoffice does not speak: %v", err)
	}
	if _, err := admin("a long enough password\n", "create", "--email", "ilze@example.lv", "--lang", "lv"); err != nil {
		t.Fatal(err)
	}
	out, err := admin("", "list")
	if err != nil || !strings.Contains(out, "kim@example.com") || !strings.Contains(out, "enabled") {
		t.Fatalf("list: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`ilze@example\.lv\s+enabled\s+lv\s`).MatchString(out) {
		t.Fatalf("list does not show Ilze's Latvian:\n%s", out)
	}

	// The account signs in to the running portal.
	base := startPortal(t, map[string]string{"DATA_DIR": dir})
	signIn := func(pw string) int {
		res, err := noRedirects().PostForm(base+"/admin/login", url.Values{"email": {"kim@example.com"}, "password": {pw}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if code := signIn("a long enough password"); code != http.StatusSeeOther {
		t.Fatalf("sign in with the created account: %d", code)
	}
	if _, err := admin("a brand new password\n", "password", "--email", "kim@example.com"); err != nil {
		t.Fatal(err)
	}
	if code := signIn("a long enough password"); code != http.StatusUnauthorized {
		t.Fatalf("old password after a change: %d", code)
	}
	if code := signIn("a brand new password"); code != http.StatusSeeOther {
		t.Fatalf("new password: %d", code)
	}
	if _, err := admin("", "disable", "--email", "kim@example.com"); err != nil {
		t.Fatal(err)
	}
	if code := signIn("a brand new password"); code != http.StatusUnauthorized {
		t.Fatalf("disabled account signs in: %d", code)
	}
	if out, _ := admin("", "list"); !strings.Contains(out, "disabled") {
		t.Fatalf("list after disable:\n%s", out)
	}
}
