package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"image"
	"image/jpeg"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/returnsportal/returns/photo"
)

// The upload-memory part: many customers send the largest photos the portal
// accepts at once, while another sends a photo from a phone. It measures the
// portal's resident memory (its peak, and how soon it is back down once they
// are done) and how long the phone's photo takes.

// Targets of the upload part, in decimal megabytes.
const (
	targetUploadPeakRSS = 150_000_000
	targetUploadIdleRSS = 80_000_000
	targetUploadSettle  = time.Minute
	targetNormalUpload  = 3 * time.Second
)

const (
	heavyClients      = 10 // customers sending the largest photos
	photosPerClient   = 5  // returns.MaxPhotos
	rssSampleInterval = 100 * time.Millisecond
	normalInterval    = 3 * time.Second // between the phone photo's uploads
)

// uploadResult is what the upload part measured.
type uploadResult struct {
	expensive, normal benchPhoto
	gomemlimit        string // GOMEMLIMIT the portal was started with; "" for its own default

	idleRSS       int64         // before the uploads
	peakRSS       int64         // the highest VmRSS sampled
	hwm           int64         // VmHWM at the end
	loadTime      time.Duration // from the first upload sent to the last answer
	settle        time.Duration // from the last answer to VmRSS ≤ targetUploadIdleRSS; -1 if not within a minute
	settledRSS    int64         // VmRSS when settled, or after a minute
	heavy         []time.Duration
	heavyAnswers  map[string]int // "422 damaged" and the like, counted
	normalUploads []time.Duration
	samples       []rssSample
}

type benchPhoto struct {
	Width, Height int
	Bytes         int
	Cost          int64 // photo.Processor.Check: bytes of memory to process it
	Quality       int
}

type rssSample struct {
	at  time.Duration // since the first upload was sent
	rss int64
}

// pinToCPU pins every thread of this process to one CPU, so that the clients
// do not take the CPU the portal runs on.
func pinToCPU(cpu int) error {
	out, err := exec.Command("taskset", "-a", "-p", "-c", strconv.Itoa(cpu), strconv.Itoa(os.Getpid())).CombinedOutput()
	if err != nil {
		return fmt.Errorf("taskset: %v: %s", err, out)
	}
	return nil
}

// makeJPEG encodes a w×h YCbCr 4:2:0 picture with the detail of a photo (a
// pattern with noise, which is what makes a JPEG large) at quality q.
func makeJPEG(w, h, q int) []byte {
	m := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	r := rand.New(rand.NewPCG(uint64(w), uint64(h)))
	for y := range h {
		row := m.Y[y*m.YStride:]
		for x := range w {
			row[x] = uint8((x/7+y/5)%200) + uint8(r.IntN(24))
		}
	}
	for i := range m.Cb {
		m.Cb[i] = uint8(100 + i%50)
		m.Cr[i] = uint8(120 + (i/3000)%60)
	}
	var buf bytes.Buffer
	jpeg.Encode(&buf, m, &jpeg.Options{Quality: q})
	return buf.Bytes()
}

// expensivePhoto makes the photo that costs the portal the most memory of
// those it accepts: a JPEG whose decoded image and scaled copy come closest to
// photo.DefaultMaxMemory, in a file as close to the 8 MB upload limit as the
// quality steps allow (the larger the file, the longer the decoding).
func expensivePhoto() ([]byte, benchPhoto, error) {
	p := photo.New()
	// A square 4:2:0 image in whole 16×16 blocks, scaled to 3000×3000.
	out := int64(3000*3000 + 2*1500*1500)
	side := 16
	for s := 16; int64(s*s)*3/2+out <= photo.DefaultMaxMemory; s += 16 {
		side = s
	}
	for q := 80; q >= 30; q -= 5 {
		data := makeJPEG(side, side, q)
		if len(data) > photo.DefaultMaxBytes {
			continue
		}
		cost, err := p.Check(bytes.NewReader(data))
		if err != nil {
			return nil, benchPhoto{}, fmt.Errorf("the portal refuses the test photo: %w", err)
		}
		return data, benchPhoto{Width: side, Height: side, Bytes: len(data), Cost: cost, Quality: q}, nil
	}
	return nil, benchPhoto{}, errors.New("no quality makes the test photo fit the upload limit")
}

