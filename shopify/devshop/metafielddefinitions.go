package devshop

import (
	"strconv"
	"strings"
)

// The demo store's metafield definitions: metafieldDefinitions lists them
// by owner type, namespace and key, metafieldDefinitionCreate makes one. As
// at Shopify, a namespace "$app:x" (or none) is the calling app's own, a
// second definition of the same owner type, namespace and key is refused as
// TAKEN, and a pinned definition takes the next pinned position.

// metafieldDefinition is a metafield definition.
type metafieldDefinition struct {
	id          int64
	ownerType   string
	namespace   string // resolved
	key, name   string
	description string
	typ         string
	pinned      int // pinnedPosition; 0 when not pinned
}

func (d *metafieldDefinition) gid() string { return gid("MetafieldDefinition", d.id) }

func (*metafieldDefinition) typeName() string { return "MetafieldDefinition" }

func (d *metafieldDefinition) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "id":
		return d.gid(), nil
	case "name":
		return d.name, nil
	case "namespace":
		return d.namespace, nil
	case "key":
		return d.key, nil
	case "description":
		if d.description == "" {
			return nil, nil
		}
		return d.description, nil
	case "ownerType":
		return d.ownerType, nil
	case "pinnedPosition":
		if d.pinned == 0 {
			return nil, nil
		}
		return d.pinned, nil
	}
	return nil, notResolved("MetafieldDefinition", field)
}

// MetafieldDefinition is a metafield definition as a test sees it.
type MetafieldDefinition struct {
	OwnerType, Namespace, Key, Name, Type string
	Pinned                                bool
}

// MetafieldDefinitions returns the shop's metafield definitions, oldest
// first, their namespaces resolved.
func (s *Shop) MetafieldDefinitions() []MetafieldDefinition {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []MetafieldDefinition
	for _, d := range s.definitions {
		out = append(out, MetafieldDefinition{OwnerType: d.ownerType, Namespace: d.namespace, Key: d.key, Name: d.name, Type: d.typ, Pinned: d.pinned > 0})
	}
	return out
}

// metafieldDefinitions answers QueryRoot.metafieldDefinitions. The caller
// holds s.mu.
func (s *Shop) metafieldDefinitions(args map[string]any) (*connection, error) {
	owner, _ := stringArg(args, "ownerType")
	ns, hasNS := stringArg(args, "namespace")
	key, hasKey := stringArg(args, "key")
	pinned, _ := stringArg(args, "pinnedStatus")
	var nodes []node
	for _, d := range s.definitions {
		switch {
		case d.ownerType != owner,
			hasNS && d.namespace != resolveNamespace(ns),
			hasKey && d.key != key,
			pinned == "PINNED" && d.pinned == 0,
			pinned == "UNPINNED" && d.pinned > 0:
			continue
		}
		nodes = append(nodes, d)
	}
	return paginate("MetafieldDefinition", nodes, args)
}

// metafieldDefinitionCreatePayload is MetafieldDefinitionCreatePayload.
type metafieldDefinitionCreatePayload struct {
	created    *metafieldDefinition
	userErrors []*definitionUserError
}

func (*metafieldDefinitionCreatePayload) typeName() string {
	return "MetafieldDefinitionCreatePayload"
}

func (p *metafieldDefinitionCreatePayload) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "createdDefinition":
		if p.created == nil {
			return nil, nil
		}
		return p.created, nil
	case "userErrors":
		out := make([]any, len(p.userErrors))
		for i, e := range p.userErrors {
			out[i] = e
		}
		return out, nil
	}
	return nil, notResolved("MetafieldDefinitionCreatePayload", field)
}

// definitionUserError is MetafieldDefinitionCreateUserError.
type definitionUserError struct {
	field   []string
	message string
	code    string
}

func (*definitionUserError) typeName() string { return "MetafieldDefinitionCreateUserError" }

func (e *definitionUserError) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "field":
		return e.field, nil
	case "message":
		return e.message, nil
	case "code":
		return e.code, nil
	}
	return nil, notResolved("MetafieldDefinitionCreateUserError", field)
}

// metafieldDefinitionCreate runs the mutation. The caller holds s.mu.
func (x *execution) metafieldDefinitionCreate(args map[string]any) (any, error) {
	in, _ := args["definition"].(map[string]any)
	str := func(k string) string { v, _ := in[k].(string); return v }
	refuse := func(field, code, message string) (any, error) {
		return &metafieldDefinitionCreatePayload{userErrors: []*definitionUserError{{field: []string{"definition", field}, message: message, code: code}}}, nil
	}
	d := &metafieldDefinition{
		ownerType: str("ownerType"), namespace: resolveNamespace(str("namespace")), key: str("key"),
		name: str("name"), description: str("description"), typ: str("type"),
	}
	switch {
	case strings.TrimSpace(d.name) == "":
		return refuse("name", "BLANK", "Name can't be blank")
	case len(d.key) < 2 || len(d.key) > 64:
		return refuse("key", "INVALID", "Key must be 2-64 characters long")
	case !supportedMetafieldTypes[d.typ]:
		return refuse("type", "INCLUSION", "Type name "+strconv.Quote(d.typ)+" is not a valid type")
	}
	s := x.shop
	for _, o := range s.definitions {
		if o.ownerType == d.ownerType && o.namespace == d.namespace && o.key == d.key {
			return refuse("key", "TAKEN", "Key is in use for "+strings.ToLower(d.ownerType)+" metafields on the '"+d.namespace+"' namespace.")
		}
	}
	if pin, _ := in["pin"].(bool); pin {
		for _, o := range s.definitions {
			if o.ownerType == d.ownerType {
				d.pinned = max(d.pinned, o.pinned)
			}
		}
		d.pinned++
	}
	d.id = s.newID()
	s.definitions = append(s.definitions, d)
	s.committed = true
	return &metafieldDefinitionCreatePayload{created: d}, nil
}

// supportedMetafieldTypes are the metafield types the demo store takes.
var supportedMetafieldTypes = map[string]bool{
	"json": true, "single_line_text_field": true, "multi_line_text_field": true,
	"number_integer": true, "boolean": true, "date": true, "date_time": true,
}
