package wire

import (
	"encoding/json"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func TestValidatorReportsLikeAWS(t *testing.T) {
	n := 0
	tests := []struct {
		name  string
		check func(v *Validator)
		want  string // "" means no error
	}{
		{"nothing wrong", func(v *Validator) { v.Length("name", "abc", 3, 128); v.Required("name", true) }, ""},
		{"one problem", func(v *Validator) { v.Required("instanceId", false) },
			"1 validation error detected: Value null at 'instanceId' failed to satisfy constraint: Member must not be null"},
		{"two problems joined", func(v *Validator) {
			v.Pattern("maxConcurrency", "x", regexp.MustCompile(`^[0-9]+$`))
			v.Enum("status", "Bad", "Good", "Fine")
		}, "2 validation errors detected: Value 'x' at 'maxConcurrency' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[0-9]+$; " +
			"Value 'Bad' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Good, Fine]"},
		{"range", func(v *Validator) { v.IntRange("maxResults", &n, 5, 50) },
			"1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 5"},
		{"unset range is not checked", func(v *Validator) { v.IntRange("maxResults", nil, 5, 50) }, ""},
		{"list count", func(v *Validator) { v.Count("targets", 6, 0, 5) },
			"1 validation error detected: Value at 'targets' failed to satisfy constraint: Member must have length less than or equal to 5"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := &Validator{}
			tc.check(v)
			err := v.Err()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Err() = %v, want nil", err)
			case tc.want != "" && (err == nil || err.Code != "ValidationException" || err.Message != tc.want || err.Status != 400):
				t.Fatalf("Err() = %+v\nwant ValidationException %q", err, tc.want)
			}
		})
	}
}

func TestClipBoundsEchoedValues(t *testing.T) {
	long := strings.Repeat("a", 1000)
	if got := Clip(long); len(got) != 256+3 || !strings.HasSuffix(got, "...") {
		t.Fatalf("Clip(1000 chars) has %d chars", len(got))
	}
	if Clip("short") != "short" {
		t.Fatal("Clip changed a short value")
	}
}

func TestWriteJSON(t *testing.T) {
	rec := httptest.NewRecorder()
	WriteJSON(rec, Errorf("InvalidInstanceId", "Instances [[i-1]] not in a valid state"))
	var body map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if rec.Code != 400 || rec.Header().Get("X-Amzn-ErrorType") != "InvalidInstanceId" ||
		body["__type"] != "InvalidInstanceId" || body["message"] != "Instances [[i-1]] not in a valid state" {
		t.Fatalf("got %d %v %v", rec.Code, rec.Header(), body)
	}
}