// normalPhoto makes a photo as a phone sends it: 4000×3000, about 2 MB.
func normalPhoto() ([]byte, benchPhoto, error) {
	for q := 85; q >= 40; q -= 5 {
		data := makeJPEG(4000, 3000, q)
		if len(data) <= 2_400_000 {
			cost, err := photo.New().Check(bytes.NewReader(data))
			if err != nil {
				return nil, benchPhoto{}, err
			}
			return data, benchPhoto{Width: 4000, Height: 3000, Bytes: len(data), Cost: cost, Quality: q}, nil
		}
	}
	return nil, benchPhoto{}, errors.New("no quality makes a 2 MB photo")
}

// damagedAtTheEnd returns a JPEG that decodes in full and then fails: its
// end-of-image marker is replaced by a marker image/jpeg does not know.
func damagedAtTheEnd(jpg []byte) []byte {
	out := bytes.Clone(jpg[:len(jpg)-2])
	return append(out, 0xFF, 0x02, 0x00, 0x02)
}

// runUpload measures the portal bin while heavyClients customers each send
// photosPerClient of the most expensive photos at once and another customer
// sends a phone's photo every few seconds. The portal runs on CPU 0, the
// clients (this process) on CPU 1.
func runUpload(ctx context.Context, bin, work, gomemlimit string, log io.Writer) (*uploadResult, error) {
	if err := pinToCPU(1); err != nil {
		return nil, fmt.Errorf("pin the bench to CPU 1: %w", err)
	}
	res := &uploadResult{heavyAnswers: map[string]int{}, gomemlimit: gomemlimit}
	fmt.Fprintln(log, "upload: making the photos")
	big, info, err := expensivePhoto()
	if err != nil {
		return nil, err
	}
	res.expensive = info
	broken := damagedAtTheEnd(big)
	if _, err := jpeg.Decode(bytes.NewReader(broken)); err == nil {
		return nil, errors.New("the photo damaged at its end decodes")
	}
	small, info, err := normalPhoto()
	if err != nil {
		return nil, err
	}
	res.normal = info
	fmt.Fprintf(log, "  largest accepted: %d×%d JPEG, %d bytes (quality %d), %.1f MB to process; phone photo: %d×%d, %d bytes\n",
		res.expensive.Width, res.expensive.Height, res.expensive.Bytes, res.expensive.Quality, float64(res.expensive.Cost)/1e6,
		res.normal.Width, res.normal.Height, res.normal.Bytes)

	port, err := freeLoopbackPort()
	if err != nil {
		return nil, err
	}
	env := []string{"PORT=" + port, "DATA_DIR=" + filepath.Join(work, "upload"), "LOOKUP_RATE_LIMITS=" + lookupLimits, "TMPDIR=" + work}
	if res.gomemlimit != "" {
		env = append(env, "GOMEMLIMIT="+res.gomemlimit)
	}
	portal, err := startChild(ctx, "taskset", []string{"-c", "0", bin}, env, port, filepath.Join(work, "portal-upload.log"), 30*time.Second)
	if err != nil {
		return nil, err
	}
	defer portal.stop()
	pid := portal.cmd.Process.Pid
	time.Sleep(time.Second)
	if res.idleRSS, err = readRSS(pid, "VmRSS:"); err != nil {
		return nil, err
	}

	// Each heavy customer finds an order and opens its return form first.
	// They ask to return one of the two mugs of #1001 or the two bulbs of
	// #1005; the phone's photo is for the tea towel, so that its return never
	// makes a heavy customer's item unreturnable.
	heavyItems := []uploadItem{{"1001", "anna.berzina@example.lv", "Ceramic mug"}, {"1005", "lee.jordan@example.com", "Bulb"}}
	heavy := make([]*returnForm, heavyClients)
	for i := range heavy {
		if heavy[i], err = openReturnForm(portal.base, heavyItems[i%len(heavyItems)]); err != nil {
			return nil, fmt.Errorf("heavy customer %d: %w", i+1, err)
		}
	}

	// Resident memory, every 100 ms, from the first upload on.
	start := time.Now()
	var mu sync.Mutex
	stopSampling := make(chan struct{})
	sampled := make(chan struct{})
	stopSamplingOnce := sync.OnceFunc(func() { close(stopSampling); <-sampled })
	defer stopSamplingOnce()
	go func() {
		defer close(sampled)
		t := time.NewTicker(rssSampleInterval)
		defer t.Stop()
		for {
			if rss, err := readRSS(pid, "VmRSS:"); err == nil {
				mu.Lock()
				res.samples = append(res.samples, rssSample{at: time.Since(start), rss: rss})
				res.peakRSS = max(res.peakRSS, rss)
				mu.Unlock()
			}
			select {
			case <-t.C:
			case <-stopSampling:
				return
			}
		}
	}()

	// The heavy uploads, all at once. Four photos are processed in full; the
	// fifth is decoded in full and then refused as damaged, so that no return
	// is made and the same lines serve every run: the answer must be 422 with
	// that message, or not every photo was decoded.
	fmt.Fprintf(log, "upload: %d customers × %d photos of %.1f MB\n", heavyClients, photosPerClient, float64(len(big))/1e6)
	var heavyDone sync.WaitGroup
	var sent sync.WaitGroup
	for i, f := range heavy {
		heavyDone.Add(1)
		sent.Add(1)
		go func() {
			defer heavyDone.Done()
			photos := [][]byte{big, big, big, big, broken}
			t0 := time.Now()
			p, err := f.c.submit(ctx, f.key, f.line, photos, sent.Done)
			d := time.Since(t0)
			mu.Lock()
			defer mu.Unlock()
			res.heavy = append(res.heavy, d)
			switch {
			case err != nil:
				res.heavyAnswers["error: "+err.Error()]++
			case p.status == http.StatusUnprocessableEntity && strings.Contains(p.body, "The image is damaged or incomplete."):
				res.heavyAnswers["422 “The image is damaged or incomplete.”"]++
			default:
				msg := ""
				if m := alertText.FindStringSubmatch(p.body); m != nil {
					msg = ": " + html.UnescapeString(m[1])
				}
				res.heavyAnswers[fmt.Sprintf("%d%s (customer %d)", p.status, msg, i+1)]++
			}
		}()
	}
	heavyFinished := make(chan struct{})
	go func() { heavyDone.Wait(); close(heavyFinished) }()
	sent.Wait()
	fmt.Fprintf(log, "  all photos sent after %s\n", fmtDur(time.Since(start)))

	// The phone's photo, every few seconds while the heavy uploads last. Each
	// makes a return of the tea towel, which the customer then cancels, so
	// that the towel can be returned again.
	towel := uploadItem{"1001", "anna.berzina@example.lv", "Linen tea towel"}
	for normals := 1; ; normals++ {
		f, err := openReturnForm(portal.base, towel)
		if err != nil {
			return nil, fmt.Errorf("phone photo: %w", err)
		}
		t0 := time.Now()
		p, err := f.c.submit(ctx, f.key, f.line, [][]byte{small}, nil)
		d := time.Since(t0)
		if err != nil {
			return nil, fmt.Errorf("phone photo: %w", err)
		}
		m := confirmation.FindStringSubmatch(p.location)
		if p.status != http.StatusSeeOther || m == nil {
			return nil, fmt.Errorf("phone photo: status %d to %q, want 303 to a confirmation", p.status, p.location)
		}
		res.normalUploads = append(res.normalUploads, d)
		fmt.Fprintf(log, "  phone photo %d at %s: answered in %s\n", normals, fmtDur(t0.Sub(start)), fmtDur(d))
		if cancelled, err := f.c.postForm("/returns/"+m[1]+"/cancel", nil); err != nil || cancelled.status != http.StatusSeeOther {
			return nil, fmt.Errorf("cancel the phone photo's return: %v %v", cancelled, err)
		}
		select {
		case <-heavyFinished:
		case <-time.After(normalInterval):
			continue
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		break
	}
	<-heavyFinished
	res.loadTime = time.Since(start)
	fmt.Fprintf(log, "  heavy uploads answered after %s: %s\n", fmtDur(res.loadTime), answers(res.heavyAnswers))

	// Then how long until the portal is back under 80 MB, at most a minute.
	res.settle = -1
	deadline := time.Now().Add(targetUploadSettle)
	for time.Now().Before(deadline) {
		rss, err := readRSS(pid, "VmRSS:")
		if err != nil {
			return nil, err
		}
		res.settledRSS = rss
		if rss <= targetUploadIdleRSS {
			res.settle = time.Since(start) - res.loadTime
			break
		}
		time.Sleep(rssSampleInterval)
	}
	stopSamplingOnce()
	if res.hwm, err = readRSS(pid, "VmHWM:"); err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "  peak RSS %.1f MiB (VmHWM %.1f MiB); back to %.1f MiB after %s\n",
		mb(res.peakRSS), mb(res.hwm), mb(res.settledRSS), fmtDur(res.settle))
	return res, nil
}

