package targets

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
)

// DefaultRoleName is the role assumed in every account when --role-name
// is not given: a dedicated least-privilege role (see patchready
// iam-policy --for member), not OrganizationAccountAccessRole, which is
// administrator in its account.
const DefaultRoleName = "PatchReadyRole"

// DefaultParallel is how many targets run at once. A target's work is
// mostly waiting: on its own account-region rate limits, on commands and
// read-backs, so running more targets at once costs little CPU and finishes
// an organization in about the time of its slowest target. What bounds it
// is the connections each running target keeps open (a few: one per call
// in flight) against the usual limit of 1,024 open files, and the memory
// of the fleets being read at once; 64 keeps both far from their limits
// and runs an organization of up to 64 account-regions entirely at once.
const DefaultParallel = 64

// MaxParallel caps --parallel-targets.
const MaxParallel = 1024

// Spec is which targets a command covers: what the target flags say.
// The zero value is the caller's own account in its own region.
type Spec struct {
	// Regions are the regions to cover; AllRegions covers every region
	// enabled in each account (ec2:DescribeRegions, so opt-in regions
	// follow each account). Neither means the caller's region.
	Regions    []string
	AllRegions bool
	// Accounts names the accounts; Org lists the organization's ACTIVE
	// accounts; OUs limits that listing to these OU subtrees (and implies
	// Org). Neither means the caller's account.
	Accounts []string
	Org      bool
	OUs      []string
	// Exclude leaves accounts out of any of the above.
	Exclude []string
	// RoleName is assumed in every account but the caller's; ExternalID
	// is passed with it when the role's trust policy asks for one.
	RoleName   string
	ExternalID string
	// Parallel bounds how many targets run at once.
	Parallel int
}

var (
	reAccountID  = regexp.MustCompile(`^[0-9]{12}$`)
	reRegion     = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]$`)
	reRoleName   = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	reExternalID = regexp.MustCompile(`^[\w+=,.@:/-]+$`)
	reOU         = regexp.MustCompile(`^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$`)
)

// Multi reports whether the spec covers anything but the caller's own
// account in its own region: whether the run goes across targets.
func (s Spec) Multi() bool {
	return len(s.Regions) > 0 || s.AllRegions || s.OtherAccounts()
}

// OtherAccounts reports whether the spec reaches beyond the caller's
// account, so that a role is assumed.
func (s Spec) OtherAccounts() bool { return len(s.Accounts) > 0 || s.Org || len(s.OUs) > 0 }

// CheckAndSetDefaults refuses a spec whose flags contradict each other or
// would be ignored, and fills the role name and parallelism.
func (s *Spec) CheckAndSetDefaults() error {
	if len(s.Regions) > 0 && s.AllRegions {
		return errors.New("--regions and --all-regions both choose the regions: give one")
	}
	if len(s.Accounts) > 0 && (s.Org || len(s.OUs) > 0) {
		return errors.New("--accounts names the accounts, and --org or --ou lists them from the organization: give one")
	}
	for _, r := range s.Regions {
		if !reRegion.MatchString(r) {
			return fmt.Errorf("--regions %q: not a region name like eu-west-1", r)
		}
	}
	for _, list := range []struct {
		flag string
		ids  []string
	}{{"accounts", s.Accounts}, {"exclude-accounts", s.Exclude}} {
		for _, id := range list.ids {
			if !reAccountID.MatchString(id) {
				return fmt.Errorf("--%s %q: an account ID is 12 digits", list.flag, id)
			}
		}
	}
	for _, ou := range s.OUs {
		if !reOU.MatchString(ou) {
			return fmt.Errorf("--ou %q: want an OU ID like ou-ab12-cdef3456 (or a root ID like r-ab12)", ou)
		}
	}
	if len(s.Exclude) > 0 && !s.OtherAccounts() {
		return errors.New("--exclude-accounts leaves accounts out of --accounts, --org or --ou: give one of those")
	}
	if len(s.Accounts) > 0 {
		left := slices.DeleteFunc(slices.Clone(s.Accounts), func(id string) bool { return slices.Contains(s.Exclude, id) })
		if len(left) == 0 {
			return errors.New("--exclude-accounts leaves none of --accounts")
		}
	}
	if !s.OtherAccounts() {
		switch {
		case s.RoleName != "":
			return errors.New("--role-name is the role assumed in other accounts: give --accounts, --org or --ou")
		case s.ExternalID != "":
			return errors.New("--external-id goes with the role assumed in other accounts: give --accounts, --org or --ou")
		}
	}
	if s.Parallel != 0 && !s.Multi() {
		return errors.New("--parallel-targets has no effect on one account and region: give --regions, --all-regions, --accounts, --org or --ou")
	}
	if s.RoleName == "" {
		s.RoleName = DefaultRoleName
	}
	if !reRoleName.MatchString(s.RoleName) {
		return fmt.Errorf("--role-name %q: a role name is 1 to 64 letters, digits and +=,.@_-", s.RoleName)
	}
	if s.ExternalID != "" && (len(s.ExternalID) < 2 || len(s.ExternalID) > 1224 || !reExternalID.MatchString(s.ExternalID)) {
		return errors.New("--external-id: 2 to 1224 letters, digits and +=,.@:/_-")
	}
	if s.Parallel == 0 {
		s.Parallel = DefaultParallel
	}
	if s.Parallel < 1 || s.Parallel > MaxParallel {
		return fmt.Errorf("--parallel-targets %d: use 1 to %d", s.Parallel, MaxParallel)
	}
	return nil
}

// RoleARN is the role assumed in account.
func (s Spec) RoleARN(account string) string {
	return "arn:aws:iam::" + account + ":role/" + s.RoleName
}
