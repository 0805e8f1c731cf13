package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/returnsportal/returns/views"
)

// startPortal runs the real program, as `go run ./cmd/returns-portal` does, on a
// free port with the demo store and a fresh data folder, and returns its base URL.
// The portal stops when the test ends.
func startPortal(t *testing.T, env map[string]string) string {
	t.Helper()
	base, _ := startPortalStaff(t, env)
	return base
}

// startPortalStaff is startPortal that also returns the demo staff password the
// portal prints at its first start.
func startPortalStaff(t *testing.T, env map[string]string) (base, staffPassword string) {
	t.Helper()
	if env == nil {
		env = map[string]string{}
	}
	if env["PORT"] == "" {
		env["PORT"] = "0"
	}
	if env["DATA_DIR"] == "" {
		env["DATA_DIR"] = t.TempDir()
	}
	ctx, cancel := context.WithCancel(context.Background())
	out, w := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, nil, func(k string) string { return env[k] }, strings.NewReader(""), w, io.Discard)
		w.Close()
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("portal did not stop within 30 s")
		}
	})

	addr := make(chan string, 1)
	passwords := make(chan string, 1)
	backoffice := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		re := regexp.MustCompile(`listening on (http://[0-9.:]+)`)
		bo := regexp.MustCompile(`Backoffice for staff: (\S+)`)
		pw := regexp.MustCompile(`staff@example.com, password ([0-9a-f]+)`)
		for sc.Scan() {
			if m := pw.FindStringSubmatch(sc.Text()); m != nil {
				passwords <- m[1]
			}
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
			if m := bo.FindStringSubmatch(sc.Text()); m != nil {
				backoffice <- m[1]
			}
		}
	}()
	select {
	case base = <-addr:
	case err := <-done:
		t.Fatalf("portal stopped at start: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("portal did not print its address within 30 s")
	}
	waitHealthy(t, base)
	select {
	case url := <-backoffice:
		if !strings.HasSuffix(url, "/admin") {
			t.Errorf("backoffice URL printed at start: %q", url)
		}
	case <-time.After(10 * time.Second):
		t.Error("the backoffice URL was not printed at start")
	}
	select {
	case staffPassword = <-passwords:
	default:
	}
	return base, staffPassword
}

func waitHealthy(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		res, err := http.Get(base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("/healthz did not answer 200 within 10 s")
}

// browser starts headless Chromium. Without it the test is skipped locally, but
// fails under CI, where .ci/run installs it.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := os.Getenv("CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Chromium not found at %s: CI must install it (apt-get install chromium)", path)
		}
		t.Skipf("Chromium not found at %s; install Debian's chromium to run the browser test", path)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(390, 844), // a phone
	)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	return ctx
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	must(t, err)
	return s
}

