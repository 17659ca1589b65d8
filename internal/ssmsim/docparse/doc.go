// Package docparse reads the content of SSM Command documents the way the
// simulated SSM service needs it: it checks the declared format (JSON or
// YAML) and schema version (1.2, 2.0, 2.2), extracts the parameters and
// steps, converts content between formats for GetDocument, and classifies
// a document by how a simulated node reacts to it (Kind).
//
// It is pure: strings in, values out.
package docparse
