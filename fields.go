package returns

// Form field names. The domain reports what is wrong with a request by the name
// of the field that holds it (Invalid), and the pages name their fields the same,
// so each name is a contract between the two, written here once.
const (
	// The lookup form and the sign-in form.
	FieldOrder    = "order"
	FieldEmail    = "email"
	FieldPassword = "password"

	// The return form.
	FieldForm        = "form" // a message about the form as a whole (it expired)
	FieldKey         = "key"  // the form's submission key, or a refund form's idempotency key
	FieldItems       = "items"
	FieldLine        = "line"         // a chosen line item (one per line)
	FieldQuantityOf  = "qty-"         // + the line item's id: its quantity
	FieldKind        = "kind"         // damaged or dissatisfied
	FieldReason      = "reason"       // a dissatisfied customer's reason; a decline's reason
	FieldDescription = "description"  // what is wrong with a damaged item
	FieldOtherReason = "other_reason" // a dissatisfied customer's own reason
	FieldResolution  = "resolution"
	FieldPhotos      = "photos"

	// A report's period: its first and last day.
	FieldReportFrom = "from"
	FieldReportTo   = "to"

	// Staff actions.
	FieldMessage     = "message" // staff's word to the customer with an approval
	FieldAmount      = "amount"
	FieldRaise       = "raise" // refund more than the items are worth
	FieldRaiseReason = "raise_reason"
	// FieldRestock holds, once per ticked item, the line item ids to put back
	// into stock; FieldRestockShown says the form offered the choice.
	FieldRestock      = "restock"
	FieldRestockShown = "restock_shown"
	FieldCarrier      = "carrier"
	FieldCarrierName  = "carrier_name"
	FieldNumber       = "number" // a tracking number
	FieldTrackingURL  = "tracking_url"
	FieldNote         = "note" // an internal staff note

	// Settings.
	FieldReturnAddress      = "return_address"
	FieldWindowDays         = "window_days"
	FieldNonReturnableTag   = "non_returnable_tag"
	FieldInstructionsEN     = "instructions_en"
	FieldInstructionsLV     = "instructions_lv"
	FieldStaffEmail         = "staff_email"
	FieldRequireEmailedLink = "require_emailed_link"
	FieldPhotoRetentionDays = "photo_retention_days"
)

// FieldQuantity is the name of the quantity field of a line item.
func FieldQuantity(lineItemID string) string { return FieldQuantityOf + lineItemID }
