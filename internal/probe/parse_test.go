package probe

import (
	"errors"
	"strings"
	"testing"

	"github.com/patchready/patchready/documents"
)

const goodLine = `{"schema":1,"proxied":true,"proxy_source":"systemd-override","proxy_scheme":"http","no_proxy_has_imds":true,"python":"/usr/bin/python3","pip":"/usr/bin/pip3","requests_version":"2.25.1"}`

func TestParse(t *testing.T) {
	good := documents.ProbeReport{Schema: 1, Proxied: true, ProxySource: "systemd-override", ProxyScheme: "http",
		NoProxyHasIMDS: true, Python: "/usr/bin/python3", Pip: "/usr/bin/pip3", RequestsVersion: "2.25.1"}
	direct := `{"schema":1,"proxied":false,"proxy_source":"","proxy_scheme":"","no_proxy_has_imds":false,"python":"","pip":"","requests_version":""}`
	with := func(field, value string) string {
		return strings.Replace(goodLine, field, value, 1)
	}
	tests := []struct {
		name    string
		output  string
		want    *documents.ProbeReport
		wantErr string
	}{
		{"the line alone", goodLine, &good, ""},
		{"with CRLF and blank lines", "\r\n" + goodLine + "\r\n\r\n", &good, ""},
		{"noise around", "sh: warning: setlocale\n" + goodLine + "\n----------ERROR-------\npgrep: not found\n", &good, ""},
		{"last report wins", direct + "\n" + goodLine, &good, ""},
		{"other JSON after the report is ignored", goodLine + "\n{\"unrelated\":true}\n[1,2]", &good, ""},
		{"direct node, nothing installed", direct, &documents.ProbeReport{Schema: 1}, ""},
		{"pre-release version", with(`"2.25.1"`, `"2.32.0rc1"`), nil, ""},
		{"local version suffix", with(`"2.25.1"`, `"2.6.0+amzn1"`), nil, ""},
		{"unknown fields are dropped", with(`{"schema":1,`, `{"schema":1,"extra":"x",`), &good, ""},
		{"empty", "", nil, "no probe report"},
		{"only noise", "hello\nworld {\n", nil, "no probe report"},
		{"truncated line", goodLine[:100], nil, "no probe report"},
		{"schema 2", with(`"schema":1`, `"schema":2`), nil, "schema 2"},
		{"proxy URL in scheme", with(`"proxy_scheme":"http"`, `"proxy_scheme":"http://user:secret@proxy:3128"`), nil, "proxy_scheme"},
		{"odd scheme", with(`"proxy_scheme":"http"`, `"proxy_scheme":"socks5"`), nil, "proxy_scheme"},
		{"bad version", with(`"2.25.1"`, `"latest"`), nil, "requests_version"},
		{"version with spaces", with(`"2.25.1"`, `"2.25.1 (patched)"`), nil, "requests_version"},
		{"control char in path", with(`"/usr/bin/pip3"`, `"/usr/bin/pip\u001b[31m"`), nil, "control"},
		{"relative path", with(`"/usr/bin/python3"`, `"python3"`), nil, "absolute"},
		{"URL in path", with(`"/usr/bin/pip3"`, `"/x/http://u:p@proxy"`), nil, "URL"},
		{"source with spaces", with(`"systemd-override"`, `"my source"`), nil, "proxy_source"},
		{"wrong type", with(`"proxied":true`, `"proxied":"yes"`), nil, "cannot unmarshal"},
		{"oversized line", with(`"/usr/bin/pip3"`, `"/`+strings.Repeat("a", 5000)+`"`), nil, "no probe report"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.output)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "secret") {
					t.Fatalf("error repeats a credential: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.want != nil && got != *tt.want {
				t.Errorf("Parse = %+v\nwant    %+v", got, *tt.want)
			}
		})
	}
}

func TestParseNoReportIsErrNoReport(t *testing.T) {
	if _, err := Parse("nothing"); !errors.Is(err, ErrNoReport) {
		t.Errorf("err = %v, want ErrNoReport", err)
	}
}
