package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// candidates are the names Chromium goes by on Debian and elsewhere;
// PATCHREADY_CHROMIUM, when set, is tried first.
var candidates = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"}

// Find returns the path of a Chromium binary, or "" when there is none.
func Find() string {
	if p := os.Getenv("PATCHREADY_CHROMIUM"); p != "" {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	for _, c := range candidates {
		if path, err := exec.LookPath(c); err == nil {
			return path
		}
	}
	return ""
}

// Require returns Chromium's path, skipping the test when it is missing,
// or failing it when PATCHREADY_CI=1.
func Require(t testing.TB) string {
	t.Helper()
	path := Find()
	if path != "" {
		return path
	}
	const why = "no Chromium found (looked for PATCHREADY_CHROMIUM, " +
		"chromium, chromium-browser, google-chrome, headless-shell on PATH); install the Debian package chromium"
	if os.Getenv("PATCHREADY_CI") == "1" {
		t.Fatal(why + ": PATCHREADY_CI=1, so the browser tests must run")
	}
	t.Skip(why)
	return ""
}

// Browser is one headless Chromium tab with what it has logged.
type Browser struct {
	// Ctx runs chromedp actions in the tab.
	Ctx context.Context

	mu       sync.Mutex
	errors   []string
	requests []string
}

// New starts Chromium (a fresh profile in a temporary directory) with one
// tab of 1280×900 pixels; the test's cleanup stops it. Every action must
// finish within timeout.
func New(t testing.TB, timeout time.Duration) *Browser {
	t.Helper()
	path := Require(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root, where Chromium's sandbox cannot start
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	tctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(tctx, timeout)
	b := &Browser{Ctx: ctx}
	// The subscriptions start when Console and Events return, before the
	// first page loads, so no message is lost; they end with the context.
	console := chromedp.Console(ctx)
	requests := chromedp.Events(ctx, network.RequestWillBeSent)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for m, err := range console {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				b.add(&b.errors, m.String()+" "+m.URL)
			}
		}
	}()
	go func() {
		defer wg.Done()
		for ev, err := range requests {
			if err != nil {
				return
			}
			b.add(&b.requests, ev.Request.URL)
		}
	}()
	t.Cleanup(func() {
		cancelTimeout()
		cancelTab()
		cancelAlloc()
		wg.Wait()
	})
	return b
}

func (b *Browser) add(list *[]string, s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	*list = append(*list, s)
}

// Errors returns the console errors, uncaught exceptions and error entries
// of the browser log (Content-Security-Policy violations among them) seen
// so far.
func (b *Browser) Errors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errors...)
}

// Requests returns the URL of every request the tab made so far.
func (b *Browser) Requests() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.requests...)
}

// ArtifactDir is where screenshots go: $PATCHREADY_ARTIFACTS when set (CI
// keeps it), else a directory of the test's own.
func ArtifactDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("PATCHREADY_ARTIFACTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatalf("artifact directory: %v", err)
		}
		return d
	}
	return t.TempDir()
}

// Screenshot writes a PNG of the whole page (full) or of the viewport to
// the artifact directory as name.png and returns its path.
func (b *Browser) Screenshot(t testing.TB, name string, full bool) string {
	t.Helper()
	action := chromedp.CaptureScreenshot()
	if full {
		action = chromedp.FullScreenshot(100)
	}
	png, err := chromedp.Run(b.Ctx, action)
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(ArtifactDir(t), name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatalf("write screenshot: %v", err)
	}
	t.Logf("screenshot: %s (%d KiB)", path, len(png)>>10)
	return path
}

// String describes what the tab logged, for a failure message.
func (b *Browser) String() string {
	return fmt.Sprintf("errors: %q; requests: %q", b.Errors(), b.Requests())
}
