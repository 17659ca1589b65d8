// Package prereq owns Patch Manager's prerequisites as data (the agent and
// requests version floors and the supported-OS matrix, embedded as
// prereqs.yaml and overridable with --prereqs FILE) and the checks that
// compare one observed node against them.
//
// Evaluate is pure: no clients, no clock, no I/O. It says what each check
// found about each node and why, in words a reviewer understands; deciding
// what to do about it belongs to package plan. Only Load and LoadFile read,
// and only the prerequisites file they are given.
package prereq
