package ssmsim

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/ssmsim/docparse"
)

// latestRequests is the newest release of the Python requests module the
// simulated package index offers: what `pip install --upgrade` installs.
const latestRequests = "2.32.3"

// imdsAddress must appear in no_proxy or the agent's metadata calls go to
// the proxy and fail.
const imdsAddress = "169.254.169.254"

// slowed scales a duration by the node's Slow fault.
func slowed(n *Node, d time.Duration) time.Duration {
	if n.Faults.Slow > 1 {
		return time.Duration(float64(d) * n.Faults.Slow)
	}
	return d
}

// execute runs a delivered document on node n. Effects on the node happen
// when the run ends, through the event queue, so a reader between start
// and end sees the node as it was.
func (r *region) execute(n *Node, x *run, now time.Time) {
	b := r.server.opts.Behaviour
	end := now.Add(slowed(n, b.CommandDuration))
	if step, skip := skippedStep(x.doc, n.PlatformType); skip {
		// A false precondition skips the step; the invocation still
		// succeeds, as the agent reports it.
		out := fmt.Sprintf("Step execution skipped due to unsatisfied preconditions: '\"StringEquals\": [platformType, %s]'. Step name: %s\n", step.Platform, step.Name)
		r.finishAt(x, end, execResult{Status: "Success", StatusDetails: "Success", Output: out})
		return
	}
	switch x.doc.Kind {
	case docparse.UpdateAgent:
		r.updateAgent(n, x, now)
	case docparse.Probe:
		r.schedule(end, func(t time.Time) {
			x.finish(execResult{Status: "Success", StatusDetails: "Success", Output: probeOutput(r.byID[x.node]), End: t})
		})
	case docparse.UpgradeRequests:
		r.schedule(end, func(t time.Time) { x.finish(upgradeRequests(r.byID[x.node], x, t)) })
	case docparse.Fix:
		r.schedule(end, func(t time.Time) { x.finish(fixNode(r.byID[x.node], x, t)) })
	default:
		r.finishAt(x, end, execResult{Status: "Success", StatusDetails: "Success"})
	}
}

// finishAt reports res at simulated time at.
func (r *region) finishAt(x *run, at time.Time, res execResult) {
	r.schedule(at, func(t time.Time) {
		res.End = t
		x.finish(res)
	})
}

// skippedStep reports whether every step of the document has a platform
// precondition the node fails, returning the first such step.
func skippedStep(d *docparse.Doc, platform string) (docparse.Step, bool) {
	if len(d.Steps) == 0 {
		return docparse.Step{}, false
	}
	for _, s := range d.Steps {
		if s.Platform == "" || s.Platform == platform {
			return docparse.Step{}, false
		}
	}
	return d.Steps[0], true
}

// probeOutput is the one JSON line the probe prints for n. It reports the
// proxy's scheme only: the URL may carry credentials.
//
// Until the simulator runs the documents' own scripts, it derives the
// patch run's view of a node from the node's fields: the package manager
// from its platform, the interpreter from its Python path.
func probeOutput(n *Node) string {
	scheme := ""
	if u := n.Proxy.URL; u != "" {
		scheme = "http"
		if strings.HasPrefix(strings.ToLower(u), "https://") {
			scheme = "https"
		}
	}
	pm := packageManagerOf(n)
	rep := documents.ProbeReport{
		Schema: documents.ProbeReportSchema, Proxied: n.Proxy.URL != "", ProxySource: sourceOf(n), ProxyScheme: scheme,
		NoProxyHasIMDS: strings.Contains(n.Proxy.NoProxy, imdsAddress),
		Which:          true, PackageManagers: pm, PackageModule: documents.ModuleNA, Pip: documents.PipMissing,
		Downloader: "curl", Payload: documents.PayloadReachable, PayloadCode: "403", VarFreeMB: 8000,
	}
	if n.Python == "" {
		rep.PythonError = map[string]string{
			"apt":    "An unsupported package manager and python version combination was found. Apt requires Python3 to be installed.",
			"yum":    "An unsupported package manager and python version combination was found. Yum requires Python2 to be installed.",
			"dnf":    "An unsupported package manager and python version combination was found. Dnf requires Python2 or Python3 to be installed.",
			"zypper": "An unsupported package manager and python version combination was found. ZYpp requires Python2 or Python3 to be installed.",
		}[pm]
	} else {
		rep.PackageManager, rep.PythonPath = pm, n.Python
		rep.Python, rep.PythonVersion = "python3", "3.9.16"
		if !strings.Contains(n.Python, "python3") {
			rep.Python, rep.PythonVersion = "python", "2.7.18"
		}
		if pm != "zypper" {
			rep.PackageModule = documents.ModuleOK
		}
		rep.RequestsVersion = n.Requests
		if n.Pip != "" {
			rep.Pip = documents.PipOK
		}
	}
	return jsonLine(rep)
}

