package returns

import (
	"context"
	"fmt"
	"strings"
)

// SuggestedTransaction is Shopify's suggestion of what to give back to one of
// an order's payments when items are refunded (suggestedRefund's
// suggestedTransactions).
type SuggestedTransaction struct {
	ParentID string // the SALE or CAPTURE transaction
	Gateway  string
	// Manual is set for a manual payment method (cash on delivery, bank
	// transfer): Shopify records the refund and moves no money.
	Manual bool
	Amount Money // what Shopify suggests giving back to it
	Max    Money // the most it can still take back
}

// RefundSuggestion is how Shopify would refund items: split over the order's
// payments (Transactions, in the order it uses them), and the most it would
// issue as store credit instead (StoreCredit; zero when the shop cannot issue
// store credit to the order's customer, or the order has none).
type RefundSuggestion struct {
	// Amount is what Shopify suggests refunding for the items.
	Amount       Money
	Transactions []SuggestedTransaction
	StoreCredit  Money
}

// Location is a place of the shop where returned items can be restocked.
type Location struct {
	ID   string
	Name string
}

// SplitRefund splits amount over an order's payments as Shopify suggests:
// each payment, in Shopify's order, takes up to its suggested share, and
// what is left (a refund above the items' worth) goes to them in the same
// order up to what each can still take back. An amount the payments cannot
// take is refused.
func SplitRefund(amount Money, sugg []SuggestedTransaction) ([]RefundTransaction, error) {
	if len(sugg) == 0 {
		return nil, Errorf(EINVALID, "The order has no payment that can be refunded.")
	}
	left := amount.Minor
	take := make([]int64, len(sugg))
	for pass := 0; pass < 2 && left > 0; pass++ {
		for i, t := range sugg {
			if t.Amount.Currency != amount.Currency && t.Max.Currency != amount.Currency {
				continue
			}
			limit := t.Max.Minor
			if pass == 0 {
				limit = min(t.Amount.Minor, t.Max.Minor)
				if t.Max.Currency == "" {
					limit = t.Amount.Minor
				}
			}
			n := min(max(limit-take[i], 0), left)
			take[i] += n
			left -= n
		}
	}
	if left > 0 {
		return nil, Errorf(EINVALID, "The order’s payments can take back %s less than this refund.", Money{Minor: left, Currency: amount.Currency})
	}
	var out []RefundTransaction
	for i, t := range sugg {
		if take[i] > 0 {
			out = append(out, RefundTransaction{ParentID: t.ParentID, Gateway: t.Gateway, Manual: t.Manual, Amount: Money{Minor: take[i], Currency: amount.Currency}})
		}
	}
	return out, nil
}

// restocks reports whether r's items go back into stock when received: a
// return of an item the customer did not want comes back in good order; a
// damaged one does not.
func (r *Return) restocks() bool { return r.Kind != KindDamaged }

// Restocks reports whether r's units of a line item go back into stock: as
// staff chose when they refunded it, else by the rule (restocks).
func (r *Return) Restocks(lineItemID string) bool {
	for _, it := range r.Items {
		if it.LineItemID == lineItemID && it.Restock != RestockByRule {
			return it.Restock == RestockYes
		}
	}
	return r.restocks()
}

// processRequest builds the returnProcess of a refund of r on its Shopify
// return sr: every unprocessed unit confirmed (restocked at loc when r's items
// go back into stock), and txs refunded.
func processRequest(r *Return, sr *ShopReturn, key string, txs []RefundTransaction, storeCredit Money, loc string) ProcessRequest {
	req := ProcessRequest{ReturnID: sr.ID, OrderID: r.OrderID, Transactions: txs, StoreCredit: storeCredit, Note: refundNote(r, key)}
	for _, l := range sr.Lines {
		n := l.Unprocessed()
		if n == 0 {
			continue
		}
		pl := ProcessLine{ReturnLineItemID: l.ID, Quantity: n}
		if len(l.DispositionLines) > 0 {
			pl.Dispositions = []Disposition{{LineID: l.DispositionLines[0], Quantity: n, Restock: r.Restocks(l.LineItemID) && loc != "", LocationID: loc}}
		}
		req.Lines = append(req.Lines, pl)
	}
	return req
}

// unprocessed reports whether sr has units not processed yet.
func (sr *ShopReturn) unprocessed() bool {
	for _, l := range sr.Lines {
		if l.Unprocessed() > 0 {
			return true
		}
	}
	return false
}

// refundOnShopReturn finds, on the Shopify return sr, the refund made for the
// portal's refund with key: the one whose note carries the key, else one the
// ledger does not know (known holds the Shopify ids the ledger has), as a
// return has at most one portal refund in flight.
func refundOnShopReturn(sr *ShopReturn, key string, known map[string]bool) (string, bool) {
	for _, ref := range sr.Refunds {
		if strings.Contains(ref.Note, key) {
			return ref.ID, true
		}
	}
	for _, ref := range sr.Refunds {
		if !known[ref.ID] {
			return ref.ID, true
		}
	}
	return "", false
}

