package handlers

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestSleepHonoursContext: the wait before a slowed-down sign-in ends when the
// client gives up, long before its hour.
func TestSleepHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sleep(ctx, time.Hour) }()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("sleep() = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("sleep did not return after its context was cancelled")
	}
	if err := sleep(context.Background(), 0); err != nil {
		t.Fatalf("sleep(0) = %v", err)
	}
}
