package ssmsim

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/patchready/patchready/internal/ssmsim/host"
	"github.com/patchready/patchready/internal/ssmsim/wire"
)

func init() { register("DescribeInstancePatchStates", describeInstancePatchStates) }

// patchState is what Patch Manager records of a node's last patching
// operation.
type patchState struct {
	InstanceID          string
	PatchGroup          string
	BaselineID          string
	SnapshotID          string
	InstallOverrideList string
	Counts              host.PatchCounts
	Operation           string
	RebootOption        string
	Start, End          time.Time
	Windows             bool
}

// recordPatchState keeps the state a successful patching operation on n
// reported; it replaces the node's previous one.
func (r *region) recordPatchState(n *Node, st patchState) {
	st.InstanceID = n.ID
	st.PatchGroup = n.Tags["Patch Group"]
	if st.PatchGroup == "" {
		st.PatchGroup = n.Tags["PatchGroup"]
	}
	st.BaselineID = defaultBaselineID(r.name, patchOS(n))
	st.Windows = n.PlatformType == "Windows"
	if r.patchStates == nil {
		r.patchStates = map[string]*patchState{}
	}
	r.patchStates[n.ID] = &st
}

// patchOS is the operating system a node's default patch baseline is for,
// by Patch Manager's names.
func patchOS(n *Node) string {
	name := strings.ToLower(n.PlatformName)
	switch {
	case n.PlatformType == "Windows":
		return "WINDOWS"
	case n.PlatformType == "MacOS":
		return "MACOS"
	case name == "amazon linux ami":
		return "AMAZON_LINUX"
	case name == "amazon linux" && n.PlatformVersion == "2023":
		return "AMAZON_LINUX_2023"
	case name == "amazon linux":
		return "AMAZON_LINUX_2"
	case strings.HasPrefix(name, "ubuntu"):
		return "UBUNTU"
	case strings.HasPrefix(name, "debian"), strings.HasPrefix(name, "raspbian"):
		return "DEBIAN"
	case strings.HasPrefix(name, "sles"), strings.Contains(name, "suse"):
		return "SUSE"
	case strings.HasPrefix(name, "rocky"):
		return "ROCKY_LINUX"
	case strings.HasPrefix(name, "alma"):
		return "ALMA_LINUX"
	case strings.HasPrefix(name, "centos"):
		return "CENTOS"
	case strings.HasPrefix(name, "oracle"):
		return "ORACLE_LINUX"
	}
	return "REDHAT_ENTERPRISE_LINUX"
}

// defaultBaselineID is the ID of AWS's default patch baseline for an
// operating system in a region. AWS's IDs differ by region; these are
// made up, stable, and shaped like AWS's (pb- and 17 hex digits).
func defaultBaselineID(region, os string) string {
	return fmt.Sprintf("pb-%017x", hashOf(region+"/"+os))
}

type describeInstancePatchStatesInput struct {
	InstanceIds []string `json:"InstanceIds"`
	MaxResults  *int     `json:"MaxResults"`
	NextToken   *string  `json:"NextToken"`
}

