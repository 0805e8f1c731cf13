package db_test

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/returnsportal/returns"
)

// newReturn returns a requested return of orderID made from the form with key.
func newReturn(orderID, key string, items ...returns.Item) *returns.Return {
	return &returns.Return{
		SubmissionKey: key,
		Code:          returns.NewReturnCode(),
		OrderID:       orderID,
		OrderName:     "#1001",
		Email:         "anna.berzina@example.lv",
		Locale:        "lv",
		Kind:          returns.KindDamaged,
		Reason:        returns.ReasonDamaged,
		Resolution:    returns.ResolutionReplacement,
		Note:          "Saplīsis — broken <b>handle</b>",
		Status:        returns.StatusRequested,
		Currency:      "EUR",
		Items:         items,
		CreatedAt:     now,
		UpdatedAt:     now,
	}
}

func item(line string, qty int) returns.Item {
	return returns.Item{LineItemID: line, Title: "Item " + line, Quantity: qty, UnitPrice: returns.Money{Minor: 1450, Currency: "EUR"}}
}

func requestedEvent() returns.Event {
	return returns.Event{At: now, Actor: returns.ActorCustomer, Type: returns.EventRequested, Status: returns.StatusRequested}
}

func writeback(r *returns.Return) *returns.Writeback {
	return &returns.Writeback{OrderID: r.OrderID, NoteLine: "Return " + r.Code + " requested", Tags: []string{"returns:requested"}, NextAt: now}
}

// mustCreate stores r and fails the test unless a new return was created.
func mustCreate(tb testing.TB, d interface {
	CreateReturn(context.Context, *returns.Return, map[string]int, returns.Event, *returns.Writeback, []returns.OutboxMessage) (bool, error)
}, r *returns.Return, maxUnits map[string]int) {
	tb.Helper()
	created, err := d.CreateReturn(context.Background(), r, maxUnits, requestedEvent(), writeback(r), nil)
	if err != nil || !created {
		tb.Fatalf("CreateReturn = %v, %v; want created", created, err)
	}
}

const order1 = "gid://shopify/Order/1001"

func TestCreateReturn_RoundTrip(t *testing.T) {
	d := MustOpenDB(t)
	ctx := context.Background()
	r := newReturn(order1, "key-0000000000000001", item("L1", 1), item("L2", 2))
	r.Items[1].VariantTitle = "Natural" // kept, as the order page named it
	r.Photos = []returns.Photo{
		{ContentType: "image/jpeg", Width: 640, Height: 480, Data: []byte("jpeg bytes")},
		{ContentType: "image/png", Width: 10, Height: 20, Data: []byte("png bytes")},
	}
	// The request-received email carries the first link token.
	token := returns.NewToken()
	email := returns.OutboxMessage{DedupeKey: r.Code + ":request_received:customer", Kind: returns.EmailRequestReceived,
		To: r.Email, Subject: "Received", Text: "…?t=" + token, HTML: "<p>Received</p>", MessageID: "<1@example.com>", LinkTokenHash: returns.HashToken(token)}
	if created, err := d.CreateReturn(ctx, r, map[string]int{"L1": 1, "L2": 2}, requestedEvent(), writeback(r), []returns.OutboxMessage{email}); err != nil || !created {
		t.Fatalf("CreateReturn = %v, %v", created, err)
	}
	if r.ID == 0 || r.Photos[0].ID == 0 || r.Photos[1].ID == 0 || r.Photos[0].ID == r.Photos[1].ID {
		t.Fatalf("ids not filled: return %d, photos %d, %d", r.ID, r.Photos[0].ID, r.Photos[1].ID)
	}

	// What a read gives back: the return as stored, photos without their data.
	want := *r
	want.Photos = []returns.Photo{r.Photos[0], r.Photos[1]}
	for i := range want.Photos {
		want.Photos[i].Data = nil
	}
	// Nothing refunded yet: zero in the return's currency.
	want.Refunded = returns.Money{Currency: "EUR"}
	for name, read := range map[string]func() (*returns.Return, error){
		"ReturnByCode":       func() (*returns.Return, error) { return d.ReturnByCode(ctx, r.Code) },
		"ReturnByToken":      func() (*returns.Return, error) { return d.ReturnByToken(ctx, returns.HashToken(token)) },
		"ReturnBySubmission": func() (*returns.Return, error) { return d.ReturnBySubmission(ctx, order1, r.SubmissionKey) },
		"ReturnByID":         func() (*returns.Return, error) { return d.ReturnByID(ctx, r.ID) },
	} {
		t.Run(name, func(t *testing.T) {
			got, err := read()
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("got  %+v\nwant %+v", *got, want)
			}
		})
	}

	t.Run("Photo", func(t *testing.T) {
		for _, p := range r.Photos {
			got, err := d.Photo(ctx, r.ID, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, p) {
				t.Errorf("got %+v, want %+v", *got, p)
			}
		}
	})
	t.Run("event", func(t *testing.T) {
		evs, err := d.Events(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := requestedEvent()
		want.ReturnID = r.ID
		if len(evs) != 1 {
			t.Fatalf("events = %+v, want one", evs)
		}
		want.ID = evs[0].ID
		if !reflect.DeepEqual(evs[0], want) {
			t.Errorf("event = %+v, want %+v", evs[0], want)
		}
	})
	t.Run("writeback", func(t *testing.T) {
		wbs, err := d.DueWritebacks(ctx, now, 10)
		if err != nil {
			t.Fatal(err)
		}
		want := writeback(r)
		want.ReturnID = r.ID
		if len(wbs) != 1 {
			t.Fatalf("write-backs = %+v, want one", wbs)
		}
		want.ID = wbs[0].ID
		// The store names the return and the status it was queued in, for
		// the order's history metafield.
		want.ReturnCode, want.Status = r.Code, returns.StatusRequested
		if !reflect.DeepEqual(wbs[0], *want) {
			t.Errorf("write-back = %+v, want %+v", wbs[0], want)
		}
	})
}

