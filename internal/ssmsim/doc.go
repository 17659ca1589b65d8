// Package ssmsim is patchready's fleet simulator: a real HTTP server that
// speaks the SSM awsJson1_1 protocol, backed by simulated managed nodes.
//
// Tests, the demo and the benchmarks point the real aws-sdk-go-v2 SSM client
// at it (BaseEndpoint), so signing, retries, pagination and error decoding are
// all exercised. Users run it too (patchready sim serve) to try plans before
// touching production.
//
// The simulator is strict like AWS: every request is validated against the
// API model's constraints and answered with AWS's error shapes. Where AWS's
// behaviour is not documented, the code says so and takes the stricter
// reading. It is also messy like a real fleet: nodes update after a delay,
// restart, fail, go offline; the API throttles, answers 5xx, and returns
// empty pages. Everything random comes from one seeded RNG, and all time
// comes from an injectable clock, so runs are reproducible and fast.
//
// The simulator must not import patchready's tool packages (fleet, plan,
// remedy, ...): it models AWS, and the tool must not be able to cheat.
// It may import documents (the report formats the project's documents print)
// and clock.
package ssmsim