// nativeRefund makes a refund of r through its Shopify return when it has one
// open with units to process; ok is false when it has none, and the refund
// goes through refundCreate, with lines: the return's units that its Shopify
// return holds unprocessed while it cannot process them any more (closed or
// cancelled in Shopify admin before they were), restocked as staff chose.
func (s *RefundService) nativeRefund(ctx context.Context, r *Return, ref *Refund, txs []RefundTransaction, storeCredit Money) (id string, ok bool, lines []RefundLine, err error) {
	id, ok, sr, err := s.processOnShopReturn(ctx, r, ref, txs, storeCredit)
	if ok || err != nil || sr == nil {
		return id, ok, nil, err
	}
	if !sr.unprocessed() {
		// Processed already. A refund of it the ledger does not know may be
		// this very refund, made by an attempt whose answer was lost and not
		// found yet, or one staff made in Shopify admin: a money-only
		// refund now could pay twice.
		known, err := s.knownShopifyRefunds(ctx, r.OrderID)
		if err != nil {
			return "", false, nil, err
		}
		for _, x := range sr.Refunds {
			if !known[x.ID] {
				return "", false, nil, Errorf(ECONFLICT, "The return was processed and refunded in Shopify already (%s). Look at it in Shopify admin before refunding more.", x.ID)
			}
		}
		return "", false, nil, nil
	}
	loc, err := s.restockLocation(ctx)
	if err != nil {
		return "", false, nil, err
	}
	for _, l := range sr.Lines {
		if n := l.Unprocessed(); n > 0 {
			line := RefundLine{LineItemID: l.LineItemID, Quantity: n}
			if r.Restocks(l.LineItemID) && loc != "" {
				line.Restock, line.LocationID = true, loc
			}
			lines = append(lines, line)
		}
	}
	return "", false, lines, nil
}

// processOnShopReturn processes r's Shopify return with the refund when it is
// open with units to process (ok); otherwise it returns the Shopify return
// as read (nil when r has none).
func (s *RefundService) processOnShopReturn(ctx context.Context, r *Return, ref *Refund, txs []RefundTransaction, storeCredit Money) (id string, ok bool, sr *ShopReturn, err error) {
	if s.shopReturns == nil {
		return "", false, nil, nil
	}
	if r.ShopReturnID == "" && !r.ShopReturnStatus.settledWithout() {
		// Shopify's return may not be made yet (the background pass was
		// behind, or Shopify down): made now, so the refund goes on it.
		if err := s.shopReturns.Sync(ctx, r.ID); err != nil {
			return "", false, nil, fmt.Errorf("make Shopify return before refunding: %w", err)
		}
		fresh, err := s.returns.ReturnByID(ctx, r.ID)
		if err != nil {
			return "", false, nil, err
		}
		r.ShopReturnID, r.ShopReturnStatus = fresh.ShopReturnID, fresh.ShopReturnStatus
	}
	if r.ShopReturnID == "" {
		return "", false, nil, nil
	}
	if r.ShopReturnStatus == ShopReturnRequested {
		if err := s.shopReturns.Sync(ctx, r.ID); err != nil {
			return "", false, nil, fmt.Errorf("open Shopify return before refunding: %w", err)
		}
	}
	sr, err = s.shopReturns.shop.ShopReturn(ctx, r.ShopReturnID)
	if err != nil {
		return "", false, nil, fmt.Errorf("read Shopify return: %w", err)
	}
	if sr.Status != ShopReturnOpen || !sr.unprocessed() {
		return "", false, sr, nil
	}
	loc, err := s.restockLocation(ctx)
	if err != nil {
		return "", false, nil, err
	}
	req := processRequest(r, sr, ref.IdempotencyKey, txs, storeCredit, loc)
	req.Shipping = ref.Shipping
	id, err = s.shopReturns.shop.ProcessReturn(ctx, req)
	return id, true, sr, err
}

// DrivesShopReturn reports whether r has, or is to get, a Shopify return
// that its refund processes (with its units restocked or not).
func (r *Return) DrivesShopReturn() bool { return !r.ShopReturnStatus.settledWithout() }

// settledWithout reports whether s says a return has no Shopify return and
// is not to get one.
func (s ShopReturnStatus) settledWithout() bool {
	return s == ShopReturnLegacy || s == ShopReturnRefused || s == ShopReturnNone
}

// RestockLocations returns the shop's locations returned items can be
// restocked at, for the settings page: none when the portal does not drive
// Shopify's returns.
func (s *RefundService) RestockLocations(ctx context.Context) ([]Location, error) {
	if s.shopReturns == nil {
		return nil, nil
	}
	return s.shopReturns.shop.Locations(ctx)
}

// restockLocation is where returned items go back into stock: the location
// chosen in settings, else the first of the shop's locations that fulfils
// online orders (where parcels come back to).
func (s *RefundService) restockLocation(ctx context.Context) (string, error) {
	if s.settings != nil {
		st, err := s.settings.Settings(ctx)
		if err != nil {
			return "", err
		}
		if st.RestockLocationID != "" {
			return st.RestockLocationID, nil
		}
	}
	locs, err := s.shopReturns.shop.Locations(ctx)
	if err != nil {
		return "", fmt.Errorf("read the shop's locations: %w", err)
	}
	if len(locs) == 0 {
		return "", nil
	}
	return locs[0].ID, nil
}
