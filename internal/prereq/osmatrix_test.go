package prereq

import (
	"strings"
	"testing"

	"github.com/patchready/patchready/internal/fleet"
)

func TestCheckOSDefaultMatrix(t *testing.T) {
	p := Default()
	tests := []struct {
		name, ptype, pname, pversion string
		want                         Status
	}{
		// Amazon Linux 1: 2012.03–2018.03.
		{"al1 first", "Linux", "Amazon Linux AMI", "2012.03", StatusPass},
		{"al1 last", "Linux", "Amazon Linux AMI", "2018.03", StatusPass},
		{"al1 before", "Linux", "Amazon Linux AMI", "2011.09", StatusFail},
		{"al1 lower case name", "Linux", "amazon linux ami", "2017.09", StatusPass},
		// Amazon Linux 2, 2022, 2023.
		{"al2", "Linux", "Amazon Linux", "2", StatusPass},
		{"al2022", "Linux", "Amazon Linux", "2022", StatusPass},
		{"al2023", "Linux", "Amazon Linux", "2023", StatusPass},
		{"al 2024 unknown", "Linux", "Amazon Linux", "2024", StatusFail},
		{"al1 version under al2 name", "Linux", "Amazon Linux", "2018.03", StatusFail},
		// AlmaLinux 8/9.
		{"alma 8.9", "Linux", "AlmaLinux", "8.9", StatusPass},
		{"alma 9.3", "Linux", "AlmaLinux", "9.3", StatusPass},
		{"alma 10", "Linux", "AlmaLinux", "10.0", StatusFail},
		// CentOS 6.5–7.9, 8.0–8.5; 6.3 excluded by name.
		{"centos 6.3 excluded", "Linux", "CentOS Linux", "6.3", StatusFail},
		{"centos 6.4", "Linux", "CentOS", "6.4", StatusFail},
		{"centos 6.5", "Linux", "CentOS", "6.5", StatusPass},
		{"centos 7.9.2009", "Linux", "CentOS Linux", "7.9.2009", StatusPass},
		{"centos 7", "Linux", "CentOS Linux", "7", StatusPass},
		{"centos 8.5", "Linux", "CentOS Linux", "8.5", StatusPass},
		{"centos 8.6", "Linux", "CentOS Linux", "8.6", StatusFail},
		{"centos stream 8", "Linux", "CentOS Stream", "8", StatusPass},
		{"centos stream 9", "Linux", "CentOS Stream", "9", StatusPass},
		{"centos stream 10", "Linux", "CentOS Stream", "10", StatusFail},
		// Debian 8–12.
		{"debian 7", "Linux", "Debian GNU/Linux", "7", StatusFail},
		{"debian 8", "Linux", "Debian GNU/Linux", "8", StatusPass},
		{"debian 12", "Linux", "Debian GNU/Linux", "12", StatusPass},
		{"debian 13", "Linux", "Debian GNU/Linux", "13", StatusFail},
		// Oracle Linux 7.5–8.x, 9.x.
		{"oracle 7.4", "Linux", "Oracle Linux Server", "7.4", StatusFail},
		{"oracle 7.5", "Linux", "Oracle Linux Server", "7.5", StatusPass},
		{"oracle 8.10", "Linux", "Oracle Linux Server", "8.10", StatusPass},
		{"oracle 9.4", "Linux", "Oracle Linux Server", "9.4", StatusPass},
		// RHEL 6.5–9.x under both names.
		{"rhel server 6.5", "Linux", "Red Hat Enterprise Linux Server", "6.5", StatusPass},
		{"rhel 6.4", "Linux", "Red Hat Enterprise Linux Server", "6.4", StatusFail},
		{"rhel 9.4", "Linux", "Red Hat Enterprise Linux", "9.4", StatusPass},
		{"rhel 10.0", "Linux", "Red Hat Enterprise Linux", "10.0", StatusFail},
		// Rocky 8/9.
		{"rocky 8.8", "Linux", "Rocky Linux", "8.8", StatusPass},
		{"rocky 7", "Linux", "Rocky Linux", "7", StatusFail},
		// SLES 12/15.
		{"sles 12 sp5", "Linux", "SLES", "12.5", StatusPass},
		{"suse 15.4", "Linux", "SUSE Linux Enterprise Server", "15.4", StatusPass},
		{"sles 11", "Linux", "SLES", "11.4", StatusFail},
		// Ubuntu LTS list (and 20.10).
		{"ubuntu 14.04", "Linux", "Ubuntu", "14.04", StatusPass},
		{"ubuntu 16.04", "Linux", "Ubuntu", "16.04", StatusPass},
		{"ubuntu 18.04", "Linux", "Ubuntu", "18.04", StatusPass},
		{"ubuntu 20.04", "Linux", "Ubuntu", "20.04", StatusPass},
		{"ubuntu 20.10", "Linux", "Ubuntu", "20.10", StatusPass},
		{"ubuntu 22.04", "Linux", "Ubuntu", "22.04", StatusPass},
		{"ubuntu 24.04", "Linux", "Ubuntu", "24.04", StatusPass},
		{"ubuntu 12.04", "Linux", "Ubuntu", "12.04", StatusFail},
		{"ubuntu 21.04", "Linux", "Ubuntu", "21.04", StatusFail},
		// Raspberry Pi OS: 10 yes, Stretch (9) excluded.
		{"raspbian 9 excluded", "Linux", "Raspbian GNU/Linux", "9", StatusFail},
		{"raspbian 10", "Linux", "Raspbian GNU/Linux", "10", StatusPass},
		// Windows Server 2008–2022 incl. R2; 2003 excluded.
		{"windows 2003", "Windows", "Microsoft Windows Server 2003 R2 Standard", "5.2.3790", StatusFail},
		{"windows 2008", "Windows", "Microsoft Windows Server 2008 Datacenter", "6.0.6002", StatusPass},
		{"windows 2008 r2", "Windows", "Microsoft Windows Server 2008 R2 Datacenter", "6.1.7601", StatusPass},
		{"windows 2012 r2", "Windows", "Microsoft Windows Server 2012 R2 Standard", "6.3.9600", StatusPass},
		{"windows 2016", "Windows", "Microsoft Windows Server 2016 Datacenter", "10.0.14393", StatusPass},
		{"windows 2019", "Windows", "Microsoft Windows Server 2019 Datacenter", "10.0.17763", StatusPass},
		{"windows 2022", "Windows", "Microsoft Windows Server 2022 Datacenter", "10.0.20348", StatusPass},
		{"windows 10 desktop", "Windows", "Microsoft Windows 10 Pro", "10.0.19045", StatusFail},
		{"windows name on linux type", "Linux", "Microsoft Windows Server 2019 Datacenter", "10.0.17763", StatusFail},
		// macOS 11.3.1 and 11.4+.
		{"macos 10.15", "MacOS", "macOS", "10.15.7", StatusFail},
		{"macos 11.3", "MacOS", "macOS", "11.3", StatusFail},
		{"macos 11.3.1", "MacOS", "macOS", "11.3.1", StatusPass},
		{"macos 11.4", "MacOS", "macOS", "11.4", StatusPass},
		{"macos 14.5", "MacOS", "macOS", "14.5", StatusPass},
		// Not in the matrix at all, and unreadable facts.
		{"fedora", "Linux", "Fedora Linux", "39", StatusFail},
		{"no name", "Linux", "", "2", StatusUnknown},
		{"unreadable version", "Linux", "Ubuntu", "jammy", StatusUnknown},
		{"empty version", "Linux", "Ubuntu", "", StatusUnknown},
		{"windows any version", "Windows", "Microsoft Windows Server 2019 Datacenter", "", StatusPass},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := fleet.Node{PlatformType: tt.ptype, PlatformName: tt.pname, PlatformVersion: tt.pversion}
			got := checkOS(n, p)
			if got.Status != tt.want {
				t.Fatalf("checkOS(%s %s) = %s (%s), want %s", tt.pname, tt.pversion, got.Status, got.Reason, tt.want)
			}
			if got.Reason == "" {
				t.Fatal("empty reason")
			}
		})
	}
}

