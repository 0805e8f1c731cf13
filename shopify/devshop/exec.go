package devshop

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"

	"github.com/vektah/gqlparser/v2/ast"
)

// object is a value of a GraphQL object type. Each Go type answers the fields of
// one GraphQL type in a switch; adding a field is adding a case.
type object interface {
	// typeName is the GraphQL type's name, for __typename and for fragments on
	// interfaces and unions.
	typeName() string
	// resolve returns the value of a field: nil, a string, bool, int, []string,
	// an object, or a slice of objects.
	resolve(x *execution, field string, args map[string]any) (any, error)
}

// gqlError is one entry of a response's "errors".
type gqlError struct {
	Message    string           `json:"message"`
	Locations  []sourceLocation `json:"locations,omitempty"`
	Path       []any            `json:"path,omitempty"`
	Extensions map[string]any   `json:"extensions,omitempty"`
}

type sourceLocation struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// execution runs one operation over the shop's state. The shop's mutex is held
// for the whole of it, so every answer is one consistent snapshot and mutations
// apply in document order, as Shopify runs a mutation's root fields serially.
type execution struct {
	shop   *Shop
	schema *ast.Schema
	doc    *ast.QueryDocument
	vars   map[string]any
	// version is the API version of the request's path, e.g. "2026-04".
	version string
	// field is the field being resolved, for resolvers that read its
	// directives (refundCreate's @idempotent).
	field  *ast.Field
	errors []gqlError
	// actualCost counts what the answer holds: 1 per object, 2 per connection.
	actualCost int
	// notesRead are the orders whose note the request read.
	notesRead []*order
}

// run writes the operation's "data" object into buf.
func (x *execution) run(buf *bytes.Buffer, op *ast.OperationDefinition, root object) {
	rootType := x.schema.Query
	if op.Operation == ast.Mutation {
		rootType = x.schema.Mutation
	}
	x.selectionSet(buf, root, rootType.Name, op.SelectionSet, nil)
}

// selectionSet writes the JSON object of the fields selected on obj, in the
// order they were selected, merging fields with the same response key.
func (x *execution) selectionSet(buf *bytes.Buffer, obj object, typeName string, set ast.SelectionSet, path []any) {
	if obj != nil {
		typeName = obj.typeName()
	}
	buf.WriteByte('{')
	for i, g := range x.collect(typeName, set, nil) {
		if i > 0 {
			buf.WriteByte(',')
		}
		writeJSON(buf, g.key)
		buf.WriteByte(':')
		f := g.fields[0]
		fieldPath := append(slices.Clip(path), g.key)
		if f.Name == "__typename" {
			writeJSON(buf, typeName)
			continue
		}
		v, err := x.resolveField(obj, f)
		if err != nil {
			x.fieldError(f, fieldPath, err)
			buf.WriteString("null")
			continue
		}
		var sub ast.SelectionSet
		for _, ff := range g.fields {
			sub = append(sub, ff.SelectionSet...)
		}
		x.complete(buf, f.Definition.Type, v, sub, fieldPath)
	}
	buf.WriteByte('}')
}

func (x *execution) resolveField(obj object, f *ast.Field) (v any, err error) {
	// A resolver's panic becomes a GraphQL error on that field, as at Shopify,
	// rather than taking the whole test server down.
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("internal error resolving %s: %v", f.Name, p)
		}
	}()
	x.field = f
	return obj.resolve(x, f.Name, f.ArgumentMap(x.vars))
}

func (x *execution) fieldError(f *ast.Field, path []any, err error) {
	e := gqlError{Message: err.Error(), Path: path}
	if f.Position != nil {
		e.Locations = []sourceLocation{{Line: f.Position.Line, Column: f.Position.Column}}
	}
	if ce, ok := err.(codedError); ok {
		e.Extensions = map[string]any{"code": ce.code}
	}
	x.errors = append(x.errors, e)
}

