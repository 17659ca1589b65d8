package main

import (
	"os"
	"runtime/debug"

	"github.com/patchready/patchready/internal/cli"
)

// gcPercent is patchready's garbage collection target, unless GOGC says
// otherwise. patchready waits on AWS far more than it computes, so half
// Go's default headroom (100) costs little CPU, and keeps the peak of a
// 100,000-node plan, whose live heap is about 150 MB, under 400 MB
// (README, Performance).
const gcPercent = 50

func main() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(gcPercent)
	}
	os.Exit(cli.Main())
}
