package returns

import "time"

// The EU right of withdrawal (Consumer Rights Directive 2011/83/EU, Articles
// 9–16 and, since 19 June 2026, the withdrawal function of Article 11a): a
// consumer who bought at a distance may withdraw from the contract within 14
// days of receiving the goods, without giving a reason; the trader refunds
// everything paid, the cheapest standard delivery included, within 14 days
// of the notice. Periods are counted as Regulation (EEC, Euratom) No 1182/71
// says: the day of the event does not count, and a period whose last day is
// a public holiday, a Saturday or a Sunday ends at the end of the next
// working day. Latvia's public holidays are the store's (its customers are
// Latvian; Cabinet Regulation No. 255 of 2014).

// LegalBasis is the law a return is made under, chosen by what the customer
// does; staff see it and reports count by it.
type LegalBasis string

const (
	// BasisWithdrawal: the statutory right of withdrawal — no reason, no
	// photos, no approval: it takes effect by being made.
	BasisWithdrawal LegalBasis = "withdrawal"
	// BasisGuarantee: the legal guarantee of conformity — a defect or damage,
	// repaired, replaced or refunded free of charge.
	BasisGuarantee LegalBasis = "guarantee"
	// BasisCommercial: a return under the store's own policy, for what falls
	// outside the withdrawal period.
	BasisCommercial LegalBasis = "commercial"
)

// KindWithdrawal is a statutory withdrawal from the contract.
const KindWithdrawal Kind = "withdrawal"

// LegalBasis returns the law r is made under: it follows from what the
// customer reported.
func (r *Return) LegalBasis() LegalBasis { return LegalBasisOf(r.Kind) }

// LegalBases lists every legal basis in the order reports show them.
var LegalBases = []LegalBasis{BasisWithdrawal, BasisGuarantee, BasisCommercial}

// LegalBasisOf returns the law a return of kind k is made under.
func LegalBasisOf(k Kind) LegalBasis {
	switch k {
	case KindWithdrawal:
		return BasisWithdrawal
	case KindDamaged:
		return BasisGuarantee
	default:
		return BasisCommercial
	}
}

// Withdrawal periods and deadlines, in days.
const (
	// WithdrawalDays is the withdrawal period from receipt of the goods.
	WithdrawalDays = 14
	// WithdrawalRefundDays is the time the trader has to refund from the
	// notice of withdrawal.
	WithdrawalRefundDays = 14
)

// WithdrawalLastDay returns the last day (midnight at its start, in zone) on
// which a consumer who received the goods at received may withdraw: 14 days
// after the day of receipt, moved to the next working day when it is a
// weekend day or a Latvian public holiday. When the consumer was not told of
// the right (informed false), the period is 12 months longer (Article 10):
// it ends 12 months after the end of the initial one, moved alike.
func WithdrawalLastDay(received time.Time, zone *time.Location, informed bool) time.Time {
	day := dayIn(received, zone).AddDate(0, 0, WithdrawalDays)
	if !informed {
		day = NextWorkingDayLV(day).AddDate(1, 0, 0)
	}
	return NextWorkingDayLV(day)
}

// WithdrawalRefundDeadline returns the last day (midnight at its start, in
// zone) of the trader's refund of a withdrawal notified at notified: 14 days
// after the day of the notice, moved to the next working day alike.
func WithdrawalRefundDeadline(notified time.Time, zone *time.Location) time.Time {
	return NextWorkingDayLV(dayIn(notified, zone).AddDate(0, 0, WithdrawalRefundDays))
}

// WithinWithdrawal reports whether at is on or before lastDay (as
// WithdrawalLastDay returns it), in lastDay's zone.
func WithinWithdrawal(at, lastDay time.Time) bool {
	return at.Before(lastDay.AddDate(0, 0, 1))
}

// dayIn returns the start of t's day in zone (UTC when nil).
func dayIn(t time.Time, zone *time.Location) time.Time {
	if zone == nil {
		zone = time.UTC
	}
	y, m, d := t.In(zone).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, zone)
}

// NextWorkingDayLV returns day when it is a working day in Latvia, else the
// first working day after it. day is a midnight as dayIn returns it.
func NextWorkingDayLV(day time.Time) time.Time {
	for !WorkingDayLV(day) {
		day = day.AddDate(0, 0, 1)
	}
	return day
}

// WorkingDayLV reports whether day is neither a Saturday, a Sunday nor a
// Latvian public holiday.
func WorkingDayLV(day time.Time) bool {
	if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	_, holiday := HolidayLV(day)
	return !holiday
}

