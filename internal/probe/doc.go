// Package probe runs patchready's read-only probe document (patchready-Probe)
// on Online Linux nodes through Run Command and turns what it prints into
// fleet.ProbeFacts: the Python the patch run would choose and its requests
// and pip, the package managers, the downloader, whether the payload bucket
// answers on the agent's network path, the work directory's noexec, free
// space in /var, and the agent's proxy (scheme and source only, never the
// URL).
//
// It sends only the probe document, which changes nothing on a node. It does
// not judge the facts (package prereq does) and never stores proxy URLs or
// credentials: Parse rejects a report that looks like it carries one.
package probe
