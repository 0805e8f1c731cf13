package main

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"time"
)

// A customer's return, step by step, as a browser without JavaScript makes it:
// the flow the bench counts Shopify calls and page bytes on, and how it gets
// the session cookie and return code the status page's load needs.

// customer is one browser: a cookie jar, and a connection per request whose
// bytes are counted, so a page's size is what crossed the wire, headers
// included.
type customer struct {
	base   string
	client *http.Client
	read   atomic.Int64 // bytes read from the server so far
}

func newCustomer(base string) *customer {
	c := &customer{base: base}
	jar, _ := cookiejar.New(nil)
	dialer := &net.Dialer{Timeout: 2 * time.Second}
	c.client = &http.Client{
		Jar:     jar,
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				conn, err := dialer.DialContext(ctx, network, addr)
				if err != nil {
					return nil, err
				}
				return &countingConn{Conn: conn, read: &c.read}, nil
			},
			// One connection per request, so each is counted alone, and no
			// Accept-Encoding: the portal does not compress.
			DisableKeepAlives:  true,
			DisableCompression: true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return c
}

type countingConn struct {
	net.Conn
	read *atomic.Int64
}

func (c *countingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.read.Add(int64(n))
	return n, err
}

// page is one answer as it crossed the wire.
type page struct {
	status   int
	location string
	body     string
	wire     int64 // bytes read: status line, headers and body
}

// do sends req and reads the whole answer.
func (c *customer) do(req *http.Request) (*page, error) {
	before := c.read.Load()
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, err
	}
	body, err := readAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	return &page{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(body), wire: c.read.Load() - before}, nil
}

func (c *customer) get(path string) (*page, error) {
	req, err := http.NewRequest(http.MethodGet, c.base+path, nil)
	if err != nil {
		return nil, err
	}
	return c.do(req)
}

