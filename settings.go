package returns

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
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
	// PhotoRetentionDays is how many days after a return is done (declined,
	// cancelled or closed) its damage photos are deleted; 0 keeps them.
	PhotoRetentionDays int
	// RestockLocationID is the Shopify location (GID) returned items that
	// come back in good order are restocked at; "" for the shop's first.
	RestockLocationID string
	// ReturnAddressLV is the return address for Latvian pages and emails;
	// "" uses ReturnAddress, as every language but Latvian does.
	ReturnAddressLV string
	// StoreName names the store on pages and in emails in place of
	// Shopify's name of the shop; "" uses Shopify's.
	StoreName string
	// ContactEmail is where customers write with questions, shown on every
	// customer page and email; "" shows none.
	ContactEmail string
	// TimeZone is the IANA time zone every date is told in, in place of the
	// shop's time zone in Shopify; "" uses Shopify's.
	TimeZone string
	// StaffLanguage is the store's language for the backoffice ("en" or
	// "lv"): staff accounts that have not chosen their own read it in it.
	StaffLanguage string
	// RefundDelivery says a withdrawal of a whole order refunds the delivery
	// paid on it, as the law requires (on by default); CheapestDeliveryMinor
	// is the price of the store's cheapest standard delivery, in minor units
	// of the order's currency, which caps the delivery refunded when the
	// customer chose a dearer one; 0 sets no cap (withdrawalrefund.go).
	RefundDelivery        bool
	CheapestDeliveryMinor int64
	// CheapestDeliveryCurrency is the currency CheapestDeliveryMinor was
	// typed in (the shop's): the cap applies to orders paid in it alone, so
	// that 3.90 EUR never caps a delivery paid in dollars.
	CheapestDeliveryCurrency string
	// Withdrawal holds the settings of the right of withdrawal.
	Withdrawal WithdrawalSettings
	UpdatedAt  time.Time
	UpdatedBy  string
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
		InstructionsEN:   "Pack the item securely and send it to the address above. Keep the receipt from the post office until your return is complete.",
		InstructionsLV:   "Rūpīgi iepakojiet preci un nosūtiet to uz norādīto adresi. Saglabājiet pasta čeku, līdz atgriešana ir pabeigta.",

		PhotoRetentionDays: DefaultPhotoRetentionDays,
		StaffLanguage:      "en",
		RefundDelivery:     true,
		Withdrawal:         DefaultWithdrawalSettings(),
	}
}

// Policy returns the return policy part of the settings.
func (s Settings) Policy() Policy {
	return Policy{WindowDays: s.WindowDays, NonReturnableTag: s.NonReturnableTag}
}

// Address returns the return address in the given language ("en", "lv"):
// Latvian falls back to the English one when none is set.
func (s Settings) Address(lang string) string {
	if lang == "lv" && s.ReturnAddressLV != "" {
		return s.ReturnAddressLV
	}
	return s.ReturnAddress
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
	// SaveSettings saves the settings and records who changed them (by) and
	// when (s.UpdatedAt).
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

// SettingsService keeps the settings: it validates and saves them, and keeps
// the ones in effect in memory, since every customer page shows them and only a
// save changes them (the portal is one process; the admin command does not
// touch settings).
type SettingsService struct {
	store SettingsStore
	now   func() time.Time

	kept atomic.Pointer[Settings] // the settings as last read; nil after a save
	mu   sync.Mutex               // a read of the settings from the store, or a save
}

// NewSettingsService returns a SettingsService over store.
func NewSettingsService(store SettingsStore, now func() time.Time) *SettingsService {
	return &SettingsService{store: store, now: now}
}

// Settings returns the settings in effect.
func (s *SettingsService) Settings(ctx context.Context) (Settings, error) {
	if st := s.kept.Load(); st != nil {
		return *st, nil
	}
	// Under the lock a read cannot interleave with a save, so it never keeps
	// settings older than the saved ones.
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.kept.Load(); st != nil {
		return *st, nil
	}
	st, err := s.store.Settings(ctx)
	if err != nil {
		return Settings{}, fmt.Errorf("read settings: %w", err)
	}
	s.kept.Store(&st)
	return st, nil
}

// UpdateSettings validates and saves the settings, recording who changed them.
func (s *SettingsService) UpdateSettings(ctx context.Context, st Settings, by string) error {
	st.ReturnAddress = CleanText(st.ReturnAddress)
	st.NonReturnableTag = strings.TrimSpace(st.NonReturnableTag)
	st.InstructionsEN = CleanText(st.InstructionsEN)
	st.InstructionsLV = CleanText(st.InstructionsLV)
	st.StaffEmail = strings.TrimSpace(st.StaffEmail)
	fields := map[string]Message{}
	checkIdentitySettings(&st, fields)
	if st.ReturnAddress == "" {
		fields[FieldReturnAddress] = Msg("Enter the address returns are sent to.")
	} else if m := checkText(st.ReturnAddress, 500); m != nil {
		fields[FieldReturnAddress] = *m
	}
	if st.WindowDays < 1 || st.WindowDays > 365 {
		fields[FieldWindowDays] = Msg("Enter a number of days from 1 to 365.")
	}
	if m := checkText(st.NonReturnableTag, 255); m != nil || strings.Contains(st.NonReturnableTag, ",") {
		fields[FieldNonReturnableTag] = Msg("Enter one product tag, without commas.")
	}
	for name, text := range map[string]string{FieldInstructionsEN: st.InstructionsEN, FieldInstructionsLV: st.InstructionsLV} {
		if m := checkText(text, 4000); m != nil {
			fields[name] = *m
		}
	}
	if st.PhotoRetentionDays < 0 || st.PhotoRetentionDays > MaxPhotoRetentionDays {
		fields[FieldPhotoRetentionDays] = Msg("Enter a number of days from 0 to %d; 0 keeps photos.", MaxPhotoRetentionDays)
	}
	if st.StaffEmail != "" {
		if e := NormalizeEmail(st.StaffEmail); e == "" {
			fields[FieldStaffEmail] = Msg("Enter a valid email address, or leave it empty.")
		} else {
			st.StaffEmail = e
		}
	}
	if st.StaffLanguage == "" {
		// A caller that does not set it (a tool, a form from before it
		// existed passes it through keepUnsent) gets the default.
		st.StaffLanguage = StaffLanguages[0]
	}
	if !ValidStaffLanguage(st.StaffLanguage) {
		fields[FieldStaffLanguage] = Msg("Choose English or Latvian.")
	}
	st.RestockLocationID = strings.TrimSpace(st.RestockLocationID)
	if st.RestockLocationID != "" && !strings.HasPrefix(st.RestockLocationID, "gid://shopify/Location/") {
		fields[FieldRestockLocation] = Msg("Choose one of the shop’s locations.")
	}
	if st.CheapestDeliveryMinor < 0 {
		fields[FieldCheapestDelivery] = Msg("Enter a price of zero or more; leave it empty for no cap.")
	}
	checkWithdrawalSettings(&st.Withdrawal, fields)
	if err := Invalid(fields); err != nil {
		return err
	}
	st.UpdatedAt, st.UpdatedBy = s.now(), by
	s.mu.Lock()
	defer s.mu.Unlock()
	// Forget the kept settings whatever happens: the next read gets what the
	// database holds.
	defer s.kept.Store(nil)
	return s.store.SaveSettings(ctx, st, by)
}

// SettingsChanges returns the latest changes of the settings.
func (s *SettingsService) SettingsChanges(ctx context.Context) ([]SettingsChange, error) {
	return s.store.SettingsChanges(ctx, 20)
}
