package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/returnsportal/returns"
)

func TestShopIdentity(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	if _, ok, err := db.ShopIdentity(ctx); err != nil || ok {
		t.Fatalf("before any save: ok %v, err %v; want nothing", ok, err)
	}
	first := returns.ShopIdentity{Name: "Linen & Co", MyshopifyDomain: "linen-co.myshopify.com",
		PrimaryDomainURL: "https://linen.example", PrimaryDomainHost: "linen.example", Currency: "EUR", TimeZone: "Europe/Riga"}
	if err := db.SaveShopIdentity(ctx, first, time.Now()); err != nil {
		t.Fatal(err)
	}
	renamed := first
	renamed.Name = "Linen & Co Riga"
	if err := db.SaveShopIdentity(ctx, renamed, time.Now()); err != nil {
		t.Fatal(err)
	}
	got, ok, err := db.ShopIdentity(ctx)
	if err != nil || !ok || got != renamed {
		t.Fatalf("ShopIdentity = %+v, %v, %v; want the second save %+v", got, ok, err, renamed)
	}
}
