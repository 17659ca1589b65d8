package plan

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"unicode"
	"unicode/utf8"
)

// readDoc is a plan file read in one pass. The nodes member, nearly all of
// a large file, is decoded node by node as it streams in; everything else
// is kept as JSON in rest and decoded by Load exactly as before, so that
// errors, unknown fields and case-insensitive keys behave as encoding/json
// has them.
type readDoc struct {
	// notObject names the kind of JSON value the file holds ("array",
	// "null", …) when it is not an object; everything else is then empty.
	notObject string
	// rest is the top-level object without its nodes member.
	rest []byte
	// nodes is the last nodes member's value, as encoding/json would set it:
	// nil for null or no member, empty for [].
	nodes []NodePlan
	// nodesErr is the first error decoding a node (an unknown field, a value
	// of the wrong type); the rest of the list is still read.
	nodesErr error
}

// readErrReader remembers an error from the reader itself, so that a
// failing disk is not reported as a truncated file.
type readErrReader struct {
	r   io.Reader
	err error
}

func (r *readErrReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		r.err = err
	}
	return n, err
}

// readDocument reads one JSON value from r, which must be all r holds. Any
// syntax error, truncation or trailing data is ErrNotJSON.
func readDocument(r io.Reader) (readDoc, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var st readDoc
	tok, err := dec.Token()
	if err != nil {
		return st, ErrNotJSON
	}
	if tok != json.Delim('{') {
		st.notObject = kindOf(tok)
		if err := skipRest(dec, tok); err != nil {
			return st, ErrNotJSON
		}
	} else {
		var rest bytes.Buffer
		rest.WriteByte('{')
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return st, ErrNotJSON
			}
			key, _ := tok.(string)
			// Every spelling encoding/json would take for the nodes field
			// is streamed; the last one wins, as it would there.
			if foldName(key) == "NODES" {
				if st.nodes, err = readNodes(dec, &st.nodesErr); err != nil {
					return st, ErrNotJSON
				}
				continue
			}
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return st, ErrNotJSON
			}
			if rest.Len() > 1 {
				rest.WriteByte(',')
			}
			k, _ := json.Marshal(key)
			rest.Write(k)
			rest.WriteByte(':')
			rest.Write(raw)
		}
		if _, err := dec.Token(); err != nil {
			return st, ErrNotJSON
		}
		rest.WriteByte('}')
		st.rest = rest.Bytes()
	}
	if _, err := dec.Token(); err != io.EOF {
		return st, ErrNotJSON
	}
	return st, nil
}

// errNodesNotList stands in for encoding/json's type error when the nodes
// member is neither a list nor null.
var errNodesNotList = errors.New("nodes is not a list")

// readNodes decodes the value of a nodes member. A syntax error is
// returned; a node that does not decode is recorded in *firstErr (unless an
// earlier one is) and reading goes on, so that a later syntax error still
// reads as a broken file.
func readNodes(dec *json.Decoder, firstErr *error) ([]NodePlan, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if tok == nil {
		return nil, nil
	}
	if tok != json.Delim('[') {
		if *firstErr == nil {
			*firstErr = errNodesNotList
		}
		return nil, skipRest(dec, tok)
	}
	nodes := []NodePlan{}
	in := interner{}
	for dec.More() {
		var n NodePlan
		if err := dec.Decode(&n); err != nil {
			if isSyntaxError(err) {
				return nil, err
			}
			if *firstErr == nil {
				*firstErr = err
			}
		}
		in.node(&n)
		in.checks(n.Checks)
		nodes = append(nodes, n)
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	// The list is built by appending; a 100k-node plan would otherwise keep
	// up to a quarter of its capacity unused.
	return nodes[:len(nodes):len(nodes)], nil
}

// skipRest reads the rest of the value that tok opened, if it opened one.
func skipRest(dec *json.Decoder, tok json.Token) error {
	depth := 0
	if d, ok := tok.(json.Delim); ok && (d == '{' || d == '[') {
		depth = 1
	}
	for depth > 0 {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
	return nil
}

func isSyntaxError(err error) bool {
	var se *json.SyntaxError
	return errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

func kindOf(tok json.Token) string {
	switch tok.(type) {
	case nil:
		return "null"
	case json.Delim:
		return "array"
	case string:
		return "string"
	case bool:
		return "boolean"
	default:
		return "number"
	}
}

// foldName is how encoding/json folds a key to match it with a field name
// case-insensitively (encoding/json/fold.go): ASCII letters upper-cased,
// other runes through ToUpper(ToLower(r)).
func foldName(name string) string {
	out := make([]byte, 0, len(name))
	for i := 0; i < len(name); {
		if c := name[i]; c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			out = append(out, c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(name[i:])
		out = utf8.AppendRune(out, unicode.ToUpper(unicode.ToLower(r)))
		i += n
	}
	return string(out)
}