func TestCheckOSExclusionReasonNamesTheDoc(t *testing.T) {
	got := checkOS(fleet.Node{PlatformType: "Linux", PlatformName: "CentOS Linux", PlatformVersion: "6.3"}, Default())
	want := "CentOS Linux 6.3 is not supported: Patch Manager's prerequisites name CentOS 6.3 as not supported"
	if got.Reason != want {
		t.Fatalf("reason = %q, want %q", got.Reason, want)
	}
}

func TestCheckOSCurrentMatrix(t *testing.T) {
	r, err := Builtin("aws-current")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, ptype, pname, pversion string
		want                         Status
		reason                       string
	}{
		{"al1 dropped", "Linux", "Amazon Linux AMI", "2018.03", StatusFail, "no longer list Amazon Linux 1"},
		{"al2", "Linux", "Amazon Linux", "2", StatusPass, ""},
		{"al2023", "Linux", "Amazon Linux", "2023", StatusPass, ""},
		{"centos 7 dropped", "Linux", "CentOS Linux", "7.9", StatusFail, "CentOS Linux has reached end of life"},
		{"centos stream 9", "Linux", "CentOS Stream", "9", StatusPass, ""},
		{"ubuntu 25.04", "Linux", "Ubuntu", "25.04", StatusPass, ""},
		{"ubuntu 14.04", "Linux", "Ubuntu", "14.04", StatusFail, ""},
		{"rhel 10", "Linux", "Red Hat Enterprise Linux", "10.0", StatusPass, ""},
		{"debian 10", "Linux", "Debian GNU/Linux", "10", StatusFail, ""},
		{"sles 15.2", "Linux", "SLES", "15.2", StatusFail, ""},
		{"sles 15.5", "Linux", "SLES", "15.5", StatusPass, ""},
		{"windows 2008 r2", "Windows", "Microsoft Windows Server 2008 R2 Datacenter", "6.1.7601", StatusFail, "2.3.1644.0"},
		{"windows 2025", "Windows", "Microsoft Windows Server 2025 Datacenter", "10.0.26100", StatusPass, ""},
		{"macos 12", "MacOS", "macOS", "12.7", StatusFail, ""},
		{"macos 14", "MacOS", "macOS", "14.2.1", StatusPass, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := checkOS(fleet.Node{PlatformType: tt.ptype, PlatformName: tt.pname, PlatformVersion: tt.pversion}, r)
			if got.Status != tt.want {
				t.Fatalf("%s %s under aws-current = %s (%s), want %s", tt.pname, tt.pversion, got.Status, got.Reason, tt.want)
			}
			if tt.reason != "" && !strings.Contains(got.Reason, tt.reason) {
				t.Fatalf("reason %q does not say %q", got.Reason, tt.reason)
			}
		})
	}
}