func TestCreateReturn_DuplicateSubmission(t *testing.T) {
	d := MustOpenDB(t)
	ctx := context.Background()
	first := newReturn(order1, "key-0000000000000001", item("L1", 1))
	first.Photos = []returns.Photo{{ContentType: "image/jpeg", Width: 1, Height: 1, Data: []byte("x")}}
	mustCreate(t, d, first, map[string]int{"L1": 5})
	before := counts(t, d)

	// The same form sent again: new code, same submission key.
	again := newReturn(order1, "key-0000000000000001", item("L1", 3))
	created, err := d.CreateReturn(ctx, again, map[string]int{"L1": 5}, requestedEvent(), writeback(again), nil)
	if err != nil {
		t.Fatal(err)
	}
	if created {
		t.Error("created = true for a submitted key")
	}
	if again.ID != first.ID || again.Code != first.Code {
		t.Errorf("got return %d %s, want the first one %d %s", again.ID, again.Code, first.ID, first.Code)
	}
	if len(again.Items) != 1 || again.Items[0].Quantity != 1 || len(again.Photos) != 1 || again.Photos[0].Data != nil {
		t.Errorf("loaded return = %+v, want the first one's items and photo metadata", again)
	}
	if after := counts(t, d); !reflect.DeepEqual(after, before) {
		t.Errorf("rows after duplicate = %v, want %v", after, before)
	}

	t.Run("same key on another order is a new return", func(t *testing.T) {
		other := newReturn("gid://shopify/Order/1002", "key-0000000000000001", item("L9", 1))
		mustCreate(t, d, other, map[string]int{"L9": 1})
	})
}

func TestCreateReturn_Units(t *testing.T) {
	for _, tc := range []struct {
		name     string
		existing []returns.Status // statuses of earlier returns holding 1 × L1 each
		items    []returns.Item
		maxUnits map[string]int
		conflict bool
	}{
		{"within", nil, []returns.Item{item("L1", 2)}, map[string]int{"L1": 2}, false},
		{"over", nil, []returns.Item{item("L1", 3)}, map[string]int{"L1": 2}, true},
		{"line not allowed", nil, []returns.Item{item("L1", 1)}, map[string]int{}, true},
		{"same line twice", nil, []returns.Item{item("L1", 1), item("L1", 2)}, map[string]int{"L1": 2}, true},
		{"held by requested", []returns.Status{returns.StatusRequested}, []returns.Item{item("L1", 2)}, map[string]int{"L1": 2}, true},
		{"held by approved", []returns.Status{returns.StatusApproved}, []returns.Item{item("L1", 2)}, map[string]int{"L1": 2}, true},
		{"held by closed", []returns.Status{returns.StatusClosed}, []returns.Item{item("L1", 2)}, map[string]int{"L1": 2}, true},
		{"fits beside held", []returns.Status{returns.StatusRequested}, []returns.Item{item("L1", 1)}, map[string]int{"L1": 2}, false},
		{"declined holds nothing", []returns.Status{returns.StatusDeclined}, []returns.Item{item("L1", 2)}, map[string]int{"L1": 2}, false},
		{"cancelled holds nothing", []returns.Status{returns.StatusCancelled, returns.StatusCancelled}, []returns.Item{item("L1", 2)}, map[string]int{"L1": 2}, false},
		{"other line free", []returns.Status{returns.StatusRequested}, []returns.Item{item("L2", 1)}, map[string]int{"L2": 1}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := MustOpenDB(t)
			ctx := context.Background()
			for i, st := range tc.existing {
				r := newReturn(order1, fmt.Sprintf("key-existing-%06d", i), item("L1", 1))
				mustCreate(t, d, r, map[string]int{"L1": 100})
				if st != returns.StatusRequested {
					setStatus(t, d, r.ID, st)
				}
			}
			// Another order's returns never count.
			mustCreate(t, d, newReturn("gid://shopify/Order/9", "key-other-order-0001", item("L1", 5)), map[string]int{"L1": 5})
			before := counts(t, d)

			r := newReturn(order1, "key-new-00000000001", tc.items...)
			created, err := d.CreateReturn(ctx, r, tc.maxUnits, requestedEvent(), writeback(r), nil)
			if !tc.conflict {
				if err != nil || !created {
					t.Fatalf("CreateReturn = %v, %v; want created", created, err)
				}
				return
			}
			if returns.ErrorCode(err) != returns.ECONFLICT || created {
				t.Fatalf("CreateReturn = %v, %v; want ECONFLICT", created, err)
			}
			if got := returns.ErrorMessage(err).String(); got != "Some of these items were returned already." {
				t.Errorf("message = %q", got)
			}
			if after := counts(t, d); !reflect.DeepEqual(after, before) {
				t.Errorf("rows after conflict = %v, want %v", after, before)
			}
		})
	}
}

