package returns

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
)

// Shopify's return of a portal return is kept in step by ShopReturnService:
// every change of a return's status leaves a row to sync (written by the store
// in the transaction of the change), and the service drives the Shopify return
// from the status it has to the one the portal's status asks for. It is
// level-triggered: whatever was missed (Shopify down, a crash, an answer lost)
// is made up by the next pass, and a pass that finds nothing to do does
// nothing. What staff do to the return in Shopify admin comes the other way,
// through the returns/* webhooks (ShopEventService).

// Shopify return states of a portal return that has no Shopify return, kept in
// Return.ShopReturnStatus beside Shopify's own.
const (
	// ShopReturnLegacy marks a return made before the portal drove Shopify's
	// Returns: it keeps the money-only refunds it had.
	ShopReturnLegacy ShopReturnStatus = "LEGACY"
	// ShopReturnRefused marks a return Shopify would not record (its units
	// not returnable there): refunds go through refundCreate with its lines.
	ShopReturnRefused ShopReturnStatus = "REFUSED"
	// ShopReturnNone marks a return declined or cancelled before Shopify heard
	// of it: there is nothing to record.
	ShopReturnNone ShopReturnStatus = "NONE"
	// ShopReturnAsked marks a return Shopify was asked for without an
	// answer kept: the order's returns are looked through for it (by its
	// code) before asking again, since returnRequest takes no idempotency
	// key.
	ShopReturnAsked ShopReturnStatus = "ASKED"
)

// ShopReturnSync is a return whose Shopify return is to be brought in step.
type ShopReturnSync struct {
	ReturnID int64
	// Seq changes with every change of the return: a sync that read an
	// older one is not done.
	Seq      int64
	Attempts int
}

// ShopReturnStore keeps the link between portal returns and Shopify's.
type ShopReturnStore interface {
	// DueShopReturnSyncs returns up to limit returns to sync, due at now.
	DueShopReturnSyncs(ctx context.Context, now time.Time, limit int) ([]ShopReturnSync, error)
	// ShopReturnSynced removes the return's row to sync, if its Seq is still
	// seq: a change made during the sync leaves it for the next pass.
	ShopReturnSynced(ctx context.Context, returnID, seq int64) error
	// ShopReturnSyncFailed counts a failed sync and sets when to try next.
	ShopReturnSyncFailed(ctx context.Context, returnID, seq int64, next time.Time, lastErr string) error
	// SetShopReturn records the return's Shopify return and its status.
	SetShopReturn(ctx context.Context, returnID int64, shopifyID string, status ShopReturnStatus) error
	// ReturnByShopReturn returns the portal return of a Shopify return, or
	// ENOTFOUND.
	ReturnByShopReturn(ctx context.Context, shopifyID string) (*Return, error)
	// OpenShopReturns returns up to limit Shopify return GIDs, in order,
	// after after ("" for the first), of the open returns that have one.
	OpenShopReturns(ctx context.Context, after string, limit int) ([]string, error)
	// SetRestock records what staff chose for a return's items: line item
	// id → back in stock or not.
	SetRestock(ctx context.Context, returnID int64, choice map[string]Restock) error
	// SetParcelInShopify records the reverse delivery that carries a
	// return's parcel in Shopify, or why Shopify would not take it.
	SetParcelInShopify(ctx context.Context, returnID int64, reverseDeliveryID, shopifyError string) error
}

// reasonHandles maps the portal's reasons to the handles of Shopify's return
// reason taxonomy, best first; the first one the shop has is used.
var reasonHandles = map[Reason][]string{
	ReasonDamaged:        {"damaged", "defective"},
	ReasonDoesntFit:      {"poor-fit", "other"},
	ReasonNotAsDescribed: {"not-as-described"},
	ReasonWrongItem:      {"wrong-item"},
	ReasonNoLongerNeeded: {"unwanted"},
	ReasonOther:          {"other"},
}

// ShopReturnService keeps Shopify's return of each portal return in step
// with it.
type ShopReturnService struct {
	returns  ReturnReader
	timeline TimelineReader
	changes  *Changes
	store    ShopReturnStore
	shop     ShopReturns
	now      func() time.Time
	log      *slog.Logger
	wake     chan struct{}
	// syncing holds one lock per return being synced: the background pass and
	// a refund waiting for the Shopify return may meet on one.
	syncing keyedLocks
	// reasons are the shop's return reason definitions, read once.
	reasonsMu sync.Mutex
	reasons   []ReturnReasonDefinition
	// sweepAfter is the Shopify return the last Sweep stopped after; only
	// Run's goroutine uses it.
	sweepAfter string
	// units are what Shopify still takes back of the orders a submission
	// just checked, by order id: the return made then is asked for with
	// them, without reading them again a moment later.
	unitsMu sync.Mutex
	units   map[string]keptUnits
}

