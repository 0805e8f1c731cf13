// Command schemagen writes the pruned copy of Shopify's Admin GraphQL schema that
// devshop validates operations against.
//
// It reads Shopify's complete schema and the operation documents the adapter sends,
// and keeps only what those operations can reach:
//
//   - the Query and Mutation root fields the operations select;
//   - every object or interface type reached through a selected field or a fragment,
//     with ALL of its fields whose return type and argument types are kept anyway
//     (scalars, enums, reached types, reached input types), so that a misspelled or
//     non-existent field still fails validation exactly as it would at Shopify;
//   - object, interface and union types are followed only through fields the
//     operations select, so the copy stays small;
//   - input types, enums and scalars reachable from the arguments of kept fields and
//     from the operations' variables;
//   - the directive definitions the operations use (e.g. @idempotent).
//
// Descriptions are stripped, and so are directive arguments in the type system
// (deprecation reasons are prose): facts only.
//
// Run it from the repository root, or through go generate in shopify/devshop:
//
//	go run ./shopify/devshop/internal/schemagen -root .
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/parser"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "schemagen:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("schemagen", flag.ContinueOnError)
	root := fs.String("root", ".", "repository root; the other paths are relative to it")
	schemaPath := fs.String("schema", "../shared/shopify/admin-2026-04.graphql", "Shopify's complete Admin schema")
	ops := fs.String("ops", "shopify/*.graphql,shopify/devshop/testdata/*.graphql", "comma-separated globs of operation documents")
	out := fs.String("out", "shopify/devshop/schema.graphql", "where to write the pruned schema")
	if err := fs.Parse(args); err != nil {
		return err
	}

	full, err := os.ReadFile(under(*root, *schemaPath))
	if err != nil {
		return err
	}
	var sources []*ast.Source
	for _, pattern := range strings.Split(*ops, ",") {
		names, err := filepath.Glob(filepath.Join(*root, strings.TrimSpace(pattern)))
		if err != nil {
			return err
		}
		sort.Strings(names)
		for _, name := range names {
			b, err := os.ReadFile(name)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(*root, name)
			sources = append(sources, &ast.Source{Name: filepath.ToSlash(rel), Input: string(b)})
		}
	}
	if len(sources) == 0 {
		return errors.New("no operation documents found")
	}

	pruned, err := Generate(string(full), sources)
	if err != nil {
		return err
	}
	return os.WriteFile(under(*root, *out), pruned, 0o644)
}

// under resolves a relative path against the repository root.
func under(root, path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(root, path)
}

// Generate returns the pruned schema for the operations in sources.
func Generate(fullSchema string, sources []*ast.Source) ([]byte, error) {
	schema, err := gqlparser.LoadSchema(&ast.Source{Name: "admin.graphql", Input: fullSchema})
	if err != nil {
		return nil, fmt.Errorf("load schema: %w", err)
	}

	// All documents are read as one, so a fragment in one file can be spread in
	// another, as the adapter does when it concatenates them.
	var all strings.Builder
	for _, src := range sources {
		all.WriteString(src.Input)
		all.WriteString("\n")
	}
	doc, err := parser.ParseQuery(&ast.Source{Name: "operations", Input: all.String()})
	if err != nil {
		return nil, fmt.Errorf("parse operations: %w", err)
	}

	p := &pruner{
		schema:    schema,
		doc:       doc,
		reached:   map[string]bool{},
		selected:  map[string]map[string]bool{},
		inputs:    map[string]bool{},
		leaves:    map[string]bool{},
		dirs:      map[string]bool{},
		fragments: map[string]bool{},
	}
	for _, op := range doc.Operations {
		var root *ast.Definition
		switch op.Operation {
		case ast.Query:
			root = schema.Query
		case ast.Mutation:
			root = schema.Mutation
		default:
			return nil, fmt.Errorf("operation %s: only queries and mutations are supported", op.Name)
		}
		for _, v := range op.VariableDefinitions {
			p.addInput(v.Type.Name())
		}
		p.reached[root.Name] = true
		if err := p.walk(op.SelectionSet, root); err != nil {
			return nil, fmt.Errorf("operation %s: %w", op.Name, err)
		}
	}
	return p.format()
}

// pruner collects what the operations reach.
type pruner struct {
	schema    *ast.Schema
	doc       *ast.QueryDocument
	reached   map[string]bool            // object, interface and union types
	selected  map[string]map[string]bool // type name → field names the operations select
	inputs    map[string]bool            // input object types
	leaves    map[string]bool            // scalars and enums
	dirs      map[string]bool            // directives used by the operations
	fragments map[string]bool            // fragments already walked
}

