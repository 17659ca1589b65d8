// Package render turns plans into views for people and programs: text for a
// terminal (modelled on Terraform's plan output), Markdown for a pull
// request or ticket, and JSON as the stable machine interface.
//
// Renderers only read the plan they are given and write to the io.Writer
// they are given; they decide nothing. Every string that came from a node
// (platform names, versions, probe reasons) is treated as untrusted: control
// characters are replaced so they cannot move the cursor or recolour a
// terminal, and Markdown metacharacters are escaped.
package render