// HolidayLV returns the name of the Latvian public holiday on day, if it is
// one: the holidays of the Law on Public Holidays, Commemoration Days and
// Celebration Days (Svētku, atceres un atzīmējamo dienu likums, Article 1),
// with its rule that 4 May and 18 November falling on a weekend make the next
// Monday a holiday, and the one-off holidays the Saeima declared.
func HolidayLV(day time.Time) (string, bool) {
	y, m, d := day.Date()
	switch {
	case m == time.January && d == 1:
		return "New Year’s Day", true
	case m == time.May && d == 1:
		return "Labour Day; Convocation of the Constituent Assembly", true
	case m == time.May && d == 4:
		return "Restoration of Independence Day", true
	case m == time.June && d == 23:
		return "Midsummer Eve (Līgo)", true
	case m == time.June && d == 24:
		return "Midsummer Day (Jāņi)", true
	case m == time.November && d == 18:
		return "Proclamation Day", true
	case m == time.December && d == 24:
		return "Christmas Eve", true
	case m == time.December && d == 25:
		return "Christmas Day", true
	case m == time.December && d == 26:
		return "Second Day of Christmas", true
	case m == time.December && d == 31:
		return "New Year’s Eve", true
	}
	if day.Weekday() == time.Monday {
		// 4 May and 18 November on a Saturday or Sunday: the Monday after.
		for _, fixed := range []struct {
			m    time.Month
			d    int
			name string
		}{{time.May, 4, "Restoration of Independence Day (moved)"}, {time.November, 18, "Proclamation Day (moved)"}} {
			if wd := time.Date(y, fixed.m, fixed.d, 0, 0, 0, 0, time.UTC).Weekday(); wd == time.Saturday || wd == time.Sunday {
				monday := time.Date(y, fixed.m, fixed.d, 0, 0, 0, 0, time.UTC).AddDate(0, 0, map[time.Weekday]int{time.Saturday: 2, time.Sunday: 1}[wd])
				if monday.Month() == m && monday.Day() == d {
					return fixed.name, true
				}
			}
		}
	}
	easter := easterSunday(y)
	switch {
	case sameDate(day, easter.AddDate(0, 0, -2)):
		return "Good Friday", true
	case sameDate(day, easter):
		return "Easter Sunday", true
	case sameDate(day, easter.AddDate(0, 0, 1)):
		return "Easter Monday", true
	case sameDate(day, easter.AddDate(0, 0, 49)):
		return "Whitsunday", true
	case m == time.May && d >= 8 && d <= 14 && day.Weekday() == time.Sunday:
		return "Mother’s Day", true
	}
	if name, ok := oneOffHolidaysLV[time.Date(y, m, d, 0, 0, 0, 0, time.UTC)]; ok {
		return name, true
	}
	return "", false
}

// oneOffHolidaysLV are the holidays the Saeima declared for one year: the
// closing days of the Song and Dance Festival (a holiday in the years it is
// held, moved to Monday from a weekend) and the days declared for an event.
var oneOffHolidaysLV = map[time.Time]string{
	time.Date(2018, time.July, 9, 0, 0, 0, 0, time.UTC):       "Song and Dance Festival closing day",
	time.Date(2018, time.September, 24, 0, 0, 0, 0, time.UTC): "Pope Francis’s visit",
	time.Date(2023, time.May, 29, 0, 0, 0, 0, time.UTC):       "Ice hockey World Championship bronze medal",
	time.Date(2023, time.July, 10, 0, 0, 0, 0, time.UTC):      "Song and Dance Festival closing day",
}

// sameDate reports whether a and b are the same calendar date.
func sameDate(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// easterSunday returns Western Easter Sunday of year y (the anonymous
// Gregorian algorithm, Meeus/Jones/Butcher), at midnight UTC.
func easterSunday(y int) time.Time {
	a := y % 19
	b, c := y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Date(y, time.Month(month), day, 0, 0, 0, 0, time.UTC)
}

// What a withdrawal writes on the timeline and sends.
const (
	// EventWithdrawn: the consumer's statement of withdrawal, made through the
	// withdrawal function or registered by staff from an email or a letter.
	// It is accepted by being made: the return is approved with it.
	EventWithdrawn EventType = "withdrawn"
	// EmailWithdrawalAcknowledged acknowledges a statement of withdrawal on a
	// durable medium: its full content and the date and time it was made.
	EmailWithdrawalAcknowledged EmailKind = "withdrawal_acknowledged"
	// EmailStaffWithdrawalDeadline reminds the store's staff that a
	// withdrawal's refund deadline is two days away.
	EmailStaffWithdrawalDeadline EmailKind = "staff_withdrawal_deadline"
)

// WithdrawalChannel says how a statement of withdrawal reached the store.
type WithdrawalChannel string

const (
	WithdrawalOnline  WithdrawalChannel = "online" // the portal's withdrawal function
	WithdrawalByEmail WithdrawalChannel = "email"  // registered by staff
	WithdrawalByPost  WithdrawalChannel = "post"   // registered by staff
)

// WithdrawalStatement is a consumer's statement of withdrawal from the
// contract of an order, as made: the return it made holds the items.
type WithdrawalStatement struct {
	Name    string
	Email   string
	Reason  string // optional; "" when none was given
	Channel WithdrawalChannel
	// MadeAt is when the statement was made: confirmed online, or the day
	// an email or a letter arrived, as staff registered it.
	MadeAt time.Time
	// RegisteredBy is the staff member who registered a statement that came
	// by email or post; 0 for one made online.
	RegisteredBy int64
	// RefundDue is the last day of the refund as counted when the statement
	// was stored (WithdrawalRefundDeadline in the store's zone), kept with it
	// so that the queue sorts by it and the reminder finds it; a calendar
	// day, midnight at its start in the zone it was counted in.
	RefundDue time.Time
}

// WithdrawalRefundDeadline returns the last day of the refund of r, a
// withdrawal, as midnight at its start in zone; zero when r is not one. It
// is the day stored with the statement (RefundDue), the one the queue sorts
// by and the reminder counts from, so that every page tells the same day
// even after the store's zone changed; counted afresh only for a statement
// not stored yet.
func (r *Return) WithdrawalRefundDeadline(zone *time.Location) time.Time {
	if r.Withdrawal == nil {
		return time.Time{}
	}
	if due := r.Withdrawal.RefundDue; !due.IsZero() {
		if zone == nil {
			zone = time.UTC
		}
		y, m, d := due.Date()
		return time.Date(y, m, d, 0, 0, 0, 0, zone)
	}
	return WithdrawalRefundDeadline(r.Withdrawal.MadeAt, zone)
}
