package views

import (
	"context"
	"time"

	returns "github.com/returnsportal/returns"
)

// zoneKey keys the store's time zone in a rendering's context.
type zoneKey struct{}

// WithTimeZone returns ctx carrying the store's time zone, in which the
// backoffice's pages tell every time. The handlers set it once per request,
// so that no template can show a time in another zone.
func WithTimeZone(ctx context.Context, loc *time.Location) context.Context {
	return context.WithValue(ctx, zoneKey{}, loc)
}

// timeZone is the store's time zone that ctx carries; UTC when it carries
// none.
func timeZone(ctx context.Context) *time.Location {
	if loc, ok := ctx.Value(zoneKey{}).(*time.Location); ok && loc != nil {
		return loc
	}
	return time.UTC
}

// timeZoneNote says which zone a backoffice page tells its times in, e.g.
// "Times in Europe/Riga".
func timeZoneNote(ctx context.Context) string {
	return staffL(ctx).T("Times in %s", timeZone(ctx).String())
}

// dateTime formats a moment for staff in the store's time zone and the page's
// language, e.g. "26 Nov 2026, 10:00" or "26.11.2026. 10:00" (the short form
// Latvian writes dates in); every backoffice page names the zone once
// (timeZoneNote).
func dateTime(ctx context.Context, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(timeZone(ctx))
	if staffL(ctx).Lang == "lv" {
		return t.Format("02.01.2006. 15:04")
	}
	return t.Format("2 Jan 2006, 15:04")
}

// In returns t in the store's time zone of the page (as it is, when the page
// has none).
func (l Localizer) In(t time.Time) time.Time {
	if l.Zone == nil {
		return t
	}
	return t.In(l.Zone)
}

// DateTime formats a moment for a customer in the store's time zone: its day
// as Date writes it and the time, e.g. "26 November 2026, 10:00" or "2026.
// gada 26. novembris, 10:00".
func (l Localizer) DateTime(t time.Time) string {
	t = l.In(t)
	return l.Date(t) + ", " + t.Format("15:04")
}

// LogoSize is the size a logo is shown at within a box of maxW×maxH CSS
// pixels, keeping its aspect ratio and never enlarging it.
func LogoSize(l returns.LogoRef, maxW, maxH int) (int, int) {
	w, h := l.Width, l.Height
	if w <= 0 || h <= 0 {
		return maxW, maxH
	}
	if h > maxH {
		w, h = max(1, w*maxH/h), maxH
	}
	if w > maxW {
		w, h = maxW, max(1, h*maxW/w)
	}
	return w, h
}