// keptUnits are an order's returnable units as read at a moment.
type keptUnits struct {
	at    time.Time
	units []ReturnableUnit
}

// unitsFreshFor is how long returnable units read at a submission are used
// to ask for its Shopify return. Within it, a return made in Shopify admin
// for the same units makes Shopify refuse the request, which is safe.
const unitsFreshFor = 30 * time.Second

// returnableUnits returns what Shopify still takes back of an order: as read
// a moment ago when fresh is true, else read now.
func (s *ShopReturnService) returnableUnits(ctx context.Context, orderID string, fresh bool) ([]ReturnableUnit, error) {
	now := s.now()
	s.unitsMu.Lock()
	k, ok := s.units[orderID]
	for id, u := range s.units {
		if now.Sub(u.at) > unitsFreshFor {
			delete(s.units, id)
		}
	}
	s.unitsMu.Unlock()
	if fresh && ok && now.Sub(k.at) <= unitsFreshFor {
		return k.units, nil
	}
	units, err := s.shop.ReturnableUnits(ctx, orderID)
	if err != nil {
		return nil, err
	}
	s.unitsMu.Lock()
	if s.units == nil {
		s.units = map[string]keptUnits{}
	}
	s.units[orderID] = keptUnits{at: now, units: units}
	s.unitsMu.Unlock()
	return units, nil
}

// ShopReturnDeps are what a ShopReturnService uses.
type ShopReturnDeps struct {
	Returns  ReturnReader
	Timeline TimelineReader
	// Changes moves portal returns as staff moved their Shopify returns.
	Changes *Changes
	Store   ShopReturnStore
	Shop    ShopReturns
	Now     func() time.Time
	Log     *slog.Logger
}

// NewShopReturnService returns a ShopReturnService.
func NewShopReturnService(d ShopReturnDeps) *ShopReturnService {
	return &ShopReturnService{returns: d.Returns, timeline: d.Timeline, changes: d.Changes, store: d.Store, shop: d.Shop, now: d.Now, log: d.Log, wake: make(chan struct{}, 1)}
}

// Wake asks the background pass to run now: a return changed.
func (s *ShopReturnService) Wake() {
	if s == nil {
		return
	}
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run syncs due returns when woken and every interval until ctx ends, and
// every sweepEvery reads the Shopify returns of open returns for a returns/*
// webhook that never came (Sweep).
func (s *ShopReturnService) Run(ctx context.Context, every, sweepEvery time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	sweep := time.NewTicker(sweepEvery)
	defer sweep.Stop()
	s.Flush(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-t.C:
		case <-sweep.C:
			s.Sweep(ctx)
		}
		s.Flush(ctx)
	}
}

// sweepReturns is how many Shopify returns one Sweep reads; the next goes on
// after the last of them.
const sweepReturns = 25

// Sweep reads the Shopify returns of up to sweepReturns open returns, after
// where the last pass stopped, and moves each portal return as ApplyEvent
// does: what staff did in Shopify admin reaches the portal even when its
// webhook never came.
func (s *ShopReturnService) Sweep(ctx context.Context) {
	ids, err := s.store.OpenShopReturns(ctx, s.sweepAfter, sweepReturns)
	if err != nil {
		s.log.Error("read open returns to sweep", "err", err)
		return
	}
	if len(ids) < sweepReturns {
		s.sweepAfter = "" // from the start next time
	} else {
		s.sweepAfter = ids[len(ids)-1]
	}
	for _, id := range ids {
		err := s.ApplyEvent(ctx, "sweep", ShopReturnEvent{ID: id})
		if ShopUninstalled(err) {
			return
		}
		if err != nil {
			s.log.Warn("sweep Shopify return", "return", id, "err", err)
		}
	}
}

