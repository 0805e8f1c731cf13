package returns

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
)

// ReplacementState is where the making of a replacement order stands.
type ReplacementState string

const (
	// ReplacementCreating: a draft order is to be made, or was asked for and
	// the answer lost: the next attempt first looks for the return's drafts
	// by their tag, reuses or records one and deletes the others, so that
	// no draft is left open in Shopify.
	ReplacementCreating ReplacementState = "creating"
	// ReplacementDrafted: the draft exists and is not completed.
	ReplacementDrafted ReplacementState = "draft"
	// ReplacementCompleting: its completion was asked for; the draft, read
	// back, tells whether it happened before it is asked again.
	ReplacementCompleting ReplacementState = "completing"
	// ReplacementOrdered: the draft became an order.
	ReplacementOrdered ReplacementState = "ordered"
	// ReplacementFailed: Shopify refused (out of stock, a variant gone);
	// staff may try again with other variants or switch to a refund.
	ReplacementFailed ReplacementState = "failed"
)

// ReplacementOrder is the Shopify order a damaged item's replacement is
// sent with, and how far its making got.
type ReplacementOrder struct {
	ReturnID int64
	State    ReplacementState
	Lines    []ReplacementLine
	DraftID  string       // "" until the draft exists
	Order    ShopOrderRef // zero until ordered
	// Problem is why Shopify refused the last attempt, for staff; "" when
	// it did not.
	Problem   string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Live reports whether o is a replacement order made or being made: one that
// stands in the way of a refund.
func (o *ReplacementOrder) Live() bool { return o != nil && o.State != ReplacementFailed }

// Events of replacement orders and of a switch to a refund.
const (
	// EventReplacementOrdered: the replacement order was made in Shopify.
	// Message: its name.
	EventReplacementOrdered EventType = "replacement_ordered"
	// EventReplacementRefused: Shopify refused to make the replacement
	// order. Message: why, for staff.
	EventReplacementRefused EventType = "replacement_refused"
	// EventReplacementDelivered: the replacement order's parcel was
	// delivered; the return is closed with it.
	EventReplacementDelivered EventType = "replacement_delivered"
	// EventReplacementAlert: something about the replacement order that
	// staff must look at in Shopify admin (an order made from a draft no
	// longer followed, a fulfilment cancelled, tracking given up). Message:
	// what, for staff.
	EventReplacementAlert EventType = "replacement_alert"
	// EventSwitchedToRefund: staff switched a replacement request to a
	// refund. Message: their reason, shown to the customer.
	EventSwitchedToRefund EventType = "switched_to_refund"
)

// EmailSwitchedToRefund tells the customer that their replacement request
// became a refund, and why.
const EmailSwitchedToRefund EmailKind = "switched_to_refund"

// ErrReplacementNotRefund is the answer to a refund of a replacement request
// that was not switched to a refund.
var ErrReplacementNotRefund = Errorf(ECONFLICT, "This return asks for a replacement. Switch it to a refund first, with the reason the customer is told.")

// ReplacementStore keeps the replacement orders of returns.
type ReplacementStore interface {
	// StartReplacement records that the replacement order of the return is
	// to be made of lines, at at: a new row, or a failed one started again
	// (its draft forgotten). A row under way or made is answered as it is,
	// its lines unchanged. ECONFLICT when the return is not an approved
	// replacement request, or its replacement was sent already.
	StartReplacement(ctx context.Context, returnID int64, lines []ReplacementLine, at time.Time) (*ReplacementOrder, error)
	// ReplacementDrafted records the draft made for a row still creating.
	ReplacementDrafted(ctx context.Context, returnID int64, draftID string, at time.Time) error
	// ReplacementCompleting records that completion is about to be asked.
	ReplacementCompleting(ctx context.Context, returnID int64, at time.Time) error
	// ReplacementOrdered records the order the draft draftID became and
	// appends ev to the return's timeline, in one transaction. ECONFLICT
	// when the row is not completing that draft (it failed or was started
	// again meanwhile).
	ReplacementOrdered(ctx context.Context, returnID int64, draftID string, order ShopOrderRef, ev Event) error
	// ReplacementAlert appends ev to the return's timeline unless an event
	// of its type with its message is there already: an alert for staff is
	// told once, however many passes find its cause.
	ReplacementAlert(ctx context.Context, ev Event) error
	// ReplacementCancelled records that the order orderID of an ordered row
	// was cancelled in Shopify: the row fails with problem, and ev is
	// appended, in one transaction. ECONFLICT when the row is not ordered as
	// orderID any more.
	ReplacementCancelled(ctx context.Context, returnID int64, orderID, problem string, ev Event) error
	// ReplacementFailed records Shopify's refusal and appends ev, in one
	// transaction.
	ReplacementFailed(ctx context.Context, returnID int64, problem string, ev Event) error
	// ReplacementChecked records that the periodic pass asked Shopify about
	// the return's replacement order at at; the pass takes those checked
	// longest ago first.
	ReplacementChecked(ctx context.Context, returnID int64, at time.Time) error
	// ReplacementFollowingStopped records that the pass gave up following
	// the return's replacement order and appends ev, once.
	ReplacementFollowingStopped(ctx context.Context, returnID int64, ev Event) error
	// ReturnByReplacementOrder returns the return whose replacement is the
	// Shopify order orderID, or ENOTFOUND.
	ReturnByReplacementOrder(ctx context.Context, orderID string) (*Return, error)
	// ReplacementsToFollow returns up to limit returns whose replacement
	// order is to be followed: completing, or ordered while the return is
	// approved (not shipped yet) or its replacement shipped (not delivered).
	ReplacementsToFollow(ctx context.Context, limit int) ([]Return, error)
	// SwitchToRefund makes the return of c a refund request and commits c
	// (its event, write-back and emails; c.From == c.To: the status does not
	// move, but must still be c.From) in one transaction. ECONFLICT when
	// the return is no replacement request any more, or has a live
	// replacement order.
	SwitchToRefund(ctx context.Context, c Change) error
}

// ReplacementService makes replacement orders in Shopify and follows their
// fulfilment: the carrier and tracking number come from the warehouse's
// fulfilment of the order, and the return moves to replacement shipped, and
// on to closed when the parcel is delivered, by itself.
type ReplacementService struct {
	returns   ReturnReader
	store     ReplacementStore
	shipments ShipmentStore
	shop      ReplacementOrders
	changes   *Changes
	zone      StoreZone
	now       func() time.Time
	log       *slog.Logger
	// making keeps two attempts at one return's replacement order apart, so
	// that one reads what the other stored before it asks Shopify.
	making keyedLocks
}

// NewReplacementService returns a ReplacementService.
func NewReplacementService(returns ReturnReader, store ReplacementStore, shipments ShipmentStore, shop ReplacementOrders, changes *Changes, zone StoreZone, now func() time.Time, log *slog.Logger) *ReplacementService {
	return &ReplacementService{returns: returns, store: store, shipments: shipments, shop: shop, changes: changes, zone: zone, now: now, log: log}
}

// MakesOrders reports whether the service makes replacement orders in
// Shopify: it does over a shop that makes them.
func (s *ReplacementService) MakesOrders() bool { return s.shop != nil }

// errNoReplacementShop answers a replacement order asked of a portal whose
// shop makes none.
var errNoReplacementShop = Errorf(ECONFLICT, "This portal does not make replacement orders in Shopify: record the shipment by hand.")

// CreateOrder makes the replacement order of an approved replacement request:
// the return's items at a 100 % discount, shipped free to the original
// address. variants maps a line item id to another variant of its product to
// send instead (staff's choice when the line's own is out of stock or gone);
// lines not in it get their own variant. Pressing it again after a failure
// or a lost answer carries on where it stopped: the draft is read back before
// it is completed again, so one return never makes two orders.
func (s *ReplacementService) CreateOrder(ctx context.Context, staffID int64, code string, variants map[string]string) (*ReplacementOrder, error) {
	if s.shop == nil {
		return nil, errNoReplacementShop
	}
	unlock, err := s.making.lock(ctx, code)
	if err != nil {
		return nil, err
	}
	defer unlock()
	// The return and its replacement row are read under the lock: a copy
	// read before it may be one another attempt has moved on since.
	r, err := returnByCode(ctx, s.returns, code)
	if err != nil {
		return nil, err
	}
	if err := replacementAllowed(r); err != nil {
		return nil, err
	}
	lines := make([]ReplacementLine, 0, len(r.Items))
	for _, it := range r.Items {
		lines = append(lines, ReplacementLine{LineItemID: it.LineItemID, VariantID: variants[it.LineItemID], Quantity: it.Quantity})
	}
	prior := r.Replacement
	ro, err := s.store.StartReplacement(ctx, r.ID, lines, s.now())
	if err != nil {
		return nil, err
	}
	if prior != nil && prior.State == ReplacementFailed && prior.DraftID != "" && ro.State == ReplacementCreating {
		// The failed attempt's draft is forgotten by the row; it must not
		// stay open in Shopify. Drafts made before they were tagged with
		// their return are found by nothing else.
		if err := s.deleteFailedDraft(ctx, r, prior.DraftID); err != nil {
			return ro, err
		}
	}
	return s.drive(ctx, r, ro, StaffActor(staffID))
}

// replacementAllowed checks that r is a replacement request a replacement
// order can be made for.
func replacementAllowed(r *Return) error {
	switch {
	case r.Resolution != ResolutionReplacement:
		return Errorf(ECONFLICT, "This return asks for a refund, not a replacement.")
	case r.Status != StatusApproved:
		return Errorf(ECONFLICT, "A replacement order is made for an approved return whose replacement was not sent yet.")
	}
	return nil
}

// drive takes ro from where it stands to an order, or to Shopify's refusal.
// An error from Shopify that is no refusal (no answer) leaves ro where it
// is, for the next attempt or the periodic pass.
func (s *ReplacementService) drive(ctx context.Context, r *Return, ro *ReplacementOrder, actor Actor) (*ReplacementOrder, error) {
	for {
		switch ro.State {
		case ReplacementOrdered:
			return ro, nil
		case ReplacementFailed:
			return ro, Errorf(EINVALID, "Shopify did not make the replacement order: %s", ro.Problem)
		case ReplacementCreating:
			// A draft of an earlier attempt (its answer lost, or the attempt
			// failed) is reused, recorded or deleted before a new one is made.
			settled, err := s.settleDrafts(ctx, r, ro, actor)
			if err != nil || settled {
				return ro, err
			}
			if ro.State != ReplacementCreating {
				continue
			}
			draftID, err := s.shop.CreateReplacementDraft(ctx, ReplacementDraft{
				OrderID: r.OrderID, ReturnCode: r.Code, Email: r.Email, Lines: ro.Lines,
				Note: fmt.Sprintf("Replacement for return %s of order %s (%s).", r.Code, r.OrderName, r.summary()),
				Tags: []string{TagReplacementOrder, TagReplacementFor(r.Code)},
			})
			if err != nil {
				return s.failed(ctx, r, ro, actor, err)
			}
			if err := s.store.ReplacementDrafted(ctx, r.ID, draftID, s.now()); err != nil {
				return ro, err
			}
			ro.State, ro.DraftID = ReplacementDrafted, draftID
		case ReplacementDrafted:
			if err := s.store.ReplacementCompleting(ctx, r.ID, s.now()); err != nil {
				return ro, err
			}
			ro.State = ReplacementCompleting
			order, err := s.shop.CompleteDraftOrder(ctx, ro.DraftID)
			if err != nil {
				return s.failed(ctx, r, ro, actor, err)
			}
			return s.ordered(ctx, r, ro, actor, order)
		case ReplacementCompleting:
			// The completion may have happened with its answer lost: the
			// draft tells.
			st, err := s.shop.DraftOrder(ctx, ro.DraftID)
			if ErrorCode(err) == ENOTFOUND {
				return s.failed(ctx, r, ro, actor, Errorf(EINVALID, "The draft order was deleted in Shopify admin."))
			}
			if err != nil {
				return ro, err
			}
			if st.Completed {
				return s.ordered(ctx, r, ro, actor, st.Order)
			}
			order, err := s.shop.CompleteDraftOrder(ctx, ro.DraftID)
			if err != nil {
				return s.failed(ctx, r, ro, actor, err)
			}
			return s.ordered(ctx, r, ro, actor, order)
		default:
			return ro, fmt.Errorf("replacement order of %s: unknown state %q", r.Code, ro.State)
		}
	}
}

// settleDrafts looks at the drafts Shopify holds for r before a row that is
// creating makes one: a draft whose answer was lost, or the draft of an
// attempt that failed, would otherwise stay open in Shopify at a 100 %
// discount, a free order for anyone completing it in admin. A completed
// draft (its order not cancelled) is the replacement: it is recorded as
// ordered, and settled is true. Otherwise an open draft with the row's lines
// is taken as the row's draft (ro moves to drafted), and every other open
// draft is deleted. An error leaves the row creating, for the next attempt.
func (s *ReplacementService) settleDrafts(ctx context.Context, r *Return, ro *ReplacementOrder, actor Actor) (settled bool, err error) {
	drafts, err := s.shop.FindReplacementDrafts(ctx, r.Code)
	if err != nil {
		_, err = s.failed(ctx, r, ro, actor, err)
		return true, err
	}
	for _, d := range drafts {
		if !d.Completed || d.OrderCancelled || d.Order.ID == "" {
			continue
		}
		// Shopify made an order of this return's draft: it is the
		// replacement, whatever the row asks for now. The other open
		// drafts go first, so none is left behind.
		if err := s.deleteDrafts(ctx, r, drafts, ""); err != nil {
			return true, err
		}
		if err := s.store.ReplacementDrafted(ctx, r.ID, d.ID, s.now()); err != nil {
			return true, err
		}
		if err := s.store.ReplacementCompleting(ctx, r.ID, s.now()); err != nil {
			return true, err
		}
		ro.State, ro.DraftID = ReplacementCompleting, d.ID
		_, err := s.ordered(ctx, r, ro, actor, d.Order)
		return true, err
	}
	keep := ""
	for _, d := range drafts {
		if !d.Completed && sameReplacementLines(d.Lines, ro.Lines) {
			keep = d.ID
			break
		}
	}
	if err := s.deleteDrafts(ctx, r, drafts, keep); err != nil {
		return true, err
	}
	if keep == "" {
		return false, nil
	}
	if err := s.store.ReplacementDrafted(ctx, r.ID, keep, s.now()); err != nil {
		return true, err
	}
	ro.State, ro.DraftID = ReplacementDrafted, keep
	s.log.Info("replacement order: reusing a draft of an earlier attempt", "return", r.Code, "draft", keep)
	return false, nil
}

// deleteFailedDraft deletes the draft of a failed attempt unless it was
// completed (its order, cancelled or stray, is staff's to look at) or is
// gone already.
func (s *ReplacementService) deleteFailedDraft(ctx context.Context, r *Return, draftID string) error {
	st, err := s.shop.DraftOrder(ctx, draftID)
	if ErrorCode(err) == ENOTFOUND {
		return nil
	}
	if err != nil {
		s.log.Warn("replacement order: read the failed attempt's draft", "return", r.Code, "draft", draftID, "err", err)
		return Errorf(EUNAVAILABLE, "Shopify did not answer in time. Press the button again in a moment: the portal checks what was made before it asks again.")
	}
	if st.Completed {
		return nil
	}
	return s.deleteDrafts(ctx, r, []DraftOrderState{st}, "")
}

// deleteDrafts deletes the open drafts of drafts but keep; one gone already
// is as good as deleted.
func (s *ReplacementService) deleteDrafts(ctx context.Context, r *Return, drafts []DraftOrderState, keep string) error {
	for _, d := range drafts {
		if d.Completed || d.ID == keep {
			continue
		}
		err := s.shop.DeleteDraftOrder(ctx, d.ID)
		if err != nil && ErrorCode(err) != ENOTFOUND {
			s.log.Warn("replacement order: delete an earlier draft", "return", r.Code, "draft", d.ID, "err", err)
			return Errorf(EUNAVAILABLE, "Shopify did not delete an earlier draft of this replacement order. Press the button again in a moment.")
		}
		s.log.Info("replacement order: deleted an earlier draft", "return", r.Code, "draft", d.ID)
	}
	return nil
}

// sameReplacementLines reports whether a and b ask for the same lines, in
// any order.
func sameReplacementLines(a, b []ReplacementLine) bool {
	if len(a) != len(b) {
		return false
	}
	left := slices.Clone(b)
	for _, l := range a {
		i := slices.Index(left, l)
		if i < 0 {
			return false
		}
		left = slices.Delete(left, i, i+1)
	}
	return true
}

// ordered records the order a replacement's draft became.
func (s *ReplacementService) ordered(ctx context.Context, r *Return, ro *ReplacementOrder, actor Actor, order ShopOrderRef) (*ReplacementOrder, error) {
	ev := Event{ReturnID: r.ID, At: s.now(), Actor: actor, Type: EventReplacementOrdered}.
		says(Msg("Replacement order %s created in Shopify.", order.Name))
	err := s.store.ReplacementOrdered(ctx, r.ID, ro.DraftID, order, ev)
	if ErrorCode(err) == ECONFLICT {
		// The row failed or was started again while this draft was being
		// completed: Shopify holds an order the row does not name. A log
		// line is easily missed; staff must see it to cancel one of two.
		return ro, s.strayOrder(ctx, r, actor, order)
	}
	if err != nil {
		return ro, err
	}
	ro.State, ro.Order, ro.Problem = ReplacementOrdered, order, ""
	s.log.Info("replacement order created", "return", r.Code, "order", order.Name)
	return ro, nil
}

// strayOrder records on the timeline an order Shopify made from a draft the
// replacement row no longer follows (it failed, or was started again with
// another draft), so that staff check it and cancel one order if two went
// out. It is recorded once per order.
func (s *ReplacementService) strayOrder(ctx context.Context, r *Return, actor Actor, order ShopOrderRef) error {
	s.log.Warn("replacement order made from a draft the return no longer follows", "return", r.Code, "order", order.Name)
	ev := Event{ReturnID: r.ID, At: s.now(), Actor: actor, Type: EventReplacementAlert}.
		says(Msg("Shopify made order %s from an earlier draft of this replacement, after it had failed or was started again. Check it in Shopify admin and cancel it if another replacement order was sent.", order.Name))
	if err := s.store.ReplacementAlert(ctx, ev); err != nil {
		return err
	}
	return Errorf(ECONFLICT, "Shopify made order %s from an earlier draft of this replacement. Check the return’s timeline.", order.Name)
}

// failed records Shopify's refusal of a replacement order, and leaves
// anything else (no answer) for the next attempt.
func (s *ReplacementService) failed(ctx context.Context, r *Return, ro *ReplacementOrder, actor Actor, err error) (*ReplacementOrder, error) {
	if ErrorCode(err) != EINVALID {
		s.log.Warn("replacement order: Shopify did not answer; the next attempt carries on", "return", r.Code, "state", ro.State, "err", err)
		return ro, Errorf(EUNAVAILABLE, "Shopify did not answer in time. Press the button again in a moment: the portal checks what was made before it asks again.")
	}
	problem := ErrorMessage(err)
	ev := Event{ReturnID: r.ID, At: s.now(), Actor: actor, Type: EventReplacementRefused}.
		says(Msg("Shopify did not make the replacement order: %s", problem))
	if err := s.store.ReplacementFailed(ctx, r.ID, problem.String(), ev); err != nil {
		return ro, err
	}
	ro.State, ro.Problem = ReplacementFailed, problem.String()
	return ro, Errorf(EINVALID, "Shopify did not make the replacement order: %s", problem)
}

// ApplyFulfillment follows a fulfillments/create or fulfillments/update
// webhook: when the order is a replacement order, its fulfilments are read
// fresh and the return moves on. Other orders' fulfilments are not the
// portal's business.
func (s *ReplacementService) ApplyFulfillment(ctx context.Context, ev ShopFulfillmentEvent) error {
	if s.shop == nil {
		return nil
	}
	r, err := s.store.ReturnByReplacementOrder(ctx, ev.OrderID)
	if ErrorCode(err) == ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	return s.follow(ctx, r)
}

// Follow is the periodic pass, for a webhook that never came: it carries on
// completions whose answer was lost and reads the fulfilments of replacement
// orders not yet delivered.
func (s *ReplacementService) Follow(ctx context.Context) {
	if s.shop == nil {
		return
	}
	rs, err := s.store.ReplacementsToFollow(ctx, 200)
	if err != nil {
		s.log.Error("read replacement orders to follow", "err", err)
		return
	}
	for i := range rs {
		if ctx.Err() != nil {
			return
		}
		r := &rs[i]
		var err error
		switch {
		case r.Replacement.State == ReplacementCompleting:
			_, err = s.resume(ctx, r)
		case s.followedTooLong(r):
			err = s.stopFollowing(ctx, r)
		default:
			err = s.follow(ctx, r)
		}
		if err != nil {
			s.log.Warn("follow replacement order; the next pass tries again", "return", r.Code, "err", err)
		}
		// Whatever came of it, the row goes to the back of the queue, so
		// that rows Shopify never has news of do not starve the others.
		if err := s.store.ReplacementChecked(ctx, r.ID, s.now()); err != nil {
			s.log.Error("record replacement order checked", "return", r.Code, "err", err)
		}
	}
}

// followFor is how long after shipping the pass keeps asking Shopify about
// a replacement's delivery: a carrier that reported nothing in two months
// will not.
const followFor = 60 * 24 * time.Hour

// followedTooLong reports whether r's replacement shipped more than
// followFor ago without a reported delivery.
func (s *ReplacementService) followedTooLong(r *Return) bool {
	if r.Status != StatusReplacementShipped {
		return false
	}
	var shipped time.Time
	for _, sh := range r.Shipments {
		if sh.ShippedAt.After(shipped) {
			shipped = sh.ShippedAt
		}
	}
	return !shipped.IsZero() && s.now().Sub(shipped) > followFor
}

// stopFollowing stops the pass following r's replacement order, and says so
// on the timeline once; a webhook of its delivery still closes the return.
func (s *ReplacementService) stopFollowing(ctx context.Context, r *Return) error {
	ev := Event{ReturnID: r.ID, At: s.now(), Actor: ActorSystem, Type: EventReplacementAlert}.
		says(Msg("No delivery of replacement order %s was reported within 60 days of shipping; the portal stopped checking it. Close the return by hand once the parcel arrived.", r.Replacement.Order.Name))
	return s.store.ReplacementFollowingStopped(ctx, r.ID, ev)
}

// resume carries on a completion whose answer was lost. The pass read r
// before it took the lock; meanwhile a press may have failed the row and
// started it again with another draft, so the row is read afresh and driven
// only when it is still completing the draft the pass saw.
func (s *ReplacementService) resume(ctx context.Context, r *Return) (*ReplacementOrder, error) {
	unlock, err := s.making.lock(ctx, r.Code)
	if err != nil {
		return nil, err
	}
	defer unlock()
	fresh, err := s.returns.ReturnByID(ctx, r.ID)
	if err != nil {
		return nil, fmt.Errorf("resume replacement order of %s: %w", r.Code, err)
	}
	ro := fresh.Replacement
	if ro == nil || ro.State != ReplacementCompleting || ro.DraftID != r.Replacement.DraftID {
		return ro, nil
	}
	return s.drive(ctx, fresh, ro, ActorSystem)
}

// Run runs Follow every interval until ctx ends.
func (s *ReplacementService) Run(ctx context.Context, every time.Duration) {
	runEvery(ctx, every, s.Follow)
}

// follow reads the fulfilments of r's replacement order and moves r on: to
// replacement shipped when one has a tracking number, to closed when it was
// delivered.
func (s *ReplacementService) follow(ctx context.Context, r *Return) error {
	ro := r.Replacement
	if ro == nil || ro.State != ReplacementOrdered {
		return nil
	}
	st, err := s.shop.OrderFulfillments(ctx, ro.Order.ID)
	if err != nil {
		return err
	}
	if !st.CancelledAt.IsZero() {
		return s.orderCancelled(ctx, r)
	}
	fs := st.Fulfillments
	f := trackedFulfillment(fs)
	if f == nil {
		return s.shippedFulfillmentsCancelled(ctx, r, fs)
	}
	if r.Status == StatusApproved {
		if err := s.shipped(ctx, r, *f); err != nil {
			return err
		}
	}
	if r.Status != StatusReplacementShipped {
		return nil
	}
	if err := s.shippedFulfillmentsCancelled(ctx, r, fs); err != nil {
		return err
	}
	if last, ok := allDelivered(fs); ok {
		return s.delivered(ctx, r, last)
	}
	return nil
}

// liveFulfillment reports whether f is a fulfilment that went or goes out:
// not cancelled, and not one Shopify failed to make.
func liveFulfillment(f ShopFulfillment) bool {
	return f.Status != "CANCELLED" && f.Status != "ERROR" && f.Status != "FAILURE"
}

// trackedFulfillment returns the first fulfilment of fs that went out with a
// tracking number, or nil.
func trackedFulfillment(fs []ShopFulfillment) *ShopFulfillment {
	for i := range fs {
		if fs[i].TrackingNumber != "" && liveFulfillment(fs[i]) {
			return &fs[i]
		}
	}
	return nil
}

// allDelivered reports whether every live fulfilment of fs was delivered
// (and there is one): a replacement split into parcels arrives with its
// last. It returns the fulfilment delivered last.
func allDelivered(fs []ShopFulfillment) (ShopFulfillment, bool) {
	var last ShopFulfillment
	n := 0
	for _, f := range fs {
		if !liveFulfillment(f) {
			continue
		}
		if !f.Delivered() {
			return ShopFulfillment{}, false
		}
		if n == 0 || f.DeliveredAt.After(last.DeliveredAt) {
			last = f
		}
		n++
	}
	return last, n > 0
}

// shippedFulfillmentsCancelled tells staff on the timeline, once each, of a
// fulfilment cancelled in Shopify after the portal recorded it as the
// replacement's shipment: the customer was given its tracking number.
func (s *ReplacementService) shippedFulfillmentsCancelled(ctx context.Context, r *Return, fs []ShopFulfillment) error {
	for _, sh := range r.Shipments {
		if sh.FulfillmentID == "" {
			continue
		}
		for _, f := range fs {
			if f.ID != sh.FulfillmentID || f.Status != "CANCELLED" {
				continue
			}
			ev := Event{ReturnID: r.ID, At: s.now(), Actor: ActorSystem, Type: EventReplacementAlert}.
				says(Msg("The fulfilment of %s sent with %s %s was cancelled in Shopify after the customer was told it shipped.", r.Replacement.Order.Name, sh.CarrierName, sh.Number))
			if err := s.store.ReplacementAlert(ctx, ev); err != nil {
				return err
			}
		}
	}
	return nil
}

// problemCancelled is the problem of a replacement order cancelled in
// Shopify admin: the row fails with it, so that staff can make another or
// switch the return to a refund.
const problemCancelled = "cancelled in Shopify admin"

// orderCancelled records that r's replacement order was cancelled in
// Shopify: it no longer stands in the way of another order or a refund.
func (s *ReplacementService) orderCancelled(ctx context.Context, r *Return) error {
	ro := r.Replacement
	ev := Event{ReturnID: r.ID, At: s.now(), Actor: ActorSystem, Type: EventReplacementAlert}.
		says(Msg("Replacement order %s was cancelled in Shopify admin. Make another replacement order or switch the return to a refund.", ro.Order.Name))
	err := s.store.ReplacementCancelled(ctx, r.ID, ro.Order.ID, problemCancelled, ev)
	if ErrorCode(err) == ECONFLICT {
		// Another pass (a webhook, the periodic one) recorded it.
		return nil
	}
	if err != nil {
		return err
	}
	ro.State, ro.Problem = ReplacementFailed, problemCancelled
	s.log.Info("replacement order cancelled in Shopify", "return", r.Code, "order", ro.Order.Name)
	return nil
}

// Delivered reports whether the fulfilment's parcel was delivered.
func (f ShopFulfillment) Delivered() bool {
	return !f.DeliveredAt.IsZero() || f.DisplayStatus == "DELIVERED"
}

// shipped records the replacement shipped as the fulfilment tells it, and
// tells the customer; the order's note gets the seed's line.
func (s *ReplacementService) shipped(ctx context.Context, r *Return, f ShopFulfillment) error {
	sh := shipmentOf(f, s.now())
	sh.ReturnID = r.ID
	err := s.changes.ApplyWith(ctx, StatusChange{
		Return: r, To: StatusReplacementShipped, Actor: ActorSystem, Event: EventReplacementShipped,
		Message: sh.CarrierName + " " + sh.Number,
		Note: fmt.Sprintf("%s: %s; replacement sent %s as order %s, %s %s",
			r.Code, r.summary(), shopDate(ctx, s.zone, sh.ShippedAt), r.Replacement.Order.Name, sh.CarrierName, sh.Number),
		Tags:  []string{"returns:replacement-shipped"},
		Email: EmailReplacementShipped, EmailData: EmailData{Shipment: sh},
	}, func(ctx context.Context, ch Change) error { return s.shipments.ShipReplacement(ctx, sh, ch) })
	if ErrorCode(err) == ECONFLICT {
		// Another pass (a second webhook, the periodic one) shipped it.
		return nil
	}
	if err == nil {
		r.Shipments = append(r.Shipments, *sh)
	}
	return err
}

// delivered closes a return whose replacement was delivered.
func (s *ReplacementService) delivered(ctx context.Context, r *Return, f ShopFulfillment) error {
	at := f.DeliveredAt
	if at.IsZero() {
		at = s.now()
	}
	err := s.changes.Apply(ctx, StatusChange{
		Return: r, To: StatusClosed, Actor: ActorSystem, Event: EventReplacementDelivered,
		Msg:   Msg("The replacement was delivered."),
		Note:  fmt.Sprintf("%s: replacement delivered %s", r.Code, shopDate(ctx, s.zone, at)),
		Tags:  []string{"returns:closed"},
		Email: EmailClosed,
	})
	if ErrorCode(err) == ECONFLICT {
		return nil
	}
	return err
}

// shipmentOf is the shipment a fulfilment tells of: the carrier matched to
// the portal's list by name, else "other" with Shopify's tracking link.
func shipmentOf(f ShopFulfillment, now time.Time) *Shipment {
	sh := &Shipment{Carrier: CarrierOther, CarrierName: strings.TrimSpace(f.TrackingCompany), Number: f.TrackingNumber,
		TrackingURL: f.TrackingURL, ShippedAt: f.CreatedAt, FulfillmentID: f.ID}
	if sh.ShippedAt.IsZero() {
		sh.ShippedAt = now
	}
	for _, c := range Carriers {
		if c.Code != CarrierOther && strings.EqualFold(c.Name, sh.CarrierName) {
			sh.Carrier, sh.CarrierName = c.Code, c.Name
			if sh.TrackingURL == "" {
				if tr, err := checkTracking(ShipmentInput{Carrier: c.Code, Number: f.TrackingNumber}); err == nil {
					sh.TrackingURL = tr.TrackingURL
				}
			}
		}
	}
	if sh.CarrierName == "" {
		sh.CarrierName = "Carrier"
	}
	return sh
}

// SwitchToRefund makes a replacement request a refund request, on purpose:
// staff give the reason the customer is told. Until then a replacement
// request offers no refund. A live replacement order stands in the way.
func (s *ReplacementService) SwitchToRefund(ctx context.Context, staffID int64, code, reason string) error {
	reason = CleanText(reason)
	if reason == "" {
		return Invalid(map[string]Message{FieldSwitchReason: Msg("Tell the customer why the replacement becomes a refund.")})
	}
	if m := checkText(reason, MaxStaffTextRunes); m != nil {
		return Invalid(map[string]Message{FieldSwitchReason: *m})
	}
	r, err := returnByCode(ctx, s.returns, code)
	if err != nil {
		return err
	}
	switch {
	case r.Resolution != ResolutionReplacement:
		return Errorf(ECONFLICT, "This return asks for a refund already.")
	case r.Replacement.Live():
		return Errorf(ECONFLICT, "A replacement order was made for this return; it cannot become a refund.")
	case r.Status != StatusRequested && r.Status != StatusApproved:
		return Errorf(ECONFLICT, "Only a requested or approved return can become a refund.")
	}
	at := s.now()
	switched := *r
	switched.Resolution = ResolutionRefund
	emails, err := s.changes.mailer.ForChange(ctx, EmailSwitchedToRefund, &switched, EmailData{Message: reason})
	if err != nil {
		return err
	}
	ch := Change{
		ReturnID: r.ID, From: r.Status, To: r.Status,
		Event:     Event{ReturnID: r.ID, At: at, Actor: StaffActor(staffID), Type: EventSwitchedToRefund, Message: reason},
		Writeback: &Writeback{OrderID: r.OrderID, NoteLine: fmt.Sprintf("%s: replacement switched to a refund", r.Code), Tags: []string{"returns:refund"}, NextAt: at},
		Emails:    emails,
	}
	if err := s.store.SwitchToRefund(ctx, ch); err != nil {
		return err
	}
	r.Resolution = ResolutionRefund
	s.changes.committed(ctx, ch.Writeback, ch.Emails)
	return nil
}

// LineVariants lists the variants staff can send instead of the line's own,
// for the return's replacement order.
func (s *ReplacementService) LineVariants(ctx context.Context, code string) (map[string][]VariantChoice, error) {
	if s.shop == nil {
		return nil, errNoReplacementShop
	}
	r, err := returnByCode(ctx, s.returns, code)
	if err != nil {
		return nil, err
	}
	out := map[string][]VariantChoice{}
	for _, it := range r.Items {
		vs, err := s.shop.LineVariants(ctx, r.OrderID, it.LineItemID)
		if err != nil {
			return nil, err
		}
		out[it.LineItemID] = vs
	}
	return out, nil
}
