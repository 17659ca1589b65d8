package wire

import (
	"encoding/xml"
	"net/http/httptest"
	"slices"
	"testing"
)

func TestFormLists(t *testing.T) {
	f, err := ParseForm("Action=DescribeInstances", []byte("InstanceId.1=i-1&InstanceId.2=i-2&InstanceId.4=i-4"+
		"&Filter.1.Name=instance-state-name&Filter.1.Value.1=running&Filter.1.Value.2=stopped&Filter.2.Name=tag-key"+
		"&PolicyArns.member.1=a&MaxResults=x&AllRegions=true"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Get("Action") != "DescribeInstances" {
		t.Errorf("Action from the URL query: %q", f.Get("Action"))
	}
	if got := f.List("InstanceId"); !slices.Equal(got, []string{"i-1", "i-2"}) {
		t.Errorf("List stops at the first gap: %v", got)
	}
	if got := f.List("PolicyArns.member"); !slices.Equal(got, []string{"a"}) {
		t.Errorf("awsQuery list: %v", got)
	}
	fl := f.Filters()
	if len(fl) != 2 || fl[0].Name != "instance-state-name" || !slices.Equal(fl[0].Values, []string{"running", "stopped"}) || len(fl[1].Values) != 0 {
		t.Errorf("filters = %+v", fl)
	}
	if _, ok := f.Int("MaxResults"); ok {
		t.Error("MaxResults=x read as a number")
	}
	if n, ok := f.Int("Missing"); !ok || n != nil {
		t.Error("a missing number is not nil")
	}
	if b, ok := f.Bool("AllRegions"); !ok || !b {
		t.Error("AllRegions=true")
	}
}

func TestXMLErrorShapes(t *testing.T) {
	rec := httptest.NewRecorder()
	WriteQueryError(rec, "https://sts.amazonaws.com/doc/2011-06-15/", "req-1", Errorf("AccessDenied", "no <way>").WithStatus(403))
	var q struct {
		Error     struct{ Type, Code, Message string }
		RequestID string `xml:"RequestId"`
	}
	if err := xml.Unmarshal(rec.Body.Bytes(), &q); err != nil || rec.Code != 403 || q.Error.Type != "Sender" ||
		q.Error.Code != "AccessDenied" || q.Error.Message != "no <way>" || q.RequestID != "req-1" {
		t.Errorf("awsQuery error: %d %+v %v\n%s", rec.Code, q, err, rec.Body)
	}
	rec = httptest.NewRecorder()
	WriteEC2Error(rec, "req-2", Errorf("InternalError", "boom").WithStatus(500))
	var e struct {
		Errors    []struct{ Code, Message string } `xml:"Errors>Error"`
		RequestID string                           `xml:"RequestID"`
	}
	if err := xml.Unmarshal(rec.Body.Bytes(), &e); err != nil || rec.Code != 500 || len(e.Errors) != 1 || e.Errors[0].Code != "InternalError" || e.RequestID != "req-2" {
		t.Errorf("ec2Query error: %d %+v %v", rec.Code, e, err)
	}
	var w XMLWriter
	w.Text("v", `a<b&"c"`)
	if string(w.Bytes()) != "<v>a&lt;b&amp;&#34;c&#34;</v>" {
		t.Errorf("escaped text: %s", w.Bytes())
	}
}