// Flush syncs every return due now.
func (s *ShopReturnService) Flush(ctx context.Context) {
	for ctx.Err() == nil {
		due, err := s.store.DueShopReturnSyncs(ctx, s.now(), 50)
		if err != nil {
			s.log.Error("read returns to sync with Shopify", "err", err)
			return
		}
		if len(due) == 0 {
			return
		}
		for _, d := range due {
			err := s.Sync(ctx, d.ReturnID)
			if ShopUninstalled(err) {
				s.log.Info("Shopify returns wait: the app is uninstalled from the shop")
				return
			}
			if err != nil {
				s.log.Warn("sync return with Shopify failed; tried again later", "return", d.ReturnID, "attempt", d.Attempts+1, "err", err)
				next := s.now().Add(Backoff(d.Attempts+1, RetryFirst, RetryAtMost))
				if err := s.store.ShopReturnSyncFailed(ctx, d.ReturnID, d.Seq, next, err.Error()); err != nil {
					s.log.Error("record failed sync", "return", d.ReturnID, "err", err)
					return
				}
				continue
			}
			if err := s.store.ShopReturnSynced(ctx, d.ReturnID, d.Seq); err != nil {
				s.log.Error("record sync", "return", d.ReturnID, "err", err)
				return
			}
		}
	}
}

// wantShopStatus is the Shopify status a portal return in status st stands
// for. A refunded return is closed in Shopify once refunded in full; a
// partial refund leaves it open for the rest.
func wantShopStatus(r *Return) ShopReturnStatus {
	switch r.Status {
	case StatusRequested:
		return ShopReturnRequested
	case StatusDeclined:
		return ShopReturnDeclined
	case StatusCancelled:
		return ShopReturnCanceled
	case StatusClosed:
		return ShopReturnClosed
	case StatusRefunded:
		if r.Refunded.Minor >= r.Total().Minor {
			return ShopReturnClosed
		}
	}
	return ShopReturnOpen
}

// Sync brings the Shopify return of a portal return in step with it, making
// it first when it has none. It answers the return as it stands after.
func (s *ShopReturnService) Sync(ctx context.Context, returnID int64) error {
	unlock, err := s.syncing.lock(ctx, fmt.Sprint(returnID))
	if err != nil {
		return err
	}
	defer unlock()
	r, err := s.returns.ReturnByID(ctx, returnID)
	if err != nil {
		return err
	}
	return s.sync(ctx, r)
}

func (s *ShopReturnService) sync(ctx context.Context, r *Return) error {
	want := wantShopStatus(r)
	if r.ShopReturnID == "" && r.ShopReturnStatus == ShopReturnAsked {
		// Asked before, the answer lost: Shopify may have made it.
		sr, err := s.findAsked(ctx, r)
		if err != nil {
			return err
		}
		if sr != nil {
			if err := s.record(ctx, r, sr); err != nil {
				return err
			}
		}
	}
	if r.ShopReturnID == "" {
		switch {
		case r.ShopReturnStatus.settledWithout():
			return nil
		case want == ShopReturnDeclined || want == ShopReturnCanceled:
			// Declined or withdrawn before Shopify heard of it: nothing
			// to record there.
			return s.store.SetShopReturn(ctx, r.ID, "", ShopReturnNone)
		}
		sr, err := s.request(ctx, r)
		if ErrorCode(err) == EINVALID {
			// Shopify will not take these units back (refunded there, or
			// not returnable): the portal's return goes on without it.
			s.log.Warn("Shopify refused the return; refunds go through refundCreate", "code", r.Code, "err", err)
			return s.store.SetShopReturn(ctx, r.ID, "", ShopReturnRefused)
		}
		if err != nil {
			return err
		}
		if err := s.record(ctx, r, sr); err != nil {
			return err
		}
	}
	if err := s.drive(ctx, r, want); err != nil {
		return err
	}
	return s.sendParcel(ctx, r)
}

