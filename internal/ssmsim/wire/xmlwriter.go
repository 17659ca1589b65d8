package wire

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"strings"
)

// XMLWriter builds an XML answer by hand, for the listings whose pages
// are large (DescribeInstances at 1,000 instances a page): encoding/xml's
// reflection costs several times the rest of the request there.
type XMLWriter struct {
	b bytes.Buffer
}

// Open writes <name>.
func (w *XMLWriter) Open(name string) {
	w.b.WriteByte('<')
	w.b.WriteString(name)
	w.b.WriteByte('>')
}

// Close writes </name>.
func (w *XMLWriter) Close(name string) {
	w.b.WriteString("</")
	w.b.WriteString(name)
	w.b.WriteByte('>')
}

// Grow makes room for n more bytes, so that a large answer is not copied
// as it grows.
func (w *XMLWriter) Grow(n int) { w.b.Grow(n) }

// Text writes <name>value</name>, escaping value.
func (w *XMLWriter) Text(name, value string) {
	w.Open(name)
	if strings.ContainsAny(value, "<>&'\"\r\n\t") {
		_ = xml.EscapeText(&w.b, []byte(value))
	} else {
		w.b.WriteString(value)
	}
	w.Close(name)
}

// Int writes <name>n</name>.
func (w *XMLWriter) Int(name string, n int) {
	w.Open(name)
	w.b.Write(strconv.AppendInt(w.b.AvailableBuffer(), int64(n), 10))
	w.Close(name)
}

// Bytes returns what was written.
func (w *XMLWriter) Bytes() []byte { return w.b.Bytes() }

// XMLAppender is an EC2 result that writes its own members, faster than
// encoding/xml would.
type XMLAppender interface {
	AppendXML(w *XMLWriter)
}
