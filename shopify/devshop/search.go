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

// searchOrders implements the part of Shopify's search syntax the portal uses:
// whitespace-separated terms, all of which must match (implicit AND), each
// field:value with an optional single- or double-quoted value, compared without
// regard to case. Known fields are name and email; a term with any other field,
// or a bare word, matches nothing. The result is in ascending order of sortKey;
// the connection applies reverse. The caller holds s.mu.
func (s *Shop) searchOrders(query, sortKey string) []*order {
	terms := parseSearch(query)
	var out []*order
	for _, o := range s.orders {
		if s.visible(o) && s.matchesAll(o, terms) {
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

func (s *Shop) matchesAll(o *order, terms []searchTerm) bool {
	for _, t := range terms {
		if !s.matches(o, t) {
			return false
		}
	}
	return true
}

func (s *Shop) matches(o *order, t searchTerm) bool {
	switch t.field {
	case "name":
		want := strings.TrimPrefix(strings.ToLower(t.value), "#")
		have := strings.TrimPrefix(strings.ToLower(o.name), "#")
		if have == want {
			return true
		}
		// Shopify's search is fuzzy; with the knob on, a prefix matches too
		// (name:100 finds #1001), so the adapter's exact filter gets tested.
		return s.fuzzyNames && want != "" && strings.HasPrefix(have, want)
	case "email":
		return strings.EqualFold(o.email, t.value)
	}
	return false
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