// sendParcel makes the parcel r's customer told of a reverse delivery on its
// Shopify return, with all the units of its reverse fulfillment order and the
// tracking, once. The mutation takes no idempotency key, so the return is
// read first: a delivery with the parcel's tracking number was made by an
// earlier attempt whose answer was lost, and is recorded instead. Nothing is
// sent while the Shopify return is not open; a refusal is recorded and not
// asked again, the parcel staying in the portal.
func (s *ShopReturnService) sendParcel(ctx context.Context, r *Return) error {
	p := r.Parcel
	// An erased parcel (RedactionService) has no number left to send.
	if p == nil || p.InShopify() || p.Number == "" || r.ShopReturnID == "" || r.ShopReturnStatus != ShopReturnOpen {
		return nil
	}
	sr, err := s.shop.ShopReturn(ctx, r.ShopReturnID)
	if err != nil {
		return fmt.Errorf("read Shopify return for the customer's parcel: %w", err)
	}
	var ro *ReverseOrder
	for i := range sr.ReverseOrders {
		for _, d := range sr.ReverseOrders[i].Deliveries {
			if d.TrackingNumber == p.Number {
				s.log.Info("the customer's parcel is on the Shopify return already", "code", r.Code, "delivery", d.ID)
				return s.store.SetParcelInShopify(ctx, r.ID, d.ID, "")
			}
		}
		if ro == nil && len(sr.ReverseOrders[i].Lines) > 0 {
			ro = &sr.ReverseOrders[i]
		}
	}
	if ro == nil {
		s.log.Warn("the Shopify return has no units to come back; the customer's parcel stays in the portal", "code", r.Code)
		return s.store.SetParcelInShopify(ctx, r.ID, "", "The Shopify return has no units to come back.")
	}
	id, err := s.shop.CreateReverseDelivery(ctx, ReverseDeliveryRequest{
		ReverseOrderID: ro.ID, Lines: ro.Lines, TrackingNumber: p.Number, TrackingURL: p.TrackingURL,
	})
	if code := ErrorCode(err); code == EINVALID || code == ECONFLICT {
		msg := ErrorMessage(err).String()
		s.log.Warn("Shopify refused the customer's parcel; it stays in the portal", "code", r.Code, "err", err)
		return s.store.SetParcelInShopify(ctx, r.ID, "", msg)
	}
	if err != nil {
		return fmt.Errorf("send the customer's parcel to Shopify return %s: %w", r.ShopReturnID, err)
	}
	s.log.Info("the customer's parcel is on the Shopify return", "code", r.Code, "delivery", id)
	return s.store.SetParcelInShopify(ctx, r.ID, id, "")
}

// record keeps sr as r's Shopify return.
func (s *ShopReturnService) record(ctx context.Context, r *Return, sr *ShopReturn) error {
	r.ShopReturnID, r.ShopReturnStatus = sr.ID, sr.Status
	if err := s.store.SetShopReturn(ctx, r.ID, sr.ID, sr.Status); err != nil {
		return err
	}
	s.log.Info("Shopify return requested", "code", r.Code, "return", sr.ID, "name", sr.Name)
	return nil
}

// findAsked looks through the order's Shopify returns for the one asked for
// r, by its code; nil when there is none.
func (s *ShopReturnService) findAsked(ctx context.Context, r *Return) (*ShopReturn, error) {
	existing, err := s.shop.OrderReturns(ctx, r.OrderID)
	if err != nil {
		return nil, fmt.Errorf("read Shopify returns of the order: %w", err)
	}
	for i := range existing {
		if existing[i].CarriesCode(r.Code) {
			return &existing[i], nil
		}
	}
	return nil, nil
}

// request asks Shopify for r's return. That it asks is recorded first, so
// that an answer lost to a crash or a timeout is looked for (findAsked)
// before anything is asked again: returnRequest takes no idempotency key.
func (s *ShopReturnService) request(ctx context.Context, r *Return) (*ShopReturn, error) {
	req, err := s.requestFor(ctx, r)
	if err != nil {
		return nil, err
	}
	if r.ShopReturnStatus != ShopReturnAsked {
		if err := s.store.SetShopReturn(ctx, r.ID, "", ShopReturnAsked); err != nil {
			return nil, err
		}
		r.ShopReturnStatus = ShopReturnAsked
	}
	return s.shop.RequestReturn(ctx, req)
}

