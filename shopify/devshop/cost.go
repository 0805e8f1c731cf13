package devshop

import (
	"math"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
)

// Throttling as Shopify's standard plan does it: a bucket of 2000 points that
// refills at 100 points a second, and no query may ask for more than 1000.
const (
	bucketSize   = 2000
	restoreRate  = 100
	maxQueryCost = 1000
	mutationCost = 10
)

// queryCost approximates Shopify's requested query cost, which it does not
// publish exactly:
//
//   - a scalar or enum field costs 0;
//   - an object field costs 1 plus its selection;
//   - a connection (a type named …Connection) costs 2 plus first (or last)
//     times the cost of one node's selection;
//   - a plain list field with a first argument (Order.fulfillments) costs first
//     times the cost of one element, at least 1;
//   - a mutation's root field costs 10 plus its selection.
//
// Fragments count for every type they could apply to, so the cost is an upper
// bound, as Shopify's requested cost is. The actual cost, which the bucket is
// charged, counts what the answer holds: 1 per object, 2 per connection, plus
// 10 per mutation root field; never more than the requested cost.
func queryCost(schema *ast.Schema, doc *ast.QueryDocument, op *ast.OperationDefinition, vars map[string]any) int {
	c := &coster{schema: schema, doc: doc, vars: vars}
	cost := c.set(op.SelectionSet, 0)
	if op.Operation == ast.Mutation {
		cost += mutationCost * len(op.SelectionSet)
	}
	return cost
}

type coster struct {
	schema *ast.Schema
	doc    *ast.QueryDocument
	vars   map[string]any
}

func (c *coster) set(set ast.SelectionSet, depth int) int {
	if depth > 20 {
		return 0
	}
	cost := 0
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			cost += c.field(sel, depth)
		case *ast.InlineFragment:
			cost += c.set(sel.SelectionSet, depth+1)
		case *ast.FragmentSpread:
			if frag := c.doc.Fragments.ForName(sel.Name); frag != nil {
				cost += c.set(frag.SelectionSet, depth+1)
			}
		}
	}
	return cost
}

func (c *coster) field(f *ast.Field, depth int) int {
	if f.Definition == nil {
		return 0
	}
	def := c.schema.Types[f.Definition.Type.Name()]
	if def == nil || def.Kind == ast.Scalar || def.Kind == ast.Enum {
		return 0
	}
	args := f.ArgumentMap(c.vars)
	size, sized := intArg(args, "first")
	if !sized {
		size, sized = intArg(args, "last")
	}
	if isConnection(def.Name) {
		return 2 + max(size, 1)*max(c.node(f.SelectionSet, depth+1), 1)
	}
	child := c.set(f.SelectionSet, depth+1)
	if f.Definition.Type.Elem != nil && sized {
		return max(size*child, 1)
	}
	return 1 + child
}

// node returns the cost of one node of a connection: the larger of what its
// nodes and its edges' node select. pageInfo and cursors are free.
func (c *coster) node(set ast.SelectionSet, depth int) int {
	cost := 0
	for _, sel := range set {
		f, ok := sel.(*ast.Field)
		if !ok {
			continue
		}
		switch f.Name {
		case "nodes":
			cost = max(cost, c.set(f.SelectionSet, depth+1))
		case "edges":
			for _, esel := range f.SelectionSet {
				if nf, ok := esel.(*ast.Field); ok && nf.Name == "node" {
					cost = max(cost, c.set(nf.SelectionSet, depth+2))
				}
			}
		}
	}
	return cost
}

func isConnection(typeName string) bool {
	return len(typeName) > len("Connection") && typeName[len(typeName)-len("Connection"):] == "Connection"
}

// bucket is a leaky bucket of query points. The caller holds the shop's mutex.
type bucket struct {
	available float64
	updated   time.Time
}

// refill adds the points restored since the last call.
func (b *bucket) refill(now time.Time) {
	if !b.updated.IsZero() {
		b.available += now.Sub(b.updated).Seconds() * restoreRate
	}
	b.available = math.Min(b.available, bucketSize)
	b.updated = now
}
