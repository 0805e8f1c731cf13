package devshop

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Locations and inventory: the shop's two locations, an inventory item per
// product variant of the demo orders, and its levels at each location, which
// a return restocked at a location raises (returnProcess with a RESTOCKED
// disposition, refundCreate with restockType RETURN).
//
// The schema's paths to them, all answered here: QueryRoot.locations and
// location(id:); QueryRoot.inventoryItem(id:) and inventoryLevel(id:);
// ProductVariant.inventoryItem (LineItem.variant.inventoryItem);
// InventoryItem.inventoryLevel(locationId:) and inventoryLevels;
// Location.inventoryLevel(inventoryItemId:) and inventoryLevels. Quantities
// are InventoryLevel.quantities(names:) with Shopify's quantity names.
//
// As at Shopify, reading locations needs read_locations and reading
// inventory read_inventory; a field without it answers ACCESS_DENIED.
//
// What is not verified: Shopify moves a restocked unit into "available" and
// "on_hand" at the location (that both grow is how Shopify describes a
// restock; the demo keeps no "committed" or "incoming" units, so those read
// 0); an unknown quantity name is an error on the field here, whose wording
// is devshop's.

// Location ids of the demo shop.
const (
	warehouseLocationID = 7001
	shopLocationID      = 7002
)

// seedStock is the number of units of every demo product available at each
// location when the shop starts: the warehouse first.
var seedStock = []int{12, 4}

type location struct {
	id                  int64
	name                string
	address1, city, zip string
	countryCode         string
	country             string
	fulfillsOnline      bool
	createdAt           time.Time
}

// seedLocations returns the shop's locations: the warehouse, which ships
// online orders and where returns come back to, and a shop in town.
func seedLocations(now time.Time) []*location {
	created := now.UTC().Truncate(time.Second).AddDate(-1, 0, 0)
	return []*location{
		{id: warehouseLocationID, name: "Riga warehouse", address1: "Krasta iela 52", city: "Riga", zip: "LV-1003",
			countryCode: "LV", country: "Latvia", fulfillsOnline: true, createdAt: created},
		{id: shopLocationID, name: "Old Town shop", address1: "Kalku iela 7", city: "Riga", zip: "LV-1050",
			countryCode: "LV", country: "Latvia", fulfillsOnline: false, createdAt: created},
	}
}

type inventoryItem struct {
	id      int64
	sku     string
	variant *variant
	levels  []*inventoryLevel
}

type inventoryLevel struct {
	item      *inventoryItem
	location  *location
	available int
	onHand    int
	updatedAt time.Time
}

// seedInventory makes the inventory item of v with seedStock at each
// location.
func seedInventory(v *variant, locations []*location, at time.Time) *inventoryItem {
	item := &inventoryItem{id: v.id, sku: v.sku, variant: v}
	for i, loc := range locations {
		n := seedStock[min(i, len(seedStock)-1)]
		item.levels = append(item.levels, &inventoryLevel{item: item, location: loc, available: n, onHand: n, updatedAt: at})
	}
	v.item = item
	return item
}

// location returns the shop's location with the given GID, or nil. The
// caller holds s.mu.
func (s *Shop) location(id string) *location {
	n, ok := parseGID("Location", id)
	if !ok {
		return nil
	}
	for _, l := range s.locations {
		if l.id == n {
			return l
		}
	}
	return nil
}

// inventoryItem returns the inventory item with the given GID, or nil. The
// caller holds s.mu.
func (s *Shop) inventoryItem(id string) *inventoryItem {
	n, ok := parseGID("InventoryItem", id)
	if !ok {
		return nil
	}
	for _, it := range s.items {
		if it.id == n {
			return it
		}
	}
	return nil
}

// level returns the item's level at loc, or nil when the item is not
// stocked there.
func (it *inventoryItem) level(loc *location) *inventoryLevel {
	for _, l := range it.levels {
		if l.location == loc {
			return l
		}
	}
	return nil
}

