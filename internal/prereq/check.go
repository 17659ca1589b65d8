package prereq

import (
	"fmt"
	"slices"
	"strings"

	"github.com/patchready/patchready/internal/fleet"
)

// Check is one prerequisite, as one registered unit: everything the rest of
// patchready needs to know about it is declared here, and plan, render, the
// fingerprint, the stale-plan check and the memo loop over the registry
// (checks.go) instead of naming checks.
type Check struct {
	ID CheckID
	// Heading names the group of nodes a check blocks in a plan, e.g.
	// "operating system not supported".
	Heading string
	// Advice says what to do about a node this check blocks, or "".
	Advice string
	// Ensures says in one sentence what the check makes sure of, for
	// `patchready checks` and the README's prerequisite table.
	Ensures string
	// NotFixed says why patchready does not mend a failure itself (for a
	// check that blocks, warns or notes), or when its Fix cannot (for a
	// check that fixes); "" for a fix that always applies.
	NotFixed string
	// AppliesTo says which nodes the check is made on, as data.
	AppliesTo Applicability
	// Facts are the names of the facts Eval reads (see facts.go).
	Facts []string
	// Eval decides the check on one node's facts. It may return pass,
	// fail or unknown; NA and skipped come from AppliesTo.
	Eval func(f Facts, r *Rules) CheckResult
	// OnFail, OnUnknown and OnSkipped say what each outcome means for the
	// node. Pass and NA mean nothing.
	OnFail, OnUnknown, OnSkipped Consequence
	// Fix is the action that mends a failure, when OnFail is Fix.
	Fix *Action

	factIdx []int // Facts as indexes into facts, set by the registry
}

// Applicability says, as data, which nodes a check applies to.
type Applicability struct {
	// PlatformTypes limits the check to these platform types; empty means
	// every platform.
	PlatformTypes []string
	// AmazonLinux limits the check to Amazon Linux (1, 2, 2023).
	AmazonLinux bool
	// Probe says the check reads the probe's report: on a node without a
	// readable report it is skipped (the probe check says why).
	Probe bool
}

// Consequence is what a check's outcome means for the node.
type Consequence int

// Consequences.
const (
	// Ignore: nothing; the outcome is recorded, nothing more.
	Ignore Consequence = iota
	// Block: the node cannot be made to comply through SSM.
	Block
	// Fix: the check's Fix action will mend it (unless the result says it
	// is unfixable, which blocks).
	Fix
	// Note: worth telling the reviewer; decides nothing.
	Note
	// Warn: a note that starts "warning: ".
	Warn
)

func (c *Check) reads(name string) bool { return slices.Contains(c.Facts, name) }

// deciding reports whether any outcome of c can decide an action or a block.
func (c *Check) deciding() bool {
	for _, k := range []Consequence{c.OnFail, c.OnUnknown, c.OnSkipped} {
		if k == Block || k == Fix {
			return true
		}
	}
	return false
}

// Consequence returns what res means for the node, and the action when it
// is Fix.
func (c *Check) Consequence(res CheckResult) (Consequence, *Action) {
	switch res.Status {
	case StatusFail:
		if c.OnFail == Fix && (res.Unfixable || c.Fix == nil) {
			return Block, nil
		}
		if c.OnFail == Fix {
			return Fix, c.Fix
		}
		return c.OnFail, nil
	case StatusUnknown:
		return c.OnUnknown, nil
	case StatusSkipped:
		return c.OnSkipped, nil
	}
	return Ignore, nil
}

// run makes the check on n: NA when it does not apply, skipped when it
// needs a probe report the node lacks, else Eval.
func (c *Check) run(n *fleet.Node, r *Rules) CheckResult {
	a := c.AppliesTo
	if len(a.PlatformTypes) > 0 && !slices.Contains(a.PlatformTypes, n.PlatformType) {
		return CheckResult{Check: c.ID, Status: StatusNA, Reason: "applies only to " + strings.Join(a.PlatformTypes, ", ")}
	}
	if a.AmazonLinux && !n.IsAmazonLinux() {
		return CheckResult{Check: c.ID, Status: StatusNA, Reason: "applies only to Amazon Linux"}
	}
	if a.Probe && !n.Probed() {
		return CheckResult{Check: c.ID, Status: StatusSkipped, Reason: "not checked: needs the probe's report"}
	}
	res := c.Eval(Facts{check: c, node: n}, r)
	res.Check = c.ID
	if res.Status == "" {
		panic(fmt.Sprintf("prereq: check %s returned no status", c.ID))
	}
	return res
}

// Action is a change patchready can make to a node through SSM to mend a
// failed check. Actions are declared by the checks they mend (Check.Fix);
// the update-agent action is delivered by the chosen strategy, the others
// as steps of patchready's fix document.
type Action struct {
	Kind ActionKind
	// Doing says what the action does, for a plan's reasons, e.g.
	// "installs the latest agent".
	Doing string
	// FixStep is the fix document's step (documents.Fix*) that carries the
	// action out; "" for update-agent, which a strategy delivers.
	FixStep string
}

// ActionKind names an action in plans and journals, e.g. "update-agent".
type ActionKind string

// String returns the action's name.
func (a ActionKind) String() string { return string(a) }

// UpdateAgent is the action every strategy delivers: AWS-UpdateSSMAgent.
const UpdateAgent ActionKind = "update-agent"

// Actions lists every action in execution order: update-agent first (the
// agent restarts during its update, so nothing else may run meanwhile), then
// the fix document's steps in the order the checks that declare them are
// registered.
func Actions() []Action {
	var out []Action
	for i := range registry {
		if a := registry[i].Fix; a != nil && !slices.ContainsFunc(out, func(x Action) bool { return x.Kind == a.Kind }) {
			out = append(out, *a)
		}
	}
	slices.SortStableFunc(out, func(a, b Action) int {
		switch {
		case a.Kind == UpdateAgent && b.Kind != UpdateAgent:
			return -1
		case b.Kind == UpdateAgent && a.Kind != UpdateAgent:
			return 1
		}
		return 0
	})
	return out
}

// LookupAction returns the action named kind.
func LookupAction(kind ActionKind) (Action, bool) {
	for _, a := range Actions() {
		if a.Kind == kind {
			return a, true
		}
	}
	return Action{}, false
}
