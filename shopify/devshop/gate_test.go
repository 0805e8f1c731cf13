package devshop_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/returnsportal/returns/shopify/devshop"
)

func TestHoldMutationsDropsThoseWhoseClientLeft(t *testing.T) {
	shop := devshop.New(devshop.Options{})
	srv := httptest.NewServer(shop)
	defer srv.Close()
	send := func(ctx context.Context, q string) (int, error) {
		body, _ := json.Marshal(map[string]any{"query": q})
		req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL+"/admin/api/2026-04/graphql.json", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Shopify-Access-Token", shop.Token())
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		res.Body.Close()
		return res.StatusCode, nil
	}
	const addTag = `mutation { tagsAdd(id: "gid://shopify/Order/1001", tags: ["held"]) { userErrors { message } } }`
	release := shop.HoldMutations()

	// Queries pass while mutations are held.
	if code, err := send(context.Background(), `{ order(id: "gid://shopify/Order/1001") { id } }`); err != nil || code != 200 {
		t.Fatalf("query while held: %d %v", code, err)
	}
	// A held mutation whose client gives up never runs.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { send(ctx, addTag); close(done) }()
	for shop.Waiting() == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	for shop.Waiting() != 0 {
		time.Sleep(time.Millisecond)
	}
	release()
	if snap, _ := shop.OrderByName("#1001"); contains(snap.Tags, "held") {
		t.Fatal("a mutation whose client left ran")
	}
	// After release, mutations run again.
	if code, err := send(context.Background(), addTag); err != nil || code != 200 {
		t.Fatalf("mutation after release: %d %v", code, err)
	}
	if snap, _ := shop.OrderByName("#1001"); !contains(snap.Tags, "held") {
		t.Fatal("the mutation after release did not run")
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
