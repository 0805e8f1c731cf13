package devshop

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// The demo store's order metafields and the staff edit of a note made
// between the portal's read and its write.
//
// As at Shopify, a namespace "$app:x" is the calling app's own, stored as
// app--<app id>--x; metafieldsSet is atomic (every input is checked before
// any is written) and compare-and-set: an input with compareDigest set
// writes only over the metafield of that digest, with compareDigest null
// only while there is no such metafield, and is refused as STALE_OBJECT
// otherwise; an input without compareDigest writes whatever is there.

// AppID is the id of the portal's app at the demo store, which its
// app-owned namespaces resolve to.
const AppID = 5551234

// resolveNamespace returns the stored namespace of ns as the app names it.
func resolveNamespace(ns string) string {
	if rest, ok := strings.CutPrefix(ns, "$app:"); ok {
		return "app--" + strconv.Itoa(AppID) + "--" + rest
	}
	if ns == "" {
		return "app--" + strconv.Itoa(AppID)
	}
	return ns
}

// metafield is a metafield of an order.
type metafield struct {
	id        int64
	namespace string // resolved
	key       string
	typ       string
	value     string
	version   int // counts its writes; the digest changes with each
	createdAt time.Time
	updatedAt time.Time
}

// digest is the metafield's compareDigest: it changes with every write.
func (m *metafield) digest() string {
	sum := sha256.Sum256([]byte(m.namespace + "\x00" + m.key + "\x00" + m.value + "\x00" + strconv.Itoa(m.version)))
	return hex.EncodeToString(sum[:])
}

func (*metafield) typeName() string { return "Metafield" }

func (m *metafield) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "id":
		return gid("Metafield", m.id), nil
	case "namespace":
		return m.namespace, nil
	case "key":
		return m.key, nil
	case "type":
		return m.typ, nil
	case "value":
		return m.value, nil
	case "compareDigest":
		return m.digest(), nil
	case "createdAt":
		return dateTime(m.createdAt), nil
	case "updatedAt":
		return dateTime(m.updatedAt), nil
	}
	return nil, notResolved("Metafield", field)
}

// metafieldKey names a metafield of an owner.
type metafieldKey struct {
	owner          string // the owner's GID
	namespace, key string // namespace resolved
}

// orderMetafield answers Order.metafield(namespace:, key:). The caller holds
// s.mu.
func (s *Shop) orderMetafield(o *order, args map[string]any) any {
	ns, _ := stringArg(args, "namespace")
	key, _ := stringArg(args, "key")
	if m := s.metafields[metafieldKey{o.gid(), resolveNamespace(ns), key}]; m != nil {
		return m
	}
	return nil
}

// OrderMetafield returns the value of an order's metafield and whether it
// exists, for tests; ns may name the app's namespace as "$app:…".
func (s *Shop) OrderMetafield(orderName, ns, key string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orderByName(orderName)
	if o == nil {
		return "", false
	}
	m := s.metafields[metafieldKey{o.gid(), resolveNamespace(ns), key}]
	if m == nil {
		return "", false
	}
	return m.value, true
}

// SetOrderMetafield writes an order's metafield as another client would
// (no compareDigest), for tests of a concurrent write.
func (s *Shop) SetOrderMetafield(orderName, ns, key, typ, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orderByName(orderName)
	if o == nil {
		return errNoOrder
	}
	s.putMetafield(metafieldKey{o.gid(), resolveNamespace(ns), key}, typ, value)
	return nil
}

// putMetafield writes a metafield. The caller holds s.mu.
func (s *Shop) putMetafield(k metafieldKey, typ, value string) *metafield {
	if s.metafields == nil {
		s.metafields = make(map[metafieldKey]*metafield)
	}
	now := s.now().UTC()
	m := s.metafields[k]
	if m == nil {
		m = &metafield{id: s.newID(), namespace: k.namespace, key: k.key, createdAt: now}
		s.metafields[k] = m
	}
	if typ != "" {
		m.typ = typ
	}
	m.value = value
	m.version++
	m.updatedAt = now
	return m
}

// metafieldsSetPayload is MetafieldsSetPayload.
type metafieldsSetPayload struct {
	metafields []*metafield
	userErrors []*metafieldsSetUserError
}

func (*metafieldsSetPayload) typeName() string { return "MetafieldsSetPayload" }

func (p *metafieldsSetPayload) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "metafields":
		if len(p.userErrors) > 0 {
			return nil, nil
		}
		out := make([]any, len(p.metafields))
		for i, m := range p.metafields {
			out[i] = m
		}
		return out, nil
	case "userErrors":
		out := make([]any, len(p.userErrors))
		for i, e := range p.userErrors {
			out[i] = e
		}
		return out, nil
	}
	return nil, notResolved("MetafieldsSetPayload", field)
}

// metafieldsSetUserError is MetafieldsSetUserError.
type metafieldsSetUserError struct {
	field   []string
	message string
	code    string
	index   int
}

func (*metafieldsSetUserError) typeName() string { return "MetafieldsSetUserError" }

func (e *metafieldsSetUserError) resolve(x *execution, field string, args map[string]any) (any, error) {
	switch field {
	case "field":
		return e.field, nil
	case "message":
		return e.message, nil
	case "code":
		return e.code, nil
	case "elementIndex":
		return e.index, nil
	}
	return nil, notResolved("MetafieldsSetUserError", field)
}

// metafieldsSet answers the mutation: every input is checked first, and
// nothing is written when one is refused.
func (x *execution) metafieldsSet(args map[string]any) (any, error) {
	inputs, _ := args["metafields"].([]any)
	var errs []*metafieldsSetUserError
	refuse := func(i int, field, code, message string) {
		errs = append(errs, &metafieldsSetUserError{field: []string{"metafields", strconv.Itoa(i), field}, message: message, code: code, index: i})
	}
	type write struct {
		k          metafieldKey
		typ, value string
	}
	var writes []write
	for i, in := range inputs {
		m, _ := in.(map[string]any)
		owner, _ := m["ownerId"].(string)
		ns, _ := m["namespace"].(string)
		key, _ := m["key"].(string)
		typ, _ := m["type"].(string)
		value, _ := m["value"].(string)
		if x.shop.visibleOrder(owner) == nil {
			refuse(i, "ownerId", "INVALID", "Owner does not exist.")
			continue
		}
		k := metafieldKey{owner, resolveNamespace(ns), key}
		cur := x.shop.metafields[k]
		if cur == nil && typ == "" {
			refuse(i, "type", "BLANK", "Type can't be blank")
			continue
		}
		if typ == "" {
			typ = cur.typ
		}
		if typ == "json" && !json.Valid([]byte(value)) {
			refuse(i, "value", "INVALID_VALUE", "Value is invalid JSON.")
			continue
		}
		if digest, given := m["compareDigest"]; given {
			d, _ := digest.(string)
			if (digest == nil && cur != nil) || (digest != nil && (cur == nil || d != cur.digest())) {
				refuse(i, "compareDigest", "STALE_OBJECT", "The resource has been updated since it was loaded. Try again with an updated `compareDigest` value.")
				continue
			}
		}
		writes = append(writes, write{k, typ, value})
	}
	if len(errs) > 0 {
		return &metafieldsSetPayload{userErrors: errs}, nil
	}
	out := &metafieldsSetPayload{}
	for _, w := range writes {
		out.metafields = append(out.metafields, x.shop.putMetafield(w.k, w.typ, w.value))
	}
	x.shop.committed = len(writes) > 0
	return out, nil
}
