package shopify

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
)

// maxResponse bounds how much of an answer the observer reads.
const maxResponse = 16 << 20

// exchange is what the observer saw of one HTTP exchange: go-shopify keeps only
// the messages of GraphQL errors, and the adapter needs their codes and the
// bucket's state to decide on retries.
type exchange struct {
	// token is the access token the attempt sent, so that a 401 drops that
	// token and not a newer one. It is never logged.
	token string
	// sent is set once the request left for Shopify.
	sent bool

	status      int
	requestID   string
	version     string       // X-Shopify-API-Version answered
	codes       []string     // errors[].extensions.code
	errors      []fieldError // errors[] that carry a code
	requested   float64      // extensions.cost.requestedQueryCost
	maximum     float64      // extensions.cost.throttleStatus.maximumAvailable
	available   float64      // extensions.cost.throttleStatus.currentlyAvailable
	restoreRate float64      // extensions.cost.throttleStatus.restoreRate
}

// fieldError is an entry of a GraphQL answer's errors, as far as the
// adapter reads it.
type fieldError struct {
	code    string
	message string
	path    []any // response keys and list indexes, e.g. ["order", "lineItems", "nodes", 0, "product"]
}

func (ex *exchange) hasCode(codes ...string) bool {
	for _, c := range codes {
		if slices.Contains(ex.codes, c) {
			return true
		}
	}
	return false
}

type exchangeKey struct{}

func withExchange(ctx context.Context, ex *exchange) context.Context {
	return context.WithValue(ctx, exchangeKey{}, ex)
}

// observer is the HTTP transport under go-shopify. It sends requests to base
// instead of https://{shop}.myshopify.com when base is set (go-shopify cannot be
// pointed elsewhere), and records the exchange in the request's context.
type observer struct {
	next http.RoundTripper
	base *url.URL
}

func (o *observer) RoundTrip(req *http.Request) (*http.Response, error) {
	if o.base != nil {
		req = req.Clone(req.Context())
		req.URL.Scheme = o.base.Scheme
		req.URL.Host = o.base.Host
		req.URL.Path = o.base.Path + req.URL.Path
		req.Host = o.base.Host
	}
	ex, _ := req.Context().Value(exchangeKey{}).(*exchange)
	if ex != nil {
		// From here on the request may reach Shopify and be carried out,
		// whatever comes back.
		ex.sent = true
	}
	resp, err := o.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if ex == nil {
		return resp, nil
	}
	ex.status = resp.StatusCode
	ex.requestID = resp.Header.Get("X-Request-Id")
	ex.version = resp.Header.Get("X-Shopify-API-Version")

	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))

	var peek struct {
		Errors     json.RawMessage `json:"errors"`
		Extensions struct {
			Cost struct {
				RequestedQueryCost float64 `json:"requestedQueryCost"`
				ThrottleStatus     struct {
					MaximumAvailable   float64 `json:"maximumAvailable"`
					CurrentlyAvailable float64 `json:"currentlyAvailable"`
					RestoreRate        float64 `json:"restoreRate"`
				} `json:"throttleStatus"`
			} `json:"cost"`
		} `json:"extensions"`
	}
	if json.Unmarshal(body, &peek) != nil {
		return resp, nil
	}
	cost := peek.Extensions.Cost
	ex.requested, ex.maximum = cost.RequestedQueryCost, cost.ThrottleStatus.MaximumAvailable
	ex.available, ex.restoreRate = cost.ThrottleStatus.CurrentlyAvailable, cost.ThrottleStatus.RestoreRate
	// errors is a list of objects in GraphQL answers, a string or a map in
	// REST-style ones (401); only the list has codes.
	var list []struct {
		Message    string `json:"message"`
		Path       []any  `json:"path"`
		Extensions struct {
			Code string `json:"code"`
		} `json:"extensions"`
	}
	if json.Unmarshal(peek.Errors, &list) == nil {
		for _, e := range list {
			if e.Extensions.Code != "" {
				ex.codes = append(ex.codes, e.Extensions.Code)
				ex.errors = append(ex.errors, fieldError{code: e.Extensions.Code, message: e.Message, path: e.Path})
			}
		}
	}
	return resp, nil
}
