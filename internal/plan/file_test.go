package plan

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/patchready/patchready/internal/fleet"
)

func samplePlan() Plan {
	n1 := withProbe(node("i-0b", "2.0.700.0", "Amazon Linux", "2"), proxied(""))
	n1.LastPingAt = time.Date(2026, 3, 1, 11, 59, 0, 0, time.FixedZone("CET", 3600))
	n2 := node("i-0a", "3.3.1142.0", "Ubuntu", "22.04")
	n2.ComputerName = "web-<1>&\xff" // HTML-escaped and invalid UTF-8 characters must survive the checksum
	o := opts()
	o.Selection = fleet.Selection{Platform: "Linux"}
	return Build([]fleet.Node{n1, n2, node("i-0c", "garbage", "Ubuntu", "22.04")}, nil, o)
}

func saved(t *testing.T, p Plan) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Save(&buf, p); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSaveLoadRoundTrip(t *testing.T) {
	for name, p := range map[string]Plan{"sample": samplePlan(), "empty fleet": Build(nil, nil, opts())} {
		t.Run(name, func(t *testing.T) {
			data := saved(t, p)
			got, err := Load(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if name == "sample" {
				// The one invalid byte is replaced, as JSON requires.
				p.Nodes[0].Node.ComputerName = "web-<1>&\uFFFD"
			}
			if !reflect.DeepEqual(got, p) {
				t.Fatalf("round trip differs:\n got %+v\nwant %+v", got, p)
			}
			if again := saved(t, got); !bytes.Equal(again, data) {
				t.Fatal("saving a loaded plan gives different bytes")
			}
		})
	}
}

func TestSavedDocumentLayout(t *testing.T) {
	data := saved(t, samplePlan())
	for _, want := range []string{`"format_version": "2.0"`, `"tool_version": "0.1.0"`, `"created_at": "2026-03-01T12:00:00Z"`,
		`"region": "eu-west-1"`, `"account": "123456789012"`, `"checksum": "sha256:`, `"verdict": "blocked"`,
		`"actions": [`, `"update-agent"`, `"strategy": "association"`} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("saved plan lacks %s", want)
		}
	}
}

