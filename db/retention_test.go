package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/returnsportal/returns"
	"github.com/returnsportal/returns/db"
)

// closeAt moves a return to status through approved (declined, cancelled:
// directly), the last event at at.
func closeAt(t *testing.T, d *db.DB, r *returns.Return, status returns.Status, at time.Time) {
	t.Helper()
	path := map[returns.Status][]returns.Status{
		returns.StatusClosed:    {returns.StatusApproved, returns.StatusRefunded, returns.StatusClosed},
		returns.StatusDeclined:  {returns.StatusDeclined},
		returns.StatusCancelled: {returns.StatusCancelled},
		returns.StatusApproved:  {returns.StatusApproved},
	}[status]
	from := returns.StatusRequested
	for i, to := range path {
		evAt := at.Add(time.Duration(i-len(path)+1) * time.Hour)
		must(t, d.Transition(context.Background(), returns.Change{ReturnID: r.ID, From: from, To: to,
			Event: returns.Event{At: evAt, Actor: returns.StaffActor(7), Type: returns.EventType(to)}}))
		from = to
	}
}

func TestPurgePhotos(t *testing.T) {
	ctx := context.Background()
	d := MustOpenDB(t)
	today := now.AddDate(1, 0, 0)
	day := 24 * time.Hour
	made := today.AddDate(0, 0, -400)
	mk := func(key string, status returns.Status, closed time.Time) *returns.Return {
		r := withPhoto(newReturn(order1, key, item("L1", 1)), []byte("photo of "+key))
		r.CreatedAt, r.UpdatedAt = made, made
		mustCreate(t, d, r, map[string]int{"L1": 100})
		if status != returns.StatusRequested {
			closeAt(t, d, r, status, closed)
		}
		return r
	}
	closed181 := mk("key-0000000000000001", returns.StatusClosed, today.Add(-181*day))
	closed179 := mk("key-0000000000000002", returns.StatusClosed, today.Add(-179*day))
	declined181 := mk("key-0000000000000003", returns.StatusDeclined, today.Add(-181*day))
	cancelled200 := mk("key-0000000000000004", returns.StatusCancelled, today.Add(-200*day))
	approved400 := mk("key-0000000000000005", returns.StatusApproved, made)
	requested400 := mk("key-0000000000000006", returns.StatusRequested, made)
	// A return without photos is no work.
	bare := newReturn(order1, "key-0000000000000007", item("L1", 1))
	mustCreate(t, d, bare, map[string]int{"L1": 100})
	closeAt(t, d, bare, returns.StatusDeclined, today.Add(-300*day))

	purge := func(limit int) int {
		t.Helper()
		n, err := d.PurgePhotos(ctx, returns.PhotoPurge{
			Statuses: returns.TerminalStatuses(), Before: today.AddDate(0, 0, -180), Limit: limit,
			Event: returns.Event{At: today, Actor: returns.ActorSystem, Type: returns.EventPhotosDeleted, Message: "Photos deleted after 180 days"},
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := purge(2); n != 2 {
		t.Fatalf("first batch purged %d, want its limit 2", n)
	}
	if n := purge(2); n != 1 {
		t.Fatalf("second batch purged %d, want the one left", n)
	}
	if n := purge(2); n != 0 {
		t.Fatalf("third batch purged %d, want none", n)
	}
	for _, tc := range []struct {
		name   string
		r      *returns.Return
		photos int
	}{
		{"closed 181 days ago", closed181, 0},
		{"declined 181 days ago", declined181, 0},
		{"cancelled 200 days ago", cancelled200, 0},
		{"closed 179 days ago", closed179, 1},
		{"approved, made 400 days ago", approved400, 1},
		{"requested, made 400 days ago", requested400, 1},
	} {
		got, err := d.ReturnByID(ctx, tc.r.ID)
		if err != nil {
			t.Fatal(err)
		}
		evs, err := d.Events(ctx, tc.r.ID)
		if err != nil {
			t.Fatal(err)
		}
		last := evs[len(evs)-1]
		deleted := last.Type == returns.EventPhotosDeleted && last.Message == "Photos deleted after 180 days" && last.Status == ""
		if len(got.Photos) != tc.photos || deleted != (tc.photos == 0) {
			t.Errorf("%s: %d photos, last event %+v", tc.name, len(got.Photos), last)
		}
	}
	if evs, _ := d.Events(ctx, bare.ID); evs[len(evs)-1].Type == returns.EventPhotosDeleted {
		t.Error("a return without photos got a photos-deleted event")
	}
}
