package handlers_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	returns "github.com/returnsportal/returns"
)

// steadyShop is a returns.Shop that answers from orders read once through the
// real adapter, and keeps note and tag changes in memory. Under load it stands
// in for the demo store, whose leaky bucket (100 points a second, as Shopify's)
// would otherwise make a test of the database one of throttling.
type steadyShop struct {
	mu     sync.Mutex
	orders map[string]*returns.Order // by ID
}

func newSteadyShop(t *testing.T, real returns.Shop, orders map[string]string) *steadyShop {
	t.Helper()
	s := &steadyShop{orders: map[string]*returns.Order{}}
	for number, email := range orders {
		o, err := real.FindOrder(context.Background(), number, email)
		if err != nil {
			t.Fatalf("read order %s: %v", number, err)
		}
		s.orders[o.ID] = o
	}
	return s
}

func copyOrder(o *returns.Order) *returns.Order {
	c := *o
	c.Tags = slices.Clone(o.Tags)
	c.Lines = slices.Clone(o.Lines)
	c.Payments = slices.Clone(o.Payments)
	return &c
}

func (s *steadyShop) FindOrder(_ context.Context, number, email string) (*returns.Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.orders {
		if o.Number() == number && strings.EqualFold(o.Email, email) {
			return copyOrder(o), nil
		}
	}
	return nil, returns.Errorf(returns.ENOTFOUND, "no such order")
}

func (s *steadyShop) Order(_ context.Context, id string) (*returns.Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o := s.orders[id]; o != nil {
		return copyOrder(o), nil
	}
	return nil, returns.Errorf(returns.ENOTFOUND, "no such order")
}

// Check is never asked in the benchmark: the connection checklist is not
// what it measures.
func (s *steadyShop) Check(context.Context) (*returns.ShopCheck, error) {
	return nil, returns.Errorf(returns.EUNAVAILABLE, "the steady shop does not answer checks")
}

func (s *steadyShop) UpdateOrder(_ context.Context, id, note string, addTags []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orders[id]
	if o == nil {
		return returns.Errorf(returns.ENOTFOUND, "no such order")
	}
	o.Note = note
	for _, t := range addTags {
		if !slices.Contains(o.Tags, t) {
			o.Tags = append(o.Tags, t)
		}
	}
	return nil
}

// loadLedger records what the writers were told: every 303 is a promise that
// something was stored.
type loadLedger struct {
	mu        sync.Mutex
	submitted map[string]string         // code → order number
	done      map[string]map[string]int // code → action → 303s
	notes     map[string][]string       // code → note texts answered 303
	failures  []string
	requests  int
}

func (l *loadLedger) fail(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.failures) < 20 {
		l.failures = append(l.failures, fmt.Sprintf(format, args...))
	}
}

func (l *loadLedger) did(code, action string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done[code] == nil {
		l.done[code] = map[string]int{}
	}
	l.done[code][action]++
}

