// Package remedy carries out a plan's actions through SSM: the agent update
// through a registered strategy (strategy.go: a State Manager association, a
// maintenance window task, or Run Command), the fix document's steps (fix.go),
// the fixes that bring unmanaged instances under management (register*.go),
// and the run's journal. Its scan stage (scan.go) runs Patch Manager's own
// AWS-RunPatchBaseline Scan, saved up into whole commands of 50 per platform
// (scan_batch.go), and reads back the patch state Patch Manager recorded, or
// names why the scan failed (scan_causes.go in words, scan_failure.go as data
// for plan --scan).
//
// Everything it creates has a deterministic name derived from what it does
// (so a re-run finds and reuses it instead of creating a duplicate) and the
// tags patchready:managed=true and patchready:run-id (so cleanup finds it).
// Every resource is recorded in the run's journal before the call that
// creates it returns to the caller, so an interrupted run loses nothing.
//
// remedy starts work and reports what SSM says about it; it does not decide
// whether a node complies. That is package converge's job, which reads the
// agent version back.
package remedy
