// Package targets says where a run across an AWS Organization goes: which
// accounts and regions (targets), with which credentials, through which
// clients, and why a target could not be reached.
//
// The caller (the hub) keeps its own credentials in its own account and
// assumes one role of one name in every other account, through the SDK's
// AssumeRole credentials provider behind a credentials cache, one per
// account and shared by that account's regions. Every target gets its own
// SSM client with its own retryer, so that pacing and retries follow the
// rate limits AWS keeps per account and region: a throttled target slows
// only itself.
//
// A target that cannot be reached (a role that is missing or denies, an
// account that is suspended, a region the account has not enabled) is a
// Failure with a reason and what to do, never an error that stops the
// others. Errors are kept for what stops every target: the hub's own
// credentials, the organization's listing, bad flags.
//
// The package knows nothing of plans being made or applied; package
// orgrun runs patchready's workflows over the targets it resolves.
package targets
