package handlers_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	returns "github.com/returnsportal/returns"
	"github.com/returnsportal/returns/handlers"
	"github.com/returnsportal/returns/photo"
)

// The return form's photos go to temporary files, not memory, and nothing of
// them is left once the request ends, however it ends. The files are looked
// for in /proc/self/fd: they have no name in their directory while in use, so
// an open descriptor is what shows one.

// uploadDir points os.TempDir at a directory of the test's own, for the
// uploads of the requests that follow.
func uploadDir(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("needs /proc/self/fd to see the open upload files")
	}
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	// An *os.File left open is closed by its finalizer once collected; with
	// the collector off, only the handler can close it.
	gc := debug.SetGCPercent(-1)
	t.Cleanup(func() { debug.SetGCPercent(gc) })
	return dir
}

// openUploads returns the files under dir that this process holds open.
func openUploads(t testing.TB, dir string) []string {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	var open []string
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err == nil && strings.HasPrefix(target, dir+string(filepath.Separator)) {
			open = append(open, target)
		}
	}
	return open
}

// eventually waits until cond holds, at most 10 s (a liveness bound).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within 10 s: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// checkNothingLeft fails unless no upload file is open or named in dir.
func checkNothingLeft(t *testing.T, dir string) {
	t.Helper()
	eventually(t, "upload files closed", func() bool { return len(openUploads(t, dir)) == 0 })
	if names, _ := os.ReadDir(dir); len(names) != 0 {
		t.Errorf("files left in the upload directory: %v", names)
	}
}

// seeingPhotos is a PhotoProcessor that records what the uploads are while it
// is called, then hands them to another (or panics, when next is nil).
type seeingPhotos struct {
	t     *testing.T
	dir   string
	next  returns.PhotoProcessor
	mu    sync.Mutex
	calls []seen
}

type seen struct {
	uploads   int
	openFiles []string // open upload files in dir
	names     int      // names in dir
}

func (p *seeingPhotos) Process(ctx context.Context, uploads []returns.PhotoUpload) ([]returns.Photo, error) {
	names, _ := os.ReadDir(p.dir)
	p.mu.Lock()
	p.calls = append(p.calls, seen{uploads: len(uploads), openFiles: openUploads(p.t, p.dir), names: len(names)})
	p.mu.Unlock()
	if p.next == nil {
		panic("photo processor broke")
	}
	return p.next.Process(ctx, uploads)
}

func TestReturnFormPhotosGoToFiles(t *testing.T) {
	dir := uploadDir(t)
	h := newHarness(t, nil)
	c := h.client()
	h.lookup(c, "1001", "anna.berzina@example.lv")
	photoPart := part{name: "photos", filename: "towel.jpg", data: jpegBytes(t, 640, 480)}
	form := func(item, description string, photos ...part) []part {
		key, lines := h.orderForm(c)
		line := lines[item]
		if line == "" {
			t.Fatalf("%s cannot be chosen", item)
		}
		return append([]part{field("key", key), field("kind", "damaged"), field("description", description),
			field("resolution", "refund"), field("line", line), field("qty-"+line, "1")}, photos...)
	}
	seeing := &seeingPhotos{t: t, dir: dir, next: photo.New()}
	h.deps.Photos = seeing
	h.rebuild()

	t.Run("RefusedPhoto", func(t *testing.T) {
		a := h.postMultipart(c, "/order/returns", form("Linen tea towel", "Torn.", photoPart, part{name: "photos", filename: "x.jpg", data: []byte("not an image")}))
		if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, "not a JPEG, PNG or WebP") {
			t.Fatalf("status %d, want 422 refusing the second photo", a.status)
		}
		checkNothingLeft(t, dir)
	})
	t.Run("FormInvalid", func(t *testing.T) {
		a := h.postMultipart(c, "/order/returns", form("Linen tea towel", "", photoPart))
		if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, "Tell us what is wrong") {
			t.Fatalf("status %d, want 422 asking for a description", a.status)
		}
		checkNothingLeft(t, dir)
	})
	t.Run("Accepted", func(t *testing.T) {
		a := h.postMultipart(c, "/order/returns", form("Linen tea towel", "Torn.", photoPart, photoPart))
		if a.status != http.StatusSeeOther {
			t.Fatalf("status %d, want 303\n%s", a.status, a.body)
		}
		checkNothingLeft(t, dir)
	})
	// While the photos were processed, each was an open file in the upload
	// directory, with no name left there.
	seeing.mu.Lock()
	calls := seeing.calls
	seeing.mu.Unlock()
	if len(calls) != 2 {
		t.Fatalf("photo processor called %d times, want 2 (the invalid form never reaches it)", len(calls))
	}
	for i, call := range calls {
		if len(call.openFiles) != call.uploads || call.names != 0 {
			t.Errorf("call %d: %d uploads, %d open files %v, %d names in the directory; want one open file each, no names",
				i+1, call.uploads, len(call.openFiles), call.openFiles, call.names)
		}
	}

	t.Run("Panic", func(t *testing.T) {
		panicking := &seeingPhotos{t: t, dir: dir}
		h.deps.Photos = panicking
		h.rebuild()
		defer func() { h.deps.Photos = photo.New(); h.rebuild() }()
		a := h.postMultipart(c, "/order/returns", form("Ceramic mug", "Torn.", photoPart))
		if a.status != http.StatusInternalServerError || len(panicking.calls) != 1 || len(panicking.calls[0].openFiles) != 1 {
			t.Fatalf("status %d, %d calls; want 500 after one call with a file", a.status, len(panicking.calls))
		}
		checkNothingLeft(t, dir)
	})
}

