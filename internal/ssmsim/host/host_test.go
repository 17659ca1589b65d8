package host

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func TestPresetsRoundTrip(t *testing.T) {
	for _, name := range Presets() {
		t.Run(name, func(t *testing.T) {
			h, err := FromPreset(name)
			if err != nil {
				t.Fatal(err)
			}
			if len(h.Interpreters()) == 0 || len(h.Managers) == 0 {
				t.Fatalf("preset has no interpreter or package manager: %+v", h)
			}
			// Reading an untouched tree back gives the same host: a
			// script that changes nothing keeps the node's hash, and so
			// its cached results.
			if back := h.ReadBack(h.Tree()); back.Hash() != h.Hash() {
				t.Errorf("read back differs:\n%+v\n%+v", h, back)
			}
			for _, in := range h.Interpreters() {
				tree := h.Tree()
				if e, ok := tree[in.Path]; !ok || e.Mode.Perm()&0o111 == 0 {
					t.Errorf("no executable stub at %s", in.Path)
				}
			}
		})
	}
}

func TestReadBackSeesChanges(t *testing.T) {
	h, err := FromPreset(AmazonLinux2)
	if err != nil {
		t.Fatal(err)
	}
	tree := h.Tree()
	// What `yum install python2-pip` and `pip install --upgrade requests`
	// leave in the tree.
	tree.File(StateDir+"/installed/python2-pip", 0o644, "")
	tree.File(StateDir+"/site/python2.7/pip", 0o644, "9.0.3\n")
	tree.File(StateDir+"/site/python2.7/requests", 0o644, "2.27.1\n")
	back := h.ReadBack(tree)
	if !back.IsInstalled("python2-pip") {
		t.Error("python2-pip not installed after read back")
	}
	if v, _ := back.Module("python2", "requests"); v != "2.27.1" {
		t.Errorf("requests %q, want 2.27.1", v)
	}
	if back.Hash() == h.Hash() {
		t.Error("a changed host kept its hash")
	}
	if v, _ := h.Module("python2", "requests"); v != "2.6.0" {
		t.Errorf("read back changed the original host: requests %q", v)
	}
}

func TestSpec(t *testing.T) {
	h, err := Spec{Preset: RHEL8, Without: []string{"python3"}, VarFreeMB: 100,
		Proxy: &Proxy{URL: "http://u:p@proxy.example:3128", Source: "systemd-override"}, Payload: Proxied}.Build()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := h.Interpreter("python3"); ok {
		t.Error("python3 still installed")
	}
	// platform-python shares the site, so dnf's module stays.
	if v := h.Sites["python3.6"]["dnf"]; v == "" {
		t.Error("dnf module gone with python3")
	}
	if h.VarFreeMB != 100 || h.Net.Payload != Proxied {
		t.Errorf("overrides not applied: %+v", h)
	}
	tree := h.Tree()
	if !strings.Contains(tree["/etc/systemd/system/amazon-ssm-agent.service.d/override.conf"].Data, `Environment="https_proxy=http://u:p@proxy.example:3128"`) {
		t.Error("systemd override missing the proxy")
	}
	if strings.Contains(tree["/proc/2214/environ"].Data, "proxy") {
		t.Error("an override-only proxy is in the running agent's environment")
	}
	if net := tree[StateDir+"/net"].Data; !strings.Contains(net, "proxy=proxy.example:3128") || strings.Contains(net, "u:p") {
		t.Errorf("net file %q", net)
	}
	for _, kv := range h.CommandEnv("us-east-1", "i-1") {
		if strings.Contains(kv, "proxy") {
			t.Errorf("command env carries an override-only proxy: %s", kv)
		}
	}

	for _, bad := range []Spec{
		{Preset: "windows-2019"},
		{Preset: AmazonLinux2, Without: []string{"python9"}},
		{Preset: AmazonLinux2, Payload: "sometimes"},
		{Preset: AmazonLinux2, BlockedBy: "gremlins"},
		{Preset: AmazonLinux2, Proxy: &Proxy{URL: "http://p:1", Source: "bashrc"}},
		{Preset: AmazonLinux2, Modules: map[string]map[string]string{"python9": {"requests": "1"}}},
		{Preset: AmazonLinux2, Unoffered: []string{"nope"}},
		{Preset: AmazonLinux2, OverrideProxy: &Proxy{URL: "http://q:2", Source: "systemd-override"}},
		{Preset: AmazonLinux2, Proxy: &Proxy{URL: "http://p:1", Source: "process"}, OverrideProxy: &Proxy{URL: "http://q:2", Source: "process"}},
		{Preset: AmazonLinux2, Proxy: &Proxy{URL: "http://p:1", Source: "upstart-override"}, OverrideProxy: &Proxy{URL: "http://q:2", Source: "systemd-override"}},
	} {
		if _, err := bad.Build(); err == nil {
			t.Errorf("%+v built", bad)
		}
	}
}

