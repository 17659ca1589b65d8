package fleet

import (
	"time"

	"github.com/patchready/patchready/documents"
)

// PingStatus values as SSM reports them.
const (
	PingOnline         = "Online"
	PingConnectionLost = "ConnectionLost"
	PingInactive       = "Inactive"
)

// PlatformType values as SSM reports them.
const (
	PlatformLinux   = "Linux"
	PlatformWindows = "Windows"
	PlatformMacOS   = "MacOS"
)

// Node is one managed node as observed: what DescribeInstanceInformation
// returned for it, plus what the read-only probe found (if it ran). An EC2
// instance SSM does not manage is a Node too, with its EC2 facts instead.
//
// Node is plain data so that plans can carry it, diff it and save it.
type Node struct {
	InstanceID string `json:"instance_id"`
	// Account and Region say where the node lives when a plan spans
	// several accounts or regions; a plan of one account and region leaves
	// them empty (the plan itself records them).
	Account         string    `json:"account,omitempty"`
	Region          string    `json:"region,omitempty"`
	ComputerName    string    `json:"computer_name,omitempty"`
	ResourceType    string    `json:"resource_type,omitempty"` // EC2Instance | ManagedInstance
	PingStatus      string    `json:"ping_status"`
	LastPingAt      time.Time `json:"last_ping_at,omitzero"`
	AgentVersion    string    `json:"agent_version"`
	IsLatestVersion bool      `json:"is_latest_version"`
	PlatformType    string    `json:"platform_type"`
	PlatformName    string    `json:"platform_name"`
	PlatformVersion string    `json:"platform_version"`
	// Probe is nil when the probe did not run on this node (not Amazon Linux,
	// not Online, or --no-probe).
	Probe *ProbeFacts `json:"probe,omitempty"`
	// EC2 is set on an EC2 instance that SSM does not manage (see
	// EC2Facts); such a node has no ping status and no agent version.
	EC2 *EC2Facts `json:"ec2,omitempty"`
}

// ProbeStatus says how far the probe got on a node.
type ProbeStatus string

const (
	// ProbeOK means the probe ran and its report parsed.
	ProbeOK ProbeStatus = "ok"
	// ProbeFailed means the command ran but failed, never arrived, timed out,
	// or printed something that is not a report. Reason says which.
	ProbeFailed ProbeStatus = "failed"
	// ProbeSkipped means the probe was turned off (--no-probe).
	ProbeSkipped ProbeStatus = "skipped"
)

// ProbeFacts is what the read-only probe reported about one node: how the
// agent reaches AWS, and the node as AWS-RunPatchBaseline's Linux script
// would find it (its interpreter, that interpreter's requests and pip, the
// downloader, the payload bucket through the agent's own proxy, the agent's
// work directory, free space). Proxy URLs are never stored: only the
// scheme, so a credential in a proxy URL cannot leak into a plan.
type ProbeFacts struct {
	Status ProbeStatus `json:"status"`
	Reason string      `json:"reason,omitempty"`
	// ProbeReport holds the report's fields when Status is ok; its JSON
	// fields sit beside status and reason.
	documents.ProbeReport
}

// ReasonWorkdirNoexec is the probe's failure when the agent could not
// execute it at all: the agent runs a step's script from its work directory
// (/var/lib/amazon/ssm), and a filesystem mounted noexec there ends every
// script with exit 126 before it prints anything. The patch run would end
// the same way, so the workdir-exec check reads this reason as its answer.
const ReasonWorkdirNoexec = "the probe could not run: the agent's work directory (/var/lib/amazon/ssm) is on a filesystem mounted noexec (exit 126)"

// Probed reports whether n carries a probe report that can be read.
func (n Node) Probed() bool { return n.Probe != nil && n.Probe.Status == ProbeOK }

// IsAmazonLinux reports whether the node runs any Amazon Linux generation
// (Amazon Linux AMI 1, Amazon Linux 2, Amazon Linux 2022/2023).
func (n Node) IsAmazonLinux() bool {
	return n.PlatformType == PlatformLinux && (n.PlatformName == "Amazon Linux" || n.PlatformName == "Amazon Linux AMI")
}
