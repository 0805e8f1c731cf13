package returns

import (
	"testing"
	"time"
)

func date(y int, m time.Month, d int, zone *time.Location) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, zone)
}

func TestEasterSunday(t *testing.T) {
	for y, want := range map[int]time.Time{
		2024: date(2024, time.March, 31, time.UTC),
		2025: date(2025, time.April, 20, time.UTC),
		2026: date(2026, time.April, 5, time.UTC),
		2027: date(2027, time.March, 28, time.UTC),
		2028: date(2028, time.April, 16, time.UTC),
	} {
		if got := easterSunday(y); !got.Equal(want) {
			t.Errorf("easterSunday(%d) = %s, want %s", y, got.Format(time.DateOnly), want.Format(time.DateOnly))
		}
	}
}

// The withdrawal period's last day: 14 days after receipt, a weekend day or
// a Latvian public holiday moved to the next working day.
func TestWithdrawalLastDay(t *testing.T) {
	riga, err := time.LoadLocation("Europe/Riga")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		received time.Time
		informed bool
		want     time.Time
	}{
		{"a working day", date(2026, time.November, 16, riga).Add(15 * time.Hour), true, date(2026, time.November, 30, riga)},
		{"a Saturday", date(2026, time.November, 14, riga).Add(10 * time.Hour), true, date(2026, time.November, 30, riga)},
		{"Proclamation Day, a Wednesday", date(2026, time.November, 4, riga).Add(9 * time.Hour), true, date(2026, time.November, 19, riga)},
		{"Christmas, then a weekend", date(2026, time.December, 10, riga), true, date(2026, time.December, 28, riga)},
		{"Good Friday to Easter Monday", date(2026, time.March, 20, riga), true, date(2026, time.April, 7, riga)},
		{"4 May on a Sunday moves to Monday 5 May", date(2025, time.April, 21, riga), true, date(2025, time.May, 6, riga)},
		{"18 November on a Saturday moves to Monday 20", date(2028, time.November, 6, riga), true, date(2028, time.November, 21, riga)},
		{"Līgo and Jāņi", date(2026, time.June, 9, riga), true, date(2026, time.June, 25, riga)},
		{"the day in the store's zone, not UTC", time.Date(2026, time.November, 15, 23, 30, 0, 0, time.UTC), true, date(2026, time.November, 30, riga)},
		{"not informed: 12 months after the initial period", date(2026, time.November, 16, riga), false, date(2027, time.November, 30, riga)},
		{"not informed, the end moved off a holiday", date(2026, time.December, 4, riga), false, date(2027, time.December, 20, riga)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := WithdrawalLastDay(tc.received, riga, tc.informed)
			if !got.Equal(tc.want) {
				t.Errorf("WithdrawalLastDay(%s) = %s, want %s", tc.received.Format(time.RFC3339), got.Format(time.DateOnly), tc.want.Format(time.DateOnly))
			}
		})
	}
}

func TestWithdrawalRefundDeadline(t *testing.T) {
	riga, _ := time.LoadLocation("Europe/Riga")
	for _, tc := range []struct {
		notified, want time.Time
	}{
		{date(2026, time.November, 30, riga).Add(12 * time.Hour), date(2026, time.December, 14, riga)},
		// New Year's Eve, New Year's Day and a weekend.
		{date(2026, time.December, 17, riga), date(2027, time.January, 4, riga)},
		// Christmas Eve to the Second Day of Christmas and a Sunday.
		{date(2027, time.December, 10, riga), date(2027, time.December, 27, riga)},
	} {
		if got := WithdrawalRefundDeadline(tc.notified, riga); !got.Equal(tc.want) {
			t.Errorf("WithdrawalRefundDeadline(%s) = %s, want %s", tc.notified.Format(time.DateOnly), got.Format(time.DateOnly), tc.want.Format(time.DateOnly))
		}
	}
}

func TestWithinWithdrawal(t *testing.T) {
	riga, _ := time.LoadLocation("Europe/Riga")
	last := date(2026, time.November, 30, riga)
	for _, tc := range []struct {
		at   time.Time
		want bool
	}{
		{last.Add(23*time.Hour + 59*time.Minute), true},
		{last.AddDate(0, 0, 1), false},
		{last.AddDate(0, 0, -3), true},
	} {
		if got := WithinWithdrawal(tc.at, last); got != tc.want {
			t.Errorf("WithinWithdrawal(%s) = %v, want %v", tc.at, got, tc.want)
		}
	}
}

func TestHolidayLV(t *testing.T) {
	for _, tc := range []struct {
		day  time.Time
		want bool
	}{
		{date(2026, time.January, 1, time.UTC), true},
		{date(2026, time.April, 3, time.UTC), true},  // Good Friday
		{date(2026, time.April, 6, time.UTC), true},  // Easter Monday
		{date(2026, time.April, 7, time.UTC), false}, // the Tuesday after
		{date(2026, time.May, 4, time.UTC), true},
		{date(2026, time.May, 11, time.UTC), false},
		{date(2025, time.May, 5, time.UTC), true},        // 4 May 2025 was a Sunday
		{date(2027, time.May, 3, time.UTC), false},       // 4 May 2027 is a Tuesday
		{date(2026, time.November, 23, time.UTC), false}, // 18 November 2026 is a Wednesday
		{date(2028, time.November, 20, time.UTC), true},  // 18 November 2028 is a Saturday
		{date(2023, time.July, 10, time.UTC), true},      // Song and Dance Festival
		{date(2026, time.December, 31, time.UTC), true},
		{date(2026, time.December, 30, time.UTC), false},
	} {
		if _, got := HolidayLV(tc.day); got != tc.want {
			t.Errorf("HolidayLV(%s) = %v, want %v", tc.day.Format(time.DateOnly), got, tc.want)
		}
	}
}

// A withdrawal's refund deadline is the day stored with its statement,
// whatever the zone it is shown in: the queue sorts by that day. The stored
// day here differs from what counting afresh gives (14 December), as after
// the store's zone changed.
func TestReturnWithdrawalRefundDeadlineIsTheStoredDay(t *testing.T) {
	riga, _ := time.LoadLocation("Europe/Riga")
	ny, _ := time.LoadLocation("America/New_York")
	made := time.Date(2026, time.November, 30, 12, 0, 0, 0, riga)
	r := &Return{Kind: KindWithdrawal, Withdrawal: &WithdrawalStatement{MadeAt: made,
		RefundDue: time.Date(2026, time.December, 15, 0, 0, 0, 0, time.UTC)}}
	for _, zone := range []*time.Location{riga, ny, time.UTC} {
		got := r.WithdrawalRefundDeadline(zone)
		if y, m, d := got.Date(); y != 2026 || m != time.December || d != 15 || got.Location() != zone {
			t.Errorf("in %s: %s, want the stored 15 December in that zone", zone, got)
		}
	}
	r.Withdrawal.RefundDue = time.Time{}
	if got := r.WithdrawalRefundDeadline(riga); !got.Equal(date(2026, time.December, 14, riga)) {
		t.Errorf("counted afresh: %s", got)
	}
	if got := (&Return{}).WithdrawalRefundDeadline(riga); !got.IsZero() {
		t.Errorf("no withdrawal: %s", got)
	}
}
