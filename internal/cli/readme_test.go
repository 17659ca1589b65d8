package cli

import (
	"bufio"
	"context"
	"fmt"
	"io/fs"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// Issue #15 item 8: every sh block of the README is copy-paste runnable.
// This test extracts them and runs each with bash against the simulator
// on 127.0.0.1, with the binary built from this tree as `patchready`.
//
// skippedBlocks are the blocks that cannot run here, by the name the
// README gives them in a `<!-- readme-test: skip NAME: why -->` line just
// above the block. The README's marks and this list must agree, so that no
// block is skipped without being named here.
var skippedBlocks = map[string]string{
	"test-suite":          "it is `go test ./...`, the suite this test belongs to",
	"install":             "`go install ...@latest` downloads from the network",
	"use-on-your-account": "it plans and applies in a real AWS account",
	"org-on-your-account": "it plans and applies across a real AWS Organization (TestOrg* run the same commands against the simulated one)",
	"stackset":            "it creates a StackSet in a real AWS Organization (TestStackSetTemplateMakesAWorkingRole checks the template against the simulator)",
	"unmanaged-fixes":     "it changes IAM and EC2 in a real AWS account (the same fixes run against the simulator in TestUnmanaged* and the demo)",
}

// readmeBlock is one sh block.
type readmeBlock struct {
	heading string
	line    int
	skip    string // the skip mark's name, or ""
	body    string
}

var reSkipMark = regexp.MustCompile(`^<!-- readme-test: skip ([a-z0-9-]+): .+ -->$`)

func readmeBlocks(t *testing.T) []readmeBlock {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var blocks []readmeBlock
	var cur *readmeBlock
	heading, mark := "", ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur != nil && line == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.body += line + "\n"
		case line == "```sh":
			cur = &readmeBlock{heading: heading, line: n, skip: mark}
		case strings.HasPrefix(line, "#"):
			heading = strings.TrimSpace(strings.TrimLeft(line, "#"))
		}
		if m := reSkipMark.FindStringSubmatch(line); m != nil {
			mark = m[1]
		} else if line != "```sh" {
			// A mark applies to the block right below it only.
			mark = ""
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return blocks
}

func TestREADMEMarksMatchTheSkipList(t *testing.T) {
	marked := map[string]bool{}
	for _, b := range readmeBlocks(t) {
		if b.skip != "" {
			marked[b.skip] = true
		}
	}
	if got, want := slices.Sorted(maps.Keys(marked)), slices.Sorted(maps.Keys(skippedBlocks)); !slices.Equal(got, want) {
		t.Errorf("README skip marks %v, the test's list %v", got, want)
	}
}

// rewrite adapts a block to the test machine: the simulator on a free
// port, the binary built from this tree instead of `go run`/`go build`,
// and the benchmarks cut to a size that runs in seconds (their command
// lines are what is tested here, not their figures).
func rewrite(body, port string) string {
	body = strings.ReplaceAll(body, "127.0.0.1:4566", "127.0.0.1:"+port)
	body = strings.ReplaceAll(body, "go run ./cmd/patchready", "patchready")
	body = strings.ReplaceAll(body, "go build -o patchready ./cmd/patchready", `cp "$(command -v patchready)" patchready`)
	body = regexp.MustCompile(`--sizes [0-9,]+`).ReplaceAllString(body, "--sizes 100")
	body = regexp.MustCompile(`(bench .*)--time-scale 10\b`).ReplaceAllString(body, "${1}--time-scale 500")
	var out strings.Builder
	for _, line := range strings.Split(body, "\n") {
		out.WriteString(line + "\n")
		code, _, _ := strings.Cut(line, "#")
		if strings.Contains(code, "sim serve") && strings.HasSuffix(strings.TrimSpace(code), "&") {
			// A person types the next line slower than the server starts.
			fmt.Fprintf(&out, "for i in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:%s/_sim/stats && break; sleep 0.1; done\n", port)
		}
	}
	return out.String()
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

func TestREADMEShellBlocksRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the README's commands with the built binary")
	}
	bin := testBinary(t)
	for i, b := range readmeBlocks(t) {
		name := fmt.Sprintf("%d %s (line %d)", i+1, b.heading, b.line)
		t.Run(name, func(t *testing.T) {
			if b.skip != "" {
				why, ok := skippedBlocks[b.skip]
				if !ok {
					t.Fatalf("marked skip %q, which the test does not list", b.skip)
				}
				t.Skipf("%s: %s", b.skip, why)
			}
			for _, tool := range []string{"bash", "aws", "curl", "jq"} {
				if !regexp.MustCompile(`(^|[|\s])`+tool+`\s`).MatchString(b.body) && tool != "bash" && !(tool == "curl" && strings.Contains(b.body, "sim serve")) {
					continue
				}
				if _, err := exec.LookPath(tool); err != nil {
					if os.Getenv("PATCHREADY_CI") == "1" {
						t.Fatalf("the block needs %s, which is not installed", tool)
					}
					t.Skipf("the block needs %s, which is not installed", tool)
				}
			}
			dir := t.TempDir()
			script := "set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n" + rewrite(b.body, freePort(t))
			ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, "bash", "-c", script)
			cmd.Dir = dir
			// No credentials but the block's own: a reader's shell has none
			// for the simulator either.
			var env []string
			for _, kv := range binaryEnv(t) {
				if !strings.HasPrefix(kv, "AWS_ACCESS_KEY_ID=") && !strings.HasPrefix(kv, "AWS_SECRET_ACCESS_KEY=") {
					env = append(env, kv)
				}
			}
			cmd.Env = append(env, "PATH="+filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"), "XDG_STATE_HOME="+filepath.Join(dir, "state"))
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("the block failed: %v\n--- script\n%s--- output\n%s", err, script, tail(string(out), 60))
			}
		})
	}
}

// The README's architecture table names every package, so that a new one
// is placed in the picture when it is added.
func TestREADMEArchitectureNamesEveryPackage(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	start := strings.Index(readme, "## Architecture")
	if start < 0 {
		t.Fatal("README has no Architecture section")
	}
	section := readme[start:]
	if end := strings.Index(section[1:], "\n## "); end > 0 {
		section = section[:end+1]
	}
	root := filepath.Join("..", "..")
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		name := d.Name()
		if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "artifacts") {
			return filepath.SkipDir
		}
		rel, _ := filepath.Rel(root, path)
		if strings.HasPrefix(rel, filepath.Join("internal", "ssmsim")+string(filepath.Separator)) {
			return nil // "internal/ssmsim and below"
		}
		goFiles, _ := filepath.Glob(filepath.Join(path, "*.go"))
		if len(goFiles) == 0 || strings.HasPrefix(rel, filepath.Join("documents", "internal")) {
			return nil
		}
		if !strings.Contains(section, "`"+filepath.ToSlash(rel)+"`") {
			t.Errorf("package %s is not in the README's architecture table", filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