// restock adds qty units of the line's variant to loc's available and on
// hand quantities, stocking the item there if it was not. It reports false
// when the line has no variant any more (its product was deleted): Shopify
// cannot restock such a line. The caller holds s.mu.
func (s *Shop) restock(l *lineItem, loc *location, qty int) bool {
	if l.variant == nil || l.variant.item == nil {
		return false
	}
	item := l.variant.item
	lvl := item.level(loc)
	if lvl == nil {
		lvl = &inventoryLevel{item: item, location: loc}
		item.levels = append(item.levels, lvl)
	}
	lvl.available += qty
	lvl.onHand += qty
	lvl.updatedAt = s.now().UTC().Truncate(time.Second)
	return true
}

// inventoryLevelGID is Shopify's form of an InventoryLevel id: the location
// with the inventory item as a query parameter.
func inventoryLevelGID(loc *location, item *inventoryItem) string {
	return gid("InventoryLevel", loc.id) + "?inventory_item_id=" + strconv.FormatInt(item.id, 10)
}

// inventoryLevelByGID finds a level from its GID. The caller holds s.mu.
func (s *Shop) inventoryLevelByGID(id string) *inventoryLevel {
	base, query, ok := strings.Cut(id, "?inventory_item_id=")
	if !ok {
		return nil
	}
	loc := s.location(strings.Replace(base, "InventoryLevel", "Location", 1))
	item := s.inventoryItem("gid://shopify/InventoryItem/" + query)
	if loc == nil || item == nil {
		return nil
	}
	return item.level(loc)
}

// quantityNames are Shopify's inventory quantity names.
var quantityNames = []string{"available", "committed", "damaged", "incoming", "on_hand", "quality_control", "reserved", "safety_stock"}

func (l *location) typeName() string { return "Location" }
func (l *location) gid() string      { return gid("Location", l.id) }

func (l *location) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "id":
		return l.gid(), nil
	case "legacyResourceId":
		return strconv.FormatInt(l.id, 10), nil
	case "name":
		return l.name, nil
	case "isActive", "activatable", "hasActiveInventory", "shipsInventory", "addressVerified":
		return field != "activatable", nil
	case "isPrimary":
		return l.id == warehouseLocationID, nil
	case "fulfillsOnlineOrders":
		return l.fulfillsOnline, nil
	case "isFulfillmentService", "deletable", "deactivatable", "hasUnfulfilledOrders":
		return false, nil
	case "deactivatedAt", "fulfillmentService", "localPickupSettingsV2":
		return nil, nil
	case "createdAt", "updatedAt":
		return dateTime(l.createdAt), nil
	case "address":
		return locationAddress{l}, nil
	case "inventoryLevel":
		if err := x.shop.requireScope("inventoryLevel", "read_inventory"); err != nil {
			return nil, err
		}
		id, _ := stringArg(args, "inventoryItemId")
		if item := x.shop.inventoryItem(id); item != nil {
			return nullIfNilLevel(item.level(l)), nil
		}
		return nil, nil
	case "inventoryLevels":
		if err := x.shop.requireScope("inventoryLevels", "read_inventory"); err != nil {
			return nil, err
		}
		var nodes []node
		for _, it := range x.shop.items {
			if lvl := it.level(l); lvl != nil {
				nodes = append(nodes, lvl)
			}
		}
		return paginate("InventoryLevel", nodes, args)
	}
	return nil, notResolved("Location", field)
}

// nullIfNilLevel keeps a nil *inventoryLevel from becoming a non-nil any.
func nullIfNilLevel(l *inventoryLevel) any {
	if l == nil {
		return nil
	}
	return l
}

// locationAddress answers LocationAddress.
type locationAddress struct{ l *location }

func (locationAddress) typeName() string { return "LocationAddress" }

func (a locationAddress) resolve(x *execution, field string, args map[string]any) (any, error) {
	l := a.l
	switch field {
	case "address1":
		return l.address1, nil
	case "city":
		return l.city, nil
	case "zip":
		return l.zip, nil
	case "countryCode":
		return l.countryCode, nil
	case "country":
		return l.country, nil
	case "address2", "phone", "province", "provinceCode", "latitude", "longitude":
		return nil, nil
	case "formatted":
		return []string{l.address1, l.zip + " " + l.city, l.country}, nil
	}
	return nil, notResolved("LocationAddress", field)
}

func (v *variant) typeName() string { return "ProductVariant" }
func (v *variant) gid() string      { return gid("ProductVariant", v.id) }

