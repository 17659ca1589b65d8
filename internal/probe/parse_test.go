package probe

import (
	"errors"
	"strings"
	"testing"

	"github.com/patchready/patchready/documents"
)

const goodLine = `{"schema":3,"proxied":true,"proxy_source":"process","proxy_scheme":"http","no_proxy_has_imds":true,` +
	`"proxy_pending":false,"pending_proxy_source":"","pending_proxy_scheme":"","pending_no_proxy_has_imds":false,` +
	`"which":true,"package_managers":"yum","package_manager":"yum","python":"python2.7","python_path":"/usr/bin/python2.7",` +
	`"python_version":"2.7.18","python_error":"","package_module":"ok","requests_version":"2.6.0","pip":"missing",` +
	`"downloader":"curl","payload":"reachable","payload_code":"403","payload_after_restart":"","payload_after_restart_code":"",` +
	`"workdir_noexec":false,"var_free_mb":4000}`

// pendingLine is a node whose proxy is only in its systemd override: the
// running agent goes direct, where the payload bucket does not answer,
// and would go through the override's proxy after a restart.
const pendingLine = `{"schema":3,"proxied":false,"proxy_source":"","proxy_scheme":"","no_proxy_has_imds":false,` +
	`"proxy_pending":true,"pending_proxy_source":"systemd-override","pending_proxy_scheme":"http","pending_no_proxy_has_imds":true,` +
	`"which":true,"package_managers":"yum","package_manager":"yum","python":"python2.7","python_path":"/usr/bin/python2.7",` +
	`"python_version":"2.7.18","python_error":"","package_module":"ok","requests_version":"2.6.0","pip":"missing",` +
	`"downloader":"curl","payload":"unreachable","payload_code":"curl:28","payload_after_restart":"reachable","payload_after_restart_code":"403",` +
	`"workdir_noexec":false,"var_free_mb":4000}`

