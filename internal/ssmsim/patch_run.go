package ssmsim

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/ssmsim/host"
	"github.com/patchready/patchready/internal/ssmsim/patchbaseline"
)

// This file runs AWS-RunPatchBaseline on a node. On Linux its PatchLinux
// step's script runs on the node's software model like any shell step;
// Windows and macOS are modelled here. A successful run records the
// node's patch state, which DescribeInstancePatchStates returns.

// windowsScanFactor is how much longer a Windows scan takes than a Linux
// one: the Windows Update search is slow.
const windowsScanFactor = 4

// isPatchBaseline reports whether a run is of AWS's own AWS-RunPatchBaseline.
func (r *region) isPatchBaseline(x *run) bool {
	d, err := r.lookupDocument(x.docName)
	return err == nil && d.Builtin && d.Name == documents.RunPatchBaselineDocumentName
}

// patchBaseline runs AWS-RunPatchBaseline on n, delivered at now.
func (r *region) patchBaseline(n *Node, x *run, now time.Time) {
	b := r.server.opts.Behaviour
	op := paramValue(x.doc, x.params, "Operation")
	quick := now.Add(slowed(n, b.CommandDuration))
	scanned := now.Add(slowed(n, b.ScanDuration))
	var res execResult
	var after *host.Host
	var counts host.PatchCounts
	switch n.PlatformType {
	case "Linux":
		res, after = r.runShellSteps(n, x)
		if res.Status == "Success" {
			c, err := patchbaseline.ParseSummary(res.Output)
			if err != nil {
				// The script always prints the summary when it succeeds;
				// without one the simulator says so rather than make up a
				// state.
				res = execResult{Status: "Failed", StatusDetails: "Failed", ResponseCode: 1, Plugin: res.Plugin, Output: res.Output,
					Stderr: agentStderr("patchready simulator: "+err.Error(), 1)}
			}
			counts = c
		}
	case "Windows":
		res, counts = windowsScan(n, op, x.commandID)
		scanned = now.Add(slowed(n, windowsScanFactor*b.ScanDuration))
	case "MacOS":
		res, counts = r.macOSScan(n, op)
	default:
		res = execResult{Status: "Failed", StatusDetails: "InvalidPlatform", ResponseCode: -1}
	}
	end := quick
	if res.Status == "Success" {
		end = scanned
	}
	snapshot := paramValue(x.doc, x.params, "SnapshotId")
	if snapshot == "" {
		// The payload makes up a snapshot ID for a run that names none.
		snapshot = r.newUUID()
	}
	r.schedule(end, func(t time.Time) {
		node := r.byID[x.node]
		if node != nil && after != nil && after != node.sw {
			node.sw = after
			node.mirrorSoftware()
		}
		if node != nil && res.Status == "Success" {
			r.recordPatchState(node, patchState{
				Counts: counts, Operation: op, RebootOption: paramValue(x.doc, x.params, "RebootOption"),
				SnapshotID: snapshot, InstallOverrideList: paramValue(x.doc, x.params, "InstallOverrideList"),
				Start: x.began, End: t,
			})
		}
		res.End = t
		x.finish(res)
	})
}

// notSimulated is how every platform refuses an operation the simulator
// does not model.
func notSimulated(op string) string {
	return fmt.Sprintf("patchready simulator: AWS-RunPatchBaseline Operation=%s is not simulated; the simulator models Operation=Scan only.", op)
}

// nodePatches is what a scan finds on a Windows or macOS node.
func nodePatches(n *Node) host.PatchCounts {
	if n.Patches != nil {
		return *n.Patches
	}
	if n.PlatformType == "Windows" {
		return host.PatchCounts{Installed: 17, InstalledOther: 4, Missing: 3, NotApplicable: 231, Critical: 1, Security: 2}
	}
	return host.PatchCounts{Installed: 9, InstalledOther: 2, Missing: 2, NotApplicable: 24, Security: 1, Other: 1}
}

// windowsScan is the PatchWindows step: the checks AWS's document makes
// first (its messages, exit -1), then the PatchBaselineOperations module's
// scan against Windows Update.
func windowsScan(n *Node, op, commandID string) (execResult, host.PatchCounts) {
	fail := func(code int, out, stderr string) (execResult, host.PatchCounts) {
		return execResult{Status: "Failed", StatusDetails: "Failed", ResponseCode: code, Plugin: documents.PatchWindowsStepName,
			Output: out, Stderr: agentStderr(stderr, code)}, host.PatchCounts{}
	}
	if major, _, _ := strings.Cut(n.PlatformVersion, "."); atoiOr(major, 10) <= 5 {
		return fail(-1, "", "This command is not supported on Windows 2003 or lower.\n")
	}
	if compareVersions(n.AgentVersion, "2.0.834.0") < 0 {
		return fail(-1, "This command is not supported with SSM Agent version less than 2.0.834.0.\n", "")
	}
	head := "Preparing to download PatchBaselineOperations PowerShell module from S3.\r\n\r\n" +
		"Verifying SHA 256 of the PatchBaselineOperations PowerShell module files.\r\n" +
		"Successfully downloaded and installed the PatchBaselineOperations PowerShell module.\r\n"
	if op != patchbaseline.OperationScan {
		return fail(1, head, notSimulated(op))
	}
	if n.Faults.ScanFails {
		return fail(1, head, "Invoke-PatchBaselineOperation : Exception Details: An error occurred when attempting to search Windows Update.\r\n"+
			"Exception Level 1:\r\n Error Message: Exception from HRESULT: 0x8024402C\r\n"+
			" Stack Trace: at WUApiLib.IUpdateSearcher.Search(String criteria)\r\n"+
			"At C:\\ProgramData\\Amazon\\SSM\\InstanceData\\"+n.ID+"\\document\\orchestration\\"+orDefault(commandID, "command")+"\\PatchWindows\\_script.ps1:155 char:13\r\n")
	}
	c := nodePatches(n)
	return execResult{Status: "Success", StatusDetails: "Success", Plugin: documents.PatchWindowsStepName,
		Output: head + windowsSummary(n.ID, c)}, c
}

