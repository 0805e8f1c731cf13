package devshop

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

// graphQLPath matches the endpoint; versions are YYYY-MM from 2026-01 to 2026-10,
// and "unstable".
var graphQLPath = regexp.MustCompile(`^/admin/api/(2026-(0[1-9]|10)|unstable)/graphql\.json$`)

const maxBody = 1 << 20

// request is the body of a GraphQL POST.
type request struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
}

// ServeHTTP answers POST /admin/api/{version}/graphql.json, the client
// credentials grant at POST /admin/oauth/access_token, and the inspection API
// under /_devshop/ (admin.go).
func (s *Shop) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == tokenPath:
		s.serveAccessToken(w, r)
		return
	case strings.HasPrefix(r.URL.Path, adminPrefix):
		s.serveAdmin(w, r)
		return
	}
	m := graphQLPath.FindStringSubmatch(r.URL.Path)
	if m == nil {
		writeRaw(w, http.StatusNotFound, `{"errors":"Not Found"}`)
		return
	}
	s.mu.Lock()
	version := m[1]
	if s.answeredVersion != "" {
		version = s.answeredVersion
	}
	s.mu.Unlock()
	w.Header().Set("X-Shopify-API-Version", version)
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeRaw(w, http.StatusMethodNotAllowed, `{"errors":"Method Not Allowed"}`)
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		writeRaw(w, http.StatusBadRequest, `{"errors":"Content-Type must be application/json"}`)
		return
	}
	s.mu.Lock()
	ok := s.authenticated(r.Header.Get("X-Shopify-Access-Token"))
	s.mu.Unlock()
	if !ok {
		// Shopify answers an expired token as it answers a wrong one.
		writeRaw(w, http.StatusUnauthorized, `{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		writeRaw(w, http.StatusRequestEntityTooLarge, `{"errors":"Request body too large"}`)
		return
	}

	requestID := newRequestID()
	w.Header().Set("X-Request-Id", requestID)

	if !s.passGate(r.Context(), body) {
		return // the client went away while the mutation was held: it never ran
	}

	s.mu.Lock()
	s.calls++
	if s.failN > 0 {
		s.failN--
		status := s.failStatus
		s.mu.Unlock()
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "1")
		}
		writeInternalError(w, status, requestID)
		return
	}
	if s.failMutationsN > 0 && isMutation(body) {
		s.failMutationsN--
		status := s.failStatus
		s.mu.Unlock()
		writeInternalError(w, status, requestID)
		return
	}
	if s.malformedN > 0 {
		s.malformedN--
		s.mu.Unlock()
		writeRaw(w, http.StatusOK, `{"data":{"orders":{"nodes":[{"id":"gid://shopify/Order/1001"`)
		return
	}
	out, committed := s.answer(version, body)
	drop := committed && s.dropN > 0
	if drop {
		s.dropN--
	}
	delay := s.delay
	if committed {
		delay += s.commitDelay
	}
	s.mu.Unlock()

	if drop {
		hijackAndClose(w)
		return
	}
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out)
}

// answer runs a request to the given API version and returns the response
// body, and whether a mutation changed state. The caller holds s.mu.
func (s *Shop) answer(version string, body []byte) ([]byte, bool) {
	var req request
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&req); err != nil {
		return s.errorsOnly(0, []gqlError{{Message: "Invalid JSON in request body", Extensions: map[string]any{"code": "BAD_REQUEST"}}}), false
	}
	doc, perr := parser.ParseQuery(&ast.Source{Name: "request", Input: req.Query})
	if perr != nil {
		return s.errorsOnly(0, fromGQLErrors(gqlerror.List{toGQLError(perr)}, "")), false
	}
	if errs := validator.ValidateWithRules(s.schema, doc, nil); len(errs) > 0 {
		return s.errorsOnly(0, fromGQLErrors(errs, "GRAPHQL_VALIDATION_FAILED")), false
	}
	op := doc.Operations.ForName(req.OperationName)
	if op == nil {
		if req.OperationName == "" {
			return s.errorsOnly(0, []gqlError{{Message: "An operation name is required", Extensions: map[string]any{"code": "BAD_REQUEST"}}}), false
		}
		return s.errorsOnly(0, []gqlError{{Message: "No operation named \"" + req.OperationName + "\"", Extensions: map[string]any{"code": "BAD_REQUEST"}}}), false
	}
	vars, verr := validator.VariableValues(s.schema, op, req.Variables)
	if verr != nil {
		return s.errorsOnly(0, fromGQLErrors(gqlerror.List{toGQLError(verr)}, "INVALID_VARIABLE")), false
	}

	cost := queryCost(s.schema, doc, op, vars)
	if cost > maxQueryCost {
		return s.errorsOnly(cost, []gqlError{{
			Message: "Query cost is " + strconv.Itoa(cost) + ", which exceeds the single query max cost limit (" + strconv.Itoa(maxQueryCost) + ").",
			Extensions: map[string]any{
				"code":          "MAX_COST_EXCEEDED",
				"cost":          cost,
				"maxCost":       maxQueryCost,
				"documentation": "https://shopify.dev/api/usage/rate-limits",
			},
		}}), false
	}
	s.bucket.refill(time.Now())
	// As at Shopify, the requested cost must be available for the query to run,
	// and the bucket is then charged what the answer actually cost.
	throttled := s.throttled || s.throttleN > 0 || float64(cost) > s.bucket.available
	if s.throttleN > 0 {
		s.throttleN--
	}
	if throttled {
		return s.throttledBody(cost), false
	}

	x := &execution{shop: s, schema: s.schema, doc: doc, vars: vars, version: version}
	var data bytes.Buffer
	var root object = queryRoot{}
	if op.Operation == ast.Mutation {
		root = mutationRoot{}
	}
	s.committed = false
	x.run(&data, op, root)
	s.editNotesRead(x)
	committed := s.committed
	actual := x.actualCost
	if op.Operation == ast.Mutation {
		actual += mutationCost * len(op.SelectionSet)
	}
	actual = min(actual, cost)
	s.bucket.available -= float64(actual)

	var out bytes.Buffer
	out.WriteByte('{')
	if len(x.errors) > 0 {
		out.WriteString(`"errors":`)
		writeJSON(&out, x.errors)
		out.WriteByte(',')
	}
	out.WriteString(`"data":`)
	out.Write(data.Bytes())
	out.WriteString(`,"extensions":`)
	writeJSON(&out, s.costExtension(cost, &actual))
	out.WriteByte('}')
	return out.Bytes(), committed
}

// costExtension is extensions.cost. actual is nil when the query did not run.
func (s *Shop) costExtension(requested int, actual *int) map[string]any {
	var actualCost any
	if actual != nil {
		actualCost = *actual
	}
	available := s.bucket.available
	if s.throttled {
		available = 0
	}
	return map[string]any{"cost": orderedCost{
		RequestedQueryCost: requested,
		ActualQueryCost:    actualCost,
		ThrottleStatus: throttleStatus{
			MaximumAvailable:   bucketSize,
			CurrentlyAvailable: int(available),
			RestoreRate:        restoreRate,
		},
	}}
}

type orderedCost struct {
	RequestedQueryCost int            `json:"requestedQueryCost"`
	ActualQueryCost    any            `json:"actualQueryCost"`
	ThrottleStatus     throttleStatus `json:"throttleStatus"`
}

type throttleStatus struct {
	MaximumAvailable   float64 `json:"maximumAvailable"`
	CurrentlyAvailable int     `json:"currentlyAvailable"`
	RestoreRate        float64 `json:"restoreRate"`
}

func (s *Shop) throttledBody(cost int) []byte {
	return s.errorsOnly(cost, []gqlError{{
		Message: "Throttled",
		Extensions: map[string]any{
			"code":          "THROTTLED",
			"documentation": "https://shopify.dev/api/usage/rate-limits",
		},
	}})
}

// errorsOnly is a body with errors, no data, and a cost extension whose actual
// cost is null because nothing ran.
func (s *Shop) errorsOnly(cost int, errs []gqlError) []byte {
	b, _ := json.Marshal(struct {
		Errors     []gqlError     `json:"errors"`
		Extensions map[string]any `json:"extensions"`
	}{errs, s.costExtension(cost, nil)})
	return b
}

func toGQLError(err error) *gqlerror.Error {
	var ge *gqlerror.Error
	if errors.As(err, &ge) {
		return ge
	}
	return gqlerror.Wrap(err)
}

func fromGQLErrors(list gqlerror.List, code string) []gqlError {
	out := make([]gqlError, 0, len(list))
	for _, e := range list {
		g := gqlError{Message: e.Message, Extensions: map[string]any{}}
		for _, l := range e.Locations {
			g.Locations = append(g.Locations, sourceLocation{Line: l.Line, Column: l.Column})
		}
		if code != "" {
			g.Extensions["code"] = code
		}
		if len(g.Extensions) == 0 {
			g.Extensions = nil
		}
		out = append(out, g)
	}
	return out
}

func writeRaw(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func writeInternalError(w http.ResponseWriter, status int, requestID string) {
	b, _ := json.Marshal(map[string]any{"errors": []gqlError{{
		Message:    "Internal error. Looks like something went wrong on our end.\nRequest ID: " + requestID + " (include this in support requests).",
		Extensions: map[string]any{"code": "INTERNAL_SERVER_ERROR", "requestId": requestID},
	}}})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// hijackAndClose closes the connection without an answer. Where the connection
// cannot be hijacked (HTTP/2), it aborts the handler, which resets the stream.
func hijackAndClose(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

func newRequestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// isMutation reports whether a request body holds a mutation. Unparsable bodies
// are not mutations: answer reports them.
func isMutation(body []byte) bool {
	var req request
	if json.Unmarshal(body, &req) != nil {
		return false
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: req.Query})
	if err != nil {
		return false
	}
	for _, op := range doc.Operations {
		if op.Operation == ast.Mutation {
			return true
		}
	}
	return false
}
