package heal

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/patchready/patchready/internal/engine"
	"github.com/patchready/patchready/internal/plan"
)

// Runner makes a cycle's plan and carries out its apply. Options.Runner
// nil means engine's, against one SSM client: one account and region. A
// heal across an organization passes a runner that plans and applies
// across its targets (cli's, over package orgrun); the cycle itself is the
// same.
type Runner interface {
	MakePlan(ctx context.Context, in engine.PlanInput) (plan.Plan, error)
	Apply(ctx context.Context, in engine.ApplyInput) (Applied, error)
}

// Applied is what a cycle's apply did.
type Applied struct {
	engine.ApplyResult
	// FailedTargets are the targets of a run across targets that could not
	// be applied (the others were), with their failures.
	FailedTargets []plan.Target
}

// engineRunner is the runner of one account and region.
type engineRunner struct{ api *ssm.Client }

func (r engineRunner) MakePlan(ctx context.Context, in engine.PlanInput) (plan.Plan, error) {
	return engine.MakePlan(ctx, r.api, in)
}

func (r engineRunner) Apply(ctx context.Context, in engine.ApplyInput) (Applied, error) {
	res, err := engine.Apply(ctx, r.api, in)
	return Applied{ApplyResult: res}, err
}

// nodeKey names a node in the backoff state: its instance ID, with its
// account and region in a heal across targets.
func nodeKey(account, region, id string) string {
	if account == "" && region == "" {
		return id
	}
	return account + "/" + region + "/" + id
}
