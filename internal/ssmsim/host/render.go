package host

import (
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"strings"
)

// AgentPATH is the PATH systemd and upstart give the agent, and so every
// command it runs.
const AgentPATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// requestsIndex is what the Python package index offers of requests: each
// release with the oldest Python it installs on (newer releases drop old
// Pythons, so pip on Python 2.7 gets 2.27.1).
const requestsIndex = `2.18.4 2.6
2.27.1 2.7
2.31.0 3.7
2.32.3 3.8
`

// Tree renders the host as a filesystem.
func (h *Host) Tree() Tree {
	t := Tree{}
	for _, d := range []string{"/usr/bin", "/usr/sbin", "/usr/lib", "/usr/lib64", "/usr/local/bin", "/usr/local/sbin",
		"/etc", "/root", "/dev", "/var/lib/amazon/ssm", "/var/log/amazon/ssm", StateDir + "/installed", StateDir + "/faults"} {
		t.Dir(d, 0o755)
	}
	t.Dir("/tmp", 0o777|fs.ModeSticky)
	for _, l := range [][2]string{{"/bin", "usr/bin"}, {"/sbin", "usr/sbin"}, {"/lib", "usr/lib"}, {"/lib64", "usr/lib64"}} {
		t.Link(l[0], l[1])
	}
	t.File("/etc/os-release", 0o644, fmt.Sprintf("NAME=%q\nVERSION_ID=%q\nID=%q\nPRETTY_NAME=%q\n",
		h.OS.Name, h.OS.VersionID, h.OS.ID, h.OS.PrettyName))

	t.File(StateDir+"/lib/common.sh", 0o644, stubBody("common"))
	t.File(StateDir+"/net", 0o644, h.netFile())
	t.File(StateDir+"/pypi/requests", 0o644, requestsIndex)
	t.File(StateDir+"/df", 0o644, fmt.Sprintf("%d\n", h.VarFreeMB*1024))
	if h.PipBreaksYum {
		t.File(StateDir+"/faults/pip-breaks-yum", 0o644, "")
	}
	t.File(StateDir+"/patches", 0o644, h.Patches.String()+"\n")
	for _, m := range h.Managers {
		scheme := "https"
		if m.Name == "apt-get" {
			scheme = "http"
		}
		t.File("/usr/bin/"+m.Name, 0o755, stub("pkg", [][2]string{
			{"PM", m.Name}, {"PM_VERSION", m.Version}, {"PM_SCHEME", scheme}, {"PM_SITE", m.Site}, {"PM_MODULE", m.Module}}))
	}
	t.File("/usr/bin/pgrep", 0o755, stub("pgrep", nil))
	t.File("/usr/bin/df", 0o755, stub("df", nil))

	for _, name := range h.Installed {
		h.lay(t, "", h.Catalog[name])
		t.File(StateDir+"/installed/"+name, 0o644, "")
	}
	for site, mods := range h.Sites {
		t.Dir(StateDir+"/site/"+site, 0o755)
		for m, v := range mods {
			t.File(StateDir+"/site/"+site+"/"+m, 0o644, v+"\n")
		}
	}
	for _, name := range h.Repo {
		if h.IsInstalled(name) {
			continue
		}
		p := h.Catalog[name]
		root := StateDir + "/repo/" + name
		t.File(root+"/deps", 0o644, strings.Join(p.Deps, "\n")+"\n")
		t.Dir(root+"/files", 0o755)
		h.lay(t, root+"/files", p)
		for _, m := range p.Modules {
			t.File(root+"/files"+StateDir+"/site/"+m.Site+"/"+m.Name, 0o644, m.Version+"\n")
		}
	}
	h.layProc(t)
	h.layOverride(t)
	h.layPackageManagers(t)
	return t
}

