package remedy

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// Strategy is one way of delivering AWS-UpdateSSMAgent, registered once.
// Adding a strategy is one file that defines it and one line in strategies.
type Strategy struct {
	// Name is how --strategy and plans spell it.
	Name string
	// Summary says in one line how it updates the agent, for --help.
	Summary string
	// UseWhen says when to pick it, for --help and the README table.
	UseWhen string
	// New returns the strategy's updater for one run.
	New func(api API, opts Options) (AgentUpdater, error)
}

// API is everything the registered strategies call; *ssm.Client satisfies
// it, and each strategy keeps to its own smaller interface.
type API interface {
	AssociationAPI
	WindowAPI
	RunCommandAPI
}

var _ API = (*ssm.Client)(nil)

// strategies lists every strategy; the first is the default.
var strategies = []Strategy{
	associationStrategy,
	windowStrategy,
	runCommandStrategy,
}

// Strategies returns the registered strategies, the default first.
func Strategies() []Strategy { return strategies }

// LookupStrategy returns the strategy called name, or an error that lists
// the valid names.
func LookupStrategy(name string) (Strategy, error) {
	for _, s := range strategies {
		if s.Name == name {
			return s, nil
		}
	}
	return Strategy{}, fmt.Errorf("unknown strategy %q: use one of %s", cut(name, 40), StrategyNames())
}

// StrategyNames lists the strategy names, comma-separated, for messages.
func StrategyNames() string {
	names := make([]string, len(strategies))
	for i, s := range strategies {
		names[i] = s.Name
	}
	return strings.Join(names, ", ")
}

func cut(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
