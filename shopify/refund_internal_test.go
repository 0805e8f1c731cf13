package shopify

import (
	"testing"
	"time"

	goshopify "github.com/bold-commerce/go-shopify/v4"
)

// TestClassify_Idempotency checks how Shopify's idempotency errors are taken:
// a request still running under the same key is waited for and asked again
// with that key; a key used with other input is not retried.
func TestClassify_Idempotency(t *testing.T) {
	c := &Client{retryWait: time.Millisecond, maxWait: time.Second}
	gqlErr := goshopify.ResponseError{Status: 200, Errors: []string{"…"}}
	tests := []struct {
		code      string
		wantRetry bool
	}{
		{codeConcurrentRequest, true},
		{codeKeyMismatch, false},
		{"IDEMPOTENCY_KEY_REQUIRED", false},
	}
	for _, tt := range tests {
		retry, _ := c.classify(gqlErr, &exchange{status: 200, codes: []string{tt.code}}, 1)
		if retry != tt.wantRetry {
			t.Errorf("%s: retry = %v, want %v", tt.code, retry, tt.wantRetry)
		}
	}
}
