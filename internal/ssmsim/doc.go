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
//   - patchbaseline: AWS-RunPatchBaseline as the simulator serves it, and
//     the script of its PatchLinux step.
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
// # Patch scans
//
// AWS-RunPatchBaseline is one of the AWS-owned documents every region
// serves, with AWS's parameters (Operation is required; Scan or Install)
// and its three steps. On a Linux node its PatchLinux step runs on the
// node's software model like any shell step: up to the payload download
// the script mirrors AWS's Linux step (the interpreter it picks with
// which, its messages, exit 1 for an unsupported package manager and
// Python, a traceback and exit 1 with neither curl nor wget, 156 and
// "Unable to download payload: URL." when the download fails, 155 with
// "No space left on device" when /var cannot hold the payload); then a
// stand-in for the payload scans: requests older than 2.18.4 behind the
// agent's proxy fails it (143), the package manager must import, get its
// lock and reach its repositories (each with its own messages; dnf on
// Amazon Linux 2023 skips dead repositories, so the scan passes knowing
// of no update), and a scan that gets through reports the host's patch
// figures. A noexec work directory ends the step with 126. Windows and
// macOS scans are modelled in patch_run.go, from the node's patch figures
// and its scan_fails fault. Standard error reaches the invocation as the
// agent reports it (StandardErrorContent, and the step's Output under
// "----------ERROR-------"), with "failed to run commands: exit status N"
// for a step that failed. A successful scan records the node's patch
// state, which DescribeInstancePatchStates returns with AWS's shape; a
// failed scan leaves the previous state, and a node never scanned has
// none. The simulator models Operation=Scan only: Install fails with a
// message that says so.
//
// The simulator must not import patchready's tool packages (fleet, plan,
// remedy, ...): it models AWS, and the tool must not be able to cheat.
// It may import documents (the report formats the project's documents print)
// and clock.
package ssmsim
