package returns_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/returnsportal/returns"
)

// outboxQuery is one call of OutboxMessages.
type outboxQuery struct {
	status returns.OutboxStatus
	before int64
	limit  int
}

// fakeOutboxStore is an OutboxStore that records its calls; the …Fn fields
// answer.
type fakeOutboxStore struct {
	OutboxMessagesFn func(q outboxQuery) ([]returns.OutboxMessage, error)
	OutboxMessageFn  func(id int64) (*returns.OutboxMessage, error)
	RequeueOutboxFn  func(id int64, now time.Time) error

	queries []outboxQuery
}

func (s *fakeOutboxStore) OutboxMessages(ctx context.Context, status returns.OutboxStatus, before int64, limit int) ([]returns.OutboxMessage, error) {
	q := outboxQuery{status, before, limit}
	s.queries = append(s.queries, q)
	return s.OutboxMessagesFn(q)
}

func (s *fakeOutboxStore) OutboxMessage(ctx context.Context, id int64) (*returns.OutboxMessage, error) {
	return s.OutboxMessageFn(id)
}

func (s *fakeOutboxStore) RequeueOutbox(ctx context.Context, id int64, now time.Time) error {
	return s.RequeueOutboxFn(id, now)
}

// messagesFrom returns n messages with IDs counting down from the newest.
func messagesFrom(newest int64, n int) []returns.OutboxMessage {
	var ms []returns.OutboxMessage
	for i := range n {
		ms = append(ms, returns.OutboxMessage{ID: newest - int64(i)})
	}
	return ms
}

func TestOutboxPages(t *testing.T) {
	for _, tc := range []struct {
		name   string
		found  int
		shown  int
		next   int64
		status returns.OutboxStatus
		before int64
	}{
		{name: "MorePages", found: 51, shown: 50, next: 951, before: 1001},
		{name: "LastPage", found: 50, shown: 50, next: 0, status: returns.OutboxFailed},
		{name: "Empty", found: 0, shown: 0, next: 0, status: returns.OutboxUnsent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := &fakeOutboxStore{OutboxMessagesFn: func(outboxQuery) ([]returns.OutboxMessage, error) { return messagesFrom(1000, tc.found), nil }}
			svc := returns.NewOutboxService(store, func() time.Time { return serviceNow })
			p, err := svc.Outbox(context.Background(), tc.status, tc.before)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Messages) != tc.shown || p.Next != tc.next {
				t.Errorf("page of %d, next %d; want %d, next %d", len(p.Messages), p.Next, tc.shown, tc.next)
			}
			if want := (outboxQuery{tc.status, tc.before, 51}); len(store.queries) != 1 || store.queries[0] != want {
				t.Errorf("asked %+v, want %+v: one more than a page, to know whether another follows", store.queries, want)
			}
		})
	}

	t.Run("StoreError", func(t *testing.T) {
		down := errors.New("disk I/O error")
		store := &fakeOutboxStore{OutboxMessagesFn: func(outboxQuery) ([]returns.OutboxMessage, error) { return nil, down }}
		svc := returns.NewOutboxService(store, func() time.Time { return serviceNow })
		if _, err := svc.Outbox(context.Background(), "", 0); !errors.Is(err, down) || !strings.HasPrefix(err.Error(), "read outbox: ") {
			t.Errorf("Outbox() = %v, want the store's error wrapped", err)
		}
	})
}

func TestOutboxMessageAndRequeue(t *testing.T) {
	var requeued []time.Time
	store := &fakeOutboxStore{
		OutboxMessageFn: func(id int64) (*returns.OutboxMessage, error) {
			if id != 7 {
				return nil, returns.Errorf(returns.ENOTFOUND, "Message not found.")
			}
			return &returns.OutboxMessage{ID: 7, Status: returns.OutboxFailed}, nil
		},
		RequeueOutboxFn: func(id int64, now time.Time) error {
			if id != 7 {
				return returns.Errorf(returns.ECONFLICT, "This message is queued or sent already.")
			}
			requeued = append(requeued, now)
			return nil
		},
	}
	now := serviceNow.Add(time.Hour)
	svc := returns.NewOutboxService(store, func() time.Time { return now })
	ctx := context.Background()
	if m, err := svc.OutboxMessage(ctx, 7); err != nil || m.ID != 7 {
		t.Errorf("OutboxMessage(7) = %+v, %v", m, err)
	}
	if _, err := svc.OutboxMessage(ctx, 8); returns.ErrorCode(err) != returns.ENOTFOUND {
		t.Errorf("OutboxMessage(8) = %v, want ENOTFOUND", err)
	}
	if err := svc.RequeueOutbox(ctx, 7); err != nil || len(requeued) != 1 || !requeued[0].Equal(now) {
		t.Errorf("RequeueOutbox(7) = %v, requeued at %v; want now, by the service's clock", err, requeued)
	}
	if err := svc.RequeueOutbox(ctx, 8); returns.ErrorCode(err) != returns.ECONFLICT {
		t.Errorf("RequeueOutbox(8) = %v, want ECONFLICT", err)
	}
}
