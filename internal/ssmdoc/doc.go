// Package ssmdoc keeps patchready's own SSM documents present and current in
// an account: created when missing, updated (and made default) when their
// content changed, left alone when the account already has the same content.
//
// It is shared by probe (the read-only probe document) and remedy (the
// requests upgrade document). It decides by content hash only; it never
// deletes documents (cleanup does, by tag) and never runs them.
package ssmdoc
