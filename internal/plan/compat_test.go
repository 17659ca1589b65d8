package plan

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/patchready/patchready/internal/unmanaged"
)

// legacySave and legacyLoad are Save and Load as they were before they
// streamed: the whole plan marshalled, decoded and marshalled again for the
// checksum. The streaming versions must write the same bytes and accept
// the same files, so that plans saved by older patchready still load.
func legacySave(p Plan) ([]byte, error) {
	canon, back, err := legacyCanonical(p)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(canon)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(document{Plan: back, Checksum: "sha256:" + hex.EncodeToString(sum[:])}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func legacyCanonical(p Plan) ([]byte, Plan, error) {
	first, err := json.Marshal(p)
	if err != nil {
		return nil, Plan{}, err
	}
	var back Plan
	if err := json.Unmarshal(first, &back); err != nil {
		return nil, Plan{}, err
	}
	canon, err := json.Marshal(back)
	return canon, back, err
}

// legacyLoad reports only whether the old Load accepted data, and the plan.
func legacyLoad(data []byte) (Plan, bool) {
	if !json.Valid(data) {
		return Plan{}, false
	}
	var head struct {
		FormatVersion json.RawMessage `json:"format_version"`
	}
	if json.Unmarshal(data, &head) != nil || checkFormatVersion(head.FormatVersion) != nil {
		return Plan{}, false
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var doc document
	if dec.Decode(&doc) != nil || doc.Checksum == "" {
		return Plan{}, false
	}
	canon, _, err := legacyCanonical(doc.Plan)
	if err != nil {
		return Plan{}, false
	}
	sum := sha256.Sum256(canon)
	if doc.Checksum != "sha256:"+hex.EncodeToString(sum[:]) || doc.Plan.validate() != nil {
		return Plan{}, false
	}
	return doc.Plan, true
}

func compatPlans() map[string]Plan {
	noAccount := samplePlan()
	noAccount.Account = ""
	noBatches := Build(nil, nil, opts())
	noBatches.Nodes, noBatches.Batches = []NodePlan{}, nil
	oddSelection := samplePlan()
	oddSelection.Selection.Platform = "Lin\xffux \\ufffd"
	return map[string]Plan{
		"sample": samplePlan(), "empty fleet": Build(nil, nil, opts()), "no account": noAccount,
		"empty lists": noBatches, "invalid UTF-8 outside nodes": oddSelection,
		"unmanaged instances": unmanagedPlan(unmanaged.Options{EnableDHMC: true, AttachProfile: "ssm"}),
		"scanned":             scannedPlan(),
	}
}

func TestSaveMatchesMarshalIndent(t *testing.T) {
	for name, p := range compatPlans() {
		t.Run(name, func(t *testing.T) {
			want, err := legacySave(p)
			if err != nil {
				t.Fatal(err)
			}
			if got := saved(t, p); !bytes.Equal(got, want) {
				t.Fatalf("Save wrote\n%s\nwant\n%s", got, want)
			}
		})
	}
}

func TestLoadAcceptsWhatLegacyLoadDid(t *testing.T) {
	good, err := legacySave(samplePlan())
	if err != nil {
		t.Fatal(err)
	}
	compact := new(bytes.Buffer)
	if err := json.Compact(compact, good); err != nil {
		t.Fatal(err)
	}
	inputs := map[string][]byte{
		"as saved":        good,
		"compacted":       compact.Bytes(),
		"Nodes key":       bytes.Replace(good, []byte(`"nodes":`), []byte(`"Nodes":`), 1),
		"nodes twice":     bytes.Replace(good, []byte(`"region":`), []byte(`"nodes": null, "region":`), 1),
		"nodes null last": bytes.Replace(good, []byte(`"fingerprint":`), []byte(`"nodes": null, "fingerprint":`), 1),
		"trailing data":   append(append([]byte{}, good...), "{}"...),
		"nodes object":    bytes.Replace(good, []byte(`"region":`), []byte(`"NODES": {"a": [1]}, "region":`), 1),
		"node typo":       bytes.Replace(good, []byte(`"verdict":`), []byte(`"verdikt":`), 1),
	}
	for name, p := range compatPlans() {
		data, err := legacySave(p)
		if err != nil {
			t.Fatal(err)
		}
		inputs["saved "+name] = data
	}
	for name, data := range inputs {
		t.Run(name, func(t *testing.T) {
			want, wantOK := legacyLoad(data)
			got, err := Load(bytes.NewReader(data))
			if (err == nil) != wantOK {
				t.Fatalf("Load err = %v, legacy ok = %v", err, wantOK)
			}
			if wantOK && !reflect.DeepEqual(got, want) {
				t.Fatalf("Load = %+v\nlegacy %+v", got, want)
			}
		})
	}
}

// TestFuzzSeedsAgreeWithLegacyLoad runs the committed seeds through both.
func TestFuzzSeedsAgreeWithLegacyLoad(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzLoad")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		raw, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := strings.CutPrefix(string(raw), "go test fuzz v1\n[]byte(")
		s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimSpace(body), ")"))
		if err != nil {
			t.Fatal(err)
		}
		_, wantOK := legacyLoad([]byte(s))
		if _, err := Load(strings.NewReader(s)); (err == nil) != wantOK {
			t.Errorf("%s: Load err = %v, legacy ok = %v", e.Name(), err, wantOK)
		}
	}
}
