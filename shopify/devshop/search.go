package devshop

import (
	"sort"
	"strings"
	"time"
	"unicode"
)

// visibilityWindow is how far back a token without read_all_orders sees orders.
const visibilityWindow = 60 * 24 * time.Hour

// visibleOrder returns the order with the given GID, or nil when there is none or
// the token may not see it. The caller holds s.mu.
func (s *Shop) visibleOrder(id string) *order {
	n, ok := parseGID("Order", id)
	if !ok {
		return nil
	}
	for _, o := range s.orders {
		if o.id == n && s.visible(o) {
			return o
		}
	}
	return nil
}

func (s *Shop) visible(o *order) bool {
	if s.scopes["read_all_orders"] {
		return true
	}
	return !o.createdAt.Before(s.now().Add(-visibilityWindow))
}

// searchOrders implements the part of Shopify's search syntax the portal uses,
// as loosely as Shopify's search is known to match, so that the adapter's own
// exact comparison of name and email is what keeps a near miss out:
//
//   - terms are separated by whitespace and must all match (implicit AND);
//   - a term is field:value, the value optionally single- or double-quoted, or
//     a bare word, which is looked for in every field the stand-in knows;
//   - values and fields are compared as tokens, without regard to case: runs
//     of letters and digits, so "anna.berzina@example.lv" is anna, berzina,
//     example and lv, and "#1-A" is 1 and a;
//   - a term matches when each of its tokens is the prefix of some token of the
//     field: name:100 finds #1001 and #1004, name:"#1-A" finds #12-A,
//     email:anna@example.lv finds anna.berzina@example.lv;
//   - a term Shopify would ignore is ignored here, matching every order: a
//     field the stand-in does not know (status:open), or a value without a
//     letter or digit (email:"@").
//
// SHOPIFY-API.md §1 holds what is documented; the token rules are a model of
// reported near misses, not a copy of Shopify's engine, and are the looser
// choice where it is unknown. The result is in ascending order of sortKey; the
// connection applies reverse. The caller holds s.mu.
func (s *Shop) searchOrders(query, sortKey string) []*order {
	terms := parseSearch(query)
	var out []*order
	for _, o := range s.orders {
		if s.visible(o) && matchesAll(o, terms) {
			out = append(out, o)
		}
	}
	less := func(a, b *order) bool { return a.processedAt.Before(b.processedAt) }
	switch sortKey {
	case "CREATED_AT":
		less = func(a, b *order) bool { return a.createdAt.Before(b.createdAt) }
	case "ID", "ORDER_NUMBER":
		less = func(a, b *order) bool { return a.id < b.id }
	}
	sort.SliceStable(out, func(i, j int) bool { return less(out[i], out[j]) })
	return out
}

type searchTerm struct {
	field, value string
}

func matchesAll(o *order, terms []searchTerm) bool {
	for _, t := range terms {
		if !matches(o, t) {
			return false
		}
	}
	return true
}

// searchFields are the order's fields the stand-in searches, by the name a
// query gives them.
var searchFields = map[string]func(o *order) string{
	"name":  func(o *order) string { return o.name },
	"email": func(o *order) string { return o.email },
}

func matches(o *order, t searchTerm) bool {
	want := tokens(t.value)
	if len(want) == 0 {
		return true // nothing to look for: Shopify ignores the term
	}
	if t.field == "" {
		// A bare word is looked for in every field, each of its tokens
		// anywhere.
		var have []string
		for _, field := range searchFields {
			have = append(have, tokens(field(o))...)
		}
		return prefixesOf(want, have)
	}
	field, known := searchFields[t.field]
	if !known {
		return true // a filter Shopify does not know is ignored
	}
	return prefixesOf(want, tokens(field(o)))
}

// tokens splits s into lower-case runs of letters and digits.
func tokens(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// prefixesOf reports whether each of want is the prefix of one of have.
func prefixesOf(want, have []string) bool {
	for _, w := range want {
		found := false
		for _, h := range have {
			if strings.HasPrefix(h, w) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// parseSearch splits a search query into terms. A value may be quoted with ' or "
// and may then contain spaces; a backslash escapes the next character.
func parseSearch(q string) []searchTerm {
	var terms []searchTerm
	r := []rune(q)
	for i := 0; i < len(r); {
		if unicode.IsSpace(r[i]) {
			i++
			continue
		}
		var field strings.Builder
		for i < len(r) && r[i] != ':' && !unicode.IsSpace(r[i]) {
			field.WriteRune(r[i])
			i++
		}
		if i >= len(r) || r[i] != ':' {
			terms = append(terms, searchTerm{value: field.String()})
			continue
		}
		i++ // the colon
		var value strings.Builder
		if i < len(r) && (r[i] == '"' || r[i] == '\'') {
			quote := r[i]
			i++
			for i < len(r) && r[i] != quote {
				if r[i] == '\\' && i+1 < len(r) {
					i++
				}
				value.WriteRune(r[i])
				i++
			}
			i++ // the closing quote
		} else {
			for i < len(r) && !unicode.IsSpace(r[i]) {
				if r[i] == '\\' && i+1 < len(r) {
					i++
				}
				value.WriteRune(r[i])
				i++
			}
		}
		terms = append(terms, searchTerm{field: strings.ToLower(field.String()), value: value.String()})
	}
	return terms
}