// lineCheckbox returns the id of the line checkbox whose label names title, or "".
func lineCheckbox(t *testing.T, ctx context.Context, title string) string {
	t.Helper()
	id, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(() => {
		const box = [...document.querySelectorAll('input[name=line]')]
			.find(i => [...i.labels].some(l => l.textContent.includes(%q)));
		return box ? box.id : "";
	})()`, title)))
	must(t, err)
	return id
}

// lookUp fills in the lookup form and waits for the order page.
func lookUp(t *testing.T, ctx context.Context, base, order, email string) {
	t.Helper()
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.SendKeys(chromedp.CSS("input[name=order]"), order),
		chromedp.SendKeys(chromedp.CSS("input[name=email]"), email),
		chromedp.Submit(chromedp.CSS("input[name=email]")),
	))
	waitLocation(t, ctx, "/order")
	must(t, chromedp.Do(ctx, chromedp.WaitReady(chromedp.CSS("main h1"))))
}

// waitLocation waits until the browser's address ends in suffix: a submitted
// form's answer has replaced the page.
func waitLocation(t *testing.T, ctx context.Context, suffix string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		loc, err := chromedp.Run(ctx, chromedp.Location())
		must(t, err)
		if strings.HasSuffix(loc, suffix) {
			return
		}
		if time.Now().After(deadline) {
			body, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
			t.Fatalf("waited for …%s, the browser is at %s:\n%s", suffix, loc, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitShown waits until sel is visible on the page a submitted form's answer
// replaced, where the address does not tell the answer from the form (the
// form posts to its own page): a wait that began on the old page and ended
// with it ("target navigated") is tried again.
func waitShown(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		attempt, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := chromedp.Do(attempt, chromedp.WaitVisible(chromedp.CSS(sel)))
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not shown: %v", sel, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestCustomerReturnsInBrowser(t *testing.T) {
	base := startPortal(t, nil)
	ctx := browser(t)

	// #1001: the tea towel arrived damaged; a photo; a replacement, please.
	lookUp(t, ctx, base, "#1001", "ANNA.BERZINA@example.lv")
	towel := lineCheckbox(t, ctx, "Linen tea towel")
	if towel == "" {
		t.Fatal("the tea towel cannot be chosen on #1001")
	}
	photo := filepath.Join(t.TempDir(), "towel.jpg")
	must(t, os.WriteFile(photo, testJPEG(t), 0o600))
	must(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.ID(towel)),
		chromedp.Click(chromedp.CSS("input[name=kind][value=damaged]")),
		chromedp.SendKeys(chromedp.CSS("textarea[name=description]"), "Torn along the hem."),
		chromedp.SetUploadFiles(chromedp.CSS("input[name=photos]"), []string{photo}),
		chromedp.Click(chromedp.CSS("input[name=resolution][value=replacement]")),
		chromedp.Submit(chromedp.CSS("textarea[name=description]")),
		chromedp.WaitVisible(chromedp.CSS(".code")),
	))
	code := strings.TrimSpace(text(t, ctx, ".code"))
	if !regexp.MustCompile(`^R-[0-9A-Z]{8}$`).MatchString(code) {
		t.Fatalf("confirmation shows code %q", code)
	}
	if body := text(t, ctx, "main"); !strings.Contains(body, "Brīvības iela 1") {
		t.Fatalf("confirmation lacks the return address:\n%s", body)
	}

	// The status page, with the photo served to this session.
	must(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("a[href='/returns/"+code+"']")),
		chromedp.WaitVisible(chromedp.CSS("p.status")),
	))
	if body := text(t, ctx, "main"); !strings.Contains(body, "Linen tea towel") || !strings.Contains(body, code) {
		t.Fatalf("status page:\n%s", body)
	}
	// The photo loads after the page shows: wait for it (on a busy machine
	// that takes a while), and fail only when it never loads.
	loaded, err := chromedp.Run(ctx, chromedp.Poll[bool](`[...document.querySelectorAll('main img')].length > 0 && [...document.querySelectorAll('main img')].every(i => i.complete && i.naturalWidth > 0)`,
		chromedp.WithPollingTimeout(20*time.Second)))
	if err != nil || !loaded {
		t.Fatalf("the damage photo did not load on the status page: %v", err)
	}

	// #1002: the scarf is not right; the final-sale socks cannot be chosen.
	lookUp(t, ctx, base, "1002", "sam.taylor@example.com")
	if lineCheckbox(t, ctx, "Sale socks") != "" {
		t.Fatal("the final-sale socks can be chosen")
	}
	scarf := lineCheckbox(t, ctx, "Wool scarf")
	if scarf == "" {
		t.Fatal("the scarf cannot be chosen on #1002")
	}
	must(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.ID(scarf)),
		chromedp.Click(chromedp.CSS("input[name=kind][value=dissatisfied]")),
		chromedp.SetValue(chromedp.CSS("select[name=reason]"), "doesnt_fit"),
		chromedp.Submit(chromedp.CSS("select[name=reason]")),
		chromedp.WaitVisible(chromedp.CSS(".code")),
	))
	if c := strings.TrimSpace(text(t, ctx, ".code")); c == code || !strings.HasPrefix(c, "R-") {
		t.Fatalf("second return's code %q", c)
	}

	// Switch to Latvian with the visible switch.
	must(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("a[hreflang=lv]")),
		chromedp.WaitVisible(chromedp.CSS("html[lang=lv]")),
	))
	lv := views.Localizer{Lang: "lv"}
	want := lv.T("Where to send the item")
	if want == "Where to send the item" {
		t.Fatal("the Latvian catalog has no translation for \"Where to send the item\"")
	}
	if body := text(t, ctx, "body"); !strings.Contains(body, want) {
		t.Fatalf("Latvian page lacks %q:\n%s", want, body)
	}
}

func testJPEG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 120, 90))
	for y := 0; y < 90; y++ {
		for x := 0; x < 120; x++ {
			img.Set(x, y, color.RGBA{uint8(2 * x), uint8(2 * y), 90, 255})
		}
	}
	var buf bytes.Buffer
	must(t, jpeg.Encode(&buf, img, nil))
	return buf.Bytes()
}

func noRedirects() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