// setStatus moves return id along the state machine from requested to st.
func setStatus(tb testing.TB, d interface {
	Transition(context.Context, returns.Change) error
}, id int64, st returns.Status) {
	tb.Helper()
	path := map[returns.Status][]returns.Status{
		returns.StatusApproved:  {returns.StatusApproved},
		returns.StatusDeclined:  {returns.StatusDeclined},
		returns.StatusCancelled: {returns.StatusCancelled},
		returns.StatusRefunded:  {returns.StatusApproved, returns.StatusRefunded},
		returns.StatusClosed:    {returns.StatusApproved, returns.StatusRefunded, returns.StatusClosed},
	}[st]
	if path == nil {
		tb.Fatalf("no path to %s", st)
	}
	from := returns.StatusRequested
	for _, to := range path {
		ev := returns.Event{At: now, Actor: returns.StaffActor(1), Type: returns.EventType(to)}
		if err := d.Transition(context.Background(), returns.Change{ReturnID: id, From: from, To: to, Event: ev}); err != nil {
			tb.Fatalf("transition %s → %s: %v", from, to, err)
		}
		from = to
	}
}

func TestCreateReturn_ConcurrentUnits(t *testing.T) {
	d := MustOpenDB(t)
	const tries, max = 20, 5
	var wg sync.WaitGroup
	var mu sync.Mutex
	results := map[string]int{}
	for i := 0; i < tries; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := newReturn(order1, fmt.Sprintf("key-concurrent-%04d", i), item("L1", 1))
			created, err := d.CreateReturn(context.Background(), r, map[string]int{"L1": max}, requestedEvent(), writeback(r), nil)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case created:
				results["created"]++
			case returns.ErrorCode(err) == returns.ECONFLICT:
				results["conflict"]++
			default:
				t.Errorf("CreateReturn = %v, %v", created, err)
			}
		}()
	}
	wg.Wait()
	if results["created"] != max || results["conflict"] != tries-max {
		t.Errorf("results = %v, want %d created", results, max)
	}
	if got := count(t, d, "returns"); got != max {
		t.Errorf("%d returns stored, want %d", got, max)
	}
}

func TestReturnLookups_NotFound(t *testing.T) {
	d := MustOpenDB(t)
	ctx := context.Background()
	r := newReturn(order1, "key-0000000000000001", item("L1", 1))
	mustCreate(t, d, r, map[string]int{"L1": 1})

	for name, read := range map[string]func() (*returns.Return, error){
		"ReturnByCode":                 func() (*returns.Return, error) { return d.ReturnByCode(ctx, "R-NOPE0000") },
		"ReturnByToken":                func() (*returns.Return, error) { return d.ReturnByToken(ctx, "00000000000000000000000000000000") },
		"ReturnBySubmission other key": func() (*returns.Return, error) { return d.ReturnBySubmission(ctx, order1, "key-other") },
		"ReturnByID":                   func() (*returns.Return, error) { return d.ReturnByID(ctx, r.ID+1) },
		"ReturnBySubmission other order": func() (*returns.Return, error) {
			return d.ReturnBySubmission(ctx, "gid://shopify/Order/2", r.SubmissionKey)
		},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := read()
			if returns.ErrorCode(err) != returns.ENOTFOUND || got != nil {
				t.Errorf("= %v, %v; want ENOTFOUND", got, err)
			}
		})
	}
}

