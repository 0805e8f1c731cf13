package returns

// Status is where a return stands.
type Status string

const (
	StatusRequested          Status = "requested"
	StatusApproved           Status = "approved"
	StatusDeclined           Status = "declined"
	StatusCancelled          Status = "cancelled"
	StatusItemReceived       Status = "item_received"
	StatusRefunded           Status = "refunded"
	StatusReplacementShipped Status = "replacement_shipped"
	StatusClosed             Status = "closed"
)

// Statuses lists every status in workflow order.
var Statuses = []Status{
	StatusRequested, StatusApproved, StatusDeclined, StatusCancelled,
	StatusItemReceived, StatusRefunded, StatusReplacementShipped, StatusClosed,
}

// transitions is the state machine: the statuses each status may move to.
var transitions = map[Status][]Status{
	StatusRequested:          {StatusApproved, StatusDeclined, StatusCancelled},
	StatusApproved:           {StatusItemReceived, StatusRefunded, StatusReplacementShipped},
	StatusItemReceived:       {StatusRefunded},
	StatusRefunded:           {StatusClosed},
	StatusReplacementShipped: {StatusClosed},
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if s == v {
			return true
		}
	}
	return false
}

// CanMoveTo reports whether the state machine allows moving from s to next.
func (s Status) CanMoveTo(next Status) bool {
	for _, v := range transitions[s] {
		if v == next {
			return true
		}
	}
	return false
}

// Transition checks a move from s to next and returns an ECONFLICT error when the
// state machine does not allow it.
func (s Status) Transition(next Status) error {
	if !s.CanMoveTo(next) {
		return Errorf(ECONFLICT, "A return that is %s cannot become %s.", s, next)
	}
	return nil
}

// OpenStatuses are the statuses of a return that Shopify may still refund
// money of: not closed, declined, cancelled or refunded. The periodic pass
// over Shopify's refunds looks at the orders of returns in them.
var OpenStatuses = []Status{StatusRequested, StatusApproved, StatusItemReceived, StatusReplacementShipped}

// Active reports whether a return in status s still holds its items, i.e. they
// count as returned or requested and cannot be returned again.
func (s Status) Active() bool {
	return s != StatusDeclined && s != StatusCancelled
}

// Terminal reports whether a return in status s is done: no status follows
// it (declined, cancelled, closed).
func (s Status) Terminal() bool { return s.Valid() && len(transitions[s]) == 0 }

// TerminalStatuses lists the statuses for which Terminal is true.
func TerminalStatuses() []Status {
	var out []Status
	for _, s := range Statuses {
		if s.Terminal() {
			out = append(out, s)
		}
	}
	return out
}

func (s Status) label() string {
	switch s {
	case StatusItemReceived:
		return "item received"
	case StatusReplacementShipped:
		return "replacement shipped"
	}
	return string(s)
}
