package views

import (
	"strings"
	"testing"

	returns "github.com/returnsportal/returns"
)

func TestSettingsPagePhotoRetention(t *testing.T) {
	_, doc := render(t, SettingsPageView(settingsPage()))
	in := doc.Find(`form input[type=number][name=photo_retention_days][min="0"][max="3650"]`)
	if in.AttrOr("value", "") != "180" || doc.Find(`label[for=photo_retention_days]`).Text() != "Delete damage photos after (days)" {
		t.Errorf("retention field %v, label %q", in.Nodes, doc.Find(`label[for=photo_retention_days]`).Text())
	}

	p := settingsPage()
	p.Form = Form{Values: map[string]string{returns.FieldPhotoRetentionDays: "half a year"},
		Fields: map[string]returns.Message{returns.FieldPhotoRetentionDays: returns.Msg("Enter a number of days from 0 to %d; 0 keeps photos.", 3650)}}
	_, doc = render(t, SettingsPageView(p))
	if got := doc.Find("#photo_retention_days").AttrOr("value", ""); got != "half a year" {
		t.Errorf("retention kept as %q", got)
	}
	if doc.Find(`#settings-errors a[href="#photo_retention_days"]`).Length() != 1 {
		t.Error("no summary link to the retention field")
	}
}

func TestPhotoHintTellsRetention(t *testing.T) {
	for lang, want := range map[string]string{
		"en": "We delete them 180 days after your return is completed.",
		"lv": "Fotoattēlus dzēšam 180 dienas pēc atgriešanas pabeigšanas.",
	} {
		p := orderPage(lang)
		p.Form.PhotoRetentionDays = 180
		_, doc := render(t, OrderPageView(p))
		if got := doc.Find("#" + hintID(returns.FieldPhotos)).Text(); !strings.HasSuffix(got, want) {
			t.Errorf("%s: photo hint %q, want it to end %q", lang, got, want)
		}
	}
	p := orderPage("lv")
	p.Form.PhotoRetentionDays = 21
	if got := p.photoHint(); !strings.HasSuffix(got, "21 dienu pēc atgriešanas pabeigšanas.") {
		t.Errorf("21 days in Latvian: %q", got)
	}
	if got := orderPage("en").photoHint(); strings.Contains(got, "delete") {
		t.Errorf("photos kept forever, yet the hint says %q", got)
	}
}