// layPackageManagers writes the package managers' configuration and, when
// another process holds their lock, that process and the lock files that
// name it. Yum, dnf and zypper find their holder by a pid file; dpkg and
// apt hold an fcntl lock on the file, which the model stands for by
// writing the holder's pid in it.
func (h *Host) layPackageManagers(t Tree) {
	for _, m := range h.Managers {
		if m.Module == "dnf" {
			t.File("/etc/dnf/dnf.conf", 0o644, fmt.Sprintf("[main]\ngpgcheck=1\ninstallonly_limit=3\nclean_requirements_on_remove=True\nbest=True\nskip_if_unavailable=%s\n",
				map[bool]string{true: "True", false: "False"}[h.DNFSkipUnavailable]))
		}
	}
	if h.LockHeldBy == "" {
		return
	}
	pid := fmt.Sprintf("%d", LockHolderPID)
	t.File("/proc/"+pid+"/comm", 0o444, h.LockHeldBy+"\n")
	for _, m := range h.Managers {
		switch {
		case m.Name == "apt-get":
			t.File("/var/lib/dpkg/lock-frontend", 0o640, pid+"\n")
			t.File("/var/lib/apt/lists/lock", 0o640, pid+"\n")
		case m.Module == "dnf":
			t.File("/var/cache/dnf/metadata_lock.pid", 0o644, pid+"\n")
		case m.Name == "yum":
			t.File("/var/run/yum.pid", 0o644, pid+"\n")
		case m.Name == "zypper":
			t.File("/run/zypp.pid", 0o644, pid+"\n")
		}
	}
}

// lay puts a package's commands under root ("" for /). Modules of an
// installed package come from Sites, which pip may have changed since.
func (h *Host) lay(t Tree, root string, p Package) {
	if in := p.Interpreter; in != nil {
		t.File(root+in.Path, 0o755, stub("python", [][2]string{{"PY_PATH", in.Path}, {"PY_VERSION", in.Version}, {"PY_SITE", in.Site}}))
		t.Dir(root+StateDir+"/site/"+in.Site, 0o755)
		for _, c := range in.Commands {
			if "/usr/bin/"+c == in.Path {
				continue
			}
			target := in.Path
			if path.Dir(in.Path) == "/usr/bin" {
				target = path.Base(in.Path)
			}
			t.Link(root+"/usr/bin/"+c, target)
		}
	}
	for _, tool := range p.Tools {
		t.File(root+"/usr/bin/"+tool, 0o755, stub(tool, nil))
	}
	for _, m := range p.Modules {
		if m.Name != "pip" {
			continue
		}
		if py := h.siteInterpreter(m.Site); py != "" {
			for _, c := range p.PipCommands {
				t.File(root+"/usr/bin/"+c, 0o755, "#!/bin/sh\nexec "+py+" -m pip \"$@\"\n")
			}
		}
	}
}

// siteInterpreter is the path of a catalogued interpreter on PATH that
// uses site.
func (h *Host) siteInterpreter(site string) string {
	best := ""
	for _, p := range h.Catalog {
		if in := p.Interpreter; in != nil && in.Site == site && len(in.Commands) > 0 && (best == "" || in.Path < best) {
			best = in.Path
		}
	}
	return best
}

func (h *Host) netFile() string {
	var b strings.Builder
	fmt.Fprintf(&b, "payload=%s\nrepos=%s\npypi=%s\nblocked=%s\n", h.Net.Payload, h.Net.Repos, h.Net.PyPI, h.Net.BlockedBy)
	// One line per proxy that answers: a connection through any other
	// address is refused.
	for _, p := range h.proxies() {
		if hp := proxyHostPort(p.URL); hp != "" && !p.Down {
			fmt.Fprintf(&b, "proxy=%s\n", hp)
		}
	}
	return b.String()
}

// proxies are the agent's proxy and the override's, those set.
func (h *Host) proxies() []Proxy {
	var out []Proxy
	if h.Agent.Proxy.URL != "" {
		out = append(out, h.Agent.Proxy)
	}
	if o := h.Agent.Override; o != nil && o.URL != "" {
		out = append(out, *o)
	}
	return out
}

