package wire

import (
	"net/url"
	"strconv"
)

// Form is the parameters of a request in one of the query protocols
// (awsQuery: STS, IAM, SNS; ec2Query: EC2): the URL query and the
// form-encoded body together, as AWS reads them.
type Form url.Values

// ParseForm reads a query-protocol request: the parameters of the URL
// query, then those of the form-encoded body.
func ParseForm(rawQuery string, body []byte) (Form, error) {
	f, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, err
	}
	b, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, err
	}
	for k, v := range b {
		f[k] = append(f[k], v...)
	}
	return Form(f), nil
}

// Get returns the first value of name, or "".
func (f Form) Get(name string) string { return url.Values(f).Get(name) }

// Has reports whether the request carries name.
func (f Form) Has(name string) bool {
	_, ok := f[name]
	return ok
}

// Opt returns the value of name, or nil when the request leaves it out.
func (f Form) Opt(name string) *string {
	if !f.Has(name) {
		return nil
	}
	v := f.Get(name)
	return &v
}

// Int reads an integer member; nil when absent. ok is false when the
// value is not an integer.
func (f Form) Int(name string) (n *int, ok bool) {
	if !f.Has(name) {
		return nil, true
	}
	v, err := strconv.Atoi(f.Get(name))
	if err != nil {
		return nil, false
	}
	return &v, true
}

// Bool reads a boolean member; false when absent. ok is false when the
// value is neither true nor false.
func (f Form) Bool(name string) (b, ok bool) {
	switch f.Get(name) {
	case "", "false":
		return false, true
	case "true":
		return true, true
	}
	return false, false
}

// maxListMembers bounds the lists a request may carry: every loop over
// the numbered members stops by itself whatever the client sends.
const maxListMembers = 1000

// List returns the numbered members prefix.1, prefix.2, ... up to the first
// gap. The awsQuery protocol spells lists Name.member.N (pass
// "Name.member"); ec2Query spells them Name.N.
func (f Form) List(prefix string) []string {
	var out []string
	for i := 1; i <= maxListMembers; i++ {
		k := prefix + "." + strconv.Itoa(i)
		if !f.Has(k) {
			break
		}
		out = append(out, f.Get(k))
	}
	return out
}

// Filter is one EC2 filter: a name and the values any of which match.
type Filter struct {
	Name   string
	Values []string
}

// Filters returns the EC2 filters Filter.N.Name / Filter.N.Value.M.
func (f Form) Filters() []Filter {
	var out []Filter
	for i := 1; i <= maxListMembers; i++ {
		p := "Filter." + strconv.Itoa(i)
		if !f.Has(p + ".Name") {
			break
		}
		out = append(out, Filter{Name: f.Get(p + ".Name"), Values: f.List(p + ".Value")})
	}
	return out
}