// alertText is the first message of a form's list of errors.
var alertText = regexp.MustCompile(`(?s)class="alert".*?<li><a[^>]*>([^<]+)</a>`)

// uploadItem is a line of a demo order that a customer returns.
type uploadItem struct{ order, email, title string }

// returnForm is a customer with a return form open for one line.
type returnForm struct {
	c         *customer
	key, line string
}

// openReturnForm finds the order as a new customer and opens its return form
// for the item.
func openReturnForm(base string, it uploadItem) (*returnForm, error) {
	c := newCustomer(base)
	// English pages, whatever the order's language, so answers can be read.
	u, _ := url.Parse(base)
	c.client.Jar.SetCookies(u, []*http.Cookie{{Name: "lang", Value: "en"}})
	found, err := c.postForm("/", url.Values{"order": {it.order}, "email": {it.email}})
	if err != nil {
		return nil, err
	}
	if found.status != http.StatusSeeOther {
		return nil, fmt.Errorf("lookup of %s: status %d", it.order, found.status)
	}
	page, err := c.get("/order")
	if err != nil {
		return nil, err
	}
	key := submissionKey.FindStringSubmatch(page.body)
	line := regexp.MustCompile(`name="line" value="([^"]+)"[^>]*>\s*<label[^>]*>` + regexp.QuoteMeta(it.title)).FindStringSubmatch(page.body)
	if key == nil || line == nil {
		return nil, fmt.Errorf("order %s: %s cannot be returned", it.order, it.title)
	}
	return &returnForm{c: c, key: html.UnescapeString(key[1]), line: html.UnescapeString(line[1])}, nil
}

