package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// child is a server the bench started as a process of its own: the portal, or
// the bare handler it is compared with.
type child struct {
	cmd  *exec.Cmd
	base string // e.g. http://127.0.0.1:40123
	// ready is how long the process took from its start to the first
	// /healthz 200.
	ready time.Duration
	// stdout holds what the process printed before it was ready.
	stdout []string
	// exited receives the process's end; nil once it was waited for.
	exited chan error
}

// buildPortal builds cmd/returns-portal into dir and returns the binary's path.
// The bench measures the binary, not `go run`, whose compile step would count
// as start-up.
func buildPortal(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "returns-portal")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/returns-portal")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("build the portal (run the bench from the repository's root): %w", err)
	}
	return bin, nil
}

// freeLoopbackPort returns a port that was free on 127.0.0.1 a moment ago, so
// the bench can poll /healthz from the instant the process starts.
func freeLoopbackPort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port), nil
}

// startChild starts bin with args and env (added to a minimal environment),
// logging its stderr to logPath, and waits until GET /healthz on port answers
// 200, at most timeout.
func startChild(ctx context.Context, bin string, args, env []string, port, logPath string, timeout time.Duration) (*child, error) {
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	defer logFile.Close() // the child has its own descriptor

	cmd := exec.Command(bin, args...)
	// A minimal environment, so nothing in the caller's (SHOPIFY_*, SMTP_*)
	// changes what is measured.
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...)
	cmd.Stderr = logFile
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default: // nobody reads any more
			}
		}
		close(lines)
	}()

	healthz := "http://127.0.0.1:" + port + "/healthz"
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &child{cmd: cmd, base: "http://127.0.0.1:" + port}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	deadline := time.Now().Add(timeout)
	for {
		resp, err := client.Get(healthz)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				c.ready = time.Since(start)
				break
			}
		}
		select {
		case err := <-exited:
			return nil, fmt.Errorf("%s exited before it was ready: %v (log: %s)", filepath.Base(bin), err, logPath)
		case <-ctx.Done():
			c.kill(exited)
			return nil, ctx.Err()
		default:
		}
		if time.Now().After(deadline) {
			c.kill(exited)
			return nil, fmt.Errorf("%s not ready within %s (log: %s)", filepath.Base(bin), timeout, logPath)
		}
		time.Sleep(500 * time.Microsecond)
	}
	c.exited = exited
	// What it printed while starting (the demo staff password, for one) is
	// there by now: it prints before it serves.
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				return c, nil
			}
			c.stdout = append(c.stdout, l)
			continue
		case <-time.After(50 * time.Millisecond):
		}
		return c, nil
	}
}

func (c *child) kill(exited chan error) {
	c.cmd.Process.Kill()
	<-exited
}

// stop asks the process to finish (SIGTERM, as Fly does) and waits for it, at
// most 25 s before killing it.
func (c *child) stop() error {
	if c == nil || c.exited == nil {
		return nil
	}
	c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-c.exited:
		c.exited = nil
		return err
	case <-time.After(25 * time.Second):
		c.kill(c.exited)
		c.exited = nil
		return errors.New("did not stop within 25s after SIGTERM; killed")
	}
}

// peakRSS returns the process's peak resident set size (VmHWM), in bytes.
func (c *child) peakRSS() (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmHWM in /proc status")
}

var demoPassword = regexp.MustCompile(`Demo staff account: (\S+), password (\S+)`)

// staffLogin returns the demo staff account's email and password the portal
// printed on its first start.
func (c *child) staffLogin() (email, password string, ok bool) {
	for _, l := range c.stdout {
		if m := demoPassword.FindStringSubmatch(l); m != nil {
			return strings.TrimSuffix(m[1], ","), m[2], true
		}
	}
	return "", "", false
}
