package mail

import (
	"errors"
	"net/textproto"
	"regexp"

	gomail "github.com/wneessen/go-mail"
)

// PermanentError is a failure that sending the message again cannot cure: the
// server refused it with a 5xx answer, or the portal refused to send it (a bad
// address). Every other failure is temporary and worth another try.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// IsPermanent reports whether err, or an error it wraps, is a *PermanentError.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

// classify wraps err in a PermanentError when the server refused the message
// for good: a 5xx answer to MAIL FROM, RCPT TO or DATA. Refused connections,
// timeouts, TLS failures, 4xx answers and a connection lost halfway stay
// temporary. So do failures while connecting (greeting, EHLO, STARTTLS, AUTH;
// Send does not classify those): a wrong password or a server refusing all
// mail says nothing about the message, and once it is fixed the queue goes out
// without staff requeueing every email.
func classify(err error) error {
	if err == nil || IsPermanent(err) {
		return err
	}
	if code := replyCode(err); code >= 500 && code < 600 {
		return &PermanentError{Err: err}
	}
	return err
}

// replyCode returns the SMTP reply code err carries, or 0. go-mail reports a
// failed command of a message as a *SendError with the code; its smtp package
// answers other commands with a *textproto.Error.
func replyCode(err error) int {
	var se *gomail.SendError
	if errors.As(err, &se) {
		if se.Reason == gomail.ErrNoUnencoded {
			return 554 // the server cannot take the message as it is
		}
		return se.ErrorCode()
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return 0
}

// emailPattern finds email addresses in error texts from the server, which
// often quote the recipient.
var emailPattern = regexp.MustCompile(`[^\s<>"'(),;:\[\]]+@([^\s<>"'(),;:\[\]]+)`)

// redact hides the local part of every email address in s, for logs.
func redact(s string) string {
	return emailPattern.ReplaceAllString(s, "…@$1")
}
