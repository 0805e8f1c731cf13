// Package views renders the portal's pages: templ components fed view models,
// with no I/O.
//
// Each page is a .templ file with, beside it, a .go file of the same name that
// holds its view model and the logic that shapes it: the customer pages
// (lookup, access_link, order, confirmation, return, error) in layout.templ's
// document, the backoffice's (admin_*) in admin_layout.templ's. Every form is
// shown from one model, Form (form.go): the values sent, a message per field,
// a summary in page order and the ids that tie a control to its hint and its
// message.
//
// A view model carries data (the domain's values, codes, ids, strings), never
// a URL builder: the pages build every link with package paths, which the
// router registers too. The customer pages speak English and Latvian through
// Localizer (i18n.go, with the Latvian in catalog_lv.go); the backoffice
// speaks English only and writes its texts as they are.
package views
