package host

import (
	"slices"
	"strings"
)

// PatchPython returns the command AWS-RunPatchBaseline's Linux script
// would use on h, as the run names it (python2.7, python3, python), and
// the interpreter it runs, by the run's rules in the run's order (the
// probe script's pr_select_python, which the tests hold this to). It is
// for the simulator's summary of a node; the probe's own report is what
// the tool reads.
func (h *Host) PatchPython() (string, Interpreter, bool) {
	if !h.HasTool("which") {
		return "", Interpreter{}, false
	}
	onPath := func(cmd string) string {
		for _, in := range h.Interpreters() {
			if slices.Contains(in.Commands, cmd) {
				return cmd
			}
		}
		return ""
	}
	py3, py2_6, py26, py2_7, py27, py2 := onPath("python3"), onPath("python2.6"), onPath("python26"), onPath("python2.7"), onPath("python27"), onPath("python2")
	if onPath("python") != "" {
		in, _ := h.Interpreter("python")
		switch {
		case strings.HasPrefix(in.Version, "2."):
			py2 = "python"
		case strings.HasPrefix(in.Version, "3."):
			py3 = "python"
		}
	}
	has := map[string]bool{}
	for _, m := range h.Managers {
		has[m.Name] = true
	}
	pick := func(cmd string) (string, Interpreter, bool) {
		in, ok := h.Interpreter(cmd)
		return cmd, in, ok
	}
	switch {
	case has["apt-get"] && py3 != "":
		return pick(py3)
	case has["dnf"] && py2+py3 != "":
		if py2 != "" {
			return pick(py2)
		}
		return pick(py3)
	case has["yum"] && py2_6+py26+py2_7+py27+py2 != "":
		for _, c := range []string{py2_7, py27, py2, py2_6, py26} {
			if c == "" {
				continue
			}
			if in, ok := h.Interpreter(c); ok {
				if _, yum := h.Sites[in.Site]["yum"]; yum {
					return c, in, true
				}
			}
		}
		return "", Interpreter{}, false
	case has["zypper"] && py3 != "":
		return pick(py3)
	case has["zypper"] && py2 != "":
		return pick(py2)
	}
	return "", Interpreter{}, false
}
