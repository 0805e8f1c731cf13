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
	FieldRestock = "restock"
	// FieldRefundMethod is "store_credit" for a refund as store credit.
	FieldRefundMethod = "refund_method"
	FieldRestockShown = "restock_shown"
	// FieldPartialReason is why staff refund less than the items are worth,
	// shown to the customer.
	FieldPartialReason = "partial_reason"
	FieldCarrier       = "carrier"
	FieldCarrierName   = "carrier_name"
	FieldNumber        = "number" // a tracking number
	// FieldConfirm is "yes" on the second step of cancelling a return: the
	// first only asks whether the customer means it.
	FieldConfirm     = "confirm"
	FieldTrackingURL = "tracking_url"
	FieldNote        = "note" // an internal staff note
	// FieldSwitchReason is why staff switch a replacement request to a
	// refund, shown to the customer.
	FieldSwitchReason = "switch_reason"
	// FieldVariantPrefix starts the name of a replacement order form's
	// field that picks another variant for a line: the prefix and the line
	// item's id.
	FieldVariantPrefix = "variant_"

	// Settings.
	FieldReturnAddress      = "return_address"
	FieldWindowDays         = "window_days"
	FieldNonReturnableTag   = "non_returnable_tag"
	FieldInstructionsEN     = "instructions_en"
	FieldInstructionsLV     = "instructions_lv"
	FieldStaffEmail         = "staff_email"
	FieldRequireEmailedLink = "require_emailed_link"
	FieldPhotoRetentionDays = "photo_retention_days"
	// FieldRestockLocation is the Shopify location returned items are
	// restocked at.
	FieldRestockLocation = "restock_location_id"
	// FieldRefundDelivery and FieldCheapestDelivery are the settings of the
	// delivery a withdrawal refunds.
	FieldRefundDelivery   = "refund_delivery"
	FieldCheapestDelivery = "cheapest_delivery"
	// The store's identity: its name, contact address, time zone and logo
	// (an upload of its own form), and the Latvian return address.
	FieldStoreName    = "store_name"
	FieldContactEmail = "contact_email"
	FieldTimeZone     = "time_zone"
	// FieldStaffLanguage is the store's backoffice language, for staff
	// accounts that have not chosen their own.
	FieldStaffLanguage   = "staff_language"
	FieldLogo            = "logo"
	FieldReturnAddressLV = "return_address_lv"
)

// The form of an auto-approval rule.
const (
	FieldRuleID           = "rule" // the rule's ID; empty for a new rule
	FieldRuleName         = "rule_name"
	FieldRuleEnabled      = "enabled"
	FieldRuleKinds        = "kinds" // a message about the two kinds below
	FieldRuleDissatisfied = "dissatisfied"
	FieldRuleDamaged      = "damaged"
	FieldRuleDays         = "within_days"
	FieldRuleMaxAmount    = "max_amount"
	FieldRuleCurrency     = "currency"
	// SettingAutoApprovalRules names the rules in the history of the
	// settings' changes.
	SettingAutoApprovalRules = "auto_approval_rules"
)

// FieldQuantity is the name of the quantity field of a line item.
func FieldQuantity(lineItemID string) string { return FieldQuantityOf + lineItemID }

// The settings of the right of withdrawal.
const (
	FieldWithdrawalLinkEN       = "withdrawal_link_en"
	FieldWithdrawalLinkLV       = "withdrawal_link_lv"
	FieldExemptCustomMadeTag    = "exempt_custom_made_tag"
	FieldExemptPerishableTag    = "exempt_perishable_tag"
	FieldExemptSealedHygieneTag = "exempt_sealed_hygiene_tag"
	FieldDeliveryDays           = "delivery_days"
	FieldNotInformedTag         = "not_informed_tag"
)

// The statement of withdrawal's form (the items are FieldLine and
// FieldQuantityOf, the key FieldKey, the email FieldEmail).
const (
	FieldName             = "name"
	FieldWithdrawalReason = "withdrawal_reason" // optional
	FieldArrived          = "arrived"           // the day a letter or an email arrived, for staff
	FieldChannel          = "channel"           // email or post, for staff
	// FieldFindOrder names the registration form's button that finds the
	// order and shows its lines; FieldItemsShown says the form showed them,
	// so that the items sent (or none) are what staff chose.
	FieldFindOrder  = "find_order"
	FieldItemsShown = "items_shown"
)
