package returns_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/returnsportal/returns"
)

// fakePhotoStore is a PhotoStore over returns done at given times, each with
// photos: it deletes the photos of those in a status of the purge done before
// its Before, at most its limit, and records the purges.
type fakePhotoStore struct {
	done   map[string]time.Time // code → when it was done
	status map[string]returns.Status
	photos map[string]bool // code → still has photos
	purges []returns.PhotoPurge
	events map[string][]returns.Event
	err    error
}

func newFakePhotoStore() *fakePhotoStore {
	return &fakePhotoStore{done: map[string]time.Time{}, status: map[string]returns.Status{}, photos: map[string]bool{}, events: map[string][]returns.Event{}}
}

func (s *fakePhotoStore) add(code string, status returns.Status, at time.Time) {
	s.done[code], s.status[code], s.photos[code] = at, status, true
}

func (s *fakePhotoStore) PurgePhotos(ctx context.Context, p returns.PhotoPurge) (int, error) {
	s.purges = append(s.purges, p)
	if s.err != nil {
		return 0, s.err
	}
	var codes []string
	for code := range s.photos {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	n := 0
	for _, code := range codes {
		if n < p.Limit && s.photos[code] && slices.Contains(p.Statuses, s.status[code]) && s.done[code].Before(p.Before) {
			s.photos[code] = false
			s.events[code] = append(s.events[code], p.Event)
			n++
		}
	}
	return n, nil
}

func retentionService(store returns.PhotoStore, days int) *returns.PhotoRetentionService {
	settings := settingsFunc(func(context.Context) (returns.Settings, error) {
		st := returns.DefaultSettings()
		st.PhotoRetentionDays = days
		return st, nil
	})
	return returns.NewPhotoRetentionService(store, settings, func() time.Time { return serviceNow }, quietLog)
}

func TestPhotoRetentionDefault(t *testing.T) {
	if got := returns.DefaultSettings().PhotoRetentionDays; got != 180 {
		t.Errorf("photos are kept %d days after a return closes by default, want 180", got)
	}
}

func TestPurgePhotos(t *testing.T) {
	ctx := context.Background()
	day := 24 * time.Hour
	store := newFakePhotoStore()
	store.add("closed 181 days ago", returns.StatusClosed, serviceNow.Add(-181*day))
	store.add("closed 179 days ago", returns.StatusClosed, serviceNow.Add(-179*day))
	store.add("declined 200 days ago", returns.StatusDeclined, serviceNow.Add(-200*day))
	store.add("cancelled 181 days ago", returns.StatusCancelled, serviceNow.Add(-181*day))
	store.add("open, made 400 days ago", returns.StatusApproved, serviceNow.Add(-400*day))
	store.add("refunded 400 days ago, not closed", returns.StatusRefunded, serviceNow.Add(-400*day))

	n, err := retentionService(store, 180).PurgePhotos(ctx)
	if err != nil || n != 3 {
		t.Fatalf("PurgePhotos() = %d, %v; want 3", n, err)
	}
	for code, kept := range store.photos {
		wantKept := code == "closed 179 days ago" || code == "open, made 400 days ago" || code == "refunded 400 days ago, not closed"
		if kept != wantKept {
			t.Errorf("%s: photos kept %v, want %v", code, kept, wantKept)
		}
	}
	p := store.purges[0]
	if !p.Before.Equal(serviceNow.AddDate(0, 0, -180)) || !slices.Equal(p.Statuses, []returns.Status{returns.StatusDeclined, returns.StatusCancelled, returns.StatusClosed}) {
		t.Errorf("purge %+v", p)
	}
	want := returns.Event{At: serviceNow, Actor: returns.ActorSystem, Type: returns.EventPhotosDeleted, Message: "Photos deleted after 180 days",
		Msg: returns.Msg("Photos deleted after %d days", 180)}
	if evs := store.events["closed 181 days ago"]; len(evs) != 1 || !reflect.DeepEqual(evs[0], want) {
		t.Errorf("timeline got %+v, want %+v", evs, want)
	}
}

func TestPurgePhotosZeroKeepsEverything(t *testing.T) {
	store := newFakePhotoStore()
	store.add("closed ten years ago", returns.StatusClosed, serviceNow.AddDate(-10, 0, 0))
	n, err := retentionService(store, 0).PurgePhotos(context.Background())
	if err != nil || n != 0 || len(store.purges) != 0 || !store.photos["closed ten years ago"] {
		t.Errorf("PurgePhotos() = %d, %v after %d purges; want nothing deleted", n, err, len(store.purges))
	}
}

// TestPurgePhotosIsBounded: one run purges at most 25 batches of 20 returns;
// the next run goes on.
func TestPurgePhotosIsBounded(t *testing.T) {
	store := newFakePhotoStore()
	for i := range 510 {
		store.add(string(rune('A'+i/26))+string(rune('a'+i%26))+" closed long ago", returns.StatusClosed, serviceNow.AddDate(-2, 0, 0))
	}
	svc := retentionService(store, 30)
	if n, err := svc.PurgePhotos(context.Background()); err != nil || n != 500 || len(store.purges) != 25 {
		t.Fatalf("first run: %d returns in %d batches, %v; want 500 in 25", n, len(store.purges), err)
	}
	if n, err := svc.PurgePhotos(context.Background()); err != nil || n != 10 {
		t.Fatalf("second run: %d, %v; want the 10 left", n, err)
	}
}

func TestPurgePhotosFailure(t *testing.T) {
	store := newFakePhotoStore()
	store.err = errors.New("disk I/O error")
	if _, err := retentionService(store, 180).PurgePhotos(context.Background()); !errors.Is(err, store.err) {
		t.Errorf("PurgePhotos() = %v, want the store's error", err)
	}
}
