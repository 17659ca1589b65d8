// Package heal is patchready's scheduled self-healing: a reconcile loop that
// plans, applies what the plan says within guardrails, waits until every
// touched node reads back, records the outcome, and starts again after an
// interval.
//
// The loop is level-triggered: every cycle looks at the fleet afresh
// (engine.MakePlan), so a node that drifted since the last cycle, or one
// added to the fleet, is picked up without any event having been seen, and a
// cycle that changes nothing costs only the reads. It is idempotent because
// engine.Apply is: resources get deterministic names and are found, not
// duplicated.
//
// What the loop remembers between cycles is small and lives in one JSON
// file in the state directory: for each node that failed to heal, how many
// times in a row it failed and until when it is left alone (exponential
// backoff). The file, not memory, is the source of truth, so a CronJob or a
// systemd timer that runs `patchready heal --once` as a new process each
// time backs off exactly as the long-running loop does.
//
// heal decides nothing about compliance itself: verdicts come from the plan
// and outcomes from converge. It must not talk to SSM except through
// package engine. Metrics (Prometheus, on its own registry) describe every
// cycle; see Metrics.
package heal
