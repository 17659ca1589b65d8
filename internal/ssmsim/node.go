package ssmsim

import (
	"time"

	"github.com/patchready/patchready/internal/ssmsim/host"
)

// Node is one simulated managed node: what SSM reports about it, plus the
// hidden state the project's documents read and change (proxy, Python,
// requests), plus the faults it is set to show.
type Node struct {
	ID               string            `json:"id" yaml:"id"`
	ComputerName     string            `json:"computer_name,omitempty" yaml:"computer_name,omitempty"`
	IPAddress        string            `json:"ip_address,omitempty" yaml:"ip_address,omitempty"`
	ResourceType     string            `json:"resource_type,omitempty" yaml:"resource_type,omitempty"` // EC2Instance | ManagedInstance (derived from the ID when empty)
	PlatformType     string            `json:"platform_type" yaml:"platform_type"`                     // Linux | Windows | MacOS
	PlatformName     string            `json:"platform_name" yaml:"platform_name"`
	PlatformVersion  string            `json:"platform_version" yaml:"platform_version"`
	AgentVersion     string            `json:"agent_version" yaml:"agent_version"`
	PingStatus       string            `json:"ping_status,omitempty" yaml:"ping_status,omitempty"` // Online when empty
	IAMRole          string            `json:"iam_role,omitempty" yaml:"iam_role,omitempty"`
	Tags             map[string]string `json:"tags,omitempty" yaml:"tags,omitempty"`
	RegistrationDate time.Time         `json:"registration_date,omitzero" yaml:"registration_date,omitempty"`

	// Proxy is how the node's agent reaches AWS. The zero value is direct.
	Proxy Proxy `json:"proxy,omitzero" yaml:"proxy,omitempty"`
	// Python, Pip and Requests describe the interpreter the patch run
	// uses: its path, its pip ("" = none) and its requests ("" = none).
	// On input they shape a node without a host spec; after a document
	// ran on the node they summarise its software model.
	Python   string `json:"python,omitempty" yaml:"python,omitempty"`
	Pip      string `json:"pip,omitempty" yaml:"pip,omitempty"`
	Requests string `json:"requests,omitempty" yaml:"requests,omitempty"`

	// Host is the node's software (Linux): a preset and changes to it.
	// Without it, a Linux node gets the preset of its platform, shaped
	// by Python, Pip, Requests and Faults.NoPip.
	Host *host.Spec `json:"host,omitempty" yaml:"host,omitempty"`

	// Patches is what a patch scan finds on the node. Without it a Linux
	// node reports its host preset's figures (or its host spec's), a
	// Windows or macOS node its platform's.
	Patches *host.PatchCounts `json:"patches,omitempty" yaml:"patches,omitempty"`

	// Faults makes the node misbehave in one of the ways real nodes do.
	Faults NodeFaults `json:"faults,omitzero" yaml:"faults,omitempty"`

	// Expect says what the node is built to show when a plan made of
	// it is applied ("failed" for a node whose fix cannot work); the demo
	// reads it to tell an intended failure from a defect. SSM never sees it.
	Expect string `json:"expect,omitempty" yaml:"expect,omitempty"`

	// Terminated nodes disappear from DescribeInstanceInformation and can
	// no longer be reached, as on AWS.
	Terminated bool `json:"terminated,omitempty" yaml:"terminated,omitempty"`

	// sw is the node's software now: shared and never changed in place; a
	// script that changes it gives the node a new one.
	sw *host.Host
}

// Proxy models the proxy settings of a node's agent.
type Proxy struct {
	// URL is the proxy URL, possibly with credentials (user:pass@): the
	// probe must never print it. Empty means no proxy.
	URL string `json:"url,omitempty" yaml:"url,omitempty"`
	// Source is where the setting lives: process, systemd-override,
	// upstart-override.
	Source string `json:"source,omitempty" yaml:"source,omitempty"`
	// NoProxy is the no_proxy value.
	NoProxy string `json:"no_proxy,omitempty" yaml:"no_proxy,omitempty"`
}

// NodeFaults are per-node faults. All off by default.
type NodeFaults struct {
	// UpdateFails makes AWS-UpdateSSMAgent fail on this node (exit 1, as
	// end-of-life OSes do), leaving the agent as it was.
	UpdateFails bool `json:"update_fails,omitempty" yaml:"update_fails,omitempty"`
	// UpdateSkipped makes AWS-UpdateSSMAgent succeed without changing the
	// version ("update skipped", as when the regional manifest lags).
	UpdateSkipped bool `json:"update_skipped,omitempty" yaml:"update_skipped,omitempty"`
	// OfflineAfterUpdate makes the node go ConnectionLost for good after its
	// agent restarts.
	OfflineAfterUpdate bool `json:"offline_after_update,omitempty" yaml:"offline_after_update,omitempty"`
	// Undeliverable makes every command to the node end Undeliverable /
	// DeliveryTimedOut.
	Undeliverable bool `json:"undeliverable,omitempty" yaml:"undeliverable,omitempty"`
	// NoPip means pip is missing and the package manager cannot install
	// it (for a node without a host spec: its repositories offer no pip).
	NoPip bool `json:"no_pip,omitempty" yaml:"no_pip,omitempty"`
	// ScanFails makes AWS-RunPatchBaseline fail on a Windows or macOS node
	// as it does when the node cannot reach its patch source (Windows
	// Update or WSUS; the macOS payload bucket). Linux nodes fail by
	// their software model instead (host: repos, payload...).
	ScanFails bool `json:"scan_fails,omitempty" yaml:"scan_fails,omitempty"`
	// Slow multiplies the time every command takes on this node.
	Slow float64 `json:"slow,omitempty" yaml:"slow,omitempty"`
}

// Fleet is the set of nodes of one region.
type Fleet struct {
	Nodes []Node `json:"nodes" yaml:"nodes"`
}
