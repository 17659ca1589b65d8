package ssmsim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"regexp"
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
// simulator on the real clock with an empty fleet in every region.
type Options struct {
	// Clock drives everything time-based. Nil means the real clock.
	Clock clock.Clock
	// Seed seeds the one RNG behind every random choice.
	Seed uint64
	// DefaultRegion is used when a request carries no SigV4 signature
	// (an unsigned curl). Empty means "us-east-1".
	DefaultRegion string
	// Fleets holds the nodes of each region, keyed by region name. A region
	// not listed starts empty. The key "*" gives the fleet of every region
	// not listed.
	Fleets map[string]Fleet
	// Behaviour sets node timings (update delay, restart window, lag).
	Behaviour Behaviour
	// Faults sets global faults (throttling, 5xx, latency, empty pages).
	Faults Faults
}

// opFunc handles one operation for one region. It decodes its own input
// (with decode) and returns the output value to be JSON-encoded, or an error.
type opFunc func(s *Server, r *region, body []byte) (any, *wire.Error)

// operations maps an operation name to its handler. Each *_ops*.go file
// registers its operations in an init function, so the files stay
// independent of each other.
var operations = map[string]opFunc{}

func register(name string, fn opFunc) {
	if _, dup := operations[name]; dup {
		panic("ssmsim: operation registered twice: " + name)
	}
	operations[name] = fn
}

// Server is the simulator. It implements http.Handler.
type Server struct {
	opts  Options
	clock clock.Clock

	mu      sync.Mutex
	rng     *rand.Rand
	regions map[string]*region
	stats   *Stats
	limiter *limiter
	// requests numbers the requests, for their request IDs.
	requests atomic.Uint64
	// tokenSerial numbers the page tokens issued, so no two are equal.
	tokenSerial atomic.Uint64
	// shells runs the nodes' scripts and caches their results.
	shells *shellCache
}

// New returns a simulator configured by opts.
func New(opts Options) *Server {
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.DefaultRegion == "" {
		opts.DefaultRegion = "us-east-1"
	}
	opts.Behaviour = opts.Behaviour.withDefaults()
	s := &Server{
		opts:    opts,
		clock:   opts.Clock,
		rng:     rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x5eed)),
		regions: map[string]*region{},
		stats:   newStats(),
		shells:  newShellCache(),
	}
	s.limiter = newLimiter(opts.Faults, s.clock)
	s.limiter.rnd = s.randFloat
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

// regionLocked returns the state of one region, creating it from the
// configured fleet on first use. s.mu must be held.
func (s *Server) regionLocked(name string) *region {
	r, ok := s.regions[name]
	if !ok {
		f, ok := s.opts.Fleets[name]
		if !ok {
			f = s.opts.Fleets["*"]
		}
		r = newRegion(name, f, s)
		s.regions[name] = r
	}
	return r
}

// WithRegion runs fn with the state of one region locked and brought up to
// the current time: the hook through which tests and the admin endpoint
// inspect and change the fleet.
func (s *Server) WithRegion(name string, fn func(r *Region)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.regionLocked(name)
	r.advance(s.clock.Now())
	fn(&Region{r: r})
}

// ServeHTTP answers one SSM API call, or an admin request under /_sim/.
func (s *Server) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	// Every AWS answer carries a request ID; SDK errors quote it.
	w.Header().Set("X-Amzn-Requestid", fmt.Sprintf("%08x-5151-4000-8000-%012x", s.requests.Add(1), s.opts.Seed&0xffffffffffff))
	if strings.HasPrefix(req.URL.Path, "/_sim/") {
		s.serveAdmin(w, req)
		return
	}
	if req.Method != http.MethodPost {
		wire.WriteJSON(w, wire.Errorf("UnknownOperationException", "the SSM API accepts POST only"))
		return
	}
	target := req.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, "AmazonSSM.")
	if !ok {
		wire.WriteJSON(w, wire.Errorf("UnknownOperationException", "missing or unknown X-Amz-Target %q", wire.Clip(target)))
		return
	}
	fn, ok := operations[op]
	if !ok {
		s.stats.record(op, outcomeError)
		wire.WriteJSON(w, wire.Errorf("UnknownOperationException", "operation %s is not simulated", wire.Clip(op)))
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
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}

	// Global faults apply before the operation runs, as AWS's front door
	// does: a throttled or failed call changes nothing.
	if d := s.latency(); d > 0 {
		_ = s.clock.Sleep(req.Context(), d)
	}
	if !s.limiter.allow(op) {
		s.stats.record(op, outcomeThrottled)
		wire.WriteJSON(w, wire.ThrottlingError())
		return
	}
	if s.injectServerError() {
		s.stats.record(op, outcomeServerError)
		wire.WriteJSON(w, wire.InternalError())
		return
	}

	s.mu.Lock()
	r := s.regionLocked(regionOf(req, s.opts.DefaultRegion))
	r.advance(s.clock.Now())
	out, apiErr := fn(s, r, body)
	s.mu.Unlock()

	if apiErr != nil {
		s.stats.record(op, outcomeError)
		wire.WriteJSON(w, apiErr)
		return
	}
	s.stats.record(op, outcomeOK)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if err := json.NewEncoder(w).Encode(out); err != nil {
		// The client went away; nothing to tell it.
		return
	}
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

var reCredentialRegion = regexp.MustCompile(`Credential=[^/]+/[0-9]{8}/([a-z0-9-]+)/ssm/aws4_request`)

// regionOf reads the region from the SigV4 credential scope. One simulator
// serves one fleet per region, as AWS does.
func regionOf(req *http.Request, fallback string) string {
	if m := reCredentialRegion.FindStringSubmatch(req.Header.Get("Authorization")); m != nil {
		return m[1]
	}
	return fallback
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