// requestFor builds the returnRequest of r: its units on the fulfillment
// line items Shopify still takes back, with the reason matched to Shopify's
// and the customer's words after the return's code.
func (s *ShopReturnService) requestFor(ctx context.Context, r *Return) (ShopReturnRequest, error) {
	units, err := s.returnableUnits(ctx, r.OrderID, true)
	if err != nil {
		return ShopReturnRequest{}, fmt.Errorf("read returnable units: %w", err)
	}
	reasonID, err := s.reasonID(ctx, r.Reason)
	if err != nil {
		return ShopReturnRequest{}, err
	}
	note := r.Code
	if words := oneLine(r.Note); words != "" {
		note += ": " + words
	} else {
		note += ":"
	}
	req := ShopReturnRequest{OrderID: r.OrderID}
	left := map[int]int{} // units of units[i] not yet taken by an earlier item
	for i, u := range units {
		left[i] = u.Quantity
	}
	for _, it := range r.Items {
		need := it.Quantity
		for i, u := range units {
			if need == 0 {
				break
			}
			if u.LineItemID != it.LineItemID || left[i] == 0 {
				continue
			}
			n := min(need, left[i])
			left[i] -= n
			need -= n
			req.Lines = append(req.Lines, ShopReturnRequestLine{FulfillmentLineItemID: u.FulfillmentLineItemID, Quantity: n, ReasonID: reasonID, CustomerNote: note})
		}
		if need > 0 {
			return ShopReturnRequest{}, Errorf(EINVALID, "Shopify takes back fewer units of %s than the return holds.", it.Title)
		}
	}
	if len(req.Lines) == 0 {
		return ShopReturnRequest{}, Errorf(EINVALID, "The return holds no items.")
	}
	return req, nil
}

// reasonID returns the id of the Shopify reason definition a portal reason
// maps to ("" when the shop has none of its handles). The definitions are
// Shopify's taxonomy, the same for every return: read once and kept.
func (s *ShopReturnService) reasonID(ctx context.Context, reason Reason) (string, error) {
	handles := reasonHandles[reason]
	if len(handles) == 0 {
		return "", nil
	}
	s.reasonsMu.Lock()
	defer s.reasonsMu.Unlock()
	if s.reasons == nil {
		var all []string
		for _, hs := range reasonHandles {
			all = append(all, hs...)
		}
		slices.Sort(all)
		defs, err := s.shop.ReturnReasons(ctx, slices.Compact(all))
		if err != nil {
			return "", fmt.Errorf("read return reasons: %w", err)
		}
		s.reasons = defs
	}
	return pickReason(handles, s.reasons), nil
}

// pickReason returns the id of the first of handles among defs, or "".
func pickReason(handles []string, defs []ReturnReasonDefinition) string {
	for _, h := range handles {
		for _, d := range defs {
			if d.Handle == h {
				return d.ID
			}
		}
	}
	return ""
}

// drive moves the Shopify return from its status to want, one mutation at a
// time. A move Shopify refuses as not allowed from the return's status means
// it moved meanwhile (staff in Shopify admin, or an earlier attempt whose
// answer was lost): its status is read again and recorded, and the pass ends.
func (s *ShopReturnService) drive(ctx context.Context, r *Return, want ShopReturnStatus) error {
	for step := 0; step < 3 && r.ShopReturnStatus != want; step++ {
		var next ShopReturnStatus
		var err error
		switch {
		case r.ShopReturnStatus == ShopReturnRequested && want != ShopReturnDeclined && want != ShopReturnCanceled:
			next, err = ShopReturnOpen, s.shop.ApproveReturn(ctx, r.ShopReturnID)
		case r.ShopReturnStatus == ShopReturnRequested && want == ShopReturnDeclined:
			next, err = ShopReturnDeclined, s.shop.DeclineReturn(ctx, r.ShopReturnID, s.declineReason(ctx, r))
		case want == ShopReturnCanceled && (r.ShopReturnStatus == ShopReturnRequested || r.ShopReturnStatus == ShopReturnOpen):
			next, err = ShopReturnCanceled, s.shop.CancelReturn(ctx, r.ShopReturnID)
		case want == ShopReturnClosed && r.ShopReturnStatus == ShopReturnOpen:
			next, err = ShopReturnClosed, s.shop.CloseReturn(ctx, r.ShopReturnID)
		default:
			// Shopify's return is where the portal cannot move it from
			// (closed or declined there): it is left as staff made it.
			s.log.Info("Shopify return left as it is", "code", r.Code, "shopify", r.ShopReturnStatus, "portal", r.Status)
			return nil
		}
		if ErrorCode(err) == ECONFLICT {
			sr, rerr := s.shop.ShopReturn(ctx, r.ShopReturnID)
			if rerr != nil {
				return fmt.Errorf("read Shopify return after a refused move: %w", rerr)
			}
			r.ShopReturnStatus = sr.Status
			return s.store.SetShopReturn(ctx, r.ID, r.ShopReturnID, sr.Status)
		}
		if err != nil {
			return fmt.Errorf("move Shopify return %s to %s: %w", r.ShopReturnID, next, err)
		}
		r.ShopReturnStatus = next
		if err := s.store.SetShopReturn(ctx, r.ID, r.ShopReturnID, next); err != nil {
			return err
		}
	}
	return nil
}

