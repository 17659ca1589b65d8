package ssmsim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/ssmsim/wire"
)

// maxRequestBytes bounds a request body. AWS's own limit is not published
// for SSM; 1 MiB is far above any legal request (documents are ≤ 64 KB).
const maxRequestBytes = 1 << 20

// Options configure a simulator. The zero value is a usable, fault-free
// simulator on the real clock: one standalone account with an empty fleet
// in every region.
type Options struct {
	// Clock drives everything time-based. Nil means the real clock.
	Clock clock.Clock
	// Seed seeds the one RNG behind every random choice.
	Seed uint64
	// DefaultRegion is used when a request carries no SigV4 signature
	// (an unsigned curl). Empty means "us-east-1".
	DefaultRegion string
	// Fleets holds the nodes of each region of the management account (the
	// one plain keys act in), keyed by region name. A region not listed
	// starts empty. The key "*" gives the fleet of every region not
	// listed. Fleets take precedence over the management account's
	// Estates in Organization.
	Fleets map[string]Fleet
	// Organization sets up accounts, an organization, IAM and EC2 beyond
	// the management account's fleets. Nil means one standalone account
	// (DefaultAccountID) that belongs to no organization.
	Organization *Organization
	// Behaviour sets node timings (update delay, restart window, lag).
	Behaviour Behaviour
	// Faults sets global faults (throttling, 5xx, latency, empty pages).
	Faults Faults
}

// Server is the simulator. It implements http.Handler.
type Server struct {
	opts  Options
	clock clock.Clock

	mu      sync.Mutex
	rng     *rand.Rand
	regions map[regionKey]*region
	stats   *Stats
	limiter *limiter
	// requests numbers the requests, for their request IDs.
	requests atomic.Uint64
	// tokenSerial numbers the page tokens issued, so no two are equal.
	tokenSerial atomic.Uint64
	// shells runs the nodes' scripts and caches their results.
	shells *shellCache

	// Accounts, the organization and the partition's regions (see
	// accounts.go), the sessions AssumeRole issued, and the SNS messages
	// published. Guarded by mu.
	accounts     map[string]*account
	accountOrder []*account
	management   *account
	org          *organization
	regionSpecs  []RegionSpec
	optIn        map[string]bool
	sessions     map[string]*session
	published    []PublishedMessage
}

// regionKey names the state of one account in one region.
type regionKey struct{ account, region string }

// New returns a simulator configured by opts. It panics on an
// Organization AWS could not have (duplicate or malformed IDs).
func New(opts Options) *Server {
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.DefaultRegion == "" {
		opts.DefaultRegion = "us-east-1"
	}
	opts.Behaviour = opts.Behaviour.withDefaults()
	s := &Server{
		opts:     opts,
		clock:    opts.Clock,
		rng:      rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x5eed)),
		regions:  map[regionKey]*region{},
		stats:    newStats(),
		sessions: map[string]*session{},
		shells:   newShellCache(),
	}
	s.limiter = newLimiter(opts.Faults, s.clock)
	s.limiter.rnd = s.randFloat
	s.setUpAccounts()
	return s
}

// Clock returns the simulator's clock, so a caller can share it.
func (s *Server) Clock() clock.Clock { return s.clock }

// Stats returns the per-operation call counters.
func (s *Server) Stats() *Stats { return s.stats }

// SetFaults replaces the global faults, for tests that turn faults on midway.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.Faults = f
	s.limiter = newLimiter(f, s.clock)
	s.limiter.rnd = s.randFloat
}

// regionLocked returns the state of one account in one region, creating
// it from the configured estate on first use. s.mu must be held.
func (s *Server) regionLocked(a *account, name string) *region {
	k := regionKey{a.id, name}
	r, ok := s.regions[k]
	if !ok {
		r = newRegion(name, a, a.estate(name), s)
		s.regions[k] = r
	}
	return r
}

