package devshop

import (
	"slices"
	"strconv"
)

// Return reasons: Shopify's standard library of ReturnReasonDefinition,
// which returnReasonDefinitions lists and returnRequest's
// returnReasonDefinitionId names.
//
// The handles and names follow the deprecated ReturnReason enum, whose
// documentation says how each displays ("Size was too small", "Customer
// changed their mind", …): each enum value is the handle with underscores
// for dashes. That the library's handles are exactly these, and their ids,
// are devshop's (unverified); a client must look reasons up by handle, never
// by id. UNKNOWN is what ReturnLineItem.returnReason answers for a line
// without a reason; it is not a definition one can choose.

// returnReason is a ReturnReasonDefinition.
type returnReason struct {
	id     int64
	handle string
	name   string
	legacy string // the ReturnReason enum value it stands for
}

// firstReasonID is the id of the library's first reason; the others follow.
const firstReasonID = 8001

var returnReasons = func() []*returnReason {
	list := []struct{ handle, name, legacy string }{
		{"color", "Color", "COLOR"},
		{"defective", "Damaged or defective", "DEFECTIVE"},
		{"not-as-described", "Item not as described", "NOT_AS_DESCRIBED"},
		{"other", "Other", "OTHER"},
		{"size-too-large", "Size was too large", "SIZE_TOO_LARGE"},
		{"size-too-small", "Size was too small", "SIZE_TOO_SMALL"},
		{"style", "Style", "STYLE"},
		{"unwanted", "Customer changed their mind", "UNWANTED"},
		{"wrong-item", "Received the wrong item", "WRONG_ITEM"},
	}
	out := make([]*returnReason, len(list))
	for i, r := range list {
		out[i] = &returnReason{id: int64(firstReasonID + i), handle: r.handle, name: r.name, legacy: r.legacy}
	}
	return out
}()

// reasonByID returns the reason with the given GID, or nil.
func reasonByID(id string) *returnReason {
	n, ok := parseGID("ReturnReasonDefinition", id)
	if !ok {
		return nil
	}
	for _, r := range returnReasons {
		if r.id == n {
			return r
		}
	}
	return nil
}

func (r *returnReason) typeName() string { return "ReturnReasonDefinition" }
func (r *returnReason) gid() string      { return gid("ReturnReasonDefinition", r.id) }

func (r *returnReason) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "id":
		return r.gid(), nil
	case "handle":
		return r.handle, nil
	case "name":
		return r.name, nil
	case "deleted":
		return false, nil
	}
	return nil, notResolved("ReturnReasonDefinition", field)
}

// returnReasonDefinitions answers QueryRoot.returnReasonDefinitions: the
// library, narrowed to the handles or ids given.
func returnReasonDefinitions(args map[string]any) (*connection, error) {
	handles, ids := stringsArg(args, "handles"), stringsArg(args, "ids")
	var nodes []node
	for _, r := range returnReasons {
		if len(handles) > 0 && !slices.Contains(handles, r.handle) {
			continue
		}
		if len(ids) > 0 && !slices.Contains(ids, r.gid()) && !slices.Contains(ids, strconv.FormatInt(r.id, 10)) {
			continue
		}
		nodes = append(nodes, r)
	}
	return paginate("ReturnReasonDefinition", nodes, args)
}
