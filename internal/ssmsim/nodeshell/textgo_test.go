package nodeshell

import (
	"bytes"
	"os/exec"
	"testing"

	"mvdan.cc/sh/v3/interp"
)

// TestGoFiltersMatchTheRealTools runs each filter form the documents and
// stubs use in Go and with the host's real tool, and wants the same bytes.
func TestGoFiltersMatchTheRealTools(t *testing.T) {
	input := "Environment=\"https_proxy=http://p:3128\" \"no_proxy=a,b\"\n# Environment=x\n  HTTP/1.1 403 Forbidden\nPython 2.7.18\nimport requests; print(requests.__version__)\nlast line without newline"
	tests := []struct {
		tool string
		args []string
	}{
		{"head", []string{"-n", "1"}},
		{"head", []string{"-n", "0"}},
		{"head", []string{"-c", "3"}},
		{"tail", []string{"-n", "1"}},
		{"tail", []string{"-n", "2"}},
		{"tr", []string{"-cd", "A-Za-z0-9 ._:/,+-"}},
		{"tr", []string{"-d", " "}},
		{"tr", []string{"-cd", "0-9"}},
		{"tr", []string{" \t\"'", "\n\n\n\n"}},
		{"tr", []string{"[:upper:]", "[:lower:]"}},
		{"tr", []string{"\\0", "\\n"}},
		{"tr", []string{";", "\\n"}},
		{"sed", []string{"-e", "/^[[:space:]]*[#;]/d"}},
		{"sed", []string{"-n", "-e", "s/^Environment=//", "-e", "s/^\"https_proxy=//p"}},
		{"sed", []string{"-n", "s/^Python \\([0-9]\\).*/\\1/p"}},
		{"sed", []string{"-n", "s/^[[:space:]]*HTTP\\/[0-9.]*[[:space:]]\\{1,\\}\\([0-9][0-9][0-9]\\).*/\\1/p"}},
		{"sed", []string{"-n", "s/^[[:space:]]*import[[:space:]][[:space:]]*\\([A-Za-z_][A-Za-z0-9_]*\\).*/\\1/p"}},
		{"sed", []string{"-n", "s/.*print(\\([A-Za-z_][A-Za-z0-9_]*\\)\\.__version__).*/\\1/p"}},
		{"sed", []string{"s/o/0/g"}},
		{"sed", []string{"s/[aeiou][aeiou]*/<&>/"}},
	}
	for _, tc := range tests {
		real, err := exec.LookPath(tc.tool)
		if err != nil {
			t.Fatalf("%s: %v", tc.tool, err)
		}
		cmd := exec.Command(real, tc.args...)
		cmd.Env = []string{"LC_ALL=C"}
		cmd.Stdin = bytes.NewReader([]byte(input))
		want, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s %q: %v", tc.tool, tc.args, err)
		}
		var got bytes.Buffer
		hc := interp.HandlerContext{Stdin: bytes.NewReader([]byte(input)), Stdout: &got}
		code, handled := goFilter(hc, tc.tool, tc.args)
		if !handled || code != 0 {
			t.Errorf("%s %q: not handled in Go", tc.tool, tc.args)
			continue
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("%s %q:\ngo   %q\nreal %q", tc.tool, tc.args, got.Bytes(), want)
		}
	}
}
