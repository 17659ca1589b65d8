package cli

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// The real binary, for the tests that send it real signals or run the
// README's commands. It is built at most once per test run, on first use,
// with its own timeout: a build on a cold cache takes longer than any one
// test's budget, and must not be charged to it.
var built struct {
	once sync.Once
	dir  string
	path string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// testBinary returns the path of a patchready binary built from this tree.
func testBinary(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		built.dir, built.err = os.MkdirTemp("", "patchready-test-bin-")
		if built.err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		built.path = filepath.Join(built.dir, "patchready")
		out, err := exec.CommandContext(ctx, "go", "build", "-o", built.path, "github.com/patchready/patchready/cmd/patchready").CombinedOutput()
		if err != nil {
			built.err = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.path
}
