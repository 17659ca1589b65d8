// Package wire holds what the simulator's services share on the wire:
// AWS's error values and their encodings, and the constraint validation
// that answers a request the way AWS's front end does ("1 validation error
// detected: Value 'x' at 'member' failed to satisfy constraint: ...").
//
// It is pure: no server state, no clock, no I/O beyond writing an answer.
package wire
