// Package plan owns the plan: the value that says, per managed node, what
// was observed, what each prerequisite check found, and what patchready will
// do about it; plus the actions grouped into batches for execution, and a
// fingerprint of the facts that decided them.
//
// Build is pure: it takes nodes, evaluations and options and returns a Plan,
// with no client, clock or file inside. The package also owns the plan file
// format (Save, Load, SaveFile, LoadFile) and the staleness check that apply
// runs before acting on a saved plan (CheckStale). It must not talk to AWS
// and must not render plans for people; that is package render.
package plan
