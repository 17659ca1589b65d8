// Package ssmsim is patchready's AWS simulator: a real HTTP server that
// speaks SSM and Organizations (awsJson1_1), STS, IAM and SNS (awsQuery)
// and EC2 (ec2Query) on one endpoint, backed by simulated accounts and
// managed nodes.
//
// Tests, the demo and the benchmarks point the real aws-sdk-go-v2 clients
// at it (BaseEndpoint), so signing, retries, pagination and error decoding are
// all exercised. Users run it too (patchready sim serve) to try plans before
// touching production.
//
// # Services and accounts
//
// A request's service comes from its SigV4 credential scope, then from its
// X-Amz-Target, then from its Action (services.go); each service answers
// in its protocol with its own codes for throttling, server errors and
// refused credentials. The caller comes from the access key (identity.go):
// keys the simulator did not issue act as the management account's user;
// keys from AssumeRole act in the role's account until they expire. State
// is kept per account (IAM, in accounts.go and iam_*.go) and per account
// and region (everything SSM, EC2 and SNS hold, in region). Options.Fleets
// are the management account's; Options.Organization adds accounts, OUs,
// regions (opt-in ones per account), roles, instance profiles and, per
// account-region, unmanaged EC2 instances, the Default Host Management
// setting and SNS topics. SampleOrganization builds the organization
// `sim serve` serves. Rate limits are per account, region and operation,
// as AWS's are.
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
//   - wire: AWS error values and their JSON and XML encodings, the query
//     protocols' parameters, and the constraint validator behind
//     ValidationException.
//   - schedexpr: rate(), cron() and at() schedule expressions and their
//     next fire times.
//   - docparse: the content of Command documents (formats, schema
//     versions, parameters, steps) and how a node reacts to one.
//
// The stateful core stays one package: the server, accounts, regions,
// nodes, commands, documents, associations, maintenance windows and the
// other services' state. They share one lock, one event queue per region
// and one seeded RNG, and call into each other's unexported state at every
// turn (an association runs as a tracked command, a window task resolves
// targets, a command reads the node model, an EC2 instance registers as an
// SSM node when IAM lets it). Splitting them would export that state only for the
// simulator's own use and make the "no import of the tool" rule harder to
// see. Files are named area_what.go: *_ops*.go register API operations
// (associations_ops_list.go, commands_ops_send.go), *_store.go hold an
// area's state, *_paging.go and *_filters.go the listing machinery, and
// *_run.go, commands_lifecycle.go and exec.go the simulated time line.
// The other services follow the same rule: sts_ops.go, iam_ops.go,
// organizations_ops.go, ec2_*_ops.go, sns_ops.go, settings_ops.go.
//
// The simulator must not import patchready's tool packages (fleet, plan,
// remedy, ...): it models AWS, and the tool must not be able to cheat.
// It may import documents (the report formats the project's documents print)
// and clock.
package ssmsim
