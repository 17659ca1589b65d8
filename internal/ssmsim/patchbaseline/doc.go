// Package patchbaseline is the simulator's AWS-RunPatchBaseline: the
// document's content as SSM serves it (AWS's parameters, with their
// allowed values and patterns, and its three steps with their platform
// preconditions), the shell script of its PatchLinux step, and the
// summary line that script prints, which the simulator reads into the
// node's patch state.
//
// The PatchLinux script mirrors AWS's Linux step up to the payload
// download and then stands in for the payload's scan on the node's
// software model (see patchlinux.sh). The Windows and macOS steps are
// modelled in Go by the simulator; their runCommand here only says so.
// The package is pure: it holds text and parses text.
package patchbaseline
