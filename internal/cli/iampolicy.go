package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/targets"
	"github.com/patchready/patchready/internal/unmanaged"
)

// NewCmdIAMPolicy is `patchready iam-policy`.
func NewCmdIAMPolicy(f *Factory) *cobra.Command {
	ios := f.IOStreams
	var readOnly bool
	fixes := &listValue{what: "fix names (" + unmanaged.FixNames() + ") or all"}
	var kind, roleName, hubAccount, externalID string
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
AmazonSSMManagedInstanceCore only).

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

  # For apply --enable-dhmc and --attach-instance-profile NAME as well
  patchready iam-policy --unmanaged-fixes enable-dhmc,attach-instance-profile

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
			kinds, err := parseFixKinds(fixes.items)
			if err != nil {
				return err
			}
			if readOnly && len(kinds) > 0 {
				return errors.New("--unmanaged-fixes cannot be used with --read-only: the fixes change IAM, EC2 and SSM")
			}
			if kind != policyCaller && len(kinds) > 0 {
				return fmt.Errorf("--unmanaged-fixes adds to the caller's policy in one account; --for %s does not take it (the fixes run in one account and region)", kind)
			}
			out := ""
			if kind == policyCaller {
				out, err = iamPolicy(readOnly, kinds)
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
	fl.Var(fixes, "unmanaged-fixes", "add the permissions of these fixes for unmanaged instances: "+unmanaged.FixNames()+", or all (--for caller)")
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

// iamPolicy returns the caller's policy: the plan statements; the apply
// ones too unless readOnly; and the statements of the fixes given.
func iamPolicy(readOnly bool, fixes []unmanaged.FixKind) (string, error) {
	doc, err := callerPolicy(readOnly, fixes)
	if err != nil {
		return "", err
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	return string(b), err
}

// callerPolicy is the caller's policy in one account: the plan
// statements; the apply ones too unless readOnly; and the statements of
// the fixes given.
func callerPolicy(readOnly bool, fixes []unmanaged.FixKind) (iamDoc, error) {
	var doc iamDoc
	if err := json.Unmarshal([]byte(documents.IAMPolicyJSON), &doc); err != nil {
		return doc, fmt.Errorf("embedded IAM policy: %w", err)
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
	return doc, nil
}
