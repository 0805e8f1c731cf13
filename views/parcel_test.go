package views

import (
	"strings"
	"testing"

	returns "github.com/returnsportal/returns"
)

// TestReturnPageParcelForm: an approved return whose items come back offers
// the parcel form, in the page's language; it comes back with its messages
// tied to their fields, and once the parcel is told the page shows its
// tracking link instead.
func TestReturnPageParcelForm(t *testing.T) {
	r := *testReturn
	r.Kind, r.Reason, r.Resolution, r.Status = returns.KindDissatisfied, returns.ReasonDoesntFit, returns.ResolutionRefund, returns.StatusApproved
	p := returnPage("lv")
	p.Return = &r
	_, doc := render(t, ReturnPageView(p))
	form := doc.Find(`form[method=post][action="/returns/R-7KQ9X2MD/parcel"]`)
	if form.Length() != 1 || form.Find("#parcel-h").Text() != "Sūtījums ir nosūtīts" || form.Find(`label[for=carrier]`).Text() != "Pārvadātājs" ||
		form.Find(`select#carrier option[value=other]`).Text() != "Cits pārvadātājs" || form.Find(`input#number[name=number]`).Length() != 1 {
		t.Fatalf("no Latvian parcel form:\n%s", doc.Text())
	}

	p.ParcelForm = Form{Values: map[string]string{"carrier": "dpd", "number": "05 21"},
		Fields: map[string]returns.Message{returns.FieldNumber: returns.Msg("Enter the tracking number without spaces.")}}
	_, doc = render(t, ReturnPageView(p))
	num := doc.Find("input#number")
	if num.AttrOr("aria-invalid", "") != "true" || num.AttrOr("aria-describedby", "") != "number-error" || num.AttrOr("value", "") != "05 21" ||
		doc.Find("#number-error").Text() != "Ievadiet sūtījuma numuru bez atstarpēm." || doc.Find(`select#carrier option[value=dpd]`).AttrOr("selected", "x") == "x" ||
		doc.Find(`#parcel-errors a[href="#number"]`).Length() != 1 {
		t.Errorf("the failed form does not show its message on its field:\n%s", doc.Find("form.parcel-form").Text())
	}

	r.Parcel = &returns.Parcel{ReturnID: r.ID, Carrier: "dpd", CarrierName: "DPD", Number: "05212345678901", TrackingURL: "https://tracking.dpd.de/status/en_US/parcel/05212345678901"}
	p.ParcelForm = Form{}
	_, doc = render(t, ReturnPageView(p))
	if doc.Find("form.parcel-form").Length() != 0 || doc.Find(`a[href="https://tracking.dpd.de/status/en_US/parcel/05212345678901"]`).Length() != 1 ||
		!strings.Contains(doc.Text(), "Jūs nosūtījāt sūtījumu: DPD 05212345678901") {
		t.Errorf("the told parcel is not shown with its link:\n%s", doc.Text())
	}
}
