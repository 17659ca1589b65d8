package remedy

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"go.uber.org/zap"

	"github.com/patchready/patchready/internal/awsclient"
	"github.com/patchready/patchready/internal/terminal"
	"github.com/patchready/patchready/internal/unmanaged"
)

// The fixes whose scope is a role or the region: made once, before any
// instance is waited for. Each reads first and changes only what differs
// from the plan, so that a re-run, or a resumed run, changes nothing that
// is already in place; each change is journaled as it is made.

// hostManagementTrust is the trust policy of the role --enable-dhmc
// creates: Systems Manager may assume it, as AWS's console role allows.
const hostManagementTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` +
	unmanaged.HostManagementService + `"},"Action":"sts:AssumeRole"}]}`

// enableHostManagement makes the documented role exist with its policy,
// then points the region's Default Host Management setting at it.
func (r *Register) enableHostManagement(ctx context.Context, fp unmanaged.FixPlan) error {
	name := unmanaged.HostManagementRoleName
	out, err := r.apis.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	switch {
	case awsclient.IsNotFound(err):
		_, err := r.apis.IAM.CreateRole(ctx, &iam.CreateRoleInput{
			RoleName: aws.String(name), Path: aws.String(unmanaged.HostManagementRolePath),
			AssumeRolePolicyDocument: aws.String(hostManagementTrust),
			Description:              aws.String("Default Host Management Configuration role, created by patchready run " + r.opts.RunID),
		})
		if err != nil && !awsclient.IsAlreadyExists(err) {
			return fmt.Errorf("create role %s: %w", name, err)
		}
		if err == nil {
			r.opts.Logger.Info("created role", zap.String("role", name), zap.String("fix", string(unmanaged.EnableDHMC)))
			if err := r.opts.Journal.Created(Resource{Type: ResourceRole, ID: name, Name: unmanaged.HostManagementRolePath + name, Action: string(unmanaged.EnableDHMC)}); err != nil {
				return err
			}
		}
	case err != nil:
		return fmt.Errorf("get role %s: %w", name, err)
	case !unmanaged.Trusts(aws.ToString(out.Role.AssumeRolePolicyDocument), unmanaged.HostManagementService):
		return terminal.Error(fmt.Errorf("role %s exists but does not trust %s: correct its trust policy, then apply again", name, unmanaged.HostManagementService))
	}
	if err := r.attachPolicy(ctx, name, unmanaged.HostManagementPolicyARN, unmanaged.EnableDHMC); err != nil {
		return err
	}
	id := aws.String(unmanaged.HostManagementSettingID)
	cur, err := r.apis.SSM.GetServiceSetting(ctx, &ssm.GetServiceSettingInput{SettingId: id})
	if err != nil {
		return fmt.Errorf("read the Default Host Management setting: %w", err)
	}
	before := ""
	if cur.ServiceSetting != nil {
		before = aws.ToString(cur.ServiceSetting.SettingValue)
	}
	if before == fp.Value {
		r.opts.Logger.Info("default host management already on", zap.String("value", before))
		return nil
	}
	if _, err := r.apis.SSM.UpdateServiceSetting(ctx, &ssm.UpdateServiceSettingInput{SettingId: id, SettingValue: aws.String(fp.Value)}); err != nil {
		return fmt.Errorf("turn on Default Host Management: %w", err)
	}
	r.opts.Logger.Info("turned on default host management", zap.String("value", fp.Value), zap.String("before", before))
	return r.opts.Journal.Created(Resource{Type: ResourceServiceSetting, ID: unmanaged.HostManagementSettingID, Name: fp.Value,
		Before: before, InstanceIDs: fp.InstanceIDs, Action: string(unmanaged.EnableDHMC)})
}

// attachPolicy attaches a managed policy to a role unless it is attached.
func (r *Register) attachPolicy(ctx context.Context, role, policy string, fix unmanaged.FixKind) error {
	p := iam.NewListAttachedRolePoliciesPaginator(r.apis.IAM, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(role), MaxItems: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list policies of role %s: %w", role, err)
		}
		if slices.ContainsFunc(page.AttachedPolicies, func(ap iamtypes.AttachedPolicy) bool { return aws.ToString(ap.PolicyArn) == policy }) {
			r.opts.Logger.Info("policy already attached", zap.String("role", role), zap.String("policy", policy))
			return nil
		}
	}
	if _, err := r.apis.IAM.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(role), PolicyArn: aws.String(policy)}); err != nil {
		return fmt.Errorf("attach %s to role %s: %w", policy, role, err)
	}
	r.opts.Logger.Info("attached policy", zap.String("role", role), zap.String("policy", policy), zap.String("fix", string(fix)))
	return r.opts.Journal.Created(Resource{Type: ResourceRolePolicy, ID: role + "|" + policy, Name: role, Action: string(fix)})
}
