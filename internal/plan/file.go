package plan

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/fleet"
)

// MaxFileSize caps how much of a plan file Load reads. A node takes about
// 3 KB of plan file, so a plan across an organization of 300,000 nodes is
// about 900 MiB; the cap stops a wrong file from exhausting memory.
const MaxFileSize = 2 << 30

// Errors Load wraps, so that callers can tell them apart with errors.Is.
var (
	ErrNotJSON      = errors.New("plan file is truncated or not JSON")
	ErrNewerFormat  = errors.New("plan file format is newer than this patchready understands")
	ErrBadChecksum  = errors.New("plan file checksum does not match: the file was edited or corrupted; run patchready plan again")
	ErrUnknownField = errors.New("plan file has a field this patchready does not know")
	ErrTooLarge     = errors.New("plan file is too large")
	// ErrOlderFormat: the file is a plan of an older major format.
	ErrOlderFormat   = errors.New("plan file format is older than this patchready applies")
	ErrNotPlanFormat = errors.New("plan file has no usable format_version; is it a patchready plan?")
)

// document is the file layout: the plan's fields with the checksum beside
// them. Plan is embedded so that its fields sit at the top level.
type document struct {
	Plan
	// Checksum is "sha256:<hex>" over the canonical JSON of Plan, the
	// compact encoding/json encoding of the Plan struct.
	Checksum string `json:"checksum"`
}

// Save writes p as an indented JSON plan file with a checksum. The same
// document is what render's JSON format prints.
//
// The plan is encoded and hashed one node at a time (see docWriter), so
// saving costs one node's encoding in memory, not the plan's.
func Save(w io.Writer, p Plan) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	sum := sha256.New()
	dw := &docWriter{sum: sum, out: bw}
	dw.plan(p)
	if dw.err != nil {
		return dw.err
	}
	// The checksum covers the plan's own closing brace, not the checksum
	// member that the file has before it.
	sum.Write([]byte("}"))
	// The newline at the end is what json.Encoder always wrote.
	if _, err := fmt.Fprintf(bw, ",\n%s\"checksum\": \"sha256:%s\"\n}\n", memberIndent, hex.EncodeToString(sum.Sum(nil))); err != nil {
		return fmt.Errorf("write plan: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write plan: %w", err)
	}
	return nil
}

// checksum returns "sha256:<hex>" over the canonical JSON of p.
func checksum(p Plan) (string, error) {
	sum := sha256.New()
	dw := &docWriter{sum: sum}
	dw.plan(p)
	if dw.err != nil {
		return "", dw.err
	}
	sum.Write([]byte("}"))
	return "sha256:" + hex.EncodeToString(sum.Sum(nil)), nil
}

// Load reads a plan file written by Save. It refuses, with a message naming
// the problem, a file that is too large, truncated or not JSON, of an
// unknown major format version, with fields it does not know, or whose
// checksum does not match.
func Load(r io.Reader) (Plan, error) { return load(r, MaxFileSize) }

// load is Load with the size cap as a parameter, so that tests can exercise
// the cap without reading half a gigabyte.
func load(r io.Reader, limit int64) (Plan, error) {
	lr := &io.LimitedReader{R: r, N: limit + 1}
	src := &readErrReader{r: lr}
	st, err := readDocument(src)
	if err != nil {
		// A file over the cap is reported as such whatever else is wrong
		// with it; reading on to the cap costs no memory.
		_, _ = io.Copy(io.Discard, src)
	}
	if lr.N == 0 {
		return Plan{}, fmt.Errorf("%w: more than %s; is it the right file?", ErrTooLarge, sizeString(limit))
	}
	if src.err != nil {
		return Plan{}, fmt.Errorf("read plan file: %w", src.err)
	}
	if err != nil {
		return Plan{}, err
	}
	// The version is checked before anything else, so that a newer file gets
	// "upgrade patchready" rather than a complaint about its new fields.
	if st.notObject != "" {
		if st.notObject == "null" {
			return Plan{}, ErrNotPlanFormat
		}
		return Plan{}, fmt.Errorf("%w (the file holds a JSON %s, not an object)", ErrNotPlanFormat, st.notObject)
	}
	var head struct {
		FormatVersion json.RawMessage `json:"format_version"`
	}
	if err := json.Unmarshal(st.rest, &head); err != nil {
		return Plan{}, fmt.Errorf("%w (%v)", ErrNotPlanFormat, err)
	}
	if err := checkFormatVersion(head.FormatVersion); err != nil {
		return Plan{}, err
	}

	dec := json.NewDecoder(bytes.NewReader(st.rest))
	dec.DisallowUnknownFields()
	var doc document
	err = dec.Decode(&doc)
	if err == nil {
		err = st.nodesErr
	}
	if err != nil {
		if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return Plan{}, fmt.Errorf("%w: %s (was it edited, or written by another version?)", ErrUnknownField, field)
		}
		return Plan{}, fmt.Errorf("plan file is not a valid patchready plan: %w", err)
	}
	doc.Nodes = st.nodes
	// A plan whose probe facts an older probe reported is refused for
	// what it is before its checksum is checked: the facts it lacks are
	// what this version's checksum covers.
	if err := checkProbeSchemas(doc.Nodes); err != nil {
		return Plan{}, err
	}
	if doc.Checksum == "" {
		return Plan{}, fmt.Errorf("%w (the checksum is missing)", ErrBadChecksum)
	}
	// Decoded strings are valid UTF-8, so the plan as decoded is already
	// what encodes canonically; see canonicalJSON.
	sum, err := checksum(doc.Plan)
	if err != nil {
		return Plan{}, fmt.Errorf("plan file is not a valid patchready plan: %w", err)
	}
	if doc.Checksum != sum {
		return Plan{}, ErrBadChecksum
	}
	if err := doc.Plan.validate(); err != nil {
		return Plan{}, fmt.Errorf("plan file is not a valid patchready plan: %w", err)
	}
	return doc.Plan, nil
}

