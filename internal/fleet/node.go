package fleet

import "time"

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
// returned for it, plus what the read-only probe found (if it ran).
//
// Node is plain data so that plans can carry it, diff it and save it.
type Node struct {
	InstanceID      string    `json:"instance_id"`
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

// ProbeFacts is what the read-only probe reported about one node's proxy
// settings and Python requests module. Proxy URLs are never stored: only the
// scheme, so a credential in a proxy URL cannot leak into a plan.
type ProbeFacts struct {
	Status ProbeStatus `json:"status"`
	Reason string      `json:"reason,omitempty"`
	// Proxied is true when the agent's environment or its service overrides
	// set http_proxy or https_proxy.
	Proxied bool `json:"proxied"`
	// ProxySource names where the proxy setting was found (for example
	// "process", "systemd-override", "upstart-override").
	ProxySource string `json:"proxy_source,omitempty"`
	// ProxyScheme is "http" or "https" (never the URL itself).
	ProxyScheme string `json:"proxy_scheme,omitempty"`
	// NoProxyHasIMDS is true when no_proxy contains 169.254.169.254.
	NoProxyHasIMDS bool   `json:"no_proxy_has_imds"`
	Python         string `json:"python,omitempty"` // interpreter path, "" when none
	Pip            string `json:"pip,omitempty"`    // pip path, "" when none
	// RequestsVersion is the installed requests version, "" when not installed.
	RequestsVersion string `json:"requests_version,omitempty"`
}

// IsAmazonLinux reports whether the node runs any Amazon Linux generation
// (Amazon Linux AMI 1, Amazon Linux 2, Amazon Linux 2022/2023).
func (n Node) IsAmazonLinux() bool {
	return n.PlatformType == PlatformLinux && (n.PlatformName == "Amazon Linux" || n.PlatformName == "Amazon Linux AMI")
}
