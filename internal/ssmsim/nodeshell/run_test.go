package nodeshell

import (
	"context"
	"testing"
	"time"

	"github.com/patchready/patchready/internal/ssmsim/host"
)

func runOn(t *testing.T, spec host.Spec, script string) Result {
	t.Helper()
	h, err := spec.Build()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := Run(ctx, Options{Tree: h.Tree(), Script: script, Env: h.CommandEnv("us-east-1", "i-0123456789abcdef0")})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestStubsRunInTheTree(t *testing.T) {
	res := runOn(t, host.Spec{Preset: host.AmazonLinux2}, `set -u
which python3 python2.7
python2 -c 'import yum; print(yum.__version__)'
python3 -c 'import requests' 2>/dev/null || echo "no requests for python3"
command -v curl
command -v nothing-here || echo "no nothing-here"
yum install -y python2-pip >/dev/null && python2 -m pip --version
d=$(mktemp -d) && echo hi >"$d/x" && cat "$d/x" && rm -rf "$d" && [ ! -e "$d" ] && echo removed
printf 'a b\n' | tr ' ' '\n' | tail -n 1
`)
	want := `/usr/bin/python3
/usr/bin/python2.7
3.4.3
no requests for python3
/usr/bin/curl
no nothing-here
pip 9.0.3 from /usr/lib/python2.7/site-packages/pip (python 2.7)
hi
removed
b
`
	if res.Stdout != want || res.Code != 0 {
		t.Errorf("exit %d stdout\n%s\nwant\n%s\nstderr %s", res.Code, res.Stdout, want, res.Stderr)
	}
	if _, ok := res.Tree[host.StateDir+"/installed/python2-pip"]; !ok {
		t.Error("the install did not reach the returned tree")
	}
}

func TestHostToolsRefuseFiles(t *testing.T) {
	for _, script := range []string{
		"sed -n p /etc/passwd",
		"sed 's/x/y/w /tmp/owned' </dev/null",
		"grep root /etc/passwd",
		"head -n 1 /etc/hostname",
		"sort -o /tmp/owned </dev/null",
		"tail -f /dev/null",
		"nonexistent-command",
	} {
		res := runOn(t, host.Spec{Preset: host.AmazonLinux2}, script)
		if res.Code == 0 || res.Stdout != "" {
			t.Errorf("%q: exit %d stdout %q", script, res.Code, res.Stdout)
		}
	}
}
