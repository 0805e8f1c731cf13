package returns

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// DefaultPhotoRetentionDays is how long damage photos are kept after a return
// is closed, until staff set another time.
const DefaultPhotoRetentionDays = 180

// MaxPhotoRetentionDays bounds the setting: ten years.
const MaxPhotoRetentionDays = 3650

// PhotoPurge is one batch of photos a store deletes: those of returns done
// (in one of Statuses) since before Before.
type PhotoPurge struct {
	// Statuses are the statuses of returns that are done (TerminalStatuses).
	Statuses []Status
	// Before: a return is done since the time of the newest event that set
	// its status; its photos go when that is before Before.
	Before time.Time
	// Limit bounds the returns one call deletes the photos of.
	Limit int
	// Event is appended to the timeline of each return whose photos were
	// deleted (the store fills its ReturnID).
	Event Event
}

// PhotoStore deletes photos kept past their time.
type PhotoStore interface {
	// PurgePhotos deletes the photos (rows and data) of up to p.Limit returns
	// as PhotoPurge says, each with p.Event, in one transaction, and returns
	// how many returns lost their photos. Fewer than p.Limit means no more
	// are due.
	PurgePhotos(ctx context.Context, p PhotoPurge) (int, error)
}

// Bounds of one run of the purge: a batch is one transaction (twenty returns
// of up to five photos of some megabytes each), and a run does at most
// purgeBatches of them, so that a year's backlog after the setting is first
// lowered is worked off over some days without holding the writer for long.
// The next run goes on where this one stopped.
const (
	purgeBatch   = 20
	purgeBatches = 25
)

// PhotoRetentionService deletes the damage photos of returns closed longer
// ago than the PhotoRetentionDays setting: photos can show the inside of a
// customer's home, and once a return is done nobody needs them for long.
type PhotoRetentionService struct {
	store    PhotoStore
	settings SettingsReader
	now      func() time.Time
	log      *slog.Logger
}

// NewPhotoRetentionService returns a PhotoRetentionService.
func NewPhotoRetentionService(store PhotoStore, settings SettingsReader, now func() time.Time, log *slog.Logger) *PhotoRetentionService {
	return &PhotoRetentionService{store: store, settings: settings, now: now, log: log}
}

// PurgePhotos deletes the photos of returns done (declined, cancelled or
// closed) more than PhotoRetentionDays days ago, adding "Photos deleted after
// N days" to each one's timeline, and returns how many returns lost their
// photos. A setting of 0 keeps every photo. One call does a bounded amount of
// work; what is left is for the next.
//
// SQLite does not shrink the file: the pages the photos held go on its free
// list and are reused by the next photos and rows, so the file stops growing
// instead of getting smaller; no VACUUM is needed. The writer connection has
// secure_delete on (db.Open), so the freed pages are zeroed and the photos
// cannot be read back from the file.
func (s *PhotoRetentionService) PurgePhotos(ctx context.Context) (int, error) {
	st, err := s.settings.Settings(ctx)
	if err != nil {
		return 0, fmt.Errorf("purge photos: %w", err)
	}
	days := st.PhotoRetentionDays
	if days <= 0 {
		return 0, nil
	}
	now := s.now()
	p := PhotoPurge{
		Statuses: TerminalStatuses(),
		Before:   now.AddDate(0, 0, -days),
		Limit:    purgeBatch,
		Event:    Event{At: now, Actor: ActorSystem, Type: EventPhotosDeleted}.says(Msg("Photos deleted after %d days", days)),
	}
	total := 0
	for range purgeBatches {
		n, err := s.store.PurgePhotos(ctx, p)
		total += n
		if err != nil {
			return total, fmt.Errorf("purge photos: %w", err)
		}
		if n < p.Limit {
			break
		}
	}
	if total > 0 {
		s.log.Info("photos deleted after the retention time", "returns", total, "days", days)
	}
	return total, nil
}

// Run purges photos at once and then every interval until ctx ends.
func (s *PhotoRetentionService) Run(ctx context.Context, every time.Duration) {
	purge := func(ctx context.Context) {
		if _, err := s.PurgePhotos(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("purge photos", "err", err)
		}
	}
	purge(ctx)
	runEvery(ctx, every, purge)
}
