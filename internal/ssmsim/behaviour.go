package ssmsim

import "time"

// Behaviour sets how simulated nodes and the simulated service behave in
// time. Durations are in the simulator clock's time.
type Behaviour struct {
	// LatestAgentVersion is what AWS-UpdateSSMAgent installs by default and
	// what IsLatestVersion compares with.
	LatestAgentVersion string `json:"latest_agent_version,omitempty" yaml:"latest_agent_version,omitempty"`
	// UpdateDelay is how long AWS-UpdateSSMAgent takes on a node before the
	// new version is running.
	UpdateDelay time.Duration `json:"update_delay,omitempty" yaml:"update_delay,omitempty"`
	// RestartWindow is how long a node shows ConnectionLost while its agent
	// restarts after an update.
	RestartWindow time.Duration `json:"restart_window,omitempty" yaml:"restart_window,omitempty"`
	// InvocationLag is how long a command's invocations stay invisible to
	// GetCommandInvocation and ListCommandInvocations after SendCommand
	// (eventual consistency).
	InvocationLag time.Duration `json:"invocation_lag,omitempty" yaml:"invocation_lag,omitempty"`
	// CommandDuration is how long an ordinary command (probe, shell script,
	// requests upgrade) runs on a node.
	CommandDuration time.Duration `json:"command_duration,omitempty" yaml:"command_duration,omitempty"`
	// ScanDuration is how long AWS-RunPatchBaseline's scan takes on a
	// Linux or macOS node (a Windows node takes four times as long); a
	// scan that fails ends after CommandDuration.
	ScanDuration time.Duration `json:"scan_duration,omitempty" yaml:"scan_duration,omitempty"`
	// DeliveryTimeout is how long an undeliverable command waits before it
	// ends DeliveryTimedOut.
	DeliveryTimeout time.Duration `json:"delivery_timeout,omitempty" yaml:"delivery_timeout,omitempty"`
	// ProfileRegistrationDelay is how long after an EC2 instance gets an
	// instance profile whose role lets the agent in (and is running, with
	// an agent and a network path) it shows in DescribeInstanceInformation.
	ProfileRegistrationDelay time.Duration `json:"profile_registration_delay,omitempty" yaml:"profile_registration_delay,omitempty"`
	// HostManagementDelay is the same through Default Host Management
	// Configuration, which AWS says "can take up to 30 minutes".
	HostManagementDelay time.Duration `json:"host_management_delay,omitempty" yaml:"host_management_delay,omitempty"`
}

// DefaultLatestAgentVersion is the agent version the simulator calls latest.
const DefaultLatestAgentVersion = "3.3.1142.0"

func (b Behaviour) withDefaults() Behaviour {
	if b.LatestAgentVersion == "" {
		b.LatestAgentVersion = DefaultLatestAgentVersion
	}
	if b.UpdateDelay == 0 {
		b.UpdateDelay = 90 * time.Second
	}
	if b.RestartWindow == 0 {
		b.RestartWindow = 20 * time.Second
	}
	if b.InvocationLag == 0 {
		b.InvocationLag = 2 * time.Second
	}
	if b.CommandDuration == 0 {
		b.CommandDuration = 5 * time.Second
	}
	if b.ScanDuration == 0 {
		b.ScanDuration = 90 * time.Second
	}
	if b.DeliveryTimeout == 0 {
		b.DeliveryTimeout = 10 * time.Minute
	}
	if b.ProfileRegistrationDelay == 0 {
		b.ProfileRegistrationDelay = 3 * time.Minute
	}
	if b.HostManagementDelay == 0 {
		b.HostManagementDelay = 30 * time.Minute
	}
	return b
}