// tryDo is harness.do for goroutines other than the test's: it reports a failed
// request instead of ending the test.
func tryDo(l *loadLedger, c *http.Client, req *http.Request) (answer, bool) {
	l.mu.Lock()
	l.requests++
	l.mu.Unlock()
	res, err := c.Do(req)
	if err != nil {
		l.fail("%s %s: %v", req.Method, req.URL.Path, err)
		return answer{}, false
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	a := answer{status: res.StatusCode, header: res.Header, body: string(b)}
	if a.status >= 500 || strings.Contains(a.body, "database is locked") {
		l.fail("%s %s: status %d", req.Method, req.URL.Path, a.status)
	}
	return a, true
}

func formRequest(base, path string, v url.Values) *http.Request {
	req, _ := http.NewRequest("POST", base+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

func multipartRequest(base, path string, fields [][2]string) *http.Request {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		mw.WriteField(f[0], f[1])
	}
	mw.Close()
	req, _ := http.NewRequest("POST", base+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return req
}

var (
	submissionKeyRe = regexp.MustCompile(`name="key"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="key"`)
	returnCodeRe    = regexp.MustCompile(`R-[0-9A-Z]{8}`)
)

// TestConcurrentWritersLoseNothing: 50 writers at once for a few seconds —
// customers submitting returns and cancelling them to free the units again,
// staff approving, declining and adding notes — get no 500, log no "database is
// locked", and everything they were told was done is in the database, with
// timelines that agree with each return's status and an email for every change.
// CI runs it for 5 s; docs/SECURITY.md's full minute is LOAD_SECONDS=60 go test
// -run ConcurrentWriters ./handlers/.
func TestConcurrentWritersLoseNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	const (
		customers   = 35
		staffers    = 15
		maxApproved = 3 // approved returns hold their units for good
	)
	runFor := 5 * time.Second
	if s, err := strconv.Atoi(os.Getenv("LOAD_SECONDS")); err == nil && s > 0 && s <= 600 {
		runFor = time.Duration(s) * time.Second
	}
	// per writer, so a fast machine stays bounded too
	maxOps := int(80 * runFor / time.Second)
	h, logs := newLoggedHarness(t, nil)
	orders := map[string]string{"1001": "anna.berzina@example.lv", "1002": "sam.taylor@example.com", "1005": "lee.jordan@example.com"}
	h.deps.Shop = newSteadyShop(t, h.deps.Shop, orders)
	h.rebuild()
	numbers := []string{"1001", "1002", "1005"}

	tr := &http.Transport{MaxIdleConnsPerHost: customers + staffers}
	t.Cleanup(tr.CloseIdleConnections)
	l := &loadLedger{submitted: map[string]string{}, done: map[string]map[string]int{}, notes: map[string][]string{}}

	var custClients []*http.Client
	for i := 0; i < customers; i++ {
		c := h.client()
		c.Transport = tr
		h.lookup(c, numbers[i%len(numbers)], orders[numbers[i%len(numbers)]])
		custClients = append(custClients, c)
	}
	var staffClients []*http.Client
	for i := 0; i < 5; i++ {
		c := h.staff(fmt.Sprintf("staff%d@example.com", i))
		c.Transport = tr
		staffClients = append(staffClients, c)
	}

	deadline := time.Now().Add(runFor)
	var approved atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < customers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			c, number := custClients[i], numbers[i%len(numbers)]
			rng := rand.New(rand.NewPCG(uint64(i), 1))
			for op := 0; op < maxOps && time.Now().Before(deadline); op++ {
				page, ok := tryDo(l, c, mustGet(h.srv.URL+"/order"))
				if !ok || page.status != http.StatusOK {
					l.fail("customer %d: order page %d", i, page.status)
					return
				}
				m := submissionKeyRe.FindStringSubmatch(page.body)
				lines := h.lineIDs(page.body)
				if m == nil || len(lines) == 0 {
					time.Sleep(2 * time.Millisecond) // every unit is held; wait for a cancel or decline
					continue
				}
				line := lines[rng.IntN(len(lines))].id
				fields := [][2]string{{"key", m[1] + m[2]}, {"line", line}, {"qty-" + line, "1"}}
				if rng.IntN(2) == 0 {
					fields = append(fields, [2]string{"kind", "damaged"}, [2]string{"description", "Torn in transit."}, [2]string{"resolution", "refund"})
				} else {
					fields = append(fields, [2]string{"kind", "dissatisfied"}, [2]string{"reason", "doesnt_fit"})
				}
				a, ok := tryDo(l, c, multipartRequest(h.srv.URL, "/order/returns", fields))
				if !ok {
					return
				}
				switch a.status {
				case http.StatusSeeOther:
				case http.StatusUnprocessableEntity:
					continue // another customer took the last unit first
				default:
					l.fail("customer %d: submit %d", i, a.status)
					continue
				}
				code := returnCodeRe.FindString(a.header.Get("Location"))
				l.mu.Lock()
				l.submitted[code] = number
				l.mu.Unlock()
				if rng.IntN(3) == 0 {
					continue // leave it to staff
				}
				a, ok = tryDo(l, c, formRequest(h.srv.URL, "/returns/"+code+"/cancel", url.Values{"confirm": {"yes"}}))
				switch {
				case !ok:
				case a.status == http.StatusSeeOther:
					l.did(code, "cancel")
				case a.status != http.StatusConflict: // staff got there first
					l.fail("customer %d: cancel %s: %d", i, code, a.status)
				}
			}
		}()
	}
	for i := 0; i < staffers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			c := staffClients[i%len(staffClients)]
			rng := rand.New(rand.NewPCG(uint64(i), 2))
			for op := 0; op < maxOps && time.Now().Before(deadline); op++ {
				status := "requested"
				if rng.IntN(5) == 0 {
					status = "approved"
				}
				q, ok := tryDo(l, c, mustGet(h.srv.URL+"/admin?status="+status))
				if !ok || q.status != http.StatusOK {
					l.fail("staff %d: queue %d", i, q.status)
					return
				}
				codes := returnCodeRe.FindAllString(q.body, -1)
				if len(codes) == 0 {
					time.Sleep(2 * time.Millisecond)
					continue
				}
				code := codes[rng.IntN(len(codes))]
				action, v := "note", url.Values{"note": {fmt.Sprintf("Note %d-%d: checked the photos.", i, op)}}
				switch n := rng.IntN(100); {
				case status == "approved":
					action, v = "receive", nil
				case n < 45:
					action, v = "decline", url.Values{"reason": {"Outside what we can take back."}}
				case n < 50 && approved.Load() < maxApproved:
					action, v = "approve", url.Values{"message": {"Send it back, please."}}
				}
				a, ok := tryDo(l, c, formRequest(h.srv.URL, "/admin/returns/"+code+"/"+action, v))
				switch {
				case !ok:
				case a.status == http.StatusSeeOther:
					l.did(code, action)
					if action == "approve" {
						approved.Add(1)
					}
					if action == "note" {
						l.mu.Lock()
						l.notes[code] = append(l.notes[code], v.Get("note"))
						l.mu.Unlock()
					}
				case a.status == http.StatusConflict && action != "note":
					// The customer cancelled or another staff member acted first.
				default:
					l.fail("staff %d: %s %s: %d", i, action, code, a.status)
				}
			}
		}()
	}
	began := time.Now()
	close(start)
	wg.Wait()
	t.Logf("%d requests in %v; %d returns submitted; 303s by action %v", l.requests, time.Since(began).Round(time.Millisecond), len(l.submitted), l.totals())

	for _, f := range l.failures {
		t.Error(f)
	}
	for _, bad := range []string{"database is locked", "SQLITE_BUSY", "level=ERROR"} {
		if strings.Contains(logs.String(), bad) {
			t.Errorf("the log holds %q:\n%s", bad, firstLinesWith(logs.String(), bad, 5))
		}
	}
	if len(l.submitted) < 10 {
		t.Errorf("only %d returns were submitted: the load did not happen", len(l.submitted))
	}
	verifyLedger(t, h, l, orders)
}

