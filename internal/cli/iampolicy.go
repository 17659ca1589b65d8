package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/targets"
)

// NewCmdIAMPolicy is `patchready iam-policy`.
func NewCmdIAMPolicy(f *Factory) *cobra.Command {
	ios := f.IOStreams
	var readOnly bool
	var kind, roleName, hubAccount, externalID string
	cmd := &cobra.Command{
		Use:   "iam-policy",
		Short: "Print the least-privilege IAM policy patchready needs",
		Long: `iam-policy prints the IAM policy document to attach to the role or user that
runs patchready. Every action in it is one the code calls (a test keeps the two
in step). --read-only prints only what plan needs: reading the fleet and running
the read-only probe, whose document it creates or updates.

Across an organization, patchready (the hub) assumes one role in every account.
--for says which document to print:

  caller    the policy of the caller in one account (the default)
  hub       the hub's own policy: sts:AssumeRole on the role in any account,
            listing the organization's accounts and OUs, and its regions
  member    the role's permissions in every account (the caller policy, and
            ec2:DescribeRegions); --read-only for a role that only plans
  trust     the role's trust policy, admitting the hub account (--hub-account),
            with --external-id when given
  stackset  a CloudFormation template of the role (hub account, role name and
            external ID as parameters), to roll out with a StackSet

When the hub's own account is covered too (--org lists it), the hub acts
there with its own credentials: give it the member policy as well.`,
		Example: `  patchready iam-policy > patchready-policy.json
  aws iam create-policy --policy-name patchready --policy-document file://patchready-policy.json

  # For reviewers and CI jobs that only plan
  patchready iam-policy --read-only

  # The role in every account of the organization, through a StackSet
  patchready iam-policy --for stackset > patchready-role.json
  aws cloudformation create-stack-set --stack-set-name patchready-role \
      --template-body file://patchready-role.json --capabilities CAPABILITY_NAMED_IAM \
      --permission-model SERVICE_MANAGED --auto-deployment Enabled=true,RetainStacksOnAccountRemoval=false \
      --parameters ParameterKey=HubAccountId,ParameterValue=111122223333
  patchready iam-policy --for hub > hub-policy.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			given := givenFlags(cmd)
			if kind != policyTrust && (given["hub-account"] || given["external-id"]) {
				return errors.New("--hub-account and --external-id go into the role's trust policy: use them with --for trust (a StackSet takes them as parameters)")
			}
			if (kind == policyTrust || kind == policyHub) && given["read-only"] {
				return fmt.Errorf("--read-only cuts the permissions of the caller or the role; --for %s has none to cut", kind)
			}
			if (kind == policyCaller || kind == policyTrust || kind == policyMember) && given["role-name"] {
				return fmt.Errorf("--role-name names the role in the hub policy and the StackSet; --for %s does not name it", kind)
			}
			out, err := "", error(nil)
			if kind == policyCaller {
				out, err = iamPolicy(readOnly)
			} else {
				out, err = orgPolicy(kind, roleName, hubAccount, externalID, readOnly)
			}
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(ios.Out, out)
			return err
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&readOnly, "read-only", false, "only the permissions plan needs")
	fl.StringVar(&kind, "for", policyCaller, "which document: caller, hub, member, trust or stackset")
	fl.StringVar(&roleName, "role-name", targets.DefaultRoleName, "the role assumed in every account (--for hub, stackset)")
	fl.StringVar(&hubAccount, "hub-account", "", "the account patchready runs in (--for trust)")
	fl.StringVar(&externalID, "external-id", "", "the external ID the trust policy requires (--for trust)")
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
	doc, err := callerPolicy(readOnly)
	if err != nil {
		return "", err
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	return string(b), err
}

// callerPolicy is the caller's policy in one account, whole or its plan
// statements only.
func callerPolicy(readOnly bool) (iamDoc, error) {
	var doc iamDoc
	if err := json.Unmarshal([]byte(documents.IAMPolicyJSON), &doc); err != nil {
		return doc, fmt.Errorf("embedded IAM policy: %w", err)
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
	return doc, nil
}