func (c *customer) postForm(path string, form url.Values) (*page, error) {
	req, err := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// cookie returns the Cookie header the jar sends to path.
func (c *customer) cookie(path string) string {
	u, _ := url.Parse(c.base + path)
	var parts []string
	for _, ck := range c.client.Jar.Cookies(u) {
		parts = append(parts, ck.Name+"="+ck.Value)
	}
	return strings.Join(parts, "; ")
}

var stylesheetLink = regexp.MustCompile(`<link rel="stylesheet" href="([^"]+)"`)

// withStyles returns a page's wire bytes plus those of each stylesheet it
// links, as a first visit with an empty cache fetches them.
func (c *customer) withStyles(p *page) (int64, error) {
	total := p.wire
	for _, m := range stylesheetLink.FindAllStringSubmatch(p.body, -1) {
		css, err := c.get(html.UnescapeString(m[1]))
		if err != nil {
			return 0, err
		}
		if css.status != http.StatusOK {
			return 0, fmt.Errorf("stylesheet %s: status %d", m[1], css.status)
		}
		total += css.wire
	}
	return total, nil
}

// pageBytes is the size of one customer page: the HTML answer, and the HTML
// with the stylesheets it links.
type pageBytes struct {
	Page    string
	HTML    int64
	WithCSS int64
	Status  int
}

// flowResult is what one customer's return measured.
type flowResult struct {
	Code   string // the return's code
	Cookie string // the customer's session cookie, for the status page's load
	Pages  []pageBytes
	// Calls are the Shopify calls each step made, in order; nil when the
	// portal's Shopify cannot be counted.
	Calls []stepCalls
	// FailedLookupCalls are the calls of a lookup of an unknown order.
	FailedLookupCalls int
}

type stepCalls struct {
	Step  string
	Calls int
}

func (f *flowResult) totalCalls() int {
	n := 0
	for _, s := range f.Calls {
		n += s.Calls
	}
	return n
}

var (
	submissionKey = regexp.MustCompile(`name="key" value="([^"]+)"`)
	lineCheckbox  = regexp.MustCompile(`name="line" value="([^"]+)"`)
	confirmation  = regexp.MustCompile(`^/returns/(R-[0-9A-Z]{8})/confirmation$`)
)

// customerReturn makes one return as a customer does: finds the order, opens
// it, asks to return one unit of its first line because it is not what they
// wanted, sees the confirmation and then opens the status page three times.
// calls, when not nil, reads the Shopify call counter, so each step's calls are
// known.
func customerReturn(base, order, email string, calls func() int) (*flowResult, error) {
	c := newCustomer(base)
	res := &flowResult{}

	// A mistyped lookup first, by another visitor: its page is measured, and
	// its calls are not part of this customer's return.
	stranger := newCustomer(base)
	before := 0
	if calls != nil {
		before = calls()
	}
	failed, err := stranger.postForm("/", url.Values{"order": {"9999"}, "email": {email}})
	if err != nil {
		return nil, err
	}
	if failed.status != http.StatusUnprocessableEntity {
		return nil, fmt.Errorf("a lookup of an unknown order answered %d, want 422", failed.status)
	}
	if calls != nil {
		res.FailedLookupCalls = calls() - before
	}
	failedWithCSS, err := stranger.withStyles(failed)
	if err != nil {
		return nil, err
	}

	last := 0
	if calls != nil {
		last = calls()
	}
	step := func(name string) {
		if calls == nil {
			return
		}
		// The write-back after a submission is made while the customer waits,
		// so a step's calls are over when its answer is in.
		now := calls()
		res.Calls = append(res.Calls, stepCalls{Step: name, Calls: now - last})
		last = now
	}
	measure := func(name string, p *page) error {
		withCSS, err := c.withStyles(p)
		if err != nil {
			return err
		}
		res.Pages = append(res.Pages, pageBytes{Page: name, HTML: p.wire, WithCSS: withCSS, Status: p.status})
		return nil
	}

	lookup, err := c.get("/")
	if err != nil {
		return nil, err
	}
	if err := measure("lookup form (GET /)", lookup); err != nil {
		return nil, err
	}
	step("lookup form")
	res.Pages = append(res.Pages, pageBytes{Page: "lookup failed (POST /, 422)", HTML: failed.wire, WithCSS: failedWithCSS, Status: failed.status})

	found, err := c.postForm("/", url.Values{"order": {order}, "email": {email}})
	if err != nil {
		return nil, err
	}
	if found.status != http.StatusSeeOther || found.location != "/order" {
		return nil, fmt.Errorf("lookup of %s answered %d to %q, want 303 to /order (rate-limited?)", order, found.status, found.location)
	}
	step("lookup")

	orderPage, err := c.get("/order")
	if err != nil {
		return nil, err
	}
	if orderPage.status != http.StatusOK {
		return nil, fmt.Errorf("order page: status %d", orderPage.status)
	}
	if err := measure("order page (GET /order)", orderPage); err != nil {
		return nil, err
	}
	step("order page")

	key := submissionKey.FindStringSubmatch(orderPage.body)
	line := lineCheckbox.FindStringSubmatch(orderPage.body)
	if key == nil || line == nil {
		return nil, fmt.Errorf("order page has no return form with a line to choose")
	}
	lineID := html.UnescapeString(line[1])
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range map[string]string{"key": html.UnescapeString(key[1]), "kind": "dissatisfied", "reason": "doesnt_fit", "line": lineID, "qty-" + lineID: "1"} {
		mw.WriteField(k, v)
	}
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, base+"/order/returns", &body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	submitted, err := c.do(req)
	if err != nil {
		return nil, err
	}
	m := confirmation.FindStringSubmatch(submitted.location)
	if submitted.status != http.StatusSeeOther || m == nil {
		return nil, fmt.Errorf("submit answered %d to %q, want 303 to a confirmation", submitted.status, submitted.location)
	}
	res.Code = m[1]
	step("submit")

	conf, err := c.get(submitted.location)
	if err != nil {
		return nil, err
	}
	if conf.status != http.StatusOK {
		return nil, fmt.Errorf("confirmation: status %d", conf.status)
	}
	if err := measure("confirmation", conf); err != nil {
		return nil, err
	}
	step("confirmation")

	for i := range 3 {
		status, err := c.get("/returns/" + res.Code)
		if err != nil {
			return nil, err
		}
		if status.status != http.StatusOK {
			return nil, fmt.Errorf("status page: status %d", status.status)
		}
		if i == 0 {
			if err := measure("status page (GET /returns/{code})", status); err != nil {
				return nil, err
			}
		}
		step(fmt.Sprintf("status view %d", i+1))
	}
	res.Cookie = c.cookie("/returns/" + res.Code)
	return res, nil
}

// staffCookie signs in to the backoffice and returns the staff cookie.
func staffCookie(base, email, password string) (string, error) {
	c := newCustomer(base)
	p, err := c.postForm("/admin/login", url.Values{"email": {email}, "password": {password}})
	if err != nil {
		return "", err
	}
	if p.status != http.StatusSeeOther {
		return "", fmt.Errorf("sign-in answered %d, want 303", p.status)
	}
	return c.cookie("/admin"), nil
}

func readAll(r io.Reader) ([]byte, error) {
	return io.ReadAll(io.LimitReader(r, 16<<20))
}
