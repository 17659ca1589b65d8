// Package orgrun runs patchready's workflows across targets (accounts ×
// regions): it calls package engine once per target, in parallel, and
// merges and splits what they make.
//
// A plan across targets is each target's own plan (engine.MakePlan with
// that target's client) merged into one (plan.Merge); a target that cannot
// be planned is recorded in the plan with why. Apply splits the plan back
// (plan.Split) and runs engine.Apply in each target with that target's
// client, so the stale check, the resources' names, the pacing and the
// retries are exactly those of a run in one account and region.
//
// A run's journal (<state dir>/runs/RUN_ID.jsonl) records its plan and,
// for each target, where the target's own journal is and how it ended;
// each target's journal (<state dir>/runs/RUN_ID.targets/ACCOUNT/REGION/
// runs/RUN_ID.jsonl) is the journal of a run in one account and region,
// with the resources created there. --resume and cleanup read the run's
// journal to find every target again.
//
// A failure in one target never stops or changes another: targets share
// nothing but the run ID, the drain channel and the plan they were split
// from.
package orgrun
