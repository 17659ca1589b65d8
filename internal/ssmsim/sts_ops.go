package ssmsim

import (
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/patchready/patchready/internal/ssmsim/wire"
)

func init() {
	registerOp("sts", "GetCallerIdentity", getCallerIdentity)
	registerOp("sts", "AssumeRole", assumeRole)
}

type callerIdentityOut struct {
	UserID  string `xml:"UserId"`
	Account string `xml:"Account"`
	Arn     string `xml:"Arn"`
}

func getCallerIdentity(c *call) (any, *wire.Error) {
	return callerIdentityOut{UserID: c.caller.userID, Account: c.acct.id, Arn: c.caller.arn}, nil
}

// Patterns and limits from the STS API model.
var (
	reRoleSessionName = regexp.MustCompile(`^[\w+=,.@-]*$`)
	reExternalID      = regexp.MustCompile(`^[\w+=,.@:\/-]*$`)
	reRoleARN         = regexp.MustCompile(`^arn:aws:iam::(\d{12}):role(/|/[\x{0021}-\x{007E}]+/)([\w+=,.@-]+)$`)
)

// roleChainingLimit is the longest session a role assumed by a role may
// last: AWS caps role chaining at one hour.
const roleChainingLimit = 3600

type assumeRoleOut struct {
	Credentials struct {
		AccessKeyID     string `xml:"AccessKeyId"`
		SecretAccessKey string `xml:"SecretAccessKey"`
		SessionToken    string `xml:"SessionToken"`
		Expiration      string `xml:"Expiration"`
	} `xml:"Credentials"`
	AssumedRoleUser struct {
		AssumedRoleID string `xml:"AssumedRoleId"`
		Arn           string `xml:"Arn"`
	} `xml:"AssumedRoleUser"`
	PackedPolicySize int `xml:"PackedPolicySize,omitempty"`
}

// assumeRole issues temporary credentials for a role of any account the
// simulator holds. It is refused with AccessDenied, as AWS refuses it,
// when the account is unknown or suspended, the role does not exist, or
// its trust policy does not let the caller in (external ID included):
// AWS gives one answer for all of these, so a caller cannot probe which.
func assumeRole(c *call) (any, *wire.Error) {
	f := c.form
	v := &wire.Validator{}
	roleARN, sessionName, externalID := f.Get("RoleArn"), f.Get("RoleSessionName"), f.Opt("ExternalId")
	v.Required("roleArn", f.Has("RoleArn"))
	v.Required("roleSessionName", f.Has("RoleSessionName"))
	if f.Has("RoleArn") {
		v.Length("roleArn", roleARN, 20, 2048)
	}
	if f.Has("RoleSessionName") {
		v.Length("roleSessionName", sessionName, 2, 64)
		v.Pattern("roleSessionName", sessionName, reRoleSessionName)
	}
	if externalID != nil {
		v.Length("externalId", *externalID, 2, 1224)
		v.Pattern("externalId", *externalID, reExternalID)
	}
	duration, ok := f.Int("DurationSeconds")
	if !ok {
		return nil, wire.Errorf("ValidationError", "Value '%s' at 'durationSeconds' is not a number", wire.Clip(f.Get("DurationSeconds")))
	}
	v.IntRange("durationSeconds", duration, 900, 43200)
	if err := v.ErrCode(c.svc.errs.validation); err != nil {
		return nil, err
	}
	m := reRoleARN.FindStringSubmatch(roleARN)
	if m == nil {
		return nil, wire.Errorf("ValidationError", "%s is invalid", wire.Clip(roleARN))
	}
	denied := wire.Errorf("AccessDenied", "User: %s is not authorized to perform: sts:AssumeRole on resource: %s", c.caller.arn, roleARN).WithStatus(http.StatusForbidden)
	target, ok := c.s.accounts[m[1]]
	if !ok || target.status != AccountActive {
		return nil, denied
	}
	role, err := target.iam.role(m[3])
	if err != nil || role.path != m[2] || !trustAllows(role.trust, c.acct.id, c.caller.arn, externalID) {
		return nil, denied
	}
	// The role's account must have the region enabled too: STS is "not
	// activated" there for it (RegionDisabledException, STS API model).
	if !c.s.regionEnabled(target, c.region) {
		return nil, wire.Errorf("RegionDisabledException", "STS is not activated in this region for account:%s. Your account administrator can activate STS in this region using the IAM Console.", target.id).WithStatus(http.StatusForbidden)
	}
	seconds := 3600
	if duration != nil {
		seconds = *duration
	}
	maxSeconds := role.maxSession
	if c.caller.session != nil {
		maxSeconds = min(maxSeconds, roleChainingLimit)
	}
	if seconds > maxSeconds {
		return nil, wire.Errorf("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	ses := c.s.newSession(target, role, sessionName, c.now.Add(time.Duration(seconds)*time.Second))
	var out assumeRoleOut
	out.Credentials.AccessKeyID, out.Credentials.SecretAccessKey, out.Credentials.SessionToken = ses.accessKey, ses.secret, ses.token
	out.Credentials.Expiration = ses.expires.UTC().Format(time.RFC3339)
	out.AssumedRoleUser.AssumedRoleID = role.id + ":" + sessionName
	out.AssumedRoleUser.Arn = "arn:aws:sts::" + target.id + ":assumed-role/" + role.name + "/" + sessionName
	return out, nil
}

// sessionRetention is how long an expired session is remembered, so that
// its keys answer "expired" rather than "invalid" for a while, as AWS's
// do.
const sessionRetention = 12 * time.Hour

// newSession issues credentials from the seeded RNG and forgets sessions
// long expired. s.mu must be held.
func (s *Server) newSession(a *account, role *iamRole, name string, expires time.Time) *session {
	now := s.clock.Now()
	if len(s.sessions) >= 1024 {
		for k, old := range s.sessions {
			if now.Sub(old.expires) > sessionRetention {
				delete(s.sessions, k)
			}
		}
	}
	const upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	const any64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	ses := &session{account: a, role: role.name, roleID: role.id, name: name, expires: expires}
	ses.accessKey = issuedKeyPrefix + s.randomString(upper, 20-len(issuedKeyPrefix))
	ses.secret = s.randomString(any64, 40)
	ses.token = "IQoJb3JpZ2luX2VjE" + s.randomString(any64, 300)
	s.sessions[ses.accessKey] = ses
	return ses
}

// randomString draws n characters of alphabet from the seeded RNG. s.mu
// must be held.
func (s *Server) randomString(alphabet string, n int) string {
	var b strings.Builder
	b.Grow(n)
	for range n {
		b.WriteByte(alphabet[s.rng.IntN(len(alphabet))])
	}
	return b.String()
}
