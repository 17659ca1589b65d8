package patchbaseline

import (
	_ "embed"
	"encoding/json"
	"strings"

	"github.com/patchready/patchready/documents"
)

// linuxScript is the PatchLinux step's script.
//
//go:embed patchlinux.sh
var linuxScript string

// LinuxScript returns the PatchLinux step's script before parameter
// substitution: {{ Operation }}, {{ SnapshotId }} and {{ RebootOption }}
// stand where the agent puts the parameters' values.
func LinuxScript() string { return linuxScript }

// Operations and reboot options, as the document's parameters allow them.
const (
	OperationScan    = "Scan"
	OperationInstall = "Install"
	RebootIfNeeded   = "RebootIfNeeded"
	NoReboot         = "NoReboot"
)

// Content is the document's content (JSON, schemaVersion 2.2), built once.
var Content = mustContent()

type param struct {
	Type           string   `json:"type"`
	Description    string   `json:"description"`
	AllowedValues  []string `json:"allowedValues,omitempty"`
	AllowedPattern string   `json:"allowedPattern,omitempty"`
	Default        *string  `json:"default,omitempty"`
}

type step struct {
	Precondition map[string][]string `json:"precondition"`
	Action       string              `json:"action"`
	Name         string              `json:"name"`
	Inputs       struct {
		TimeoutSeconds int      `json:"timeoutSeconds"`
		RunCommand     []string `json:"runCommand"`
	} `json:"inputs"`
}

// The patterns AWS gives the URL and snapshot parameters.
const (
	snapshotPattern = `(^$)|^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`
	urlPattern      = `(^$)|^https://.+$|^s3://([^/]+)/(.*?([^/]+))$`
)

func mustContent() string {
	empty := ""
	reboot := RebootIfNeeded
	doc := struct {
		SchemaVersion string           `json:"schemaVersion"`
		Description   string           `json:"description"`
		Parameters    map[string]param `json:"parameters"`
		MainSteps     []step           `json:"mainSteps"`
	}{
		SchemaVersion: "2.2",
		Description:   "Scans for or installs patches from a patch baseline to a Linux, Windows or MacOS operating system.",
		Parameters: map[string]param{
			"Operation": {Type: "String", AllowedValues: []string{OperationScan, OperationInstall},
				Description: "(Required) The update or configuration to perform on the instance. The system checks if patches specified in the patch baseline are installed on the instance. The install operation installs patches missing from the baseline."},
			"SnapshotId": {Type: "String", AllowedPattern: snapshotPattern, Default: &empty,
				Description: "(Optional) The snapshot ID to use to retrieve a patch baseline snapshot."},
			"InstallOverrideList": {Type: "String", AllowedPattern: urlPattern, Default: &empty,
				Description: "(Optional) An https URL or an Amazon S3 path-style URL to the list of patches to be installed. This patch installation list overrides the patches specified by the default patch baseline."},
			"BaselineOverride": {Type: "String", AllowedPattern: urlPattern, Default: &empty,
				Description: "(Optional) An https URL or an Amazon S3 path-style URL to a list of baseline objects. These baselines override the default baseline and any baselines used by Patch Groups."},
			"RebootOption": {Type: "String", AllowedValues: []string{RebootIfNeeded, NoReboot}, Default: &reboot,
				Description: "(Optional) Reboot behavior after a patch Install operation. If you choose NoReboot and patches are installed, the instance is marked as non-compliant until a subsequent reboot and scan."},
		},
		MainSteps: []step{
			newStep("Windows", "aws:runPowerShellScript", documents.PatchWindowsStepName, []string{
				"# The patchready simulator models this step in Go: a Windows node scans against its",
				"# own patch figures, or fails as its faults say. Nothing here runs.",
				"exit 0",
			}),
			newStep("Linux", "aws:runShellScript", documents.PatchLinuxStepName,
				strings.Split(strings.TrimSuffix(linuxScript, "\n"), "\n")),
			newStep("MacOS", "aws:runShellScript", documents.PatchMacOSStepName, []string{
				"#!/bin/sh",
				"# The patchready simulator models this step in Go: a macOS node scans against its",
				"# own patch figures, or fails as its faults say. Nothing here runs.",
				"exit 0",
			}),
		},
	}
	// The script's <, > and & stay as they are, as in AWS's own content.
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "    ")
	if err := enc.Encode(doc); err != nil {
		panic(err) // fixed data; a failure is a programming error
	}
	return b.String()
}

func newStep(platform, action, name string, lines []string) step {
	s := step{Precondition: map[string][]string{"StringEquals": {"platformType", platform}}, Action: action, Name: name}
	s.Inputs.TimeoutSeconds = 7200
	s.Inputs.RunCommand = lines
	return s
}
