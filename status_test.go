package returns_test

import (
	"testing"

	"github.com/returnsportal/returns"
)

// allowedMoves is the state machine of DESIGN.md ("Status"), written out again
// here so that a change to the table in status.go has to be made twice on purpose.
var allowedMoves = map[[2]returns.Status]bool{
	{returns.StatusRequested, returns.StatusApproved}:          true,
	{returns.StatusRequested, returns.StatusDeclined}:          true,
	{returns.StatusRequested, returns.StatusCancelled}:         true,
	{returns.StatusApproved, returns.StatusItemReceived}:       true,
	{returns.StatusApproved, returns.StatusRefunded}:           true,
	{returns.StatusApproved, returns.StatusReplacementShipped}: true,
	{returns.StatusItemReceived, returns.StatusRefunded}:       true,
	{returns.StatusRefunded, returns.StatusClosed}:             true,
	{returns.StatusReplacementShipped, returns.StatusClosed}:   true,
}

func TestStatusTransitions(t *testing.T) {
	// Every pair of statuses: the allowed ones pass, every other one is a conflict.
	for _, from := range returns.Statuses {
		for _, to := range returns.Statuses {
			allowed := allowedMoves[[2]returns.Status{from, to}]
			t.Run(string(from)+"→"+string(to), func(t *testing.T) {
				if got := from.CanMoveTo(to); got != allowed {
					t.Errorf("CanMoveTo() = %v, want %v", got, allowed)
				}
				err := from.Transition(to)
				if allowed {
					if err != nil {
						t.Errorf("Transition() error = %v", err)
					}
					return
				}
				if returns.ErrorCode(err) != returns.ECONFLICT {
					t.Errorf("Transition() = %v, want ECONFLICT", err)
				}
			})
		}
	}
}

func TestStatusTransitionMessages(t *testing.T) {
	tests := []struct {
		name     string
		from, to returns.Status
		want     string
	}{
		{"RefundDeclined", returns.StatusDeclined, returns.StatusRefunded, "A return that is declined cannot become refunded."},
		{"ApproveTwice", returns.StatusApproved, returns.StatusApproved, "A return that is approved cannot become approved."},
		{"CancelApproved", returns.StatusApproved, returns.StatusCancelled, "A return that is approved cannot become cancelled."},
		{"ReopenClosed", returns.StatusClosed, returns.StatusRequested, "A return that is closed cannot become requested."},
		{"ReceiveAfterRefund", returns.StatusRefunded, returns.StatusItemReceived, "A return that is refunded cannot become item received."},
		{"ShipAfterReceive", returns.StatusItemReceived, returns.StatusReplacementShipped, "A return that is item received cannot become replacement shipped."},
		{"SkipApproval", returns.StatusRequested, returns.StatusRefunded, "A return that is requested cannot become refunded."},
		{"FromUnknown", returns.Status("lost"), returns.StatusApproved, "A return that is lost cannot become approved."},
		{"ToUnknown", returns.StatusRequested, returns.Status(""), "A return that is requested cannot become ."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.from.Transition(tc.to)
			if returns.ErrorCode(err) != returns.ECONFLICT {
				t.Fatalf("Transition() = %v, want ECONFLICT", err)
			}
			if got := returns.ErrorMessage(err).String(); got != tc.want {
				t.Errorf("message = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestStatusTerminal(t *testing.T) {
	for _, s := range []returns.Status{returns.StatusDeclined, returns.StatusCancelled, returns.StatusClosed} {
		for _, to := range returns.Statuses {
			if s.CanMoveTo(to) {
				t.Errorf("%s can move to %s; it should be final", s, to)
			}
		}
	}
}

func TestStatusValidActive(t *testing.T) {
	for _, s := range returns.Statuses {
		if !s.Valid() {
			t.Errorf("%s.Valid() = false", s)
		}
		wantActive := s != returns.StatusDeclined && s != returns.StatusCancelled
		if got := s.Active(); got != wantActive {
			t.Errorf("%s.Active() = %v, want %v", s, got, wantActive)
		}
	}
	for _, s := range []returns.Status{"", "Requested", "refund", "deleted"} {
		if s.Valid() {
			t.Errorf("%q.Valid() = true", s)
		}
	}
}
