package main

import (
	"testing"
	"time"
)

// TestDemoModeHistoryDefinition: at start the portal makes the order
// metafield definition of the returns history at the demo store, pinned,
// once.
func TestDemoModeHistoryDefinition(t *testing.T) {
	startPortal(t, nil)
	shop := demoShop.Load()
	deadline := time.Now().Add(10 * time.Second)
	for len(shop.MetafieldDefinitions()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no metafield definition at the demo store 10 s after the start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	defs := shop.MetafieldDefinitions()
	if d := defs[0]; len(defs) != 1 || d.OwnerType != "ORDER" || d.Key != "history" || d.Type != "json" || d.Name != "Returns history" || !d.Pinned {
		t.Fatalf("definitions at the demo store: %+v", defs)
	}
}