func TestPhoto_OtherReturn(t *testing.T) {
	d := MustOpenDB(t)
	ctx := context.Background()
	a := newReturn(order1, "key-0000000000000001", item("L1", 1))
	a.Photos = []returns.Photo{{ContentType: "image/jpeg", Width: 1, Height: 1, Data: []byte("a")}}
	mustCreate(t, d, a, map[string]int{"L1": 1})
	b := newReturn("gid://shopify/Order/2", "key-0000000000000002", item("L2", 1))
	mustCreate(t, d, b, map[string]int{"L2": 1})

	for _, tc := range []struct {
		name              string
		returnID, photoID int64
	}{
		{"photo of another return", b.ID, a.Photos[0].ID},
		{"unknown photo", a.ID, a.Photos[0].ID + 100},
		{"unknown return", a.ID + 100, a.Photos[0].ID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := d.Photo(ctx, tc.returnID, tc.photoID)
			if returns.ErrorCode(err) != returns.ENOTFOUND || p != nil {
				t.Errorf("Photo = %v, %v; want ENOTFOUND", p, err)
			}
		})
	}
}

func TestReturnsByOrder(t *testing.T) {
	d := MustOpenDB(t)
	ctx := context.Background()
	var made []*returns.Return
	for i := 0; i < 3; i++ {
		r := newReturn(order1, fmt.Sprintf("key-%016d", i), item("L1", 1), item(fmt.Sprintf("L%d", i+2), 1))
		r.CreatedAt = now.Add(time.Duration(i) * time.Minute)
		mustCreate(t, d, r, map[string]int{"L1": 3, "L2": 1, "L3": 1, "L4": 1})
		made = append(made, r)
	}
	mustCreate(t, d, newReturn("gid://shopify/Order/2", "key-other-order-0001", item("L1", 1)), map[string]int{"L1": 1})

	got, err := d.ReturnsByOrder(ctx, order1)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("got %d returns, want 3", len(got))
	}
	for i, r := range got {
		want := made[2-i]
		if r.ID != want.ID || !reflect.DeepEqual(r.Items, want.Items) {
			t.Errorf("return %d = %d %+v, want %d %+v", i, r.ID, r.Items, want.ID, want.Items)
		}
	}

	none, err := d.ReturnsByOrder(ctx, "gid://shopify/Order/404")
	if err != nil || len(none) != 0 {
		t.Errorf("returns of an order without any = %v, %v", none, err)
	}
}

// TestReturnVersion: every change the customer's status page can show moves the
// return's version on, whichever table it touches; a read changes nothing.
func TestReturnVersion(t *testing.T) {
	d := MustOpenDB(t)
	ctx := context.Background()
	r := newReturn(order1, "key-0000000000000001", item("L1", 1))
	r.Photos = []returns.Photo{{ContentType: "image/jpeg", Width: 1, Height: 1, Data: []byte("x")}}
	mustCreate(t, d, r, map[string]int{"L1": 5})
	version := func() int64 {
		t.Helper()
		orderID, v, err := d.ReturnVersion(ctx, r.Code)
		if err != nil || orderID != order1 {
			t.Fatalf("ReturnVersion = %q, %d, %v", orderID, v, err)
		}
		return v
	}
	last := version()
	if last != r.Version {
		t.Fatalf("ReturnVersion %d, the created return says %d", last, r.Version)
	}
	for _, step := range []struct {
		name   string
		change func() error
	}{
		{"a read", func() error { _, err := d.ReturnByCode(ctx, r.Code); return err }},
		{"a staff note", func() error {
			return d.AddEvent(ctx, returns.Event{ReturnID: r.ID, At: now, Actor: returns.StaffActor(7), Type: returns.EventNote, Message: "x"})
		}},
		{"an approval", func() error {
			return d.Transition(ctx, returns.Change{ReturnID: r.ID, From: returns.StatusRequested, To: returns.StatusApproved, Event: approveEvent()})
		}},
		{"a refund", func() error {
			_, err := d.CreateRefund(ctx, newRefund(r, key1, 1_00), limits)
			return err
		}},
		{"the refund settled", func() error {
			refs, err := d.RefundsByReturn(ctx, r.ID)
			if err != nil {
				return err
			}
			return d.SettleRefund(ctx, refs[0].ID, returns.RefundSucceeded, "gid://shopify/Refund/1", "", nil)
		}},
	} {
		if err := step.change(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		v := version()
		if step.name == "a read" {
			if v != last {
				t.Errorf("%s moved the version from %d to %d", step.name, last, v)
			}
			continue
		}
		if v <= last {
			t.Errorf("%s left the version at %d", step.name, v)
		}
		last = v
	}
	if _, _, err := d.ReturnVersion(ctx, "R-ZZZZZZZZ"); returns.ErrorCode(err) != returns.ENOTFOUND {
		t.Errorf("unknown code: %v, want ENOTFOUND", err)
	}
}