// checkFormatVersion accepts any version of this package's major and
// explains anything else.
func checkFormatVersion(raw json.RawMessage) error {
	var v string
	if len(raw) == 0 || json.Unmarshal(raw, &v) != nil || v == "" {
		return ErrNotPlanFormat
	}
	majorStr, _, _ := strings.Cut(v, ".")
	major, err := strconv.Atoi(majorStr)
	if err != nil || major < 1 {
		return fmt.Errorf("%w (format_version %.20q)", ErrNotPlanFormat, v)
	}
	oursStr, _, _ := strings.Cut(FormatVersion, ".")
	ours, _ := strconv.Atoi(oursStr)
	switch {
	case major > ours:
		return &sentinelError{
			msg: fmt.Sprintf("plan file format %d.x is newer than this patchready understands (%d.x); upgrade patchready", major, ours),
			is:  ErrNewerFormat,
		}
	case major < ours:
		return &sentinelError{
			msg: fmt.Sprintf("plan file format %.20s was made by an older patchready, before the patch-run checks "+
				"(its Python, downloader, payload bucket, work directory) existed; it cannot say whether those pass: "+
				"make a new plan with this patchready and review that", v),
			is: ErrOlderFormat,
		}
	}
	return nil
}

// checkProbeSchemas refuses a plan made from an older probe's reports:
// before report schema 3 the probe tested the payload bucket through a
// proxy an override configures even when the running agent had not loaded
// it, while the patch run, a child of that agent, goes without it. Such a
// plan can call a node ready that the patch run fails on.
func checkProbeSchemas(nodes []NodePlan) error {
	for _, np := range nodes {
		pf := np.Node.Probe
		if pf == nil || pf.Status != fleet.ProbeOK || pf.Schema >= documents.ProbeReportSchema {
			continue
		}
		return &sentinelError{
			msg: fmt.Sprintf("plan file was made by an older patchready: its probe reports (schema %d, node %s) tested the payload bucket through proxy settings "+
				"the running agent may not have loaded, which the patch run does not use; make a new plan with this patchready and review that",
				pf.Schema, np.Node.InstanceID),
			is: ErrOlderFormat,
		}
	}
	return nil
}

// validate catches what the checksum cannot: a plan that was built wrong
// and saved anyway.
func (p Plan) validate() error {
	for i, b := range p.Batches {
		if len(b.InstanceIDs) == 0 || len(b.InstanceIDs) > MaxBatchSize {
			return fmt.Errorf("batch %d has %d nodes; a batch holds 1 to %d", i, len(b.InstanceIDs), MaxBatchSize)
		}
	}
	if !p.HasTargets() {
		return nil
	}
	// In a plan with targets, everything must sit in a target it records
	// as planned: apply splits the plan by them.
	planned := map[string]bool{}
	for _, t := range p.Targets {
		if t.Account == "" || t.Region == "" {
			return fmt.Errorf("a target has no account or region")
		}
		planned[t.Key()] = !t.Failed()
	}
	for _, np := range p.Nodes {
		if !planned[np.Node.Account+"/"+np.Node.Region] {
			return fmt.Errorf("node %s is in %s/%s, which is not a planned target", np.Node.InstanceID, np.Node.Account, np.Node.Region)
		}
	}
	for i, b := range p.Batches {
		if !planned[b.Account+"/"+b.Region] {
			return fmt.Errorf("batch %d is in %s/%s, which is not a planned target", i, b.Account, b.Region)
		}
	}
	return nil
}

// sentinelError carries its own message but matches a sentinel with
// errors.Is, for messages that read better without the sentinel's text.
type sentinelError struct {
	msg string
	is  error
}

func (e *sentinelError) Error() string { return e.msg }
func (e *sentinelError) Unwrap() error { return e.is }

func sizeString(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}
