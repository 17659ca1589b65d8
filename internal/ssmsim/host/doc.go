// Package host models the software of a simulated Linux node: its package
// managers, Python interpreters and their modules, the tools the patch run
// and patchready's documents use (which, curl, wget), what its package
// repositories offer, its network paths to the patch payload buckets, the
// package repositories and the Python package index, the agent's proxy,
// its work directory's mount and the free space in /var.
//
// A Host renders as a file tree (Tree): small POSIX shell stubs stand in
// for python, the package managers, curl, wget, which, pgrep and df, and
// read and write state files in the tree, so that a real shell script run
// against the tree sees the node as it is and changes it as it would
// (installing a package, pip upgrading requests). ReadBack turns a tree a
// script has changed into the Host it now describes.
//
// The package is pure: no SSM state, no I/O beyond Materialize.
package host
