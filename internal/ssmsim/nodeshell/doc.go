// Package nodeshell runs a shell script on a simulated node: the script
// is interpreted by mvdan.cc/sh against the node's file tree (a host.Tree)
// held in memory, never the real filesystem. Commands the tree holds (the
// host model's stubs: python, package managers, curl, which...) are shell
// scripts too and run in the same interpreter; the commands every Linux
// node has that change files (cat, rm, mkdir, mktemp, cp, chmod...) are Go
// functions acting on the tree; a short list of text filters (sed, tr,
// head, tail, cut, sort, wc, grep) runs as real host processes on standard
// input and output only. When the script ends, the changed tree is
// returned, so the node's software model can be read back from it.
package nodeshell