func (p *pruner) walk(set ast.SelectionSet, parent *ast.Definition) error {
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			p.useDirectives(sel.Directives)
			if strings.HasPrefix(sel.Name, "__") {
				continue
			}
			def := parent.Fields.ForName(sel.Name)
			if def == nil {
				return fmt.Errorf("cannot query field %q on type %q", sel.Name, parent.Name)
			}
			if p.selected[parent.Name] == nil {
				p.selected[parent.Name] = map[string]bool{}
			}
			p.selected[parent.Name][sel.Name] = true
			for _, arg := range def.Arguments {
				p.addInput(arg.Type.Name())
			}
			t := p.schema.Types[def.Type.Name()]
			if isComposite(t) {
				p.reached[t.Name] = true
				if err := p.walk(sel.SelectionSet, t); err != nil {
					return err
				}
			}
		case *ast.InlineFragment:
			p.useDirectives(sel.Directives)
			t := parent
			if sel.TypeCondition != "" {
				t = p.schema.Types[sel.TypeCondition]
				if t == nil {
					return fmt.Errorf("unknown type %q", sel.TypeCondition)
				}
			}
			p.reached[t.Name] = true
			if err := p.walk(sel.SelectionSet, t); err != nil {
				return err
			}
		case *ast.FragmentSpread:
			p.useDirectives(sel.Directives)
			frag := p.doc.Fragments.ForName(sel.Name)
			if frag == nil {
				return fmt.Errorf("unknown fragment %q", sel.Name)
			}
			if p.fragments[frag.Name] {
				continue
			}
			p.fragments[frag.Name] = true
			t := p.schema.Types[frag.TypeCondition]
			if t == nil {
				return fmt.Errorf("unknown type %q", frag.TypeCondition)
			}
			p.reached[t.Name] = true
			if err := p.walk(frag.SelectionSet, t); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *pruner) useDirectives(list ast.DirectiveList) {
	for _, d := range list {
		p.dirs[d.Name] = true
		if def := p.schema.Directives[d.Name]; def != nil {
			for _, arg := range def.Arguments {
				p.addInput(arg.Type.Name())
			}
		}
	}
}

// addInput keeps an input type, enum or scalar and everything it refers to.
func (p *pruner) addInput(name string) {
	t := p.schema.Types[name]
	if t == nil {
		return
	}
	switch t.Kind {
	case ast.Scalar, ast.Enum:
		p.leaves[name] = true
	case ast.InputObject:
		if p.inputs[name] {
			return
		}
		p.inputs[name] = true
		for _, f := range t.Fields {
			p.addInput(f.Type.Name())
		}
		for _, d := range t.Directives {
			p.dirs[d.Name] = true
		}
	}
}

// keepable reports whether a field's return type and argument types are all kept.
func (p *pruner) keepable(f *ast.FieldDefinition) bool {
	if !p.kept(f.Type.Name()) {
		return false
	}
	for _, arg := range f.Arguments {
		if !p.kept(arg.Type.Name()) {
			return false
		}
	}
	return true
}

func (p *pruner) kept(name string) bool {
	t := p.schema.Types[name]
	if t == nil {
		return false
	}
	switch t.Kind {
	case ast.Scalar, ast.Enum:
		return true
	case ast.InputObject:
		return p.inputs[name]
	default:
		return p.reached[name]
	}
}

// fields returns the fields kept on a reached object or interface type.
func (p *pruner) fields(t *ast.Definition) ast.FieldList {
	var list ast.FieldList
	for _, f := range t.Fields {
		if strings.HasPrefix(f.Name, "__") {
			continue
		}
		keep := p.selected[t.Name][f.Name] || p.keepable(f)
		// An object keeps every field its kept interfaces keep, or the schema
		// would not be valid.
		for _, iface := range t.Interfaces {
			if p.reached[iface] && p.selected[iface][f.Name] {
				keep = true
			}
		}
		if keep {
			list = append(list, p.stripField(f))
		}
	}
	return list
}

func (p *pruner) stripField(f *ast.FieldDefinition) *ast.FieldDefinition {
	c := &ast.FieldDefinition{
		Name:       f.Name,
		Type:       f.Type,
		Directives: stripDirectives(f.Directives),
	}
	p.leafOf(f.Type.Name())
	for _, arg := range f.Arguments {
		p.leafOf(arg.Type.Name())
		c.Arguments = append(c.Arguments, &ast.ArgumentDefinition{
			Name:         arg.Name,
			Type:         arg.Type,
			DefaultValue: arg.DefaultValue,
			Directives:   stripDirectives(arg.Directives),
		})
	}
	return c
}

func (p *pruner) leafOf(name string) {
	if t := p.schema.Types[name]; t != nil && (t.Kind == ast.Scalar || t.Kind == ast.Enum) {
		p.leaves[name] = true
	}
}

