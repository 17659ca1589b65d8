// Package probe runs patchready's read-only probe document on Amazon Linux
// nodes through Run Command and turns what it prints into fleet.ProbeFacts:
// whether the agent goes through a proxy (scheme only, never the URL), where
// that is set, and which python, pip and requests the node has.
//
// It sends only the probe document, which changes nothing on a node. It does
// not judge the facts (package prereq does) and never stores proxy URLs or
// credentials: Parse rejects a report that looks like it carries one.
package probe