// atoiOr reads a number, def when s is not one.
func atoiOr(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return def
	}
	return n
}

// windowsSummary is the module's closing table.
func windowsSummary(id string, c host.PatchCounts) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Patch Summary for %s\r\n", id)
	for _, f := range []struct {
		k string
		v any
	}{
		{"OperationType", patchbaseline.OperationScan}, {"InstalledCount", c.Installed}, {"InstalledRejectedCount", c.InstalledRejected},
		{"InstalledPendingRebootCount", c.InstalledPendingReboot}, {"InstalledOtherCount", c.InstalledOther}, {"FailedCount", c.Failed},
		{"MissingCount", c.Missing}, {"NotApplicableCount", c.NotApplicable}, {"UnreportedNotApplicableCount", 0},
	} {
		fmt.Fprintf(&b, "%-28s : %v\r\n", f.k, f.v)
	}
	return b.String()
}

// macOSScan is the PatchMacOS step: the same download as on Linux, from
// the macOS payload bucket, then the payload's scan.
func (r *region) macOSScan(n *Node, op string) (execResult, host.PatchCounts) {
	url := macOSPayloadURL(r.name)
	out := "/usr/bin/python3\nUsing python binary: 'python3'\nUsing Python Version: Python 3.9.6\n" +
		"root [INFO]: Downloading payload from " + url + "\n"
	fail := func(code int, out, stderr string) (execResult, host.PatchCounts) {
		return execResult{Status: "Failed", StatusDetails: "Failed", ResponseCode: code, Plugin: documents.PatchMacOSStepName,
			Output: out, Stderr: agentStderr(stderr, code)}, host.PatchCounts{}
	}
	if n.Faults.ScanFails {
		return fail(156, out+"root [ERROR]: Error code returned from curl is 28\n", "Unable to download payload: "+url+".")
	}
	out += "root [INFO]: Attempting to import entrance file os_selector\n"
	if op != patchbaseline.OperationScan {
		return fail(1, out, notSimulated(op))
	}
	c := nodePatches(n)
	return execResult{Status: "Success", StatusDetails: "Success", Plugin: documents.PatchMacOSStepName,
		Output: out + "root [INFO]: " + patchbaseline.SummaryPrefix + c.String() + "\n"}, c
}

// macOSPayloadURL builds the macOS payload's URL as the PatchMacOS step
// does: its bucket's name ends with a digest of the region.
func macOSPayloadURL(region string) string {
	sum := sha256.Sum256([]byte("prod-" + region + "-internal-patch-public-bucket"))
	bucket := fmt.Sprintf("aws-patchmanager-macos-%s-%s", region, hex.EncodeToString(sum[:])[:9])
	const path = "patchbaselineoperations/linux/payloads/patch-baseline-operations-macos-7.4.tar.gz"
	switch {
	case strings.HasPrefix(region, "cn-"):
		return fmt.Sprintf("https://s3.%s.amazonaws.com.cn/%s/%s", region, bucket, path)
	case strings.HasPrefix(region, "us-gov-"):
		return fmt.Sprintf("https://s3-fips-%s.amazonaws.com/%s/%s", region, bucket, path)
	case oldPayloadRegions[region]:
		return fmt.Sprintf("https://s3.dualstack.%s.amazonaws.com/%s/%s", region, bucket, path)
	}
	return fmt.Sprintf("https://%s.s3-accelerate.dualstack.amazonaws.com/%s", bucket, path)
}

// oldPayloadRegions keep the payload buckets they had before the buckets
// moved to accelerated endpoints.
var oldPayloadRegions = map[string]bool{
	"ap-east-1": true, "us-gov-east-1": true, "us-gov-west-1": true, "cn-northwest-1": true, "cn-north-1": true,
	"ca-central-1": true, "ap-southeast-2": true, "ap-southeast-1": true, "us-west-1": true, "us-west-2": true,
	"ap-northeast-1": true, "eu-west-2": true, "ap-northeast-2": true, "us-east-1": true, "sa-east-1": true,
	"eu-central-1": true, "eu-west-1": true, "us-east-2": true, "eu-west-3": true, "ap-south-1": true,
	"eu-north-1": true, "me-south-1": true, "af-south-1": true, "eu-south-1": true, "ap-northeast-3": true,
}