// instancePatchState is the InstancePatchState shape.
type instancePatchState struct {
	InstanceID                       string   `json:"InstanceId"`
	PatchGroup                       string   `json:"PatchGroup"`
	BaselineID                       string   `json:"BaselineId"`
	SnapshotID                       string   `json:"SnapshotId,omitempty"`
	InstallOverrideList              string   `json:"InstallOverrideList,omitempty"`
	OwnerInformation                 string   `json:"OwnerInformation,omitempty"`
	InstalledCount                   int      `json:"InstalledCount"`
	InstalledOtherCount              int      `json:"InstalledOtherCount"`
	InstalledPendingRebootCount      int      `json:"InstalledPendingRebootCount"`
	InstalledRejectedCount           int      `json:"InstalledRejectedCount"`
	MissingCount                     int      `json:"MissingCount"`
	FailedCount                      int      `json:"FailedCount"`
	UnreportedNotApplicableCount     *int     `json:"UnreportedNotApplicableCount,omitempty"`
	NotApplicableCount               int      `json:"NotApplicableCount"`
	AvailableSecurityUpdateCount     *int     `json:"AvailableSecurityUpdateCount,omitempty"`
	OperationStartTime               float64  `json:"OperationStartTime"`
	OperationEndTime                 float64  `json:"OperationEndTime"`
	Operation                        string   `json:"Operation"`
	LastNoRebootInstallOperationTime *float64 `json:"LastNoRebootInstallOperationTime,omitempty"`
	RebootOption                     string   `json:"RebootOption,omitempty"`
	CriticalNonCompliantCount        int      `json:"CriticalNonCompliantCount"`
	SecurityNonCompliantCount        int      `json:"SecurityNonCompliantCount"`
	OtherNonCompliantCount           int      `json:"OtherNonCompliantCount"`
}

func (st *patchState) shape() instancePatchState {
	c := st.Counts
	out := instancePatchState{
		InstanceID: st.InstanceID, PatchGroup: st.PatchGroup, BaselineID: st.BaselineID, SnapshotID: st.SnapshotID,
		InstallOverrideList: st.InstallOverrideList,
		InstalledCount:      c.Installed, InstalledOtherCount: c.InstalledOther, InstalledPendingRebootCount: c.InstalledPendingReboot,
		InstalledRejectedCount: c.InstalledRejected, MissingCount: c.Missing, FailedCount: c.Failed, NotApplicableCount: c.NotApplicable,
		OperationStartTime: epoch(st.Start), OperationEndTime: epoch(st.End), Operation: st.Operation, RebootOption: st.RebootOption,
		CriticalNonCompliantCount: c.Critical, SecurityNonCompliantCount: c.Security, OtherNonCompliantCount: c.Other,
	}
	if st.Windows {
		// Counts AWS reports for Windows nodes only.
		zero := 0
		out.UnreportedNotApplicableCount, out.AvailableSecurityUpdateCount = &zero, &zero
	}
	return out
}

// describeInstancePatchStates answers for the listed nodes that have a
// patch state, in ID order; a node never scanned (or unknown) is left
// out, as AWS does.
func describeInstancePatchStates(s *Server, r *region, body []byte) (any, *wire.Error) {
	var in describeInstancePatchStatesInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	v := &wire.Validator{}
	v.Required("instanceIds", in.InstanceIds != nil)
	// The API model allows an empty list; what AWS answers to one is not
	// documented, so the simulator takes the stricter reading.
	if in.InstanceIds != nil {
		v.Count("instanceIds", len(in.InstanceIds), 1, 50)
	}
	for i, id := range in.InstanceIds {
		v.Pattern("instanceIds."+itoa(i+1)+".member", id, reInstanceID)
	}
	v.IntRange("maxResults", in.MaxResults, 10, 100)
	if err := v.Err(); err != nil {
		return nil, err
	}
	var states []*patchState
	seen := map[string]bool{}
	for _, id := range in.InstanceIds {
		if st, ok := r.patchStates[id]; ok && !seen[id] {
			states = append(states, st)
			seen[id] = true
		}
	}
	sort.Slice(states, func(i, j int) bool { return states[i].InstanceID < states[j].InstanceID })
	token := ""
	if in.NextToken != nil {
		token = *in.NextToken
	}
	ids := append([]string(nil), in.InstanceIds...)
	sort.Strings(ids)
	page, next, err := pageOf(s, r, "DescribeInstancePatchStates", fingerprint(ids), token, maxResults(in.MaxResults, 10), states,
		func(st *patchState) string { return st.InstanceID })
	if err != nil {
		return nil, err
	}
	out := make([]instancePatchState, len(page))
	for i, st := range page {
		out[i] = st.shape()
	}
	return map[string]any{"InstancePatchStates": out, "NextToken": optional(next)}, nil
}
