package devshop_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// writeOrderRecord is the portal's one request of a write-back: the note,
// the tags and the history metafield, in this order.
const writeOrderRecord = `mutation($input: OrderInput!, $id: ID!, $tags: [String!]!, $metafields: [MetafieldsSetInput!]!) {
  orderUpdate(input: $input) { order { id note } userErrors { field message } }
  tagsAdd(id: $id, tags: $tags) { node { id } userErrors { field message } }
  metafieldsSet(metafields: $metafields) { metafields { value } userErrors { field message code } }
}`

func writeOrderRecordVars(note, digest string) map[string]any {
	return map[string]any{
		"input": map[string]any{"id": "gid://shopify/Order/1001", "note": note},
		"id":    "gid://shopify/Order/1001",
		"tags":  []any{"returns:approved"},
		"metafields": []any{map[string]any{
			"ownerId": "gid://shopify/Order/1001", "namespace": "$app:returns", "key": "history",
			"type": "json", "value": `{"version":1}`, "compareDigest": digest,
		}},
	}
}

// TestMutationRootFieldsInOrder: a request of several mutations runs each
// in turn, as Shopify runs a mutation's root fields serially; a
// metafieldsSet refused as STALE_OBJECT leaves the note and tags written
// before it in the same request, and the answer holds each field's payload.
func TestMutationRootFieldsInOrder(t *testing.T) {
	shop := newShop(t)
	if err := shop.SetOrderMetafield("1001", "$app:returns", "history", "json", `{"version":0}`); err != nil {
		t.Fatal(err)
	}
	r := query(t, shop, writeOrderRecord, writeOrderRecordVars("first item damaged", "not-the-digest"))
	var data struct {
		OrderUpdate struct {
			Order struct{ Note string }
		}
		TagsAdd       struct{ UserErrors []any }
		MetafieldsSet struct {
			Metafields []any
			UserErrors []struct{ Code string }
		}
	}
	if err := json.Unmarshal(r.Data, &data); err != nil || len(r.Errors) > 0 {
		t.Fatalf("answer %s, errors %v: %v", r.Data, r.Errors, err)
	}
	if data.OrderUpdate.Order.Note != "first item damaged" || len(data.TagsAdd.UserErrors) > 0 {
		t.Fatalf("answer %s: want the note written and the tags added", r.Data)
	}
	if len(data.MetafieldsSet.UserErrors) != 1 || data.MetafieldsSet.UserErrors[0].Code != "STALE_OBJECT" || data.MetafieldsSet.Metafields != nil {
		t.Fatalf("answer %s: want metafieldsSet refused as STALE_OBJECT", r.Data)
	}
	o, _ := shop.OrderByName("1001")
	if o.Note != "first item damaged" || !slices.Contains(o.Tags, "returns:approved") {
		t.Fatalf("order %q %v: the mutations before the refused one are not applied", o.Note, o.Tags)
	}
	if v, _ := shop.OrderMetafield("1001", "$app:returns", "history"); v != `{"version":0}` {
		t.Fatalf("metafield %s: the refused write changed it", v)
	}
}

// TestDropAfterCommitOfAnEarlierMutation: a request whose note was written
// and whose metafieldsSet was then refused did commit, so an answer lost
// after commit is lost for it too.
func TestDropAfterCommitOfAnEarlierMutation(t *testing.T) {
	shop := newShop(t)
	if err := shop.SetOrderMetafield("1001", "$app:returns", "history", "json", `{"version":0}`); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(shop)
	defer srv.Close()
	b, _ := json.Marshal(map[string]any{"query": writeOrderRecord, "variables": writeOrderRecordVars("first item damaged", "stale")})
	req, _ := http.NewRequest("POST", srv.URL+endpoint, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shopify-Access-Token", "shpat_test")
	shop.DropAfterCommit(1)
	resp, err := srv.Client().Do(req)
	if err == nil {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		t.Fatalf("answered %s, want a dropped connection: the note was committed", body)
	}
	if o, _ := shop.OrderByName("1001"); !strings.Contains(o.Note, "first item damaged") {
		t.Fatalf("note %q: want the committed write", o.Note)
	}
}
