package handlers_test

import (
	"net/http"
	"strings"
	"testing"
)

// The signed link of the store's emails leads to the withdrawal function
// with next=withdraw: the link proves the order, so the customer is not
// asked for it again. A link whose signature fails proves nothing.
func TestSignedLinkLeadsToTheWithdrawal(t *testing.T) {
	h := newHarness(t, nil)
	c := h.client()
	a := h.get(c, startLink("1002", "sam.taylor@example.com")+"&next=withdraw")
	if a.status != http.StatusSeeOther || a.header.Get("Location") != "/withdraw" {
		t.Fatalf("signed link with next=withdraw: %d to %q, want 303 to /withdraw", a.status, a.header.Get("Location"))
	}
	if p := h.get(c, "/withdraw"); p.status != http.StatusOK || !strings.Contains(p.body, `name="name"`) {
		t.Fatalf("the withdrawal form after the signed link: %d", p.status)
	}
	bad := h.get(h.client(), "/start?order=1002&email=sam.taylor%40example.com&sig=00&next=withdraw")
	if bad.header.Get("Location") == "/withdraw" {
		t.Error("a link with a bad signature led to the withdrawal")
	}
}