// declineReason is what staff told the customer when they declined r, for
// Shopify's decline note ("" when it cannot be read: the note is optional).
func (s *ShopReturnService) declineReason(ctx context.Context, r *Return) string {
	evs, err := s.timeline.Events(ctx, r.ID)
	if err != nil {
		s.log.Warn("read the reason a return was declined", "code", r.Code, "err", err)
		return ""
	}
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Type == EventDeclined {
			return strings.TrimSpace(evs[i].Message)
		}
	}
	return ""
}

// ShopReturnEvent is what a returns/* webhook tells: which Shopify return
// changed. What it became is read from Shopify, not from the payload.
type ShopReturnEvent struct {
	ID      string // Return GID
	OrderID string // Order GID, when the payload names it
}

// Return webhook topics: what staff (or an app) did to a Shopify return.
const (
	TopicReturnsApprove = "returns/approve"
	TopicReturnsDecline = "returns/decline"
	TopicReturnsCancel  = "returns/cancel"
	TopicReturnsClose   = "returns/close"
	TopicReturnsReopen  = "returns/reopen"
	TopicReturnsProcess = "returns/process"
)

// ApplyEvent moves the portal's return of a Shopify return the way staff
// moved it in Shopify admin: approved, declined, cancelled, received
// (every unit processed) or closed, with its timeline event and the
// customer's email, as the portal's own actions do. The Shopify return is
// read fresh, so a late or repeated delivery moves nothing twice: a return
// that is where Shopify's says already stays as it is. A Shopify return the
// portal did not make is none of its business.
func (s *ShopReturnService) ApplyEvent(ctx context.Context, topic string, e ShopReturnEvent) error {
	r, err := s.store.ReturnByShopReturn(ctx, e.ID)
	if ErrorCode(err) == ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	// One at a time with the pass that drives the same return the other way.
	unlock, err := s.syncing.lock(ctx, fmt.Sprint(r.ID))
	if err != nil {
		return err
	}
	defer unlock()
	if r, err = s.returns.ReturnByID(ctx, r.ID); err != nil {
		return err
	}
	sr, err := s.shop.ShopReturn(ctx, e.ID)
	if err != nil {
		return fmt.Errorf("read Shopify return %s: %w", e.ID, err)
	}
	if sr.Status != r.ShopReturnStatus {
		if err := s.store.SetShopReturn(ctx, r.ID, sr.ID, sr.Status); err != nil {
			return err
		}
		r.ShopReturnStatus = sr.Status
	}
	if wantShopStatus(r) == sr.Status && sr.Status != ShopReturnOpen {
		// Where the portal's own status asks Shopify's to be: the move was
		// the portal's (returns/close after a full refund closed it), or it
		// is in step already. An open return may still have been processed
		// in Shopify admin, which shopAdminChange tells.
		return nil
	}
	sc, ok := shopAdminChange(r, sr)
	if !ok {
		return nil
	}
	err = s.changes.Apply(ctx, sc)
	if ErrorCode(err) == ECONFLICT {
		// The return moved meanwhile (staff in the portal): what they did
		// stands, and the next pass brings Shopify's return in step.
		s.log.Info("return moved in the portal meanwhile; Shopify admin's change not applied", "code", r.Code, "shopify", sr.Status)
		return nil
	}
	if err == nil {
		s.log.Info("return moved as staff moved it in Shopify admin", "code", r.Code, "to", sc.To, "topic", topic)
	}
	return err
}

