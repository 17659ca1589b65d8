package plan

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// FuzzLoad checks that no input panics Load, that Load accepts exactly
// what the Load before streaming did (legacyLoad), and that anything Load
// accepts saves and loads back to the same bytes. The seed corpus is in
// testdata/fuzz/FuzzLoad.
func FuzzLoad(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Load(bytes.NewReader(data))
		if _, legacyOK := legacyLoad(data); (err == nil) != legacyOK {
			t.Fatalf("Load err = %v, but the legacy Load accepted = %v", err, legacyOK)
		}
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		var first bytes.Buffer
		if err := Save(&first, p); err != nil {
			t.Fatalf("a loaded plan does not save: %v", err)
		}
		again, err := Load(bytes.NewReader(first.Bytes()))
		if err != nil {
			t.Fatalf("a saved plan does not load: %v", err)
		}
		var second bytes.Buffer
		if err := Save(&second, again); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first.Bytes(), second.Bytes()) {
			t.Fatal("save/load is not stable")
		}
	})
}

// TestFuzzSeedsStillMeaningful keeps the committed seeds honest: the valid
// ones must load, the others must not, or the fuzzer starts from nothing.
func TestFuzzSeedsStillMeaningful(t *testing.T) {
	for name, wantOK := range map[string]bool{
		// Plans as each format wrote them: 2.0 (one account and region),
		// 2.1 (unmanaged instances and their fixes), 2.2 (plan --scan).
		"valid-plan": true, "valid-empty-fleet": true, "valid-unmanaged-plan": true, "valid-scanned-plan": true,
		"truncated": false, "garbage": false, "future-format": false, "unknown-field": false,
		// A plan saved by patchready before format 2.0 must be refused.
		"format-1-plan": false,
	} {
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", "fuzz", "FuzzLoad", name))
			if err != nil {
				t.Fatal(err)
			}
			body, ok := strings.CutPrefix(string(raw), "go test fuzz v1\n[]byte(")
			if !ok {
				t.Fatal("not a fuzz corpus file")
			}
			s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimSpace(body), ")"))
			if err != nil {
				t.Fatal(err)
			}
			_, err = Load(strings.NewReader(s))
			if (err == nil) != wantOK {
				t.Fatalf("Load err = %v, want ok=%v", err, wantOK)
			}
		})
	}
}
