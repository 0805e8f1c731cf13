package returns

import (
	"encoding/json"
	"fmt"
)

// messageArg is one argument of a stored Message: its kind says which domain
// type it is, so that a page reading it back formats it in its language (an
// amount as "29,00 €", a status by its label) as it would have when written.
type messageArg struct {
	Kind    string   `json:"k"`
	Text    string   `json:"s,omitempty"`
	Int     int64    `json:"i,omitempty"`
	Minor   int64    `json:"m,omitempty"`
	Message *storedM `json:"msg,omitempty"`
}

// storedM is a Message nested as an argument of another (the error in "will
// retry: %s").
type storedM struct {
	Format string       `json:"f"`
	Args   []messageArg `json:"a,omitempty"`
}

// The kinds of stored arguments.
const (
	argText       = "text"
	argInt        = "int"
	argInt64      = "int64"
	argMoney      = "money"
	argStatus     = "status"
	argKind       = "kind"
	argReason     = "reason"
	argResolution = "resolution"
	argMessage    = "message"
)

// EncodeMessageArgs encodes the arguments of a Message as JSON, for storing
// with its format. It answers an error for an argument of a type it cannot
// read back, so that no message is stored that a page could not render.
func EncodeMessageArgs(args []any) (string, error) {
	enc, err := encodeArgs(args)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(enc)
	if err != nil {
		return "", fmt.Errorf("encode message arguments: %w", err)
	}
	return string(b), nil
}

func encodeArgs(args []any) ([]messageArg, error) {
	out := make([]messageArg, 0, len(args))
	for i, a := range args {
		var ma messageArg
		switch v := a.(type) {
		case string:
			ma = messageArg{Kind: argText, Text: v}
		case int:
			ma = messageArg{Kind: argInt, Int: int64(v)}
		case int64:
			ma = messageArg{Kind: argInt64, Int: v}
		case Money:
			ma = messageArg{Kind: argMoney, Text: v.Currency, Minor: v.Minor}
		case Status:
			ma = messageArg{Kind: argStatus, Text: string(v)}
		case Kind:
			ma = messageArg{Kind: argKind, Text: string(v)}
		case Reason:
			ma = messageArg{Kind: argReason, Text: string(v)}
		case Resolution:
			ma = messageArg{Kind: argResolution, Text: string(v)}
		case Message:
			nested, err := encodeArgs(v.Args)
			if err != nil {
				return nil, err
			}
			ma = messageArg{Kind: argMessage, Message: &storedM{Format: v.Format, Args: nested}}
		default:
			return nil, fmt.Errorf("encode message arguments: argument %d is a %T, which cannot be stored", i, a)
		}
		out = append(out, ma)
	}
	return out, nil
}

// DecodeMessageArgs reads back arguments that EncodeMessageArgs encoded, each
// as the domain type it was written as.
func DecodeMessageArgs(s string) ([]any, error) {
	if s == "" {
		return nil, nil
	}
	var enc []messageArg
	if err := json.Unmarshal([]byte(s), &enc); err != nil {
		return nil, fmt.Errorf("decode message arguments: %w", err)
	}
	return decodeArgs(enc)
}

func decodeArgs(enc []messageArg) ([]any, error) {
	if len(enc) == 0 {
		return nil, nil
	}
	args := make([]any, len(enc))
	for i, ma := range enc {
		switch ma.Kind {
		case argText:
			args[i] = ma.Text
		case argInt:
			args[i] = int(ma.Int)
		case argInt64:
			args[i] = ma.Int
		case argMoney:
			args[i] = Money{Minor: ma.Minor, Currency: ma.Text}
		case argStatus:
			args[i] = Status(ma.Text)
		case argKind:
			args[i] = Kind(ma.Text)
		case argReason:
			args[i] = Reason(ma.Text)
		case argResolution:
			args[i] = Resolution(ma.Text)
		case argMessage:
			if ma.Message == nil {
				return nil, fmt.Errorf("decode message arguments: argument %d is a message without one", i)
			}
			nested, err := decodeArgs(ma.Message.Args)
			if err != nil {
				return nil, err
			}
			args[i] = Message{Format: ma.Message.Format, Args: nested}
		default:
			return nil, fmt.Errorf("decode message arguments: argument %d is of the unknown kind %q", i, ma.Kind)
		}
	}
	return args, nil
}
