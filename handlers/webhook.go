package handlers

import (
	"errors"
	"io"
	"net/http"
	"strings"

	returns "github.com/returnsportal/returns"
)

// maxWebhookBody is the largest webhook the portal reads. The payloads of its
// topics are a few kilobytes; an order of hundreds of lines stays far below.
const maxWebhookBody = 1 << 20

// handleShopifyWebhook takes a webhook delivery from Shopify: the body, at
// most maxWebhookBody, is read whole and its HMAC checked against the
// webhook secret before anything reads it; then it is stored and answered
// 200 at once, to be applied from the inbox. Nothing is stored for a
// delivery refused here. Answers are plain text: Shopify reads only the
// status.
func (s *Server) handleShopifyWebhook() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		topic := truncate(strings.TrimSpace(r.Header.Get(returns.HeaderWebhookTopic)), 100)
		if r.ContentLength > maxWebhookBody {
			s.log.Warn("webhook refused: body over the limit", "topic", topic, "bytes", r.ContentLength)
			http.Error(w, "Request body too large.", http.StatusRequestEntityTooLarge)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			s.log.Warn("webhook refused: body over the limit", "topic", topic)
			http.Error(w, "Request body too large.", http.StatusRequestEntityTooLarge)
			return
		}
		if err != nil {
			s.log.Warn("webhook body not read", "topic", topic, "err", err)
			http.Error(w, "Bad request.", http.StatusBadRequest)
			return
		}
		if !returns.VerifyWebhookHMAC(s.cfg.WebhookSecret, body, r.Header.Get(returns.HeaderWebhookHMAC)) {
			s.log.Warn("webhook refused: its signature does not verify with the webhook secret", "topic", topic, "secret_set", s.cfg.WebhookSecret != "")
			http.Error(w, "Unauthorized.", http.StatusUnauthorized)
			return
		}
		if s.shopEvents == nil {
			http.Error(w, "Webhooks are not taken in.", http.StatusServiceUnavailable)
			return
		}
		h := returns.ReadWebhookHeaders(r.Header.Get)
		if err := s.shopEvents.Receive(r.Context(), topic, body, h); err != nil {
			// Not stored: Shopify sends it again.
			s.log.Error("webhook not stored", "topic", topic, "webhook", h.WebhookID, "err", err)
			http.Error(w, "Not stored; send it again.", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
}