// complete writes v as a value of type t.
func (x *execution) complete(buf *bytes.Buffer, t *ast.Type, v any, set ast.SelectionSet, path []any) {
	if isNil(v) {
		buf.WriteString("null")
		return
	}
	if t.Elem != nil {
		rv := reflect.ValueOf(v)
		if rv.Kind() != reflect.Slice {
			buf.WriteString("null")
			return
		}
		buf.WriteByte('[')
		for i := 0; i < rv.Len(); i++ {
			if i > 0 {
				buf.WriteByte(',')
			}
			x.complete(buf, t.Elem, rv.Index(i).Interface(), set, append(slices.Clip(path), i))
		}
		buf.WriteByte(']')
		return
	}
	def := x.schema.Types[t.NamedType]
	if def.Kind == ast.Scalar || def.Kind == ast.Enum {
		writeJSON(buf, v)
		return
	}
	obj, ok := v.(object)
	if !ok {
		buf.WriteString("null")
		return
	}
	if isConnection(obj.typeName()) {
		x.actualCost += 2
	} else {
		x.actualCost++
	}
	x.selectionSet(buf, obj, def.Name, set, path)
}

// fieldGroup is the fields of one response key.
type fieldGroup struct {
	key    string
	fields []*ast.Field
}

// collect flattens fragments into the fields that apply to typeName, grouped by
// response key in first-seen order (GraphQL's CollectFields).
func (x *execution) collect(typeName string, set ast.SelectionSet, groups []*fieldGroup) []*fieldGroup {
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			if !x.included(sel.Directives) {
				continue
			}
			key := sel.Alias
			if key == "" {
				key = sel.Name
			}
			found := false
			for _, g := range groups {
				if g.key == key {
					g.fields = append(g.fields, sel)
					found = true
					break
				}
			}
			if !found {
				groups = append(groups, &fieldGroup{key: key, fields: []*ast.Field{sel}})
			}
		case *ast.InlineFragment:
			if x.included(sel.Directives) && x.applies(sel.TypeCondition, typeName) {
				groups = x.collect(typeName, sel.SelectionSet, groups)
			}
		case *ast.FragmentSpread:
			frag := x.doc.Fragments.ForName(sel.Name)
			if frag != nil && x.included(sel.Directives) && x.applies(frag.TypeCondition, typeName) {
				groups = x.collect(typeName, frag.SelectionSet, groups)
			}
		}
	}
	return groups
}

// applies reports whether a fragment on cond applies to an object of typeName.
func (x *execution) applies(cond, typeName string) bool {
	if cond == "" || cond == typeName {
		return true
	}
	for _, t := range x.schema.PossibleTypes[cond] {
		if t.Name == typeName {
			return true
		}
	}
	return false
}

// included evaluates @skip and @include.
func (x *execution) included(dirs ast.DirectiveList) bool {
	if d := dirs.ForName("skip"); d != nil {
		if v, _ := d.ArgumentMap(x.vars)["if"].(bool); v {
			return false
		}
	}
	if d := dirs.ForName("include"); d != nil {
		if v, _ := d.ArgumentMap(x.vars)["if"].(bool); !v {
			return false
		}
	}
	return true
}

func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map:
		return rv.IsNil()
	}
	return false
}

// writeJSON writes a scalar without HTML escaping, as Shopify does.
func writeJSON(buf *bytes.Buffer, v any) {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		buf.WriteString("null")
		return
	}
	buf.Truncate(buf.Len() - 1) // Encode's newline
}

// codedError is a field error with an extensions.code.
type codedError struct {
	code, message string
}

func (e codedError) Error() string { return e.message }

// intArg returns an Int argument, whichever Go type the parser gave it.
func intArg(args map[string]any, name string) (int, bool) {
	switch v := args[name].(type) {
	case int:
		return v, true
	case int64:
		return int(v), true
	case int32:
		return int(v), true
	case float64:
		return int(v), true
	case json.Number:
		n, err := v.Int64()
		return int(n), err == nil
	}
	return 0, false
}

func stringArg(args map[string]any, name string) (string, bool) {
	s, ok := args[name].(string)
	return s, ok
}

func boolArg(args map[string]any, name string) bool {
	b, _ := args[name].(bool)
	return b
}

// stringsArg returns a [String] argument; a single string counts as a list of one,
// as GraphQL's input coercion says.
func stringsArg(args map[string]any, name string) []string {
	switch v := args[name].(type) {
	case string:
		return []string{v}
	case []string:
		return v
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