// A client that stops sending halfway through a photo leaves nothing behind.
func TestReturnFormCutOffLeavesNoFile(t *testing.T) {
	dir := uploadDir(t)
	h := newHarness(t, nil)
	c := h.client()
	h.lookup(c, "1001", "anna.berzina@example.lv")
	key, lines := h.orderForm(c)
	towel := lines["Linen tea towel"]

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range map[string]string{"key": key, "kind": "damaged", "description": "Torn.", "resolution": "refund", "line": towel, "qty-" + towel: "1"} {
		mw.WriteField(k, v)
	}
	w, _ := mw.CreateFormFile("photos", "towel.jpg")
	w.Write(bytes.Repeat([]byte{0xFF}, 4<<20))
	mw.Close()

	u, _ := url.Parse(h.srv.URL)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var cookies []string
	for _, ck := range c.Jar.Cookies(u) {
		cookies = append(cookies, ck.Name+"="+ck.Value)
	}
	fmt.Fprintf(conn, "POST /order/returns HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nCookie: %s\r\n\r\n",
		u.Host, mw.FormDataContentType(), body.Len(), strings.Join(cookies, "; "))
	if _, err := conn.Write(body.Bytes()[:body.Len()/2]); err != nil {
		t.Fatal(err)
	}
	// Half of the photo is in its file...
	eventually(t, "the photo being written to a file", func() bool { return len(openUploads(t, dir)) == 1 })
	// ...when the client goes away.
	conn.Close()
	checkNothingLeft(t, dir)
}

// heldPhotos is a PhotoProcessor that holds every request until released.
type heldPhotos struct {
	entered chan struct{}
	release chan struct{}
}

func (p heldPhotos) Process(ctx context.Context, uploads []returns.PhotoUpload) ([]returns.Photo, error) {
	p.entered <- struct{}{}
	select {
	case <-p.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return nil, returns.Errorf(returns.EINVALID, "The image is damaged or incomplete.")
}

// At most MaxConcurrentUploads return forms are read and processed at once;
// the next waits, its body unread, until one is done.
func TestReturnFormUploadsAreBounded(t *testing.T) {
	dir := uploadDir(t)
	h := newHarness(t, nil)
	c := h.client()
	h.lookup(c, "1001", "anna.berzina@example.lv")
	key, lines := h.orderForm(c)
	towel := lines["Linen tea towel"]
	held := heldPhotos{entered: make(chan struct{}, 2*handlers.MaxConcurrentUploads), release: make(chan struct{})}
	h.deps.Photos = held
	h.rebuild()
	var wg sync.WaitGroup
	defer wg.Wait()
	var releaseAll sync.Once
	defer releaseAll.Do(func() { close(held.release) }) // runs before wg.Wait
	form := []part{field("key", key), field("kind", "damaged"), field("description", "Torn."), field("resolution", "refund"),
		field("line", towel), field("qty-"+towel, "1"), {name: "photos", filename: "towel.jpg", data: jpegBytes(t, 64, 48)}}

	send := func() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			for _, p := range form {
				if p.filename != "" {
					w, _ := mw.CreateFormFile(p.name, p.filename)
					w.Write(p.data)
					continue
				}
				mw.WriteField(p.name, string(p.data))
			}
			mw.Close()
			req, _ := http.NewRequest("POST", h.srv.URL+"/order/returns", &buf)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			if res, err := c.Do(req); err == nil {
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
			}
		}()
	}
	enter := func(what string) {
		t.Helper()
		select {
		case <-held.entered:
		case <-time.After(10 * time.Second):
			t.Fatalf("%s did not reach the photo processor", what)
		}
	}
	for i := range handlers.MaxConcurrentUploads {
		send()
		enter(fmt.Sprintf("upload %d", i+1))
	}
	send()
	// One more upload waits: its photo is not even read. (A wrong answer here
	// could only pass by chance, never fail by one.)
	select {
	case <-held.entered:
		t.Fatalf("upload %d reached the photo processor with %d under way", handlers.MaxConcurrentUploads+1, handlers.MaxConcurrentUploads)
	case <-time.After(200 * time.Millisecond):
	}
	if n := len(openUploads(t, dir)); n != handlers.MaxConcurrentUploads {
		t.Errorf("%d upload files open, want %d", n, handlers.MaxConcurrentUploads)
	}
	held.release <- struct{}{}
	enter("the waiting upload, once one was done")
	releaseAll.Do(func() { close(held.release) })
	wg.Wait()
	checkNothingLeft(t, dir)
}

// Text fields stay in memory, so together they are capped: 64 KiB, whatever
// their number.
func TestReturnFormTextIsCapped(t *testing.T) {
	h := newHarness(t, nil)
	c := h.client()
	h.lookup(c, "1001", "anna.berzina@example.lv")
	key, lines := h.orderForm(c)
	towel := lines["Linen tea towel"]
	form := []part{field("key", key), field("kind", "damaged"), field("description", "Torn."), field("resolution", "refund"),
		field("line", towel), field("qty-"+towel, "1")}
	for i := range 40 { // 40 fields of 2 KiB: each small, 80 KiB together
		form = append(form, field(fmt.Sprintf("extra-%d", i), strings.Repeat("x", 2<<10)))
	}
	a := h.postMultipart(c, "/order/returns", form)
	if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, "The form could not be read") {
		t.Fatalf("status %d, want 422 saying the form could not be read", a.status)
	}
	// The same form within the cap is taken.
	a = h.postMultipart(c, "/order/returns", form[:6+20])
	if a.status != http.StatusSeeOther {
		t.Fatalf("40 KiB of text: status %d, want 303", a.status)
	}
}
