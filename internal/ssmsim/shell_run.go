package ssmsim

import (
	"context"
	"crypto/sha256"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/patchready/patchready/internal/ssmsim/docparse"
	"github.com/patchready/patchready/internal/ssmsim/host"
	"github.com/patchready/patchready/internal/ssmsim/nodeshell"
)

// instanceToken stands for the node's ID in the environment of a script
// run, and is replaced by the real ID in what the script printed: the
// same script on the same software then costs one run for every node.
const instanceToken = "i-simulated-instance-id"

// shellRunTimeout bounds one script run in real time.
const shellRunTimeout = time.Minute

// maxShellCache bounds the cached runs; past it the cache starts over.
const maxShellCache = 20000

// ShellStats says how the simulator's script runs went: Runs really
// interpreted a script, Hits were answered from the cache, RunTime is the
// real time the runs took.
type ShellStats struct {
	Runs    int           `json:"runs"`
	Hits    int           `json:"hits"`
	RunTime time.Duration `json:"run_time"`
}

// shellCache remembers script runs by (script after substitution,
// environment, software state). Hosts never change in place, so a
// result's host can be shared by every node that reached it.
type shellCache struct {
	mu      sync.Mutex
	entries map[[32]byte]shellResult
	hashes  map[*host.Host]string
	stats   ShellStats
}

type shellResult struct {
	stdout, stderr string
	code           int
	after          *host.Host
}

func newShellCache() *shellCache {
	return &shellCache{entries: map[[32]byte]shellResult{}, hashes: map[*host.Host]string{}}
}

// ShellStats returns the script-run counters.
func (s *Server) ShellStats() ShellStats {
	s.shells.mu.Lock()
	defer s.shells.mu.Unlock()
	return s.shells.stats
}

func (c *shellCache) hashOf(h *host.Host) string {
	if v, ok := c.hashes[h]; ok {
		return v
	}
	v := h.Hash()
	c.hashes[h] = v
	return v
}

// run runs script on h (or answers from the cache) and returns what it
// printed and the host it left.
func (c *shellCache) run(h *host.Host, script string, env []string) (shellResult, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	hh := c.hashOf(h)
	key := sha256.Sum256([]byte(hh + "\x00" + script + "\x00" + strings.Join(env, "\x00")))
	if res, ok := c.entries[key]; ok {
		c.stats.Hits++
		return res, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), shellRunTimeout)
	defer cancel()
	start := time.Now()
	out, err := nodeshell.Run(ctx, nodeshell.Options{Tree: h.Tree(), Script: script, Env: env})
	c.stats.RunTime += time.Since(start)
	c.stats.Runs++
	if err != nil {
		return shellResult{}, err
	}
	after := h.ReadBack(out.Tree)
	if ah := after.Hash(); ah == hh {
		after = h
	} else {
		c.hashes[after] = ah
	}
	res := shellResult{stdout: out.Stdout, stderr: out.Stderr, code: out.Code, after: after}
	if len(c.entries) >= maxShellCache {
		c.entries = map[[32]byte]shellResult{}
		c.hashes = map[*host.Host]string{h: hh}
	}
	c.entries[key] = res
	return res, nil
}

// runShellSteps runs the document's shell steps on node n as the agent
// would: each step's runCommand after parameter substitution, in order,
// stopping at the first that fails. It returns the result (named after
// the last step that ran) and the node's software afterwards, to apply
// when the run ends.
func (r *region) runShellSteps(n *Node, x *run) (execResult, *host.Host) {
	ok := execResult{Status: "Success", StatusDetails: "Success"}
	sw, err := n.softwareOf()
	if err != nil {
		return execResult{Status: "Failed", StatusDetails: "Failed", ResponseCode: 1, Stderr: err.Error()}, nil
	}
	var steps []docparse.Step
	for _, s := range x.doc.Steps {
		if s.Action == "aws:runShellScript" && (s.Platform == "" || s.Platform == n.PlatformType) {
			steps = append(steps, s)
		}
	}
	if sw == nil || len(steps) == 0 {
		return ok, sw
	}
	ok.Plugin = steps[0].Name
	if sw.WorkdirNoexec {
		// The agent runs a step as `sh -c <file in its work directory>`:
		// on a noexec mount the kernel refuses to run the file.
		path := fmt.Sprintf("/var/lib/amazon/ssm/%s/document/orchestration/%s/%s/_script.sh", n.ID, orDefault(x.commandID, "command"), steps[0].Name)
		return execResult{Status: "Failed", StatusDetails: "Failed", ResponseCode: 126, Plugin: steps[0].Name,
			Stderr: agentStderr(fmt.Sprintf("sh: %s: Permission denied\n", path), 126)}, sw
	}
	env := sw.CommandEnv(r.name, instanceToken)
	var out, errs strings.Builder
	for _, s := range steps {
		res, err := r.server.shells.run(sw, stepScript(x.doc, s, x.params), env)
		if err != nil {
			return execResult{Status: "Failed", StatusDetails: "Failed", ResponseCode: 1, Plugin: s.Name, Output: out.String(),
				Stderr: errs.String() + err.Error()}, sw
		}
		out.WriteString(strings.ReplaceAll(res.stdout, instanceToken, n.ID))
		errs.WriteString(strings.ReplaceAll(res.stderr, instanceToken, n.ID))
		sw = res.after
		if res.code != 0 {
			return execResult{Status: "Failed", StatusDetails: "Failed", ResponseCode: res.code, Plugin: s.Name, Output: out.String(),
				Stderr: agentStderr(errs.String(), res.code)}, sw
		}
		ok.Plugin = s.Name
	}
	ok.Output, ok.Stderr = out.String(), errs.String()
	return ok, sw
}

// agentStderr is a failed step's standard error as the agent reports it:
// the step's own, then the agent's line for the exit status.
func agentStderr(stderr string, code int) string {
	if stderr != "" && !strings.HasSuffix(stderr, "\n") {
		stderr += "\n"
	}
	return stderr + fmt.Sprintf("failed to run commands: exit status %d", code)
}

var paramRef = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}`)

// stepScript is the script the agent writes for a shell step: the
// runCommand elements as lines, each {{ name }} of a declared parameter
// replaced by its value (or default). An element that is only a
// reference to a StringList parameter becomes that list's lines.
func stepScript(d *docparse.Doc, s docparse.Step, params map[string][]string) string {
	declared := map[string]docparse.Param{}
	for _, p := range d.Params {
		declared[p.Name] = p
	}
	var lines []string
	for _, el := range s.RunCommand {
		if m := paramRef.FindStringSubmatch(strings.TrimSpace(el)); m != nil && m[0] == strings.TrimSpace(el) {
			if p, ok := declared[m[1]]; ok && p.Type == "StringList" {
				if v, given := params[m[1]]; given {
					lines = append(lines, v...)
				} else if p.Default != nil {
					lines = append(lines, *p.Default)
				}
				continue
			}
		}
		lines = append(lines, paramRef.ReplaceAllStringFunc(el, func(ref string) string {
			name := paramRef.FindStringSubmatch(ref)[1]
			if _, ok := declared[name]; !ok {
				return ref
			}
			return paramValue(d, params, name)
		}))
	}
	return strings.Join(lines, "\n")
}
