package returns

import (
	"context"
	"time"
)

// Settings are the store's settings for the portal, edited by staff.
type Settings struct {
	ReturnAddress    string
	WindowDays       int
	NonReturnableTag string
	InstructionsEN   string
	InstructionsLV   string
	StaffEmail       string // where new-return notices go; empty for none
	// RequireEmailedLink makes every typed lookup email a one-time link to the
	// order's address instead of opening the order (signed links from the
	// store's own emails still open it).
	RequireEmailedLink bool
	UpdatedAt          time.Time
	UpdatedBy          string
	// Revision numbers the settings' changes: 0 while every setting has its
	// default, and different after every save that changed one. A page
	// rendered with the settings is the same while their revision is.
	Revision int64
}

// DefaultSettings are used until staff save their own.
func DefaultSettings() Settings {
	return Settings{
		ReturnAddress:    "Returns department\nBrīvības iela 1\nRīga, LV-1010\nLatvia",
		WindowDays:       30,
		NonReturnableTag: "final-sale",
		InstructionsEN:   "Pack the item securely, write your return code on the parcel and send it to the address above. Keep the receipt from the post office until your return is complete.",
		InstructionsLV:   "Rūpīgi iepakojiet preci, uzrakstiet uz sūtījuma atgriešanas kodu un nosūtiet to uz norādīto adresi. Saglabājiet pasta čeku, līdz atgriešana ir pabeigta.",
	}
}

// Policy returns the return policy part of the settings.
func (s Settings) Policy() Policy {
	return Policy{WindowDays: s.WindowDays, NonReturnableTag: s.NonReturnableTag}
}

// Instructions returns the return instructions in the given language ("en", "lv").
func (s Settings) Instructions(lang string) string {
	if lang == "lv" && s.InstructionsLV != "" {
		return s.InstructionsLV
	}
	return s.InstructionsEN
}

// SettingsStore keeps the settings.
type SettingsStore interface {
	// Settings returns the saved settings, or DefaultSettings when none were saved.
	Settings(ctx context.Context) (Settings, error)
	// SaveSettings saves the settings and records who changed them and when.
	SaveSettings(ctx context.Context, s Settings, by string) error
	// SettingsChanges returns the latest changes, newest first.
	SettingsChanges(ctx context.Context, limit int) ([]SettingsChange, error)
}

// SettingsChange records who changed the settings, when, and which fields.
type SettingsChange struct {
	At     time.Time
	By     string
	Fields []string
}
