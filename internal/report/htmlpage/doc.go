// Package htmlpage writes a readiness report (report.Page) as one
// self-contained HTML file: no external script, font, stylesheet or
// image, so it opens offline and can be attached to a ticket.
//
// Charts are inline SVG drawn here, each with a title, a description and
// its numbers as text, and every series carries a pattern and an icon as
// well as a colour. The node table is data (compact JSON in the page) that
// a small script filters, sorts and pages, so a 100,000-node report stays
// a few megabytes and is interactive at once. A Content-Security-Policy
// allows only the page's own style and script (by hash), so text from a
// node that slipped through escaping still could not load or run anything.
package htmlpage
