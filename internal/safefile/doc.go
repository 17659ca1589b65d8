// Package safefile writes the files patchready keeps (plans, run journals,
// heal state) so that a path can never make it destroy or write through
// something else.
//
// A target that exists must be a regular file. Anything else is refused:
// a device (as root, `plan --out /dev/null` used to replace the device
// node with a plan), a directory, a FIFO or socket, and a symbolic link.
// Symbolic links are refused rather than followed because the atomic
// write (a temporary file renamed over the target) replaces the link
// itself, never its target, so "writing through" a link cannot be atomic;
// and following it would write wherever the link points, which in a
// shared directory may be a link someone else planted. The error names
// the link's target, so the user can give that path instead. Directories
// on the way may be links (systemd's StateDirectory= with DynamicUser=
// makes /var/lib/NAME one).
package safefile
