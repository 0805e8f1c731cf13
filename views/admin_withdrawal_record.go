package views

import (
	"time"

	returns "github.com/returnsportal/returns"
)

// WithdrawalRecordPage is a withdrawal's record for a complaint, to print.
type WithdrawalRecordPage struct {
	AdminPage
	Record *returns.WithdrawalRecord
}

// recordTime writes a moment of the record in the store's zone, naming the
// zone, e.g. "26 Nov 2026, 10:00:05 (Europe/Riga)": a record read by an
// authority elsewhere must say which clock it tells. Seconds are kept, as
// the log keeps them.
func (p WithdrawalRecordPage) recordTime(l Localizer, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	zone := p.Record.Store.Location
	if zone == nil {
		zone = time.UTC
	}
	t = t.In(zone)
	if l.Lang == "lv" {
		return t.Format("02.01.2006. 15:04:05") + " (" + zone.String() + ")"
	}
	return t.Format("2 Jan 2006, 15:04:05") + " (" + zone.String() + ")"
}

// deadline is the withdrawal's refund deadline as a day in the store's zone.
func (p WithdrawalRecordPage) deadline() time.Time {
	return p.Record.Return().WithdrawalRefundDeadline(p.Record.Store.Location)
}

// logKindLabel names the kind of a log entry for staff.
func logKindLabel(l Localizer, kind string) string {
	switch kind {
	case "statement":
		return l.T("Statement of withdrawal")
	case "acknowledgement":
		return l.T("Acknowledgement sent")
	case "refund":
		return l.T("Refund made")
	case "received":
		return l.T("Goods received")
	case "parcel":
		return l.T("Parcel sent back")
	}
	return kind
}

// logVerdict says whether the whole log verified when the record was made,
// and where it broke when it did not.
func logVerdict(l Localizer, rec *returns.WithdrawalRecord) string {
	if p := rec.LogProblem; p != nil {
		switch p.Reason {
		case returns.LogEntryMissing:
			return l.T("The log does not verify: entry %d is missing.", p.Seq)
		case returns.LogEntryUnchained:
			return l.T("The log does not verify: entry %d does not follow the entry before it.", p.Seq)
		case returns.LogEntryUnkeyed:
			return l.T("The log does not verify: entry %d is not keyed, so its hash does not show it unchanged.", p.Seq)
		case returns.LogEntryUnlogged:
			return l.T("The log does not verify: “%s” of withdrawal %s is in the database but has no entry in the log.", logKindLabel(l, p.Kind), p.ReturnCode)
		}
		return l.T("The log does not verify: entry %d was changed after it was written.", p.Seq)
	}
	return l.Plural(int(rec.LogChecked), "The log verifies: its %d entry is chained to the one before and unchanged.", "The log verifies: all %d entries are chained, each to the one before, and unchanged.")
}

// deliveryPart is the part of a refund that refunds the order's delivery, in
// the refund's currency (zero for none).
func deliveryPart(ref returns.Refund) returns.Money {
	return returns.Money{Minor: ref.Shipping.Minor, Currency: ref.Amount.Currency}
}
