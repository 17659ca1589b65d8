package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/unmanaged"
)

// NewCmdIAMPolicy is `patchready iam-policy`.
func NewCmdIAMPolicy(f *Factory) *cobra.Command {
	ios := f.IOStreams
	var readOnly bool
	fixes := &listValue{what: "fix names (" + unmanaged.FixNames() + ") or all"}
	cmd := &cobra.Command{
		Use:   "iam-policy",
		Short: "Print the least-privilege IAM policy patchready needs",
		Long: `iam-policy prints the IAM policy document to attach to the role or user that
runs patchready. Every action in it is one the code calls, on the resources it
calls it on (a test keeps the two in step). --read-only prints only what plan
needs: reading the fleet, running the read-only probe (whose document it creates
or updates), and reading the EC2 instances SSM does not manage, their instance
profiles' roles and the Default Host Management setting.

The fixes that bring unmanaged instances under management change IAM, so their
permissions are not in the policy unless asked for with --unmanaged-fixes:
enable-dhmc (iam:CreateRole and iam:AttachRolePolicy on the documented role
only, iam:PassRole of it to Systems Manager, ssm:UpdateServiceSetting of that
one setting), attach-instance-profile (ec2:AssociateIamInstanceProfile, and
iam:PassRole to EC2), fix-instance-role (iam:AttachRolePolicy of
AmazonSSMManagedInstanceCore only).`,
		Example: `  patchready iam-policy > patchready-policy.json
  aws iam create-policy --policy-name patchready --policy-document file://patchready-policy.json

  # For reviewers and CI jobs that only plan
  patchready iam-policy --read-only

  # For apply --enable-dhmc and --attach-instance-profile NAME as well
  patchready iam-policy --unmanaged-fixes enable-dhmc,attach-instance-profile`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			kinds, err := parseFixKinds(fixes.items)
			if err != nil {
				return err
			}
			if readOnly && len(kinds) > 0 {
				return errors.New("--unmanaged-fixes cannot be used with --read-only: the fixes change IAM, EC2 and SSM")
			}
			out, err := iamPolicy(readOnly, kinds)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(ios.Out, out)
			return err
		},
	}
	cmd.Flags().BoolVar(&readOnly, "read-only", false, "only the permissions plan needs")
	cmd.Flags().Var(fixes, "unmanaged-fixes", "add the permissions of these fixes for unmanaged instances: "+unmanaged.FixNames()+", or all")
	return cmd
}

// parseFixKinds reads --unmanaged-fixes.
func parseFixKinds(names []string) ([]unmanaged.FixKind, error) {
	var out []unmanaged.FixKind
	for _, n := range names {
		if n == "all" {
			for _, f := range unmanaged.Fixes() {
				out = append(out, f.Kind)
			}
			continue
		}
		k, err := unmanaged.ParseFixKind(n)
		if err != nil {
			return nil, fmt.Errorf("--unmanaged-fixes: %w", err)
		}
		out = append(out, k)
	}
	return out, nil
}

type iamDoc struct {
	Version   string         `json:"Version"`
	Statement []iamStatement `json:"Statement"`
}

type iamStatement struct {
	Sid       string `json:"Sid"`
	Effect    string `json:"Effect"`
	Action    any    `json:"Action"`
	Resource  any    `json:"Resource"`
	Condition any    `json:"Condition,omitempty"`
}

// iamPolicy returns the policy: the plan statements; the apply ones too
// unless readOnly; and the statements of the fixes given.
func iamPolicy(readOnly bool, fixes []unmanaged.FixKind) (string, error) {
	var doc iamDoc
	if err := json.Unmarshal([]byte(documents.IAMPolicyJSON), &doc); err != nil {
		return "", fmt.Errorf("embedded IAM policy: %w", err)
	}
	var sids []string
	for _, k := range fixes {
		if f, ok := unmanaged.LookupFix(k); ok {
			sids = append(sids, f.PolicySids...)
		}
	}
	kept := doc.Statement[:0]
	for _, s := range doc.Statement {
		switch {
		case strings.HasPrefix(s.Sid, "Plan"),
			strings.HasPrefix(s.Sid, "Apply") && !readOnly,
			strings.HasPrefix(s.Sid, "Fix") && slices.Contains(sids, s.Sid):
			kept = append(kept, s)
		}
	}
	doc.Statement = kept
	b, err := json.MarshalIndent(doc, "", "  ")
	return string(b), err
}
