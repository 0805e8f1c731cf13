package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestHelp: every way of asking for help prints the usage and succeeds, and
// never starts the portal or touches DATA_DIR.
func TestHelp(t *testing.T) {
	dir := t.TempDir()
	getenv := func(k string) string {
		if k == "DATA_DIR" {
			return dir + "/data"
		}
		return ""
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-h"}, "returns-portal [serve]"},
		{[]string{"--help"}, "returns-portal [serve]"},
		{[]string{"-help"}, "returns-portal [serve]"},
		{[]string{"help"}, "returns-portal [serve]"},
		{[]string{"serve", "-h"}, "returns-portal [serve]"},
		{[]string{"serve", "--help"}, "returns-portal [serve]"},
		{[]string{"admin", "-h"}, "returns-portal admin create"},
		{[]string{"admin", "--help"}, "returns-portal admin create"},
		{[]string{"backup", "-h"}, "usage: returns-portal backup FILE"},
		{[]string{"redact", "-h"}, "returns-portal redact --email ADDRESS"},
		{[]string{"redact", "--help"}, "returns-portal redact --email ADDRESS"},
		{[]string{"redact", "help"}, "returns-portal redact --email ADDRESS"},
		{[]string{"link", "-h"}, "-order"},
		{[]string{"devshop", "-h"}, "-addr"},
		{[]string{"shopify", "-h"}, "usage: returns-portal shopify check"},
		{[]string{"shopify", "--help"}, "usage: returns-portal shopify check"},
		{[]string{"admin", "create", "-h"}, "-email"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out bytes.Buffer
			if err := run(context.Background(), tc.args, getenv, strings.NewReader(""), &out, &out); err != nil {
				t.Fatalf("run %v: %v", tc.args, err)
			}
			if !strings.Contains(out.String(), tc.want) {
				t.Errorf("output %q, want it to contain %q", out.String(), tc.want)
			}
		})
	}
}
