// Package bench measures patchready's plan and apply end to end against the
// in-process SSM simulator: API calls per operation against the fewest the
// work allows, wall and CPU time, peak memory, how long after the last
// simulated agent update every node was verified, and throttles met.
//
// It drives the same engine.MakePlan and engine.Apply as the CLI, over real
// HTTP with the real SDK client, so the figures are those of a real run
// minus AWS's own latency. The simulator runs in the same process, so CPU
// and memory include it: they are upper bounds for patchready alone.
package bench
