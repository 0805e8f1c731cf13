package returns_test

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/returnsportal/returns"
)

func TestErrorCodeAndMessage(t *testing.T) {
	notFound := returns.Errorf(returns.ENOTFOUND, "No return %s.", "R-7KQ9X2MD")
	tests := []struct {
		name string
		err  error
		code string
		msg  string
	}{
		{"Nil", nil, "", "Internal error."},
		{"DomainError", notFound, returns.ENOTFOUND, "No return R-7KQ9X2MD."},
		{"Wrapped", fmt.Errorf("read return: %w", notFound), returns.ENOTFOUND, "No return R-7KQ9X2MD."},
		{"WrappedTwice", fmt.Errorf("a: %w", fmt.Errorf("b: %w", notFound)), returns.ENOTFOUND, "No return R-7KQ9X2MD."},
		{"Joined", errors.Join(io.EOF, notFound), returns.ENOTFOUND, "No return R-7KQ9X2MD."},
		{"OuterWins", returns.Errorf(returns.EUNAVAILABLE, "Shopify is not answering."), returns.EUNAVAILABLE, "Shopify is not answering."},
		{"Plain", io.ErrUnexpectedEOF, returns.EINTERNAL, "Internal error."},
		{"PlainWrapped", fmt.Errorf("query: %w", errors.New("database is locked")), returns.EINTERNAL, "Internal error."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := returns.ErrorCode(tc.err); got != tc.code {
				t.Errorf("ErrorCode() = %q, want %q", got, tc.code)
			}
			if got := returns.ErrorMessage(tc.err).String(); got != tc.msg {
				t.Errorf("ErrorMessage() = %q, want %q", got, tc.msg)
			}
		})
	}
}

func TestErrorString(t *testing.T) {
	err := returns.Errorf(returns.EINVALID, "Use at most %d decimal places.", 2)
	if got, want := err.Error(), "returns error: code=invalid message=Use at most 2 decimal places."; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if err.Msg.Format != "Use at most %d decimal places." || len(err.Msg.Args) != 1 {
		t.Errorf("Msg = %+v: the format and its arguments must stay apart for translation", err.Msg)
	}
}

func TestInvalid(t *testing.T) {
	if err := returns.Invalid(nil); err != nil {
		t.Errorf("Invalid(nil) = %v, want a nil error", err)
	}
	if err := returns.Invalid(map[string]returns.Message{}); err != nil {
		t.Errorf("Invalid(empty) = %v, want a nil error", err)
	}
	fields := map[string]returns.Message{"note": returns.Msg("Tell us what is wrong with the item.")}
	err := fmt.Errorf("submit: %w", returns.Invalid(fields))
	if got := returns.ErrorCode(err); got != returns.EINVALID {
		t.Errorf("ErrorCode() = %q, want %q", got, returns.EINVALID)
	}
	if got, want := returns.ErrorMessage(err).String(), "Please correct the marked fields."; got != want {
		t.Errorf("ErrorMessage() = %q, want %q", got, want)
	}
	if got := returns.ErrorFields(err); len(got) != 1 || got["note"].String() != "Tell us what is wrong with the item." {
		t.Errorf("ErrorFields() = %v", got)
	}
	if got := returns.ErrorFields(io.EOF); got != nil {
		t.Errorf("ErrorFields(io.EOF) = %v, want nil", got)
	}
	if got := returns.ErrorFields(returns.Errorf(returns.EINVALID, "x")); got != nil {
		t.Errorf("ErrorFields() of an error without fields = %v, want nil", got)
	}
}
