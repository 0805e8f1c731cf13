// Package returns holds the domain of the returns portal: orders as the portal sees
// them, returns and their state machine, eligibility rules, money, and the Service
// that carries out the use cases over small interfaces implemented by the adapters
// (db, shopify, mail, photo).
package returns

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status in the handlers; only the message of an
// *Error is ever shown to a person.
const (
	EINVALID      = "invalid"      // bad input; the message says what to fix
	ENOTFOUND     = "not_found"    // no such thing, or not visible to this caller
	ECONFLICT     = "conflict"     // the state does not allow this (e.g. an illegal transition)
	EUNAVAILABLE  = "unavailable"  // a dependency (Shopify) failed; trying again later may help
	ERATELIMIT    = "rate_limited" // too many attempts
	EUNAUTHORIZED = "unauthorized" // not signed in, or the session ended
	EINTERNAL     = "internal"     // a bug or an unexpected failure
	// EUNKNOWN is the code of an error whose outcome is unknown: the request
	// may have been carried out (a refund whose answer was lost).
	EUNKNOWN = "unknown_outcome"
)

// Message is text for people: an English format string and its arguments. Pages
// translate it by looking the format up in their language's catalog.
type Message struct {
	Format string
	Args   []any
}

// Msg returns a Message.
func Msg(format string, args ...any) Message { return Message{Format: format, Args: args} }

// String returns the message in English; a Status argument reads as its English
// label ("item received"). Pages translate the format and the arguments instead.
func (m Message) String() string {
	args := make([]any, len(m.Args))
	for i, a := range m.Args {
		switch v := a.(type) {
		case Status:
			a = v.label()
		case Message:
			a = v.String()
		}
		args[i] = a
	}
	return fmt.Sprintf(m.Format, args...)
}

// Error is a domain error: a code for programs and a message for people.
type Error struct {
	Code string
	Msg  Message
	// Fields holds per-field messages of a failed form validation, keyed by the
	// form field's name; Msg then summarises them.
	Fields map[string]Message
}

func (e *Error) Error() string {
	return fmt.Sprintf("returns error: code=%s message=%s", e.Code, e.Msg.String())
}

// Errorf returns an *Error with the given code and message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Msg: Msg(format, args...)}
}

// Invalid returns an EINVALID error carrying per-field messages, or nil when fields
// is empty.
func Invalid(fields map[string]Message) error {
	if len(fields) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Msg: Msg("Please correct the marked fields."), Fields: fields}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for any
// other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, or a generic
// message for any other error, so that internal details never reach a page.
func ErrorMessage(err error) Message {
	var e *Error
	if errors.As(err, &e) {
		return e.Msg
	}
	return Msg("Internal error.")
}

// ErrorFields returns the per-field messages of err, if it carries any.
func ErrorFields(err error) map[string]Message {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}
