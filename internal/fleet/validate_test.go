package fleet

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseTag(t *testing.T) {
	tests := []struct {
		in      string
		want    Tag
		wantErr string
	}{
		{"env=prod", Tag{"env", "prod"}, ""},
		{"k=a=b", Tag{"k", "a=b"}, ""},
		{"Name=web server", Tag{"Name", "web server"}, ""},
		{"env", Tag{}, "want KEY=VALUE"},
		{"=prod", Tag{}, "empty key"},
		{"env=", Tag{}, "empty value"},
		{strings.Repeat("k", 129) + "=v", Tag{}, "longer than 128"},
		{"k=" + strings.Repeat("v", 257), Tag{}, "longer than 256"},
	}
	for _, tt := range tests {
		t.Run(tt.in[:min(len(tt.in), 20)], func(t *testing.T) {
			got, err := ParseTag(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseTag = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestValidInstanceID(t *testing.T) {
	for id, want := range map[string]bool{
		"i-0123abcd": true, "i-0123456789abcdef0": true, "mi-0123456789abcdef0": true,
		"i-0123ABCD": false, "i-0123abc": false, "mi-0123abcd": false, "i-0123456789abcdef": false,
		"": false, "i-0123abcd ": false, "x-0123abcd": false,
	} {
		if got := ValidInstanceID(id); got != want {
			t.Errorf("ValidInstanceID(%q) = %v, want %v", id, got, want)
		}
	}
}

func TestNormalize(t *testing.T) {
	got, err := Selection{
		InstanceIDs: []string{"i-0000000b", "i-0000000a", "i-0000000b"},
		Platform:    "linux",
		Tags:        []Tag{{"env", "prod"}, {"env", "prod"}},
	}.Normalize()
	if err != nil {
		t.Fatal(err)
	}
	want := Selection{InstanceIDs: []string{"i-0000000a", "i-0000000b"}, Platform: "Linux", Tags: []Tag{{"env", "prod"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Normalize = %+v, want %+v", got, want)
	}
	for _, p := range []string{"MACOS", "windows", "Linux"} {
		if _, err := (Selection{Platform: p}).Normalize(); err != nil {
			t.Errorf("platform %q: %v", p, err)
		}
	}
}

func TestNormalizeReportsEveryProblem(t *testing.T) {
	_, err := Selection{
		InstanceIDs:        []string{"i-bad", "i-0000000a"},
		ExcludeInstanceIDs: []string{"web-1"},
		Platform:           "Solaris",
		Tags:               []Tag{{"", "x"}},
	}.Normalize()
	if err == nil {
		t.Fatal("want an error")
	}
	for _, part := range []string{`"i-bad"`, `"web-1"`, `platform "Solaris"`, "must not be empty"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q does not mention %s", err, part)
		}
	}
}