// WithRegion runs fn with the state of one region of the management
// account locked and brought up to the current time: the hook through
// which tests and the admin endpoint inspect and change the fleet.
func (s *Server) WithRegion(name string, fn func(r *Region)) {
	s.WithAccountRegion(s.management.id, name, fn)
}

// WithAccountRegion is WithRegion for any account. It reports whether the
// account exists.
func (s *Server) WithAccountRegion(accountID, name string, fn func(r *Region)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[accountID]
	if !ok {
		return false
	}
	r := s.regionLocked(a, name)
	r.advance(s.clock.Now())
	fn(&Region{r: r})
	return true
}

// call is one API request on its way to its operation.
type call struct {
	s      *Server
	svc    *service
	op     string
	caller principal
	acct   *account // the caller's account
	region string   // the region the request is signed for
	// r is the caller's account in region, for regional services; nil
	// for global ones (IAM, Organizations).
	r    *region
	body []byte    // awsJson1_1
	form wire.Form // the query protocols
	now  time.Time
}

// ServeHTTP answers one AWS API call, or an admin request under /_sim/.
func (s *Server) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	// Every AWS answer carries a request ID; SDK errors quote it.
	requestID := fmt.Sprintf("%08x-5151-4000-8000-%012x", s.requests.Add(1), s.opts.Seed&0xffffffffffff)
	w.Header().Set("X-Amzn-Requestid", requestID)
	if strings.HasPrefix(req.URL.Path, "/_sim/") {
		s.serveAdmin(w, req)
		return
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, maxRequestBytes+1))
	if err != nil {
		wire.WriteJSON(w, wire.SerializationError("reading request body: %v", err))
		return
	}
	if len(body) > maxRequestBytes {
		wire.WriteJSON(w, wire.Errorf("RequestEntityTooLarge", "request body exceeds %d bytes", maxRequestBytes))
		return
	}
	c, apiErr := s.route(req, body)
	if apiErr != nil {
		c.svc.writeError(w, requestID, apiErr)
		return
	}
	out, apiErr := s.serve(req, c)
	if apiErr != nil {
		c.svc.writeError(w, requestID, apiErr)
		return
	}
	switch c.svc.protocol {
	case protoQuery:
		wire.WriteQueryResult(w, c.op, c.svc.xmlns, requestID, out)
	case protoEC2:
		wire.WriteEC2Result(w, c.op, c.svc.xmlns, requestID, out.(wire.EC2Result))
	default:
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		// An error here means the client went away; nothing to tell it.
		_ = json.NewEncoder(w).Encode(out)
	}
}