// TestRestartLoadsTheOverride: the running agent has one proxy, its
// systemd override another, which only a restart puts in the environment
// of the commands the agent runs. The override stays, now loaded.
func TestRestartLoadsTheOverride(t *testing.T) {
	h, err := Spec{Preset: AmazonLinux2, Proxy: &Proxy{URL: "http://a:1@live.example:3128", Source: "process"},
		OverrideProxy: &Proxy{URL: "http://b:2@next.example:8080", Source: "systemd-override", Down: true}}.Build()
	if err != nil {
		t.Fatal(err)
	}
	const override = "/etc/systemd/system/amazon-ssm-agent.service.d/override.conf"
	env := func(h *Host) string { return strings.Join(h.CommandEnv("us-east-1", "i-1"), " ") }
	tree := h.Tree()
	if !strings.Contains(env(h), "https_proxy=http://a:1@live.example:3128") || !strings.Contains(tree[override].Data, "next.example:8080") {
		t.Fatalf("before the restart: env %q, override %q", env(h), tree[override].Data)
	}
	// Only the proxy that answers is in the network file.
	if net := tree[StateDir+"/net"].Data; !strings.Contains(net, "proxy=live.example:3128") || strings.Contains(net, "next.example") {
		t.Errorf("net file %q", net)
	}
	r := h.Restarted()
	if r == h || !strings.Contains(env(r), "https_proxy=http://b:2@next.example:8080") || strings.Contains(env(r), "live.example") {
		t.Fatalf("after the restart: env %q", env(r))
	}
	if !strings.Contains(r.Tree()[override].Data, "next.example:8080") {
		t.Error("the override went away with the restart")
	}
	if again := r.Restarted(); again != r {
		t.Error("a second restart changed a host whose override is loaded")
	}
	if strings.Contains(env(h), "next.example") {
		t.Error("Restarted changed the host it was called on")
	}

	// A proxy only in an upstart override is loaded the same way.
	u, err := Spec{Preset: AmazonLinux1, Proxy: &Proxy{URL: "http://p.example:3128", Source: "upstart-override"}}.Build()
	if err != nil {
		t.Fatal(err)
	}
	if ur := u.Restarted(); !strings.Contains(env(ur), "https_proxy=http://p.example:3128") || !strings.Contains(ur.Tree()["/etc/init/amazon-ssm-agent.override"].Data, "p.example") {
		t.Errorf("upstart: env %q", env(ur))
	}
	if plain, _ := FromPreset(AmazonLinux2); plain.Restarted() != plain {
		t.Error("restarting an agent without any proxy changed the host")
	}
}

func TestWithoutWhichOnDebian(t *testing.T) {
	h, err := Spec{Preset: Ubuntu2204, Without: []string{"debianutils"}}.Build()
	if err != nil {
		t.Fatal(err)
	}
	tree := h.Tree()
	if _, ok := tree["/usr/bin/which"]; ok {
		t.Error("which still in the tree")
	}
	if _, ok := tree[StateDir+"/repo/debianutils/files/usr/bin/which"]; !ok {
		t.Error("debianutils not installable")
	}
	if !slices.Contains(h.Repo, "python3-pip") {
		t.Error("python3-pip not offered")
	}
}

// TestStubsParse checks every stub is valid POSIX sh for dash and bash.
func TestStubsParse(t *testing.T) {
	ents, err := stubFS.ReadDir("stubs")
	if err != nil {
		t.Fatal(err)
	}
	for _, sh := range []string{"dash", "bash"} {
		if _, err := exec.LookPath(sh); err != nil {
			t.Skipf("%s not installed", sh)
		}
		for _, e := range ents {
			body := stubBody(strings.TrimSuffix(e.Name(), ".sh"))
			cmd := exec.Command(sh, "-n")
			cmd.Stdin = strings.NewReader(body)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("%s -n %s: %v %s", sh, e.Name(), err, out)
			}
		}
	}
}
