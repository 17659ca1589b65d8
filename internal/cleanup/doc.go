// Package cleanup finds and removes what patchready created in an account:
// associations (apply's one-shot ones kept with --keep-associations, and the
// schedule's), maintenance windows, and patchready's own SSM documents.
//
// A resource is patchready's when its name starts with "patchready-" and it
// carries the tag patchready:managed=true; the name narrows the search
// cheaply, the tag proves ownership, so a user's resource that merely
// shares the prefix is never touched. With a run ID only that run's
// resources (tag patchready:run-id) are chosen.
//
// Documents are found by their two known names (DescribeDocument) rather
// than by listing, and a document still used by an association that stays
// is kept, since deleting it would break that association.
//
// What the fixes for unmanaged instances changed (a role, a policy
// attachment, the Default Host Management setting, a profile association)
// is never removed: cleanup lists it from the run journals, with why it
// stays (LeftOnPurpose).
package cleanup
