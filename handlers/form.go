package handlers

import (
	"net/http"
	"net/url"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/views"
)

// maxFormBytes caps the body of a plain (not multipart) form, and the text
// fields of the return form together.
const maxFormBytes = 64 << 10

// errFormUnreadable is the answer to a form whose body could not be read: too
// large, cut off, or not a form.
var errFormUnreadable = returns.Errorf(returns.EINVALID, "The form could not be read. Please try again.")

// parseForm reads a plain form's body, capped at maxFormBytes, into r.PostForm.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	return r.ParseForm()
}

// failedForm is a form shown again after err refused it: the values sent (the
// first of each name), err's message, and its messages per field.
func failedForm(err error, sent url.Values) views.Form {
	form := sentForm(sent)
	msg := returns.ErrorMessage(err)
	form.Error, form.Fields = &msg, returns.ErrorFields(err)
	return form
}

// sentForm is a form showing the values sent, without messages.
func sentForm(sent url.Values) views.Form {
	values := make(map[string]string, len(sent))
	for name := range sent {
		values[name] = sent.Get(name)
	}
	return views.Form{Values: values}
}

// lookupForm is the form that asks for an order number and an email address,
// showing what was typed (cut to what its fields take) and msg, the one message
// of a failed lookup (nil for none).
func lookupForm(order, email string, msg *returns.Message) views.Form {
	return views.Form{
		Values: map[string]string{returns.FieldOrder: truncate(order, 64), returns.FieldEmail: truncate(email, 254)},
		Error:  msg,
	}
}

// truncate cuts s to at most n bytes on a rune boundary, for echoing input back.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