// shopAdminChange is the move of r that its Shopify return sr, changed in
// Shopify admin, asks for; ok is false when r is where sr says already, or
// cannot follow it.
func shopAdminChange(r *Return, sr *ShopReturn) (StatusChange, bool) {
	sc := StatusChange{Return: r, Actor: ActorSystem}
	switch {
	case sr.Status == ShopReturnOpen && r.Status == StatusRequested:
		sc.To, sc.Event, sc.Email = StatusApproved, EventApproved, EmailApproved
		sc.Msg = Msg("Approved in Shopify admin.")
		sc.Note, sc.Tags = fmt.Sprintf("%s: %s approved (in Shopify admin)", r.Code, r.summary()), []string{"returns:approved"}
	case sr.Status == ShopReturnOpen && r.Status == StatusApproved && len(sr.Lines) > 0 && !sr.unprocessed() && len(sr.Refunds) == 0:
		// Processed without a refund; one made with it moves the return
		// when refunds/create books it.
		sc.To, sc.Event, sc.Email = StatusItemReceived, EventItemReceived, EmailItemReceived
		sc.Msg = Msg("Received and processed in Shopify admin.")
		sc.Note, sc.Tags = fmt.Sprintf("%s: item received (in Shopify admin)", r.Code), []string{"returns:received"}
	case sr.Status == ShopReturnDeclined && r.Status == StatusRequested:
		sc.To, sc.Event, sc.Email = StatusDeclined, EventDeclined, EmailDeclined
		if reason := CleanText(sr.DeclineNote); reason != "" {
			// Staff's words to the customer, as they wrote them.
			sc.Message, sc.EmailData = reason, EmailData{Message: reason}
		} else {
			// No reason for the customer: the email and the page say the
			// return was declined, and staff's timeline says where.
			sc.Msg = Msg("Declined in Shopify admin, without a reason for the customer.")
		}
		sc.Note, sc.Tags = fmt.Sprintf("%s: %s declined (in Shopify admin)", r.Code, r.summary()), []string{"returns:declined"}
	case sr.Status == ShopReturnCanceled && r.Status == StatusRequested:
		sc.To, sc.Event, sc.Email = StatusCancelled, EventCancelled, EmailCancelled
		sc.Msg = Msg("Cancelled in Shopify admin.")
		sc.Note, sc.Tags = fmt.Sprintf("Return %s cancelled (in Shopify admin)", r.Code), []string{"returns:cancelled"}
	case sr.Status == ShopReturnClosed && r.Status.CanMoveTo(StatusClosed):
		sc.To, sc.Event, sc.Email = StatusClosed, EventClosed, EmailClosed
		sc.Msg = Msg("Closed in Shopify admin.")
		sc.Note, sc.Tags = fmt.Sprintf("%s: closed (in Shopify admin)", r.Code), []string{"returns:closed"}
	default:
		return StatusChange{}, false
	}
	return sc, true
}

// checkReturnable checks a new return r of an order against what Shopify
// still takes back of it (returnableFulfillments, authoritative): the units
// on Shopify's returns are taken off there already, so only those of the
// portal's own returns that Shopify has not heard of yet (rs, the order's
// returns) are taken off here. Units Shopify will not take back are an
// ECONFLICT the customer is told of, as units another return took meanwhile
// are. Without a ShopReturnService (s nil) nothing is checked.
func (s *ShopReturnService) checkReturnable(ctx context.Context, r *Return, rs []Return) error {
	if s == nil {
		return nil
	}
	units, err := s.returnableUnits(ctx, r.OrderID, false)
	if err != nil {
		return fmt.Errorf("read what Shopify takes back: %w", err)
	}
	left := map[string]int{}
	for _, u := range units {
		left[u.LineItemID] += u.Quantity
	}
	for _, x := range rs {
		// A return Shopify was asked for without an answer kept (ASKED) may
		// be on Shopify's count already: not counted here, the portal's own
		// count of units held still keeps it.
		if x.Status.Active() && x.ShopReturnID == "" && !x.ShopReturnStatus.settledWithout() && x.ShopReturnStatus != ShopReturnAsked {
			for _, it := range x.Items {
				left[it.LineItemID] -= it.Quantity
			}
		}
	}
	for _, it := range r.Items {
		if it.Quantity > left[it.LineItemID] {
			s.log.Info("Shopify takes back fewer units than the portal offered", "order", r.OrderName, "line", it.LineItemID, "wanted", it.Quantity, "returnable", left[it.LineItemID])
			return Errorf(ECONFLICT, "Some of these items can no longer be returned. Please look at your order again.")
		}
	}
	return nil
}

// ReturnOfShopReturn returns the portal return of a Shopify return, or
// ENOTFOUND.
func (s *ShopReturnService) ReturnOfShopReturn(ctx context.Context, shopifyID string) (*Return, error) {
	return s.store.ReturnByShopReturn(ctx, shopifyID)
}
