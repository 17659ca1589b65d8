package ssmsim

import (
	"net/http"
	"regexp"
	"strings"
	"time"
)

// This file decides who calls: the SigV4 credential scope names the access
// key, region and service; keys the simulator issued (AssumeRole) act in
// their role's account until they expire; any other key acts as the
// management account's user, so that test/test and a developer's own
// environment keep working. Signatures are not verified: the simulator
// holds no secrets worth protecting, and the SDKs' signing is exercised
// by every call anyway.

// sigScope is what a request's SigV4 signature says about it.
type sigScope struct {
	accessKey, region, service string
	token                      string // X-Amz-Security-Token
	signed                     bool
}

var reCredential = regexp.MustCompile(`Credential=([^/,\s]+)/[0-9]{8}/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request`)

// scopeOf reads the credential scope from the Authorization header, or
// from the query of a presigned request.
func scopeOf(req *http.Request) sigScope {
	sc := sigScope{token: req.Header.Get("X-Amz-Security-Token")}
	m := reCredential.FindStringSubmatch(req.Header.Get("Authorization"))
	if m == nil {
		if c := req.URL.Query().Get("X-Amz-Credential"); c != "" {
			m = reCredential.FindStringSubmatch("Credential=" + c)
			if sc.token == "" {
				sc.token = req.URL.Query().Get("X-Amz-Security-Token")
			}
		}
	}
	if m != nil {
		sc.accessKey, sc.region, sc.service, sc.signed = m[1], m[2], m[3], true
	}
	return sc
}

// session is one set of temporary credentials AssumeRole issued.
type session struct {
	accessKey, secret, token string
	account                  *account
	role                     string // role name
	roleID                   string
	name                     string // RoleSessionName
	expires                  time.Time
}

// principal is the caller of one request.
type principal struct {
	account *account
	arn     string
	userID  string
	session *session // nil for long-term keys
}

// issuedKeyPrefix starts every access key the simulator issues, so that a
// key it issued and no longer knows (a simulator restarted under a
// running tool) is refused instead of acting as the management account.
const issuedKeyPrefix = "ASIASIM"

// callerAuth is why a caller's credentials are refused.
type callerAuth int

const (
	authOK callerAuth = iota
	authBadToken
	authExpired
	authSuspended
)

// managementUser is the identity of keys the simulator did not issue.
func (s *Server) managementUser() principal {
	a := s.management
	return principal{account: a, arn: "arn:aws:iam::" + a.id + ":user/simulator", userID: iamID("AIDA", a.id+"/user/simulator")}
}

// identify resolves the caller. s.mu must be held.
func (s *Server) identify(sc sigScope, now time.Time) (principal, callerAuth) {
	if !strings.HasPrefix(sc.accessKey, issuedKeyPrefix) {
		return s.managementUser(), authOK
	}
	ses, ok := s.sessions[sc.accessKey]
	if !ok || sc.token != ses.token {
		return principal{}, authBadToken
	}
	p := principal{account: ses.account, session: ses,
		arn:    "arn:aws:sts::" + ses.account.id + ":assumed-role/" + ses.role + "/" + ses.name,
		userID: ses.roleID + ":" + ses.name}
	switch {
	case !now.Before(ses.expires):
		return p, authExpired
	case ses.account.status != AccountActive:
		return p, authSuspended
	}
	return p, authOK
}
