package handlers

import (
	"context"
	"io"
	"time"

	returns "github.com/returnsportal/returns"
)

// Services are the domain's services the pages use, each seen through the
// interface of what the HTTP layer asks of it.
type Services struct {
	Customers   Customers
	AccessLinks AccessLinks
	Settings    Settings
	Accounts    Accounts
	Backoffice  Backoffice
	Refunds     Refunds
	Outbox      Outbox
	ShopEvents  ShopEvents
	Connection  Connection
	Reports     Reports

	AutoApproval AutoApproval
	// Replacements makes replacement orders in Shopify; nil when the
	// portal does not (replacements are then shipped by hand alone).
	Replacements Replacements
	// Identity is the store's identity and logo; nil shows pages without
	// them (tests of other things).
	Identity StoreIdentity
}

// StoreIdentity is the store as pages show it, and its logo.
type StoreIdentity interface {
	StoreIdentity(ctx context.Context) returns.StoreIdentity
	SaveLogo(ctx context.Context, upload returns.PhotoUpload, by string) error
	RemoveLogo(ctx context.Context, by string) error
	Logo(ctx context.Context, hash string) (*returns.Logo, error)
}

// Connection is the checklist of the connection to Shopify.
type Connection interface {
	Check(ctx context.Context) (returns.ConnectionReport, error)
	Last() (returns.ConnectionReport, bool)
}

// Customers is what the customer pages need of the domain.
type Customers interface {
	LookupOrder(ctx context.Context, number, email string) (*returns.Order, error)
	CustomerOrder(ctx context.Context, orderID string) (*returns.CustomerOrder, error)
	SubmitReturn(ctx context.Context, orderID string, req returns.ReturnRequest) (*returns.Return, error)
	CustomerReturn(ctx context.Context, orderID, code string) (*returns.Return, []returns.Event, error)
	CustomerReturnVersion(ctx context.Context, orderID, code string) (int64, error)
	ReturnByToken(ctx context.Context, token string) (*returns.Return, error)
	ReturnPhoto(ctx context.Context, orderID, code string, photoID int64) (*returns.Photo, error)
	CancelReturn(ctx context.Context, orderID, code string) error
	SendParcel(ctx context.Context, orderID, code string, in returns.ShipmentInput) (*returns.Parcel, error)
}

// AccessLinks are the one-time links emailed to an order's address.
type AccessLinks interface {
	RequestAccessLink(ctx context.Context, number, email, lang string) error
	AccessLinkOpens(ctx context.Context, token string) error
	UseAccessLink(ctx context.Context, token string) (*returns.AccessLink, error)
}

// Settings are the store's settings for the portal.
type Settings interface {
	Settings(ctx context.Context) (returns.Settings, error)
	UpdateSettings(ctx context.Context, st returns.Settings, by string) error
	SettingsChanges(ctx context.Context) ([]returns.SettingsChange, error)
}

// AutoApproval keeps the auto-approval rules.
type AutoApproval interface {
	Rules(ctx context.Context) ([]returns.AutoApprovalRule, error)
	NewRuleCurrency(ctx context.Context) string
	SaveRule(ctx context.Context, in returns.AutoApprovalRuleInput, by string) (returns.AutoApprovalRule, error)
	DeleteRule(ctx context.Context, id int64, by string) error
}

// Accounts signs staff in and out.
type Accounts interface {
	SignIn(ctx context.Context, email, password string) (token string, st *returns.Staff, err error)
	StaffBySession(ctx context.Context, token string) (*returns.Staff, error)
	SignOut(ctx context.Context, token string) error
	// SetStaffLanguage saves the language a staff member reads the
	// backoffice and their emails in.
	SetStaffLanguage(ctx context.Context, staffID int64, lang string) error
}

// Backoffice is staff's work on returns, refunds aside.
type Backoffice interface {
	ReturnQueue(ctx context.Context, f returns.QueueFilter) (*returns.QueuePage, error)
	StaffReturnView(ctx context.Context, code string) (*returns.StaffReturn, error)
	StaffPhoto(ctx context.Context, code string, photoID int64) (*returns.Photo, error)
	Approve(ctx context.Context, staffID int64, code, message string) error
	Decline(ctx context.Context, staffID int64, code, reason string) error
	MarkReceived(ctx context.Context, staffID int64, code string) error
	ShipReplacement(ctx context.Context, staffID int64, code string, in returns.ShipmentInput) (*returns.Shipment, error)
	Close(ctx context.Context, staffID int64, code string) error
	AddNote(ctx context.Context, staffID int64, code, text string) error
	// WithdrawalRecord is a withdrawal's record for a complaint.
	WithdrawalRecord(ctx context.Context, code string) (*returns.WithdrawalRecord, error)
}

// Replacements makes the replacement orders of replacement requests, and
// switches a replacement request to a refund.
type Replacements interface {
	CreateOrder(ctx context.Context, staffID int64, code string, variants map[string]string) (*returns.ReplacementOrder, error)
	SwitchToRefund(ctx context.Context, staffID int64, code, reason string) error
	LineVariants(ctx context.Context, code string) (map[string][]returns.VariantChoice, error)
	// MakesOrders reports whether the portal makes replacement orders in
	// Shopify; without, replacements are shipped by hand alone.
	MakesOrders() bool
}

// Refunds refunds returns through Shopify.
type Refunds interface {
	Refund(ctx context.Context, staffID int64, code string, in returns.RefundInput) (*returns.Refund, error)
	// RestockLocations are the shop's locations returned items can be
	// restocked at, for the settings page.
	RestockLocations(ctx context.Context) ([]returns.Location, error)
	ReconcileRefund(ctx context.Context, code string, refundID int64) (*returns.Refund, error)
	ConfirmManualPaid(ctx context.Context, staffID int64, code string, refundID int64) error
}

// Outbox is the outbox as staff see it.
type Outbox interface {
	Outbox(ctx context.Context, status returns.OutboxStatus, before int64) (*returns.OutboxPage, error)
	OutboxMessage(ctx context.Context, id int64) (*returns.OutboxMessage, error)
	RequeueOutbox(ctx context.Context, id int64) error
}

// Reports adds up the returns of a period for staff, and exports them.
type Reports interface {
	ReportPeriod(from, to string) (returns.ReportPeriod, error)
	Report(ctx context.Context, p returns.ReportPeriod) (*returns.Report, error)
	ExportCSV(ctx context.Context, p returns.ReportPeriod, w io.Writer) error
}

// ShopEvents is what Shopify tells the portal by webhook, and what became of
// the shop.
type ShopEvents interface {
	// Receive stores a delivery whose signature holds; an error means it was
	// not stored.
	Receive(ctx context.Context, topic string, body []byte, h returns.WebhookHeaders) error
	// UninstalledAt is when the app was uninstalled from the shop, zero while
	// it is installed.
	UninstalledAt(ctx context.Context) time.Time
}