func TestParse(t *testing.T) {
	good := documents.ProbeReport{Schema: 3, Proxied: true, ProxySource: "process", ProxyScheme: "http",
		NoProxyHasIMDS: true, Which: true, PackageManagers: "yum", PackageManager: "yum", Python: "python2.7",
		PythonPath: "/usr/bin/python2.7", PythonVersion: "2.7.18", PackageModule: "ok", RequestsVersion: "2.6.0",
		Pip: "missing", Downloader: "curl", Payload: "reachable", PayloadCode: "403", VarFreeMB: 4000}
	pending := good
	pending.Proxied, pending.ProxySource, pending.ProxyScheme, pending.NoProxyHasIMDS = false, "", "", false
	pending.ProxyPending, pending.PendingProxySource, pending.PendingProxyScheme, pending.PendingNoProxyHasIMDS = true, "systemd-override", "http", true
	pending.Payload, pending.PayloadCode, pending.PayloadAfterRestart, pending.PayloadAfterRestartCode = "unreachable", "curl:28", "reachable", "403"
	withPending := func(field, value string) string {
		if !strings.Contains(pendingLine, field) {
			t.Fatalf("test edits %s, which the pending line lacks", field)
		}
		return strings.Replace(pendingLine, field, value, 1)
	}
	with := func(field, value string) string {
		if !strings.Contains(goodLine, field) {
			t.Fatalf("test edits %s, which the good line lacks", field)
		}
		return strings.Replace(goodLine, field, value, 1)
	}
	fixLine := `{"schema":1,"kind":"fix","steps":[{"name":"requests","ok":true,"detail":"requests 2.6.0 to 2.32.3"}]}`
	tests := []struct {
		name    string
		output  string
		want    *documents.ProbeReport
		wantErr string
	}{
		{"the line alone", goodLine, &good, ""},
		{"with CRLF and blank lines", "\r\n" + goodLine + "\r\n\r\n", &good, ""},
		{"noise around", "sh: warning: setlocale\n" + goodLine + "\n----------ERROR-------\npgrep: not found\n", &good, ""},
		{"the fix report before it is not the probe's", fixLine + "\n" + goodLine, &good, ""},
		{"a fix report alone is not a probe report", fixLine, nil, "no probe report"},
		{"last report wins", with(`"python_version":"2.7.18"`, `"python_version":"2.7.5"`) + "\n" + goodLine, &good, ""},
		{"other JSON after the report is ignored", goodLine + "\n{\"unrelated\":true}\n[1,2]", &good, ""},
		{"pre-release version", with(`"2.6.0"`, `"2.32.0rc1"`), nil, ""},
		{"local version suffix", with(`"2.6.0"`, `"2.6.0+amzn1"`), nil, ""},
		{"no interpreter", with(`"python":"python2.7","python_path":"/usr/bin/python2.7","python_version":"2.7.18","python_error":""`,
			`"python":"","python_path":"","python_version":"","python_error":"Unable to import yum module, please check version compatibility between Yum and Python"`), nil, ""},
		{"empty", "", nil, "no probe report"},
		{"only noise", "hello\nworld {\n", nil, "no probe report"},
		{"truncated line", goodLine[:100], nil, "no probe report"},
		{"schema 1 is an old document", `{"schema":1,"proxied":false}`, nil, "older probe document"},
		{"schema 2 is an old document", `{"schema":2,"proxied":true,"proxy_source":"systemd-override","payload":"reachable"}`, nil, "report schema 2: the node ran an older probe document"},
		{"schema 4", with(`"schema":3`, `"schema":4`), nil, "schema 4"},
		{"unknown field", with(`{"schema":3,`, `{"schema":3,"proxy_url":"http://u:secret@p",`), nil, "not the expected shape"},
		{"override not loaded", pendingLine, &pending, ""},
		{"upstart override", withPending(`"systemd-override"`, `"upstart-override"`), nil, ""},
		{"pending and live both proxied", withPending(`"proxied":false,"proxy_source":"","proxy_scheme":""`, `"proxied":true,"proxy_source":"process","proxy_scheme":"https"`), nil, ""},
		{"after-restart result without pending", with(`"payload_after_restart":""`, `"payload_after_restart":"reachable"`), nil, "without proxy_pending"},
		{"pending source without pending", with(`"pending_proxy_source":""`, `"pending_proxy_source":"systemd-override"`), nil, "without proxy_pending"},
		{"pending without its result", withPending(`"payload_after_restart":"reachable"`, `"payload_after_restart":""`), nil, "payload_after_restart is not"},
		{"pending without its source", withPending(`"pending_proxy_source":"systemd-override"`, `"pending_proxy_source":""`), nil, "pending_proxy_source"},
		{"pending from a made-up source", withPending(`"pending_proxy_source":"systemd-override"`, `"pending_proxy_source":"process"`), nil, "pending_proxy_source"},
		{"pending without a scheme", withPending(`"pending_proxy_scheme":"http"`, `"pending_proxy_scheme":""`), nil, "pending_proxy_scheme"},
		{"proxy URL in the pending scheme", withPending(`"pending_proxy_scheme":"http"`, `"pending_proxy_scheme":"http://user:secret@proxy:3128"`), nil, "pending_proxy_scheme"},
		{"URL in the after-restart code", withPending(`"payload_after_restart_code":"403"`, `"payload_after_restart_code":"https://x"`), nil, "payload_after_restart_code"},
		{"proxied without a source", with(`"proxy_source":"process"`, `"proxy_source":""`), nil, "disagree"},
		{"a source without a proxy", withPending(`"proxy_source":""`, `"proxy_source":"process"`), nil, "disagree"},
		{"proxy URL in scheme", with(`"proxy_scheme":"http"`, `"proxy_scheme":"http://user:secret@proxy:3128"`), nil, "proxy_scheme"},
		{"odd scheme", with(`"proxy_scheme":"http"`, `"proxy_scheme":"socks5"`), nil, "proxy_scheme"},
		{"bad version", with(`"2.6.0"`, `"latest"`), nil, "requests_version"},
		{"version with spaces", with(`"2.7.18"`, `"2.7.18 (patched)"`), nil, "python_version"},
		{"python not a command the run uses", with(`"python":"python2.7"`, `"python":"/usr/bin/python2.7"`), nil, "python is not"},
		{"both python and error", with(`"python_error":""`, `"python_error":"x"`), nil, "both set"},
		{"URL in python error", with(`"python_error":""`, `"python_error":"see http://u:secret@x"`), nil, "python_error"},
		{"unknown manager", with(`"package_managers":"yum"`, `"package_managers":"yum,pacman"`), nil, "package_managers"},
		{"bad module state", with(`"package_module":"ok"`, `"package_module":"yes"`), nil, "package_module"},
		{"bad downloader", with(`"downloader":"curl"`, `"downloader":"aria2c"`), nil, "downloader"},
		{"payload URL in code", with(`"payload_code":"403"`, `"payload_code":"https://x"`), nil, "payload_code"},
		{"bad payload", with(`"payload":"reachable"`, `"payload":"yes"`), nil, "payload is not"},
		{"control char in path", with(`"/usr/bin/python2.7"`, `"/usr/bin/py\u001b[31m"`), nil, "control"},
		{"relative path", with(`"/usr/bin/python2.7"`, `"usr/bin/python2.7"`), nil, "absolute"},
		{"URL in path", with(`"/usr/bin/python2.7"`, `"/x/http://u:p@proxy"`), nil, "URL"},
		{"source with spaces", with(`"process"`, `"my source"`), nil, "proxy_source"},
		{"schema 2's override source as the live one", with(`"process"`, `"systemd-override"`), nil, "proxy_source"},
		{"wrong type", with(`"proxied":true`, `"proxied":"yes"`), nil, "not the expected shape"},
		{"oversized line", with(`"/usr/bin/python2.7"`, `"/`+strings.Repeat("a", 5000)+`"`), nil, "no probe report"},
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
	if _, err := Parse("nothing here"); !errors.Is(err, ErrNoReport) {
		t.Fatalf("err = %v, want ErrNoReport", err)
	}
}
