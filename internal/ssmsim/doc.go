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
// # Layout
//
// The pure parts live in sub-packages that know nothing of the server:
//
//   - wire: AWS error values, their encodings, and the constraint
//     validator behind ValidationException.
//   - schedexpr: rate(), cron() and at() schedule expressions and their
//     next fire times.
//   - docparse: the content of Command documents (formats, schema
//     versions, parameters, steps) and how a node reacts to one.
//
// The stateful core stays one package: the server, regions, nodes,
// commands, documents, associations and maintenance windows. They share
// one lock, one event queue per region and one seeded RNG, and call into
// each other's unexported state at every turn (an association runs as a
// tracked command, a window task resolves targets, a command reads the
// node model). Splitting them would export that state only for the
// simulator's own use and make the "no import of the tool" rule harder to
// see. Files are named area_what.go: *_ops*.go register API operations
// (associations_ops_list.go, commands_ops_send.go), *_store.go hold an
// area's state, *_paging.go and *_filters.go the listing machinery, and
// *_run.go, commands_lifecycle.go and exec.go the simulated time line.
//
// The simulator must not import patchready's tool packages (fleet, plan,
// remedy, ...): it models AWS, and the tool must not be able to cheat.
// It may import documents (the report formats the project's documents print)
// and clock.
package ssmsim
