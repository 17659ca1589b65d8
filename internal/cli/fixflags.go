package cli

import (
	"github.com/patchready/patchready/internal/targets"

	"fmt"
	"regexp"

	"github.com/spf13/cobra"

	"github.com/patchready/patchready/internal/unmanaged"
)

// fixFlags are the opt-in fixes that bring unmanaged EC2 instances under
// management, shared by plan and apply (without a plan file). They change
// IAM, so none is on by default; a plan made without them says what each
// would do.
type fixFlags struct {
	EnableDHMC    bool
	attachProfile nonEmptyValue
	FixRole       bool
}

// reProfileName is IAM's pattern for an instance profile name, checked
// here so that a typo fails under the flag's name before anything is read.
var reProfileName = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)

func (f *fixFlags) bind(cmd *cobra.Command) {
	fl := cmd.Flags()
	f.attachProfile.what = "an instance profile name"
	for _, fx := range unmanaged.Fixes() {
		name := fx.Flag[2:]
		switch fx.Kind {
		case unmanaged.EnableDHMC:
			fl.BoolVar(&f.EnableDHMC, name, false, fx.Help)
		case unmanaged.AttachProfile:
			fl.Var(&f.attachProfile, name, fx.Help)
		case unmanaged.FixRole:
			fl.BoolVar(&f.FixRole, name, false, fx.Help)
		default:
			panic("cli: no flag for fix " + fx.Kind)
		}
	}
}

// options checks the flags and returns the fixes asked for.
func (f *fixFlags) options() (unmanaged.Options, error) {
	o := unmanaged.Options{EnableDHMC: f.EnableDHMC, AttachProfile: f.attachProfile.value, FixRole: f.FixRole}
	if o.AttachProfile != "" && !reProfileName.MatchString(o.AttachProfile) {
		return o, fmt.Errorf("--attach-instance-profile %q: not an instance profile name (letters, digits and +=,.@_-, at most 128)", o.AttachProfile)
	}
	return o, nil
}

// checkTargets refuses the fixes in a run across accounts and regions:
// they change IAM and a region's Default Host Management setting, which is
// reviewed and done one account and region at a time.
func (f *fixFlags) checkTargets(o unmanaged.Options, spec targets.Spec) error {
	if !spec.Multi() || !o.Any() {
		return nil
	}
	for _, fx := range unmanaged.Fixes() {
		if o.Asked(fx.Kind) {
			return fmt.Errorf("%s: the fixes for unmanaged instances change IAM and SSM settings one account and region at a time; run them per account (without --org, --accounts or --regions), after reviewing that account's plan", fx.Flag)
		}
	}
	return nil
}
