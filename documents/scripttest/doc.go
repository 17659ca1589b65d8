// Package scripttest runs the probe and fix documents' scripts for real:
// each test renders a simulated node (internal/ssmsim/host) as a file tree
// and runs the script the document carries, with the real /bin/sh (dash)
// and with bash, inside bubblewrap with the tree as root, no network, the
// host's text tools bound read-only, and the tree's fake /proc. The
// package has no code outside its tests.
package scripttest
