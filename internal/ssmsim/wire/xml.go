package wire

import (
	"encoding/xml"
	"io"
	"net/http"
)

// This file writes the answers of the XML protocols. awsQuery (STS, IAM,
// SNS) wraps a result as
//
//	<OpResponse xmlns="..."><OpResult>...</OpResult>
//	  <ResponseMetadata><RequestId>id</RequestId></ResponseMetadata></OpResponse>
//
// and an error as <ErrorResponse><Error><Type/><Code/><Message/></Error>
// <RequestId/></ErrorResponse>. ec2Query puts the members straight under
// <OpResponse> after <requestId>, and errors under
// <Response><Errors><Error>...</Error></Errors><RequestID/></Response>.

// WriteQueryResult writes result as the awsQuery answer of op. A nil
// result writes no <OpResult> element, as AWS does for operations whose
// output has no members.
func WriteQueryResult(w http.ResponseWriter, op, xmlns, requestID string, result any) {
	w.Header().Set("Content-Type", "text/xml")
	enc := startXML(w)
	root := xml.StartElement{Name: xml.Name{Local: op + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: xmlns}}}
	_ = enc.EncodeToken(root)
	if result != nil {
		_ = enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: op + "Result"}})
	}
	_ = enc.EncodeElement(struct {
		RequestID string `xml:"RequestId"`
	}{requestID}, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}})
	_ = enc.EncodeToken(root.End())
	_ = enc.Flush()
}

// EC2Meta is embedded first in every EC2 result struct: the requestId
// member that ec2Query puts before the operation's own members.
type EC2Meta struct {
	RequestID string `xml:"requestId"`
}

// SetRequestID sets the requestId member.
func (m *EC2Meta) SetRequestID(id string) { m.RequestID = id }

// EC2Result is an EC2 result struct (one that embeds EC2Meta).
type EC2Result interface{ SetRequestID(id string) }

// WriteEC2Result writes result as the ec2Query answer of op: the result
// struct becomes the <OpResponse> element, requestId first.
func WriteEC2Result(w http.ResponseWriter, op, xmlns, requestID string, result EC2Result) {
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	result.SetRequestID(requestID)
	if a, ok := result.(XMLAppender); ok {
		var x XMLWriter
		x.b.WriteString(xml.Header)
		x.b.WriteString("<" + op + `Response xmlns="` + xmlns + `">`)
		x.Text("requestId", requestID)
		a.AppendXML(&x)
		x.Close(op + "Response")
		_, _ = w.Write(x.Bytes())
		return
	}
	enc := startXML(w)
	root := xml.StartElement{Name: xml.Name{Local: op + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: xmlns}}}
	_ = enc.EncodeElement(result, root)
	_ = enc.Flush()
}

// WriteQueryError writes e in the awsQuery error shape.
func WriteQueryError(w http.ResponseWriter, xmlns, requestID string, e *Error) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(e.Status)
	type errorShape struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	enc := startXML(w)
	_ = enc.Encode(struct {
		XMLName   xml.Name   `xml:"ErrorResponse"`
		Xmlns     string     `xml:"xmlns,attr"`
		Error     errorShape `xml:"Error"`
		RequestID string     `xml:"RequestId"`
	}{Xmlns: xmlns, Error: errorShape{Type: faultOf(e), Code: e.Code, Message: e.Message}, RequestID: requestID})
	_ = enc.Flush()
}

// WriteEC2Error writes e in the ec2Query error shape.
func WriteEC2Error(w http.ResponseWriter, requestID string, e *Error) {
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	w.WriteHeader(e.Status)
	type errorShape struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	enc := startXML(w)
	_ = enc.Encode(struct {
		XMLName   xml.Name     `xml:"Response"`
		Errors    []errorShape `xml:"Errors>Error"`
		RequestID string       `xml:"RequestID"`
	}{Errors: []errorShape{{Code: e.Code, Message: e.Message}}, RequestID: requestID})
	_ = enc.Flush()
}

// faultOf is the awsQuery Type: Sender for the client's errors, Receiver
// for the server's.
func faultOf(e *Error) string {
	if e.Status >= 500 {
		return "Receiver"
	}
	return "Sender"
}

func startXML(w io.Writer) *xml.Encoder {
	_, _ = io.WriteString(w, xml.Header)
	return xml.NewEncoder(w)
}