// route decides the service and operation of a request, decodes its
// parameters and identifies the caller. The service comes from the SigV4
// credential scope, so one endpoint serves them all; an unsigned request
// is placed by its X-Amz-Target, then by its Action. The call returned is
// never nil: on error it names the service to answer in.
func (s *Server) route(req *http.Request, body []byte) (*call, *wire.Error) {
	sc := scopeOf(req)
	svc := services[sc.service]
	target := req.Header.Get("X-Amz-Target")
	if svc == nil {
		if js, _ := serviceByTarget(target); js != nil {
			svc = js
		} else if target == "" {
			if f, err := wire.ParseForm(req.URL.RawQuery, body); err == nil && f.Get("Action") != "" {
				svc = serviceByAction(f.Get("Action"))
			}
		}
	}
	if svc == nil {
		svc = services["ssm"] // unplaceable: answer as the SSM API always did
	}
	c := &call{s: s, svc: svc, region: orDefault(sc.region, s.opts.DefaultRegion)}
	switch svc.protocol {
	case protoJSON:
		if req.Method != http.MethodPost {
			return c, wire.Errorf("UnknownOperationException", "the %s API accepts POST only", svc.name)
		}
		op, ok := strings.CutPrefix(target, svc.target)
		if !ok {
			return c, wire.Errorf("UnknownOperationException", "missing or unknown X-Amz-Target %q", wire.Clip(target))
		}
		c.op = op
		if len(bytes.TrimSpace(body)) == 0 {
			body = []byte("{}")
		}
		c.body = body
	default:
		form, err := wire.ParseForm(req.URL.RawQuery, body)
		if err != nil {
			return c, wire.Errorf("MalformedQueryString", "the request's parameters are not a valid query string: %v", err)
		}
		c.op, c.form = form.Get("Action"), form
		if v := form.Get("Version"); v != "" && v != svc.version {
			return c, svc.errs.unknownOp(c.op, v)
		}
	}
	if _, ok := svc.ops[c.op]; !ok {
		s.stats.record(svc.statsName(c.op), outcomeError)
		return c, svc.errs.unknownOp(c.op, svc.version)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	caller, auth := s.managementUser(), authOK
	if sc.signed {
		caller, auth = s.identify(sc, s.clock.Now())
	}
	var refused *wire.Error
	switch auth {
	case authBadToken:
		refused = svc.errs.badToken
	case authExpired:
		refused = svc.errs.expired
	case authSuspended:
		refused = svc.errs.suspended
	default:
		if !svc.global && !s.regionEnabled(caller.account, c.region) {
			refused = svc.errs.regionDisabled
		}
	}
	if refused != nil {
		s.stats.record(svc.statsName(c.op), outcomeError)
		return c, refused
	}
	c.caller, c.acct = caller, caller.account
	return c, nil
}

// serve applies the global faults and runs the operation.
func (s *Server) serve(req *http.Request, c *call) (any, *wire.Error) {
	name := c.svc.statsName(c.op)
	// Global faults apply before the operation runs, as AWS's front door
	// does: a throttled or failed call changes nothing. Rate limits are
	// per account and region, as AWS's are.
	if d := s.latency(); d > 0 {
		_ = s.clock.Sleep(req.Context(), d)
	}
	if !s.limiter.allow(c.acct.id, c.region, name) {
		s.stats.record(name, outcomeThrottled)
		return nil, c.svc.errs.throttled
	}
	if s.injectServerError() {
		s.stats.record(name, outcomeServerError)
		return nil, c.svc.errs.internal
	}
	s.mu.Lock()
	c.now = s.clock.Now()
	if !c.svc.global {
		c.r = s.regionLocked(c.acct, c.region)
		c.r.advance(c.now)
	}
	out, apiErr := c.svc.ops[c.op](c)
	s.mu.Unlock()
	if apiErr != nil {
		s.stats.record(name, outcomeError)
		return nil, apiErr
	}
	s.stats.record(name, outcomeOK)
	return out, nil
}

// decode reads a request into in, rejecting type mismatches the way AWS
// does (SerializationException). Unknown members are ignored, as AWS does
// for forward compatibility of clients.
func decode(body []byte, in any) *wire.Error {
	if err := json.Unmarshal(body, in); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return wire.SerializationError("Start of structure or map found where not expected at '%s'", te.Field)
		}
		return wire.SerializationError("request body is not valid JSON: %v", err)
	}
	return nil
}

// latency returns the added latency for one call (zero when off).
func (s *Server) latency() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.opts.Faults
	if f.Latency <= 0 {
		return 0
	}
	jitter := time.Duration(0)
	if f.LatencyJitter > 0 {
		jitter = time.Duration(s.rng.Int64N(int64(f.LatencyJitter)))
	}
	return f.Latency + jitter
}

// injectServerError decides, with the seeded RNG, whether this call fails
// with a 500.
func (s *Server) injectServerError() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opts.Faults.ServerErrorRate > 0 && s.rng.Float64() < s.opts.Faults.ServerErrorRate
}

// chance draws true with probability p from the seeded RNG. s.mu must be held.
func (s *Server) chance(p float64) bool { return p > 0 && s.rng.Float64() < p }

// randFloat draws from the seeded RNG under the server lock.
func (s *Server) randFloat() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rng.Float64()
}
