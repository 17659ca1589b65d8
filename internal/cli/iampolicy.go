package cli

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/patchready/patchready/documents"
)

// NewCmdIAMPolicy is `patchready iam-policy`.
func NewCmdIAMPolicy(f *Factory) *cobra.Command {
	ios := f.IOStreams
	var readOnly bool
	cmd := &cobra.Command{
		Use:   "iam-policy",
		Short: "Print the least-privilege IAM policy patchready needs",
		Long: `iam-policy prints the IAM policy document to attach to the role or user that
runs patchready. Every action in it is one the code calls (a test keeps the two
in step). --read-only prints only what plan needs: reading the fleet and running
the read-only probe, whose document it creates or updates.`,
		Example: `  patchready iam-policy > patchready-policy.json
  aws iam create-policy --policy-name patchready --policy-document file://patchready-policy.json

  # For reviewers and CI jobs that only plan
  patchready iam-policy --read-only`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out, err := iamPolicy(readOnly)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(ios.Out, out)
			return err
		},
	}
	cmd.Flags().BoolVar(&readOnly, "read-only", false, "only the permissions plan needs")
	return cmd
}

type iamDoc struct {
	Version   string         `json:"Version"`
	Statement []iamStatement `json:"Statement"`
}

type iamStatement struct {
	Sid      string `json:"Sid"`
	Effect   string `json:"Effect"`
	Action   any    `json:"Action"`
	Resource any    `json:"Resource"`
}

// iamPolicy returns the policy, whole or its plan statements only.
func iamPolicy(readOnly bool) (string, error) {
	var doc iamDoc
	if err := json.Unmarshal([]byte(documents.IAMPolicyJSON), &doc); err != nil {
		return "", fmt.Errorf("embedded IAM policy: %w", err)
	}
	if readOnly {
		kept := doc.Statement[:0]
		for _, s := range doc.Statement {
			if strings.HasPrefix(s.Sid, "Plan") {
				kept = append(kept, s)
			}
		}
		doc.Statement = kept
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	return string(b), err
}
