package handlers_test

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/handlers"
)

// tableRow finds the row of a report's table headed by label and returns its
// cells' text.
func tableRow(t *testing.T, body, caption, label string) []string {
	t.Helper()
	i := strings.Index(body, ">"+caption+"</caption>")
	if i < 0 {
		t.Fatalf("no table %q", caption)
	}
	table := body[i:]
	table = table[:strings.Index(table, "</table>")]
	m := regexp.MustCompile(`<tr><th scope="row">` + regexp.QuoteMeta(label) + `</th>((?:<td[^>]*>[^<]*</td>)+)</tr>`).FindStringSubmatch(table)
	if m == nil {
		t.Fatalf("table %q has no row %q:\n%s", caption, label, table)
	}
	var cells []string
	for _, c := range regexp.MustCompile(`<td[^>]*>([^<]*)</td>`).FindAllStringSubmatch(m[1], -1) {
		cells = append(cells, c[1])
	}
	return cells
}

func TestReportsPage(t *testing.T) {
	h := newHarness(t, nil)
	towel := h.damagedTowel()
	scarf := h.dissatisfiedScarf()
	c := h.staff("staff@example.com")
	if a := h.action(c, scarf, "decline", url.Values{"reason": {"Worn, with the label removed."}}); a.status != http.StatusSeeOther {
		t.Fatalf("decline: %d", a.status)
	}
	_ = towel

	a := h.get(c, "/admin/reports")
	if a.status != http.StatusOK {
		t.Fatalf("reports: status %d\n%s", a.status, a.body)
	}
	checks := []struct {
		caption, row string
		want         []string
	}{
		{"Returns per reason", "Damaged", []string{"1", "50 %"}},
		{"Returns per reason", "It doesn’t fit", []string{"1", "50 %"}},
		{"Returns per reason", "Another reason", []string{"0", "0 %"}},
		{"Returns by how they were resolved", "Declined", []string{"1", "50 %"}},
		{"Returns by how they were resolved", "Not resolved yet", []string{"1", "50 %"}},
		{"Returns by how they were resolved", "Refunded", []string{"0", "0 %"}},
		{"Most returned products, most units first", "Linen tea towel", []string{"1", "1"}},
		{"Most returned products, most units first", "Wool scarf", []string{"1", "1"}},
		{"Returns requested per week", "Total", []string{"2"}},
		{"Median time from request to resolution per week", "Whole period", []string{"1", "&lt; 1 min"}},
	}
	for _, ck := range checks {
		if got := tableRow(t, a.body, ck.caption, ck.row); strings.Join(got, "|") != strings.Join(ck.want, "|") {
			t.Errorf("%s, %s: %q, want %q", ck.caption, ck.row, got, ck.want)
		}
	}
	// Twelve weeks, each a column of the weekly charts and a row of their
	// tables; the charts are drawn, and hidden from screen readers.
	if n := strings.Count(a.body, `<svg class="chart"`); n != 5 || strings.Count(a.body, `aria-hidden="true" focusable="false"`) != n {
		t.Errorf("%d charts, want 5, each aria-hidden", n)
	}
	if n := strings.Count(a.body, `<rect class="bar"`); n != 12+12+6+5+2 {
		t.Errorf("%d bars, want 12 weeks twice, 6 reasons, 5 resolutions, 2 products", n)
	}
	if strings.Contains(a.body, "<script") {
		t.Error("the reports page has a script")
	}
	if !strings.Contains(a.body, `href="/admin/reports/returns.csv?from=`) || !strings.Contains(a.body, `aria-current="page"`) {
		t.Error("no CSV link, or the navigation does not mark Reports")
	}
}

