package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/prereq"
	"github.com/patchready/patchready/internal/remedy"
)

// ruleFlags are the flags that choose the prerequisites a plan is made
// under, shared by plan, apply (without a plan file) and heal.
type ruleFlags struct {
	Rules           string
	RulesFile       string
	MinAgentVersion string
}

func (r *ruleFlags) bind(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&r.Rules, "rules", prereq.DefaultRules, "built-in prerequisites: "+strings.Join(prereq.RuleSets(), " (the page patchready started from) or ")+" (AWS's current page)")
	f.StringVar(&r.RulesFile, "rules-file", "", "your own rules (YAML) over --rules: every field it sets replaces the built-in one; `extends:` in the file picks the base")
	f.StringVar(&r.RulesFile, "prereqs", "", "old name of --rules-file")
	_ = f.MarkHidden("prereqs")
	f.StringVar(&r.MinAgentVersion, "min-agent-version", "", "require at least this agent version (default 2.0.834.0, the Patch Manager floor)")
}

// strategyFlagHelp lists the registered strategies for --strategy.
func strategyFlagHelp() string {
	var parts []string
	for _, s := range remedy.Strategies() {
		parts = append(parts, s.Name+" ("+s.UseWhen+")")
	}
	return "how apply updates the agent: " + strings.Join(parts, "; ")
}

// planSettings are the parsed, validated inputs shared by plan, apply and
// heal.
type planSettings struct {
	rules    prereq.Rules
	strategy plan.Strategy
}

func (r ruleFlags) settings(strategy string) (planSettings, error) {
	if r.Rules == "" {
		r.Rules = prereq.DefaultRules
	}
	if strategy == "" {
		strategy = string(plan.DefaultStrategy)
	}
	base, err := prereq.Builtin(r.Rules)
	if err != nil {
		return planSettings{}, err
	}
	if r.RulesFile != "" {
		if base, err = prereq.LoadFile(r.RulesFile, r.Rules); err != nil {
			return planSettings{}, fmt.Errorf("--rules-file: %w", err)
		}
	}
	if r.MinAgentVersion != "" {
		if base, err = base.WithMinAgentVersion(r.MinAgentVersion); err != nil {
			return planSettings{}, fmt.Errorf("--min-agent-version: %w", err)
		}
	}
	st, err := remedy.LookupStrategy(strategy)
	if err != nil {
		return planSettings{}, fmt.Errorf("--strategy: %w", err)
	}
	return planSettings{rules: base, strategy: plan.Strategy(st.Name)}, nil
}
