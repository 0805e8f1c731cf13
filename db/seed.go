package db

import (
	"context"
	"fmt"
	"time"

	"github.com/returnsportal/returns"
)

// seedStatuses is the mix of statuses SeedForBenchmark gives its returns, one
// entry per 5 %: most returns of a store that has run for a while are settled.
var seedStatuses = [20]returns.Status{
	returns.StatusRequested, returns.StatusRequested, returns.StatusRequested,
	returns.StatusApproved, returns.StatusApproved, returns.StatusApproved,
	returns.StatusItemReceived, returns.StatusItemReceived,
	returns.StatusRefunded, returns.StatusRefunded, returns.StatusRefunded, returns.StatusRefunded,
	returns.StatusReplacementShipped, returns.StatusReplacementShipped,
	returns.StatusClosed, returns.StatusClosed, returns.StatusClosed,
	returns.StatusDeclined, returns.StatusCancelled, returns.StatusCancelled,
}

// SeedForBenchmark inserts n made-up returns, for benchmarks that need a
// database the size of a busy store's (cmd/portal-bench stores 100,000). Each
// return has one or two items and the timeline events of its status, belongs to
// an order no real store has (gid://shopify/Order/9000000 and up), and was made
// in the year before now, the newest last. It writes everything in one
// transaction through the same tables the service writes, so it follows the
// schema as migrations change it; it queues no write-backs and no emails.
func (db *DB) SeedForBenchmark(ctx context.Context, n int, now time.Time) error {
	if n <= 0 {
		return nil
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	insReturn, err := tx.PrepareContext(ctx, `
		INSERT INTO returns (code, token, submission_key, order_id, order_name, email, locale,
			kind, reason, resolution, note, status, currency, created_at, updated_at, shopify_return_status)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'EUR', ?, ?, 'LEGACY')`)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	insItem, err := tx.PrepareContext(ctx, `
		INSERT INTO return_items (return_id, line_item_id, title, quantity, unit_price_minor, currency)
		VALUES (?, ?, ?, ?, ?, 'EUR')`)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	insEvent, err := tx.PrepareContext(ctx, `
		INSERT INTO events (return_id, at, actor, type, status, message) VALUES (?, ?, ?, ?, ?, '')`)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}

	year := 365 * 24 * time.Hour
	codes := make(map[string]bool, n)
	for i := range n {
		code := returns.NewReturnCode()
		for codes[code] {
			code = returns.NewReturnCode()
		}
		codes[code] = true

		status := seedStatuses[i%len(seedStatuses)]
		// year/n first: i times a year in nanoseconds overflows int64.
		created := now.Add(-year + time.Duration(i)*(year/time.Duration(n)))
		updated := created.Add(time.Duration(i%72) * time.Hour)
		if status == returns.StatusRequested {
			updated = created
		}
		order := 9_000_000 + i/2 // two returns per order
		kind, reason, resolution, note := returns.KindDamaged, returns.ReasonDamaged, returns.ResolutionReplacement, "The glaze is cracked."
		if i%3 == 0 {
			kind, reason, resolution, note = returns.KindDissatisfied, returns.DissatisfiedReasons[i%len(returns.DissatisfiedReasons)], returns.ResolutionRefund, "It is not what I expected."
		}
		locale := "en"
		if i%4 == 0 {
			locale = "lv"
		}
		res, err := insReturn.ExecContext(ctx, code, returns.NewToken(), returns.NewToken(),
			fmt.Sprintf("gid://shopify/Order/%d", order), fmt.Sprintf("#%d", order),
			fmt.Sprintf("customer%d@example.com", order/3), locale,
			kind, reason, resolution, note, status, millis(created), millis(updated))
		if err != nil {
			return fmt.Errorf("seed return %d: %w", i, err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return fmt.Errorf("seed return %d: %w", i, err)
		}
		for j := range 1 + i%2 {
			if _, err := insItem.ExecContext(ctx, id, fmt.Sprintf("gid://shopify/LineItem/%d", order*10+j),
				[]string{"Ceramic mug", "Linen tea towel"}[j], 1+j, 1450+j*1450); err != nil {
				return fmt.Errorf("seed items of return %d: %w", i, err)
			}
		}
		if _, err := insEvent.ExecContext(ctx, id, millis(created), returns.ActorCustomer, returns.EventRequested, returns.StatusRequested); err != nil {
			return fmt.Errorf("seed events of return %d: %w", i, err)
		}
		if status != returns.StatusRequested {
			actor := returns.StaffActor(1)
			if status == returns.StatusCancelled {
				actor = returns.ActorCustomer
			}
			// Every status but requested is named after the event that leads to it.
			if _, err := insEvent.ExecContext(ctx, id, millis(updated), actor, string(status), status); err != nil {
				return fmt.Errorf("seed events of return %d: %w", i, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	return nil
}
