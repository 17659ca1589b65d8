// Package cli is patchready's command line: one file per command, each with
// an options struct, a constructor that binds flags to it, and a run function
// that does the work. Main maps every error to an exit code in one place.
package cli
