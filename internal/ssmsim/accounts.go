package ssmsim

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// account is the state of one AWS account. Its IAM lives here (IAM is
// global); what it has per region lives in the regions it owns. Every
// field is guarded by Server.mu.
type account struct {
	id, name, email string
	status          string
	parent          string // OU ID, or the root ID
	joined          time.Time
	optedIn         map[string]bool
	estates         map[string]Estate

	iam *iamState
}

// organization is the organization's own state: its IDs and OUs. A
// simulator without an Organization option has none (org == nil), and
// Organizations answers AWSOrganizationsNotInUseException.
type organization struct {
	id, rootID string
	units      []OrganizationalUnit // in the configured order
	unitByID   map[string]OrganizationalUnit
}

var (
	reAccountID = regexp.MustCompile(`^\d{12}$`)
	reOrgID     = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
	reRootID    = regexp.MustCompile(`^r-[0-9a-z]{4,32}$`)
	reOUID      = regexp.MustCompile(`^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$`)
)

// setUpAccounts builds the accounts from the options: the organization's,
// or one standalone account. Options.Fleets are the management account's
// fleets, whatever the organization says, so that a single-account caller
// keeps working unchanged. It panics on a configuration AWS could not
// have (duplicate IDs, malformed IDs): New has no error to return, and a
// bad configuration is a programming error of the caller.
func (s *Server) setUpAccounts() {
	o := s.opts.Organization
	now := s.clock.Now()
	var accounts []Account
	if o == nil {
		accounts = []Account{{ID: DefaultAccountID, Name: "simulated-account", Email: "aws@example.com"}}
		s.regionSpecs = DefaultRegions()
	} else {
		if len(o.Accounts) == 0 {
			panic("ssmsim: an Organization needs at least its management account")
		}
		org := &organization{id: orDefault(o.ID, DefaultOrganizationID), rootID: orDefault(o.RootID, DefaultRootID), unitByID: map[string]OrganizationalUnit{}}
		mustMatch("organization ID", org.id, reOrgID)
		mustMatch("root ID", org.rootID, reRootID)
		for _, u := range o.Units {
			mustMatch("OU ID", u.ID, reOUID)
			if u.Parent == "" {
				u.Parent = org.rootID
			}
			if _, ok := org.unitByID[u.Parent]; !ok && u.Parent != org.rootID {
				panic("ssmsim: OU " + u.ID + " names parent " + u.Parent + ", which is neither the root nor an OU listed before it")
			}
			if _, dup := org.unitByID[u.ID]; dup {
				panic("ssmsim: OU listed twice: " + u.ID)
			}
			org.units = append(org.units, u)
			org.unitByID[u.ID] = u
		}
		s.org = org
		accounts = o.Accounts
		s.regionSpecs = o.Regions
		if s.regionSpecs == nil {
			s.regionSpecs = DefaultRegions()
		}
	}
	s.optIn = map[string]bool{}
	for _, r := range s.regionSpecs {
		s.optIn[r.Name] = r.OptIn
	}
	s.accounts = make(map[string]*account, len(accounts))
	for i, a := range accounts {
		mustMatch("account ID", a.ID, reAccountID)
		if _, dup := s.accounts[a.ID]; dup {
			panic("ssmsim: account listed twice: " + a.ID)
		}
		acct := &account{id: a.ID, name: a.Name, email: orDefault(a.Email, "aws+"+a.ID+"@example.com"),
			status: orDefault(a.Status, AccountActive), parent: a.Parent, joined: now.AddDate(0, 0, -30*(len(accounts)-i)),
			optedIn: map[string]bool{}, estates: map[string]Estate{}}
		if s.org != nil {
			if acct.parent == "" {
				acct.parent = s.org.rootID
			}
			if _, ok := s.org.unitByID[acct.parent]; !ok && acct.parent != s.org.rootID {
				panic("ssmsim: account " + a.ID + " names parent " + acct.parent + ", which is neither the root nor an OU")
			}
		}
		for _, r := range a.OptedIn {
			acct.optedIn[r] = true
		}
		for k, e := range a.Estates {
			acct.estates[k] = e
		}
		acct.iam = newIAMState(acct.id, now)
		for _, r := range a.Roles {
			trust := r.TrustPolicy
			if trust == "" {
				trust = TrustAccount(accounts[0].ID, "")
			}
			if _, err := acct.iam.createRole(r.Name, r.Path, trust, "", 0, now); err != nil {
				panic("ssmsim: account " + a.ID + ": " + err.Error())
			}
			for _, p := range r.Policies {
				if err := acct.iam.attach(r.Name, p); err != nil {
					panic("ssmsim: account " + a.ID + ": " + err.Error())
				}
			}
		}
		for _, p := range a.InstanceProfiles {
			if _, err := acct.iam.createProfile(p.Name, p.Path, now); err != nil {
				panic("ssmsim: account " + a.ID + ": " + err.Error())
			}
			if p.Role != "" {
				if err := acct.iam.addRoleToProfile(p.Name, p.Role); err != nil {
					panic("ssmsim: account " + a.ID + ": " + err.Error())
				}
			}
		}
		s.accounts[a.ID] = acct
		s.accountOrder = append(s.accountOrder, acct)
	}
	s.management = s.accountOrder[0]
	// Fleets replace the management account's fleets: a region they name
	// gets that fleet, and "*" replaces every other region's, the
	// organization's own estates included.
	star, hasStar := s.opts.Fleets["*"]
	for region, e := range s.management.estates {
		if _, named := s.opts.Fleets[region]; !named && hasStar && region != "*" {
			e.Fleet, e.Generate = star, 0
			s.management.estates[region] = e
		}
	}
	for region, f := range s.opts.Fleets {
		e := s.management.estates[region]
		e.Fleet, e.Generate = f, 0
		s.management.estates[region] = e
	}
}

// estate returns what the account holds in one region as configured.
func (a *account) estate(region string) Estate {
	if e, ok := a.estates[region]; ok {
		return e
	}
	return a.estates["*"]
}

// regionEnabled reports whether the account may use a region: every
// region but an opt-in one it has not enabled. A region outside the
// partition's list is served too, so that a caller naming any region
// keeps working as it did before regions were listed.
func (s *Server) regionEnabled(a *account, region string) bool {
	return !s.optIn[region] || a.optedIn[region]
}

// arnOrg is the ARN prefix of the organization's resources.
func (s *Server) orgARN(kind, id string) string {
	return "arn:aws:organizations::" + s.management.id + ":" + kind + "/" + s.org.id + "/" + id
}

func mustMatch(what, s string, re *regexp.Regexp) {
	if !re.MatchString(s) {
		panic(fmt.Sprintf("ssmsim: %s %q does not match %s", what, s, re))
	}
}

// jsonString quotes s as a JSON string.
func jsonString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

// roleNameOf returns the role name at the end of a setting value or ARN
// resource ("service-role/Name" gives "Name").
func roleNameOf(v string) string {
	if i := strings.LastIndexByte(v, '/'); i >= 0 {
		return v[i+1:]
	}
	return v
}

// SetAccountStatus changes an account's status (ACTIVE or SUSPENDED), for
// tests of an account suspended while a run holds its credentials. It
// reports whether the account exists.
func (s *Server) SetAccountStatus(accountID, status string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[accountID]
	if ok {
		a.status = status
	}
	return ok
}