// submit sends the return form with the photos, streaming the body; sent, when
// not nil, is called once the whole body is written.
func (c *customer) submit(ctx context.Context, key, line string, photos [][]byte, sent func()) (*page, error) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		err := func() error {
			for _, kv := range [][2]string{{"key", key}, {"kind", "damaged"}, {"description", "Arrived torn."}, {"resolution", "refund"}, {"line", line}, {"qty-" + line, "1"}} {
				if err := mw.WriteField(kv[0], kv[1]); err != nil {
					return err
				}
			}
			for i, p := range photos {
				w, err := mw.CreateFormFile("photos", fmt.Sprintf("photo-%d.jpg", i+1))
				if err != nil {
					return err
				}
				if _, err := w.Write(p); err != nil {
					return err
				}
			}
			return mw.Close()
		}()
		if sent != nil {
			sent()
		}
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/order/returns", pr)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	// The heavy uploads take minutes together: longer than the flows' timeout.
	client := *c.client
	client.Timeout = 10 * time.Minute
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := readAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return &page{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(body)}, nil
}

// readRSS reads a field (VmRSS:, VmHWM:) of a process's status, in bytes.
func readRSS(pid int, field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

// answers lists answers and how many of each.
func answers(counts map[string]int) string {
	var out []string
	for a, n := range counts {
		out = append(out, fmt.Sprintf("%d × %s", n, a))
	}
	slices.Sort(out)
	return strings.Join(out, "; ")
}

func mb(n int64) float64 { return float64(n) / (1 << 20) }

func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

// uploadHeading is the heading of a report of the upload part alone.
func uploadHeading(m machine) string {
	return fmt.Sprintf("### Upload memory, %s\n\nMachine: %d CPUs (%s), Linux %s, %s.\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), m.NumCPU, m.CPU, m.Kernel, m.GoToolchain)
}

// markdown reports the upload part.
func (u *uploadResult) markdown() string {
	var b strings.Builder
	limit := "the portal's own 128 MiB"
	if u.gomemlimit != "" {
		limit = "GOMEMLIMIT=" + u.gomemlimit
	}
	fmt.Fprintf(&b, "Portal pinned to CPU 0 (`taskset -c 0`), the bench's clients to CPU 1; memory limit: %s. "+
		"%d customers at once each send %d photos of a %d×%d JPEG (%.1f MB file, %.1f MB to process: the most the portal accepts) "+
		"through lookup → order page → multipart form; four are processed in full and the fifth decoded in full, then refused as damaged "+
		"(so no return is made), as the answers confirm: %s. Meanwhile a phone's %d×%d photo (%.1f MB) is sent every %s; "+
		"each makes a return, which is then cancelled. Memory in MiB (2^20 bytes); the targets are in MB (10^6 bytes).\n\n",
		limit, heavyClients, photosPerClient, u.expensive.Width, u.expensive.Height, float64(u.expensive.Bytes)/1e6, float64(u.expensive.Cost)/1e6,
		answers(u.heavyAnswers), u.normal.Width, u.normal.Height, float64(u.normal.Bytes)/1e6, normalInterval)
	b.WriteString("| figure | measured | target | met |\n|---|---|---|---|\n")
	fmt.Fprintf(&b, "| peak RSS during the uploads (VmRSS every 100 ms; VmHWM) | **%.1f MiB** (VmHWM %.1f MiB; idle before: %.1f MiB) | ≤ 150 MB (143.1 MiB) | %s |\n",
		mb(u.peakRSS), mb(u.hwm), mb(u.idleRSS), met(u.hwm <= targetUploadPeakRSS))
	settle := "not within a minute"
	if u.settle >= 0 {
		settle = fmtDur(u.settle)
	}
	fmt.Fprintf(&b, "| back to ≤ 80 MB (76.3 MiB) after the last answer | **%s** (%.1f MiB) | ≤ 1 min | %s |\n", settle, mb(u.settledRSS), met(u.settle >= 0))
	worst := slices.Max(append([]time.Duration{0}, u.normalUploads...))
	times := make([]string, len(u.normalUploads))
	for i, d := range u.normalUploads {
		times[i] = fmtDur(d)
	}
	fmt.Fprintf(&b, "| phone photo answered (submit to 303), worst of %d | **%s** (%s) | ≤ 3 s | %s |\n",
		len(u.normalUploads), fmtDur(worst), strings.Join(times, ", "), met(len(u.normalUploads) > 0 && worst <= targetNormalUpload))
	fmt.Fprintf(&b, "| heavy uploads: first byte sent to last answer | %s (each: median %s, longest %s) | | |\n",
		fmtDur(u.loadTime), fmtDur(quantile(u.heavy, 0.5)), fmtDur(slices.Max(append([]time.Duration{0}, u.heavy...))))

	b.WriteString("\nResident memory over time (the highest sample of each 5 s):\n\n```\n")
	for from := time.Duration(0); ; from += 5 * time.Second {
		top, any := int64(0), false
		for _, s := range u.samples {
			if s.at >= from && s.at < from+5*time.Second {
				top, any = max(top, s.rss), true
			}
		}
		if !any {
			break
		}
		fmt.Fprintf(&b, "%4.0f s %6.1f MiB %s\n", from.Seconds(), mb(top), strings.Repeat("#", int(mb(top)/4)))
	}
	b.WriteString("```\n")
	return b.String()
}