func TestLoadRefuses(t *testing.T) {
	good := saved(t, samplePlan())
	edit := func(old, new string) []byte {
		if !bytes.Contains(good, []byte(old)) {
			t.Fatalf("fixture lacks %q", old)
		}
		return bytes.Replace(good, []byte(old), []byte(new), 1)
	}
	tests := []struct {
		name    string
		data    []byte
		wantIs  error
		wantMsg string
	}{
		{"empty", nil, ErrNotJSON, "plan file is truncated or not JSON"},
		{"truncated", good[:len(good)/2], ErrNotJSON, "plan file is truncated or not JSON"},
		{"garbage", []byte("PK\x03\x04 this is a zip"), ErrNotJSON, "plan file is truncated or not JSON"},
		{"json array", []byte("[1,2]"), ErrNotPlanFormat, "no usable format_version"},
		{"no format version", []byte(`{"region":"x"}`), ErrNotPlanFormat, "no usable format_version"},
		{"future format", edit(`"format_version": "2.0"`, `"format_version": "3.3"`), ErrNewerFormat,
			"plan file format 3.x is newer than this patchready understands (2.x); upgrade patchready"},
		{"older format", edit(`"format_version": "2.0"`, `"format_version": "1.0"`), ErrOlderFormat,
			"plan file format 1.0 was made by an older patchready, before the patch-run checks"},
		{"future format with new fields", []byte(`{"format_version":"3.0","shiny":true}`), ErrNewerFormat, "plan file format 3.x is newer"},
		{"format 0", edit(`"format_version": "2.0"`, `"format_version": "0.9"`), ErrNotPlanFormat, `format_version "0.9"`},
		// Probe reports of schema 2 tested the payload through a proxy the
		// running agent may not have loaded: refused for that, before the
		// checksum (which covers facts they lack) is checked.
		{"older probe reports", edit(`"schema": 3`, `"schema": 2`), ErrOlderFormat,
			"plan file was made by an older patchready: its probe reports (schema 2, node i-0b)"},
		{"tampered agent version", edit(`"agent_version": "2.0.700.0"`, `"agent_version": "9.0.700.0"`), ErrBadChecksum,
			"plan file checksum does not match: the file was edited or corrupted; run patchready plan again"},
		{"tampered verdict", edit(`"verdict": "blocked"`, `"verdict": "compliant"`), ErrBadChecksum, "checksum does not match"},
		{"checksum removed", edit(`"checksum": "sha256:`, `"x_checksum": "sha256:`), ErrUnknownField, `"x_checksum"`},
		{"checksum emptied", regexpReplaceChecksum(good, ""), ErrBadChecksum, "the checksum is missing"},
		{"unknown field", edit(`"region": "eu-west-1"`, `"region": "eu-west-1", "regions": ["us-east-1"]`), ErrUnknownField,
			`plan file has a field this patchready does not know: "regions"`},
		{"unknown verdict", edit(`"verdict": "blocked"`, `"verdict": "maybe"`), nil, `unknown verdict "maybe"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(bytes.NewReader(tt.data))
			if err == nil {
				t.Fatal("loaded")
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("err %v is not %v", err, tt.wantIs)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("err = %q, want it to contain %q", err, tt.wantMsg)
			}
		})
	}
}

func regexpReplaceChecksum(data []byte, with string) []byte {
	i := bytes.Index(data, []byte(`"checksum": "`)) + len(`"checksum": "`)
	j := i + bytes.IndexByte(data[i:], '"')
	return append(append(append([]byte{}, data[:i]...), with...), data[j:]...)
}

func TestLoadSizeCap(t *testing.T) {
	const limit = 1 << 20
	r := &zeroReader{n: limit + 10}
	_, err := load(r, limit)
	if !errors.Is(err, ErrTooLarge) || err.Error() != "plan file is too large: more than 1 MiB; is it the right file?" {
		t.Fatalf("err = %v", err)
	}
	if r.read > limit+1 {
		t.Fatalf("read %d bytes past the cap", r.read-limit)
	}
	if MaxFileSize != 2<<30 {
		t.Fatalf("MaxFileSize = %d", MaxFileSize)
	}
}

// zeroReader yields n spaces (valid JSON whitespace) without allocating them.
type zeroReader struct{ n, read int }

func (z *zeroReader) Read(p []byte) (int, error) {
	if z.read >= z.n {
		return 0, errors.New("EOF")
	}
	k := min(len(p), z.n-z.read)
	for i := range p[:k] {
		p[i] = ' '
	}
	z.read += k
	return k, nil
}

func TestSaveFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "fleet.plan")
	p := samplePlan()
	if err := SaveFile(path, p); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	got, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Fingerprint != p.Fingerprint || len(got.Nodes) != 3 {
		t.Fatalf("loaded %+v", got)
	}

	// A plan that cannot be encoded must leave the old file and no litter.
	bad := p
	bad.Nodes = append([]NodePlan{}, p.Nodes...)
	bad.Nodes[0].Verdict = 0
	if err := SaveFile(path, bad); err == nil {
		t.Fatal("saved a plan with an invalid verdict")
	}
	if again, err := LoadFile(path); err != nil || again.Fingerprint != p.Fingerprint {
		t.Fatalf("old plan clobbered: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("directory holds %d entries, want only the plan", len(entries))
	}

	if err := SaveFile(filepath.Join(dir, "missing", "x.plan"), p); err == nil {
		t.Fatal("saved into a missing directory")
	}
	if _, err := LoadFile(filepath.Join(dir, "nope.plan")); err == nil || !strings.Contains(err.Error(), "open plan file") {
		t.Fatalf("LoadFile of a missing file: %v", err)
	}
}

func TestLoadFileNamesThePath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "broken.plan")
	if err := os.WriteFile(path, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadFile(path)
	if err == nil || err.Error() != path+": plan file is truncated or not JSON" {
		t.Fatalf("err = %v", err)
	}
}
