package main

import (
	"bytes"
	"database/sql"
	"io"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestSIGTERMFinishesInFlightWork stops the portal with SIGTERM while a photo
// upload is on its way and emails wait in the outbox behind a slow SMTP server:
// the upload finishes and is stored whole, the process exits cleanly, and after
// the next start every email goes out, each exactly once.
func TestSIGTERMFinishesInFlightWork(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the portal as a child process")
	}
	smtpPort := freePort(t)
	slow, _ := startInboxOn(t, "127.0.0.1:"+smtpPort, 1500*time.Millisecond)
	p := newChildPortal(t, "SMTP_HOST=127.0.0.1", "SMTP_PORT="+smtpPort, "SMTP_TLS=none", "MAIL_FROM=returns@example.com")

	// Emails to send: a return requested and approved, and another requested.
	scarf := p.returnScarf()
	staff := p.staff()
	if res, _ := p.post(staff, "/admin/returns/"+scarf+"/approve", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d", res.StatusCode)
	}

	// A customer uploads a photo over a slow connection.
	c := p.browser()
	p.post(c, "/", map[string][]string{"order": {"1001"}, "email": {"anna.berzina@example.lv"}})
	_, order := p.get(c, "/order?lang=en")
	key := regexp.MustCompile(`name="key" value="([0-9a-f]+)"`).FindStringSubmatch(order)[1]
	line := regexp.MustCompile(`name="line" value="([^"]+)"`).FindStringSubmatch(order)[1]
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range map[string]string{"key": key, "kind": "damaged", "description": "Torn.", "resolution": "replacement", "line": line, "qty-" + line: "1"} {
		mw.WriteField(k, v)
	}
	w, _ := mw.CreateFormFile("photos", "towel.jpg")
	w.Write(testJPEG(t))
	mw.Close()
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", p.base+"/order/returns", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.ContentLength = int64(body.Len())
	// The stop must come while the server is reading the upload, not before
	// it has taken the connection: a connection still waiting in the
	// listener's backlog (or idle between requests) is closed by the stop, as
	// it should be. So the upload asks to continue first, and its body goes
	// only once the handler reads it: the first half written means the
	// upload is in the server's hands.
	req.Header.Set("Expect", "100-continue")
	upload := &http.Client{
		Jar:           c.Jar,
		Transport:     &http.Transport{DisableKeepAlives: true, ExpectContinueTimeout: time.Minute},
		CheckRedirect: c.CheckRedirect,
		Timeout:       c.Timeout,
	}
	uploaded := make(chan *http.Response, 1)
	go func() {
		res, err := upload.Do(req)
		if err != nil {
			t.Errorf("upload: %v", err)
			uploaded <- nil
			return
		}
		res.Body.Close()
		uploaded <- res
	}()
	data := body.Bytes()
	pw.Write(data[:len(data)/2])

	// SIGTERM with the upload half sent and the SMTP server busy with an
	// email (it takes 1.5 s over each).
	select {
	case <-slow.receiving:
	case <-time.After(15 * time.Second):
		t.Fatal("no email reached the SMTP server")
	}
	stopped := make(chan error, 1)
	go func() { stopped <- p.stop() }()
	// The rest of the upload goes only once the portal is stopping.
	waitUntil(t, "the portal is shutting down", func() bool { return strings.Contains(p.logs.String(), "shutting down") })
	pw.Write(data[len(data)/2:])
	pw.Close()

	res := <-uploaded
	if res == nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the upload in flight did not finish with the confirmation: %+v", res)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("the portal did not exit cleanly: %v", err)
	}
	towel := regexp.MustCompile(`R-[0-9A-Z]{8}`).FindString(res.Header.Get("Location"))
	db, err := sql.Open("sqlite3", filepath.Join(p.dir, "portal.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	var photos, queued int
	db.QueryRow(`SELECT count(*) FROM photos JOIN returns ON returns.id = photos.return_id WHERE returns.code = ? AND length(photos.data) > 0`, towel).Scan(&photos)
	db.QueryRow(`SELECT count(*) FROM outbox WHERE status = 'queued'`).Scan(&queued)
	var integrity string
	db.QueryRow(`PRAGMA integrity_check`).Scan(&integrity)
	db.Close()
	if photos != 1 || integrity != "ok" {
		t.Fatalf("after the stop: %d photos stored for %s, integrity %q", photos, towel, integrity)
	}
	if queued == 0 {
		t.Fatal("no email was left queued by the stop: the test did not stop the portal mid-queue")
	}

	// The next start sends what is left, to a fast server now.
	slow.mu.Lock()
	slow.delay = 0
	slow.mu.Unlock()
	p.start()
	want := 3 // scarf requested and approved, towel requested
	waitOutboxIdle(t, filepath.Join(p.dir, "portal.db"), want)
	ids := map[string]int{}
	for _, m := range slow.snapshot() {
		ids[regexp.MustCompile(`(?mi)^Message-Id: (\S+)`).FindStringSubmatch(m)[1]]++
	}
	if len(ids) != want {
		t.Fatalf("%d distinct messages delivered, want %d", len(ids), want)
	}
	for id, n := range ids {
		if n != 1 {
			t.Errorf("message %s delivered %d times", id, n)
		}
	}
}