func TestReportsPeriodErrorsKeepWhatWasTyped(t *testing.T) {
	h := newHarness(t, nil)
	c := h.staff("staff@example.com")
	for _, path := range []string{"/admin/reports", "/admin/reports/returns.csv"} {
		a := h.get(c, path+"?from=yesterday&to=2026-02-30")
		if a.status != http.StatusUnprocessableEntity {
			t.Fatalf("%s with bad days: status %d", path, a.status)
		}
		for _, want := range []string{
			`value="yesterday"`, `value="2026-02-30"`, "Enter a date like 2026-03-31.", `href="#from"`, `href="#to"`,
		} {
			if !strings.Contains(a.body, want) {
				t.Errorf("%s: the page lacks %s", path, want)
			}
		}
		if strings.Count(a.body, `aria-invalid="true"`) != 2 {
			t.Errorf("%s: %d fields marked invalid, want 2", path, strings.Count(a.body, `aria-invalid="true"`))
		}
		if strings.Contains(a.header.Get("Content-Type"), "csv") || strings.Contains(a.body, "<svg") {
			t.Errorf("%s: a report or a file for a period that does not parse", path)
		}
	}
	a := h.get(c, "/admin/reports?from=2026-03-02&to=2026-03-01")
	if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, "The last day must not be before the first.") {
		t.Errorf("an end before the start: status %d", a.status)
	}
}

func TestReportsCSV(t *testing.T) {
	h := newHarness(t, nil)
	towel := h.damagedTowel()
	scarf := h.dissatisfiedScarf()
	anon := h.client()
	if a := h.get(anon, "/admin/reports/returns.csv"); a.status != http.StatusSeeOther || strings.Contains(a.body, towel) {
		t.Fatalf("the export without a session: status %d", a.status)
	}
	c := h.staff("staff@example.com")
	today := time.Now().UTC().Format("2006-01-02")
	a := h.get(c, "/admin/reports/returns.csv?from=2026-01-01&to="+today)
	if a.status != http.StatusOK {
		t.Fatalf("export: status %d\n%s", a.status, a.body)
	}
	if ct := a.header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := a.header.Get("Content-Disposition"); cd != `attachment; filename="returns-2026-01-01-to-`+today+`.csv"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(a.body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0][0] != "code" || rows[1][0] != towel || rows[2][0] != scarf {
		t.Fatalf("rows %q", rows)
	}
	if rows[1][10] != "1 × Linen tea towel" || rows[2][10] != "1 × Wool scarf" || rows[2][12] != "49.00" || rows[2][14] != "EUR" {
		t.Errorf("rows %q", rows)
	}
}

// slowReports writes a CSV export's first rows, then waits until it is let go
// (or the request ends): an export still being read from the database.
type slowReports struct {
	handlers.Reports
	rows    int
	release chan struct{}
}

func (s slowReports) ExportCSV(ctx context.Context, _ returns.ReportPeriod, w io.Writer) error {
	for i := range s.rows {
		if _, err := fmt.Fprintf(w, "R-%08d,#%d,2026-03-02 10:00:00,,2026-03-02 10:00:00,requested,damaged\n", i, i); err != nil {
			return err
		}
	}
	select {
	case <-s.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	_, err := io.WriteString(w, "last\n")
	return err
}

// TestReportsCSVStreams: the export reaches the browser while the database is
// still being read, rather than once the whole file is made: the client reads
// the first rows of an export that has not ended.
func TestReportsCSVStreams(t *testing.T) {
	h := newHarness(t, nil)
	c := h.staff("staff@example.com")
	release := make(chan struct{})
	svc := h.app.Services()
	svc.Reports = slowReports{Reports: svc.Reports, rows: 2000, release: release}
	h.mu.Lock()
	h.handler = handlers.NewServer(h.cfg, svc)
	h.mu.Unlock()

	res, err := c.Get(h.srv.URL + "/admin/reports/returns.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	first := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(res.Body).ReadString('\n')
		first <- line
	}()
	select {
	case line := <-first:
		if !strings.HasPrefix(line, "R-00000000,") {
			t.Errorf("first line %q", line)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no row reached the client while the export was still running")
	}
	close(release)
}
