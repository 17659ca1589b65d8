package cli

import (
	"fmt"
	"runtime/debug"
)

// Version is the release version, set at build time with
// -ldflags "-X github.com/patchready/patchready/internal/cli.Version=v1.2.3".
// Builds without it report the module version or "dev".
var Version = ""

// toolVersion returns the version this binary reports and records in plans.
func toolVersion() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// buildInfo describes the binary in more detail for `patchready version`.
func buildInfo() string {
	s := "patchready " + toolVersion()
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return s + "\n"
	}
	s += fmt.Sprintf("\n  go: %s", bi.GoVersion)
	for _, kv := range bi.Settings {
		switch kv.Key {
		case "vcs.revision", "vcs.time", "vcs.modified", "GOOS", "GOARCH":
			s += fmt.Sprintf("\n  %s: %s", kv.Key, kv.Value)
		}
	}
	return s + "\n"
}
