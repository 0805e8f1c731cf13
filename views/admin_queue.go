package views

import (
	"strconv"
	"strings"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/paths"
)

// QueuePage is the backoffice's list of returns.
type QueuePage struct {
	AdminPage
	Returns []returns.Return
	Counts  map[returns.Status]int
	Total   int            // all returns, every status
	Status  returns.Status // the status filter, "" for all
	Query   string         // the search box's text
	// Next is the id the next page starts before; 0 on the last page. By
	// deadline, the next page starts after NextDue's day and Next's id.
	Next    int64
	NextDue string
	// Withdrawals keeps withdrawals only; ByDeadline lists them by refund
	// deadline, soonest first (those still to refund, without a status).
	Withdrawals bool
	ByDeadline  bool
	// Clocks are the refund clocks of the withdrawals shown, by return ID.
	Clocks map[int64]returns.WithdrawalClock
}

// statusURL links to the queue filtered by a status ("" for all), keeping the
// search.
func (p QueuePage) statusURL(s returns.Status) string {
	if p.Withdrawals {
		return paths.AdminWithdrawalQueueURL(string(s), p.Query, p.ByDeadline, "", 0)
	}
	return paths.AdminQueueURL(string(s), p.Query, 0)
}

// nextURL links to the next page of the queue, with the same filter.
func (p QueuePage) nextURL() string {
	if p.Withdrawals {
		return paths.AdminWithdrawalQueueURL(string(p.Status), p.Query, p.ByDeadline, p.NextDue, p.Next)
	}
	return paths.AdminQueueURL(string(p.Status), p.Query, p.Next)
}

// kindURL links to the queue of every return (withdrawals false), of
// withdrawals newest first, or of withdrawals by deadline, keeping the
// status and the search.
func (p QueuePage) kindURL(withdrawals, byDeadline bool) string {
	if !withdrawals {
		return paths.AdminQueueURL(string(p.Status), p.Query, 0)
	}
	return paths.AdminWithdrawalQueueURL(string(p.Status), p.Query, byDeadline, "", 0)
}

// deadlineText is a withdrawal's refund deadline as its row shows it, e.g.
// "Refund by 20 July 2026"; "" for a return that is not a withdrawal.
func (p QueuePage) deadlineText(l Localizer, r *returns.Return) (text string, passed bool) {
	c, ok := p.Clocks[r.ID]
	if !ok {
		return "", false
	}
	if c.Passed {
		return l.T("Refund deadline %s passed", l.Date(c.Deadline)), true
	}
	return l.T("Refund by %s", l.Date(c.Deadline)), false
}

// caption describes the queue table: its filter and its order.
func (p QueuePage) caption(l Localizer) string {
	switch {
	case p.ByDeadline && p.Status == "":
		return l.T("Withdrawals to refund, legal deadline soonest first")
	case p.ByDeadline:
		return l.T("Withdrawals with status %s, legal deadline soonest first", l.Status(p.Status))
	case p.Withdrawals:
		return l.T("Withdrawals, newest first")
	case p.Status != "" && p.Query != "":
		return l.T("Returns with status %s matching “%s”, newest first", l.Status(p.Status), p.Query)
	case p.Status != "":
		return l.T("Returns with status %s, newest first", l.Status(p.Status))
	case p.Query != "":
		return l.T("Returns matching “%s”, newest first", p.Query)
	}
	return l.T("Returns, newest first")
}

// filtered reports whether the queue shows less than every return.
func (p QueuePage) filtered() bool { return p.Status != "" || p.Query != "" || p.Withdrawals }

// requestSummary says in a few words what the customer asked for, e.g.
// "Damaged → Replacement" or "Not satisfied (It doesn’t fit) → Refund".
func requestSummary(l Localizer, r *returns.Return) string {
	s := l.StaffKind(r.Kind)
	if r.Kind == returns.KindDissatisfied && r.Reason != "" {
		s += " (" + l.Reason(r.Reason) + ")"
	}
	return s + " → " + l.Resolution(r.Resolution)
}

// itemsSummary lists a return's items with their quantities, e.g.
// "2 × Ceramic mug, 1 × Linen tea towel".
func itemsSummary(r *returns.Return) string {
	parts := make([]string, len(r.Items))
	for i, it := range r.Items {
		parts[i] = strconv.Itoa(it.Quantity) + " × " + it.Name()
	}
	return strings.Join(parts, ", ")
}

// shownStatuses are the statuses the filter offers: those some return is in,
// and the one chosen, so the row of filters stays short (one row on a
// desktop) and never offers an empty list.
func (p QueuePage) shownStatuses() []returns.Status {
	var out []returns.Status
	for _, s := range returns.Statuses {
		if p.Counts[s] > 0 || p.Status == s {
			out = append(out, s)
		}
	}
	return out
}