func (v *variant) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "id":
		return v.gid(), nil
	case "legacyResourceId":
		return strconv.FormatInt(v.id, 10), nil
	case "title":
		if v.title == "" {
			return "Default Title", nil
		}
		return v.title, nil
	case "displayName":
		if v.title == "" {
			return v.product.title, nil
		}
		return v.product.title + " - " + v.title, nil
	case "sku":
		return nullIfEmpty(v.sku), nil
	case "price":
		return money{minor: v.price, currency: v.currency}.decimal(), nil
	case "inventoryPolicy":
		if v.continueSelling {
			return "CONTINUE", nil
		}
		return "DENY", nil
	case "availableForSale":
		return v.continueSelling || v.available() > 0, nil
	case "product":
		return v.product, nil
	case "inventoryItem":
		return v.item, nil
	case "inventoryQuantity":
		if err := x.shop.requireScope("inventoryQuantity", "read_inventory"); err != nil {
			return nil, err
		}
		return v.available(), nil
	}
	return nil, notResolved("ProductVariant", field)
}

func (it *inventoryItem) typeName() string { return "InventoryItem" }
func (it *inventoryItem) gid() string      { return gid("InventoryItem", it.id) }

func (it *inventoryItem) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "id":
		return it.gid(), nil
	case "legacyResourceId":
		return strconv.FormatInt(it.id, 10), nil
	case "sku":
		return nullIfEmpty(it.sku), nil
	case "tracked", "requiresShipping":
		return true, nil
	case "variant":
		return it.variant, nil
	case "inventoryLevel":
		if err := x.shop.requireScope("inventoryLevel", "read_inventory"); err != nil {
			return nil, err
		}
		id, _ := stringArg(args, "locationId")
		if loc := x.shop.location(id); loc != nil {
			return nullIfNilLevel(it.level(loc)), nil
		}
		return nil, nil
	case "inventoryLevels":
		if err := x.shop.requireScope("inventoryLevels", "read_inventory"); err != nil {
			return nil, err
		}
		nodes := make([]node, len(it.levels))
		for i, l := range it.levels {
			nodes[i] = l
		}
		return paginate("InventoryLevel", nodes, args)
	}
	return nil, notResolved("InventoryItem", field)
}

func (l *inventoryLevel) typeName() string { return "InventoryLevel" }
func (l *inventoryLevel) gid() string      { return inventoryLevelGID(l.location, l.item) }

func (l *inventoryLevel) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "id":
		return l.gid(), nil
	case "item":
		return l.item, nil
	case "location":
		return l.location, nil
	case "isActive", "canDeactivate":
		return true, nil
	case "deactivationAlert":
		return nil, nil
	case "createdAt", "updatedAt":
		return dateTime(l.updatedAt), nil
	case "quantities":
		names := stringsArg(args, "names")
		out := make([]any, 0, len(names))
		for _, name := range names {
			if !slices.Contains(quantityNames, name) {
				return nil, fmt.Errorf("%q is not a valid inventory quantity name: %s", name, strings.Join(quantityNames, ", "))
			}
			q := 0
			switch name {
			case "available":
				q = l.available
			case "on_hand":
				q = l.onHand
			}
			out = append(out, &inventoryQuantity{level: l, name: name, quantity: q})
		}
		return out, nil
	}
	return nil, notResolved("InventoryLevel", field)
}

// inventoryQuantity answers InventoryQuantity.
type inventoryQuantity struct {
	level    *inventoryLevel
	name     string
	quantity int
}

func (*inventoryQuantity) typeName() string { return "InventoryQuantity" }

func (q *inventoryQuantity) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "id":
		return "gid://shopify/InventoryQuantity/" + strconv.FormatInt(q.level.location.id, 10) +
			"?inventory_item_id=" + strconv.FormatInt(q.level.item.id, 10) + "&name=" + q.name, nil
	case "name":
		return q.name, nil
	case "quantity":
		return q.quantity, nil
	case "updatedAt":
		return dateTime(q.level.updatedAt), nil
	}
	return nil, notResolved("InventoryQuantity", field)
}

// available is what the variant has available to sell at all locations.
func (v *variant) available() int {
	total := 0
	for _, l := range v.item.levels {
		total += l.available
	}
	return total
}