// stripDirectives keeps only a bare @deprecated: whether a field is deprecated is
// a fact, the reason is prose.
func stripDirectives(list ast.DirectiveList) ast.DirectiveList {
	var out ast.DirectiveList
	for _, d := range list {
		if d.Name == "deprecated" {
			out = append(out, &ast.Directive{Name: d.Name})
		}
	}
	return out
}

func (p *pruner) format() ([]byte, error) {
	var defs ast.DefinitionList

	for name := range p.reached {
		t := p.schema.Types[name]
		c := &ast.Definition{Kind: t.Kind, Name: t.Name}
		switch t.Kind {
		case ast.Object, ast.Interface:
			c.Fields = p.fields(t)
			for _, iface := range t.Interfaces {
				if p.reached[iface] {
					c.Interfaces = append(c.Interfaces, iface)
				}
			}
		case ast.Union:
			for _, member := range t.Types {
				if p.reached[member] {
					c.Types = append(c.Types, member)
				}
			}
			if len(c.Types) == 0 {
				return nil, fmt.Errorf("union %s: no member type is reached; select one with an inline fragment", name)
			}
		}
		defs = append(defs, c)
	}
	for name := range p.inputs {
		t := p.schema.Types[name]
		c := &ast.Definition{Kind: t.Kind, Name: t.Name}
		for _, f := range t.Fields {
			p.leafOf(f.Type.Name())
			c.Fields = append(c.Fields, &ast.FieldDefinition{
				Name:         f.Name,
				Type:         f.Type,
				DefaultValue: f.DefaultValue,
				Directives:   stripDirectives(f.Directives),
			})
		}
		for _, d := range t.Directives {
			if d.Name == "oneOf" {
				c.Directives = append(c.Directives, &ast.Directive{Name: d.Name})
			}
		}
		defs = append(defs, c)
	}
	// Leaves are complete only now that every kept field has been stripped.
	for name := range p.leaves {
		t := p.schema.Types[name]
		if t.BuiltIn {
			continue
		}
		c := &ast.Definition{Kind: t.Kind, Name: t.Name}
		for _, v := range t.EnumValues {
			c.EnumValues = append(c.EnumValues, &ast.EnumValueDefinition{
				Name:       v.Name,
				Directives: stripDirectives(v.Directives),
			})
		}
		defs = append(defs, c)
	}
	slices.SortFunc(defs, func(a, b *ast.Definition) int { return strings.Compare(a.Name, b.Name) })

	doc := &ast.SchemaDocument{Definitions: defs}
	schemaDef := &ast.SchemaDefinition{}
	if p.reached[p.schema.Query.Name] {
		schemaDef.OperationTypes = append(schemaDef.OperationTypes,
			&ast.OperationTypeDefinition{Operation: ast.Query, Type: p.schema.Query.Name})
	}
	if p.schema.Mutation != nil && p.reached[p.schema.Mutation.Name] {
		schemaDef.OperationTypes = append(schemaDef.OperationTypes,
			&ast.OperationTypeDefinition{Operation: ast.Mutation, Type: p.schema.Mutation.Name})
	}
	doc.Schema = append(doc.Schema, schemaDef)

	var dirNames []string
	for name := range p.dirs {
		d := p.schema.Directives[name]
		if d == nil || d.Position == nil || d.Position.Src == nil || d.Position.Src.BuiltIn {
			continue
		}
		dirNames = append(dirNames, name)
	}
	sort.Strings(dirNames)
	for _, name := range dirNames {
		d := p.schema.Directives[name]
		c := &ast.DirectiveDefinition{Name: d.Name, Locations: d.Locations, IsRepeatable: d.IsRepeatable}
		for _, arg := range d.Arguments {
			c.Arguments = append(c.Arguments, &ast.ArgumentDefinition{Name: arg.Name, Type: arg.Type, DefaultValue: arg.DefaultValue})
		}
		doc.Directives = append(doc.Directives, c)
	}

	var buf bytes.Buffer
	buf.WriteString("# Code generated by shopify/devshop/internal/schemagen from Shopify's Admin schema; DO NOT EDIT.\n\n")
	formatter.NewFormatter(&buf, formatter.WithoutDescription(), formatter.WithIndent("  ")).FormatSchemaDocument(doc)

	// The result must load on its own, or devshop could not start.
	if _, err := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphql", Input: buf.String()}); err != nil {
		return nil, fmt.Errorf("pruned schema does not load: %w", err)
	}
	return buf.Bytes(), nil
}

func isComposite(t *ast.Definition) bool {
	return t != nil && (t.Kind == ast.Object || t.Kind == ast.Interface || t.Kind == ast.Union)
}
