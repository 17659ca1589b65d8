package prereq

import "github.com/patchready/patchready/internal/fleet"

// CheckOSSupported: Patch Manager supports the node's OS and version.
const CheckOSSupported CheckID = "os-supported"

var osCheck = Check{
	ID:       CheckOSSupported,
	Ensures:  "Patch Manager supports the node's operating system and version (the rules' list)",
	NotFixed: "an operating system is replaced, not patched into support",
	Heading:  "operating system not supported",
	Advice:   "replace the node with a supported operating system, or leave it out of Patch Manager",
	Facts:    []string{"platform_type", "platform_name", "platform_version"},
	Eval: func(f Facts, r *Rules) CheckResult {
		return checkOS(fleet.Node{
			PlatformType:    f.Get("platform_type"),
			PlatformName:    f.Get("platform_name"),
			PlatformVersion: f.Get("platform_version"),
		}, *r)
	},
	OnFail:    Block,
	OnUnknown: Block,
}
