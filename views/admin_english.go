package views

// english formats the domain's values on the backoffice pages not yet moved
// to staffL.
var english = Localizer{Lang: "en"}