// verifyLedger checks the database against what the writers were told.
func verifyLedger(t *testing.T, h *harness, l *loadLedger, orders map[string]string) {
	t.Helper()
	ctx := context.Background()
	stored := map[string]returns.Return{}
	for number, email := range orders {
		o, err := h.deps.Shop.FindOrder(ctx, number, email)
		if err != nil {
			t.Fatal(err)
		}
		rs, err := h.store.ReturnsByOrder(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			stored[r.Code] = r
		}
	}
	for code := range l.submitted {
		if _, ok := stored[code]; !ok {
			t.Errorf("return %s was confirmed to its customer but is not stored", code)
		}
	}
	for code := range stored {
		if _, ok := l.submitted[code]; !ok {
			t.Errorf("return %s is stored but no customer was told", code)
		}
	}

	emails := map[string]bool{}
	for before := int64(0); ; {
		ms, err := h.store.OutboxMessages(ctx, "", before, 500)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			emails[m.DedupeKey] = true
			before = m.ID
		}
		if len(ms) < 500 {
			break
		}
	}

	emailKind := map[returns.EventType]string{
		returns.EventRequested: "request_received", returns.EventApproved: "approved", returns.EventDeclined: "declined",
		returns.EventCancelled: "cancelled", returns.EventItemReceived: "item_received",
	}
	actionEvent := map[string]returns.EventType{
		"cancel": returns.EventCancelled, "approve": returns.EventApproved, "decline": returns.EventDeclined,
		"receive": returns.EventItemReceived, "note": returns.EventNote,
	}
	for code, r := range stored {
		events, err := h.store.Events(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		var status returns.Status
		count := map[returns.EventType]int{}
		var notes []string
		for i, ev := range events {
			count[ev.Type]++
			if ev.Type == returns.EventNote {
				notes = append(notes, ev.Message)
			}
			if ev.Status == "" {
				continue
			}
			switch {
			case i == 0 && ev.Type != returns.EventRequested:
				t.Errorf("%s: the timeline starts with %s", code, ev.Type)
			case status != "" && !status.CanMoveTo(ev.Status):
				t.Errorf("%s: the timeline moves from %s to %s", code, status, ev.Status)
			}
			status = ev.Status
			if kind, ok := emailKind[ev.Type]; ok && !emails[code+":"+kind+":customer"] {
				t.Errorf("%s: %s on the timeline without its email", code, ev.Type)
			}
		}
		if status != r.Status {
			t.Errorf("%s: status %s, but the timeline ends at %s", code, r.Status, status)
		}
		if count[returns.EventRequested] != 1 {
			t.Errorf("%s: %d requested events", code, count[returns.EventRequested])
		}
		for action, typ := range actionEvent {
			if told := l.done[code][action]; told != count[typ] {
				t.Errorf("%s: %d × %s answered 303, %d %s events stored", code, told, action, count[typ], typ)
			}
		}
		slices.Sort(notes)
		want := slices.Clone(l.notes[code])
		slices.Sort(want)
		if !slices.Equal(notes, want) {
			t.Errorf("%s: notes stored %q, confirmed %q", code, notes, want)
		}
	}
}

func mustGet(u string) *http.Request {
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		panic(err)
	}
	return req
}

// firstLinesWith returns up to n lines of s that contain sub.
func firstLinesWith(s, sub string, n int) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if strings.Contains(line, sub) && len(out) < n {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// totals counts the 303s per action.
func (l *loadLedger) totals() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string]int{}
	for _, byAction := range l.done {
		for a, n := range byAction {
			out[a] += n
		}
	}
	return out
}
