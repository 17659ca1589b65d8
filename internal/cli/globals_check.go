package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
)

// annotationAWSFlags lists the global flags that say where AWS is
// (--region, --profile, --endpoint-url) which a command uses. A command
// that makes no AWS call refuses them instead of ignoring them: `patchready
// show plan.json --region eu-west-1` would otherwise look as if it showed
// something about eu-west-1.
const annotationAWSFlags = "patchready/aws-flags"

// allAWSFlags are the global flags that say where AWS is.
var allAWSFlags = []string{"region", "profile", "endpoint-url"}

// usesAWS returns the annotations of a command that uses the named global
// AWS flags (all of them when none is named).
func usesAWS(names ...string) map[string]string {
	if len(names) == 0 {
		names = allAWSFlags
	}
	return map[string]string{annotationAWSFlags: strings.Join(names, ",")}
}

// withAnnotations merges annotation sets.
func withAnnotations(sets ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, s := range sets {
		for k, v := range s {
			out[k] = v
		}
	}
	return out
}

// checkAWSFlags refuses a global AWS flag given to a command that does not
// use it.
func checkAWSFlags(cmd *cobra.Command) error {
	used := strings.Split(cmd.Annotations[annotationAWSFlags], ",")
	for _, name := range allAWSFlags {
		if cmd.Flags().Changed(name) && !slices.Contains(used, name) {
			return fmt.Errorf("--%s has no effect on %q, which makes no call to AWS with it; leave it out", name, cmd.CommandPath())
		}
	}
	return nil
}