// packageManagerOf is the package manager a node's platform uses.
func packageManagerOf(n *Node) string {
	name := strings.ToLower(n.PlatformName)
	switch {
	case strings.Contains(name, "ubuntu"), strings.Contains(name, "debian"), strings.Contains(name, "raspbian"):
		return "apt"
	case strings.Contains(name, "sles"), strings.Contains(name, "suse"):
		return "zypper"
	case name == "amazon linux" && n.PlatformVersion == "2023", strings.HasPrefix(name, "rocky"), strings.HasPrefix(name, "alma"),
		strings.HasPrefix(name, "red hat") && !strings.HasPrefix(n.PlatformVersion, "7"):
		return "dnf"
	}
	return "yum"
}

// fixNode applies the fix document to n at time t: the requests step
// installs pip when missing (unless the NoPip fault says the package
// manager cannot) and raises requests; the python step installs python3;
// the curl step is a no-op (every simulated node has curl). It prints the
// fix report, then the probe's report of the node afterwards.
func fixNode(n *Node, x *run, t time.Time) execResult {
	steps := strings.Split(paramValue(x.doc, x.params, "actions"), ",")
	rep := documents.FixReport{Schema: documents.FixReportSchema, Kind: "fix"}
	ok := true
	for _, step := range []string{documents.FixPython, documents.FixCurl, documents.FixRequests} {
		if !contains(steps, step) {
			continue
		}
		st := documents.FixStep{Name: step, OK: true}
		switch step {
		case documents.FixPython:
			if n.Python == "" {
				n.Python = "/usr/bin/python3"
				st.Detail = "installed python3"
			} else {
				st.Detail = "nothing to do"
			}
		case documents.FixCurl:
			st.Detail = "curl present"
		case documents.FixRequests:
			before := requestsOf(n)
			if n.Pip == "" && n.Faults.NoPip {
				st.OK, st.Detail = false, "pip is not installed and the package manager could not install it"
				break
			}
			if n.Pip == "" {
				n.Pip = "/usr/bin/pip"
			}
			if n.Python == "" {
				n.Python = "/usr/bin/python"
			}
			min := paramValue(x.doc, x.params, "minRequests")
			if min != "" && compareVersions(min, latestRequests) > 0 {
				st.OK, st.Detail = false, "pip install failed"
				break
			}
			n.Requests = maxVersion(n.Requests, latestRequests)
			st.Detail = "requests " + orNone(before) + " to " + n.Requests
		}
		ok = ok && st.OK
		rep.Steps = append(rep.Steps, st)
	}
	out := jsonLine(rep) + probeOutput(n)
	if !ok {
		return execResult{Status: "Failed", StatusDetails: "Failed", ResponseCode: 1, Output: out, End: t}
	}
	return execResult{Status: "Success", StatusDetails: "Success", Output: out, End: t}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func sourceOf(n *Node) string {
	if n.Proxy.URL == "" {
		return ""
	}
	return orDefault(n.Proxy.Source, "process")
}

// requestsOf is the requests version Python can import: none without Python.
func requestsOf(n *Node) string {
	if n.Python == "" {
		return ""
	}
	return n.Requests
}

// upgradeRequests applies the upgrade-requests document to n at time t:
// pip is installed with yum when missing (unless the NoPip fault says yum
// cannot), then requests is raised to the newest release.
func upgradeRequests(n *Node, x *run, t time.Time) execResult {
	before := requestsOf(n)
	rep := documents.UpgradeReport{Schema: 1, Before: before, After: before, YumOK: true}
	fail := func(msg string) execResult {
		rep.Error = msg
		return execResult{Status: "Failed", StatusDetails: "Failed", ResponseCode: 1, Output: jsonLine(rep), End: t}
	}
	if n.Pip == "" {
		if n.Faults.NoPip {
			return fail("pip is not installed and yum could not install it")
		}
		// yum install python-pip brings Python along when it is missing.
		if n.Python == "" {
			n.Python = "/usr/bin/python"
		}
		n.Pip = "/usr/bin/pip"
		if strings.Contains(n.Python, "python3") {
			n.Pip = "/usr/bin/pip3"
		}
		rep.PipInstalled = true
	}
	minVersion := paramValue(x.doc, x.params, "minVersion")
	if minVersion != "" && compareVersions(minVersion, latestRequests) > 0 {
		// No release satisfies requests>=min: pip exits 1.
		return fail("pip install failed; see /tmp/patchready-pip.log")
	}
	n.Requests = maxVersion(n.Requests, latestRequests)
	rep.After = n.Requests
	return execResult{Status: "Success", StatusDetails: "Success", Output: jsonLine(rep), End: t}
}

func jsonLine(v any) string {
	b, _ := json.Marshal(v) // report structs always marshal
	return string(b) + "\n"
}