// proxyHostPort is a proxy URL's host:port, without credentials.
func proxyHostPort(raw string) string {
	if raw == "" {
		return ""
	}
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}

// layProc writes the fake /proc: the mounts and the agent's process.
func (h *Host) layProc(t Tree) {
	mounts := "/dev/xvda1 / xfs rw,relatime,attr2,inode64,noquota 0 0\n" +
		"proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n" +
		"tmpfs /dev/shm tmpfs rw,nosuid,nodev,noexec 0 0\n"
	if h.WorkdirNoexec {
		mounts += "/dev/xvdf /var/lib/amazon xfs rw,nosuid,nodev,noexec,relatime 0 0\n"
	}
	t.File("/proc/mounts", 0o444, mounts)
	initName := "systemd"
	if h.Init == "upstart" {
		initName = "init"
	}
	t.File("/proc/1/comm", 0o444, initName+"\n")
	pid := fmt.Sprintf("/proc/%d", h.Agent.PID)
	t.File(pid+"/comm", 0o444, "amazon-ssm-agent\n")
	env := []string{"PATH=" + AgentPATH}
	if h.Agent.Proxy.Source == "process" {
		env = append(env, proxyEnv(h.Agent.Proxy)...)
	}
	t.File(pid+"/environ", 0o400, strings.Join(env, "\x00")+"\x00")
}

// layOverride writes the service override that carries a proxy the
// running agent has not loaded: its own proxy when that is set only
// there, or the second proxy written since it started.
func (h *Host) layOverride(t Tree) {
	for _, p := range h.proxies() {
		switch p.Source {
		case "systemd-override":
			var b strings.Builder
			b.WriteString("[Service]\n")
			for _, kv := range proxyEnv(p) {
				fmt.Fprintf(&b, "Environment=\"%s\"\n", kv)
			}
			t.File("/etc/systemd/system/amazon-ssm-agent.service.d/override.conf", 0o644, b.String())
		case "upstart-override":
			var b strings.Builder
			for _, kv := range proxyEnv(p) {
				fmt.Fprintf(&b, "env %s\n", kv)
			}
			t.File("/etc/init/amazon-ssm-agent.override", 0o644, b.String())
		}
	}
}

// proxyEnv is p as environment variables.
func proxyEnv(p Proxy) []string {
	if p.URL == "" {
		return nil
	}
	env := []string{"https_proxy=" + p.URL, "http_proxy=" + p.URL}
	if p.NoProxy != "" {
		env = append(env, "no_proxy="+p.NoProxy)
	}
	return env
}

// CommandEnv is the environment the agent gives a command it runs: its
// PATH, the region and instance, and its proxy when the running agent has
// one.
func (h *Host) CommandEnv(region, instanceID string) []string {
	env := []string{"PATH=" + AgentPATH, "AWS_SSM_REGION_NAME=" + region, "AWS_SSM_INSTANCE_ID=" + instanceID}
	if h.Agent.Proxy.Source == "process" {
		env = append(env, proxyEnv(h.Agent.Proxy)...)
	}
	return env
}

// Restarted returns the host as it is once the agent has restarted: it
// starts with the proxy its service's override sets, so that proxy is in
// the environment of every command it runs from then on (the override
// stays where it is, now loaded). It returns h itself when the restart
// changes nothing.
func (h *Host) Restarted() *Host {
	var set Proxy
	switch {
	case h.Agent.Override != nil:
		set = *h.Agent.Override
	case h.Agent.Proxy.URL != "" && h.Agent.Proxy.Source != "process":
		set = h.Agent.Proxy
	default:
		return h
	}
	c := h.Clone()
	c.Agent.Override = &set
	c.Agent.Proxy = set
	c.Agent.Proxy.Source = "process"
	if c.Hash() == h.Hash() {
		return h
	}
	return c
}
