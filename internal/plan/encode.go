package plan

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"hash"
)

// docWriter writes a plan one piece at a time: the canonical JSON (compact
// encoding/json of Plan) to sum, and, when out is set, the same document
// indented, as json.MarshalIndent would print it, to out. Writing node by
// node keeps a single node's encoding in memory instead of the whole plan's
// (a 100k-node plan encodes to over 100 MiB).
//
// The bytes are exactly those that encoding/json produces for the whole
// value: its encoding of a struct or slice is the concatenation of its
// members' encodings, and MarshalIndent is Indent applied to Marshal.
type docWriter struct {
	sum hash.Hash
	out *bufio.Writer // nil when only the checksum is wanted
	ind bytes.Buffer  // scratch for indenting one piece
	err error
}

// The file's indentation: top-level members sit at depth 1, the elements
// of nodes and batches at depth 2.
const (
	indentUnit   = "  "
	memberIndent = indentUnit
	elemIndent   = indentUnit + indentUnit
)

// plan writes p's members in the order of Plan's fields
// (TestSaveMatchesMarshalIndent holds this list to the struct). It leaves
// the document open, so that Save can add the checksum after them.
func (w *docWriter) plan(p Plan) {
	w.raw("{", "{")
	writeMember(w, "format_version", p.FormatVersion, true)
	writeMember(w, "tool_version", p.ToolVersion, false)
	writeMember(w, "created_at", p.CreatedAt, false)
	writeMember(w, "region", p.Region, false)
	if p.Account != "" {
		writeMember(w, "account", p.Account, false)
	}
	writeMember(w, "selection", p.Selection, false)
	writeMember(w, "rules", p.Rules, false)
	writeMember(w, "strategy", p.Strategy, false)
	writeMember(w, "probe_ran", p.ProbeRan, false)
	if p.Scanned {
		writeMember(w, "scanned", p.Scanned, false)
	}
	if p.Registration != nil {
		writeMember(w, "registration", p.Registration, false)
	}
	if len(p.Targets) > 0 {
		w.key("targets", false)
		writeList(w, p.Targets)
	}
	w.key("nodes", false)
	writeList(w, p.Nodes)
	w.key("batches", false)
	writeList(w, p.Batches)
	writeMember(w, "summary", p.Summary, false)
	writeMember(w, "fingerprint", p.Fingerprint, false)
}

// key starts a top-level member.
func (w *docWriter) key(name string, first bool) {
	sep := ","
	if first {
		sep = ""
	}
	w.raw(sep+`"`+name+`":`, sep+"\n"+memberIndent+`"`+name+`": `)
}

func writeMember[T any](w *docWriter, name string, v T, first bool) {
	w.key(name, first)
	if w.err == nil {
		var b []byte
		b, w.err = canonicalJSON(v)
		w.value(b, memberIndent)
	}
}

// writeList writes a slice element by element, as encoding/json would
// write it whole: null when nil, [] when empty.
func writeList[T any](w *docWriter, list []T) {
	switch {
	case list == nil:
		w.raw("null", "null")
		return
	case len(list) == 0:
		w.raw("[]", "[]")
		return
	}
	for i := range list {
		if i == 0 {
			w.raw("[", "[\n"+elemIndent)
		} else {
			w.raw(",", ",\n"+elemIndent)
		}
		if w.err != nil {
			return
		}
		var b []byte
		b, w.err = canonicalJSON(list[i])
		w.value(b, elemIndent)
	}
	w.raw("]", "\n"+memberIndent+"]")
}

// raw writes structural text: compact to the checksum, indented to the file.
func (w *docWriter) raw(compact, indented string) {
	if w.err != nil {
		return
	}
	w.sum.Write([]byte(compact))
	if w.out != nil {
		_, w.err = w.out.WriteString(indented)
	}
}

// value writes one encoded value whose first line is already indented and
// whose further lines take prefix.
func (w *docWriter) value(b []byte, prefix string) {
	if w.err != nil {
		return
	}
	w.sum.Write(b)
	if w.out == nil {
		return
	}
	w.ind.Reset()
	if w.err = json.Indent(&w.ind, b, prefix, indentUnit); w.err != nil {
		return
	}
	_, w.err = w.out.Write(w.ind.Bytes())
}

// canonicalJSON encodes v as it encodes after a decode: encoding/json is
// its own inverse except for invalid UTF-8, which it writes as the escape
// \ufffd but reads back as the rune U+FFFD, written raw the second time.
// That escape never appears otherwise (a valid U+FFFD is written raw), so
// without it the first encoding is final and the round trip is skipped; an
// escaped backslash followed by "ufffd" only costs a needless round trip.
//
// v is taken by value, as json.Marshal of the whole plan sees it, so that
// no pointer-receiver method can make a piece encode differently.
func canonicalJSON[T any](v T) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode plan: %w", err)
	}
	if !bytes.Contains(b, []byte(`\ufffd`)) {
		return b, nil
	}
	var back T
	if err := json.Unmarshal(b, &back); err != nil {
		return nil, fmt.Errorf("encode plan: %w", err)
	}
	if b, err = json.Marshal(back); err != nil {
		return nil, fmt.Errorf("encode plan: %w", err)
	}
	return b, nil
}
