// Package cli is patchready's command line. Every command is one file
// with an options struct that carries its dependencies (streams, session,
// clock, drain), a NewCmdX(f *Factory, runF) constructor that binds flags
// to it and checks them (CheckAndSetDefaults), and a run function that does
// the work; runF replaces the run function so that flag parsing is tested
// without a simulator. root.go lists every command once (commands); Main
// maps every error to an exit code in one place.
package cli
