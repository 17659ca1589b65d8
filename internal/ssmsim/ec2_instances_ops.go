package ssmsim

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/patchready/patchready/internal/ssmsim/wire"
)

func init() { registerOp("ec2", "DescribeInstances", describeInstances) }

// ec2PageDefault is the page size when DescribeInstances names neither
// MaxResults nor instance IDs. AWS then answers everything in one page;
// the simulator caps a page at the model's maximum, which every client
// that follows NextToken reads the same.
const ec2PageDefault = 1000

type instanceStateOut struct {
	Code int    `xml:"code"`
	Name string `xml:"name"`
}

type profileRefOut struct {
	Arn string `xml:"arn"`
	ID  string `xml:"id"`
}

type metadataOptionsOut struct {
	State                   string `xml:"state"`
	HTTPTokens              string `xml:"httpTokens"`
	HTTPPutResponseHopLimit int    `xml:"httpPutResponseHopLimit"`
	HTTPEndpoint            string `xml:"httpEndpoint"`
	HTTPProtocolIpv6        string `xml:"httpProtocolIpv6"`
	InstanceMetadataTags    string `xml:"instanceMetadataTags"`
}

type ec2TagOut struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

type instanceOut struct {
	InstanceID         string             `xml:"instanceId"`
	ImageID            string             `xml:"imageId"`
	State              instanceStateOut   `xml:"instanceState"`
	PrivateDNSName     string             `xml:"privateDnsName"`
	InstanceType       string             `xml:"instanceType"`
	LaunchTime         string             `xml:"launchTime"`
	AvailabilityZone   string             `xml:"placement>availabilityZone"`
	Platform           string             `xml:"platform,omitempty"`
	PlatformDetails    string             `xml:"platformDetails"`
	PrivateIPAddress   string             `xml:"privateIpAddress"`
	Architecture       string             `xml:"architecture"`
	IamInstanceProfile *profileRefOut     `xml:"iamInstanceProfile"`
	MetadataOptions    metadataOptionsOut `xml:"metadataOptions"`
	Tags               []ec2TagOut        `xml:"tagSet>item"`
}

type reservationOut struct {
	ReservationID string        `xml:"reservationId"`
	OwnerID       string        `xml:"ownerId"`
	Instances     []instanceOut `xml:"instancesSet>item"`
}

type describeInstancesOut struct {
	wire.EC2Meta
	Reservations []reservationOut `xml:"reservationSet>item"`
	NextToken    string           `xml:"nextToken,omitempty"`
}

// instanceView is what DescribeInstances needs of an instance, whichever
// list it comes from: the fleet's EC2 nodes or the unmanaged instances.
type instanceView struct {
	id, state, instanceType, profile, httpTokens, httpEndpoint, platformType string
	tags                                                                     map[string]string
	launched                                                                 time.Time
}

var instanceTypes = []string{"t3.micro", "t3.medium", "m5.large", "c5.xlarge", "t3a.small", "m6i.large"}

func (r *region) nodeInstance(n *Node) instanceView {
	h := hashOf(n.ID)
	v := instanceView{id: n.ID, state: "running", instanceType: instanceTypes[h%uint64(len(instanceTypes))],
		profile: roleNameOf(n.IAMRole), httpTokens: "optional", httpEndpoint: "enabled", platformType: n.PlatformType,
		tags: n.Tags, launched: r.created.Add(-time.Duration(30+h%900) * 24 * time.Hour)}
	if n.Terminated {
		v.state = "terminated"
	}
	return v
}

func (x *ec2Instance) view() instanceView {
	return instanceView{id: x.ID, state: x.State, instanceType: orDefault(x.InstanceType, "t3.micro"), profile: x.profileOf(),
		httpTokens: orDefault(x.HTTPTokens, "optional"), httpEndpoint: orDefault(x.HTTPEndpoint, "enabled"),
		platformType: orDefault(x.PlatformType, "Linux"), tags: x.Tags, launched: x.launched}
}

// filterValues returns an instance's values for an EC2 filter name, and
// whether the simulator knows the name.
func (r *region) filterValues(v *instanceView, name string) ([]string, bool) {
	if key, ok := strings.CutPrefix(name, "tag:"); ok {
		if val, ok := v.tags[key]; ok {
			return []string{val}, true
		}
		return nil, true
	}
	switch name {
	case "instance-state-name":
		return []string{v.state}, true
	case "instance-id":
		return []string{v.id}, true
	case "instance-type":
		return []string{v.instanceType}, true
	case "tag-key":
		keys := make([]string, 0, len(v.tags))
		for k := range v.tags {
			keys = append(keys, k)
		}
		return keys, true
	case "iam-instance-profile.arn":
		if v.profile == "" {
			return nil, true
		}
		return []string{r.profileARNOf(v.profile)}, true
	case "metadata-options.http-tokens":
		return []string{v.httpTokens}, true
	case "metadata-options.http-endpoint":
		return []string{v.httpEndpoint}, true
	case "platform":
		if v.platformType == "Windows" {
			return []string{"windows"}, true
		}
		return nil, true
	case "private-ip-address":
		return []string{privateIP(v.id)}, true
	}
	return nil, false
}

func (r *region) profileARNOf(name string) string {
	if p, err := r.account.iam.profile(name); err == nil {
		return r.account.iam.profileARN(p)
	}
	return "arn:aws:iam::" + r.account.id + ":instance-profile/" + name
}

func (r *region) instanceOut(v *instanceView) instanceOut {
	out := instanceOut{
		InstanceID: v.id, ImageID: "ami-" + hex17(hashOf(v.platformType+v.instanceType)),
		State: instanceStateOut{Code: instanceStateCodes[v.state], Name: v.state}, InstanceType: v.instanceType,
		LaunchTime: v.launched.UTC().Format("2006-01-02T15:04:05.000Z"), AvailabilityZone: r.name + "a",
		PlatformDetails: "Linux/UNIX", PrivateIPAddress: privateIP(v.id), PrivateDNSName: privateDNS(v.id, r.name), Architecture: "x86_64",
		MetadataOptions: metadataOptionsOut{State: "applied", HTTPTokens: v.httpTokens, HTTPPutResponseHopLimit: 2,
			HTTPEndpoint: v.httpEndpoint, HTTPProtocolIpv6: "disabled", InstanceMetadataTags: "disabled"},
	}
	if v.platformType == "Windows" {
		out.Platform, out.PlatformDetails = "windows", "Windows"
	}
	if v.profile != "" {
		ref := profileRefOut{Arn: r.profileARNOf(v.profile), ID: iamID("AIPA", r.account.id+"/profile/"+v.profile)}
		if p, err := r.account.iam.profile(v.profile); err == nil {
			ref.ID = p.id
		}
		out.IamInstanceProfile = &ref
	}
	if len(v.tags) > 0 {
		out.Tags = make([]ec2TagOut, 0, len(v.tags))
		for k, val := range v.tags {
			out.Tags = append(out.Tags, ec2TagOut{Key: k, Value: val})
		}
		sort.Slice(out.Tags, func(i, j int) bool { return out.Tags[i].Key < out.Tags[j].Key })
	}
	return out
}

// describeInstances lists the fleet's EC2 nodes and the unmanaged
// instances in ID order, one reservation per instance. Both lists are
// sorted, so a page starts with two binary searches from the token and
// costs O(page) at any fleet size; a filtered page examines at most
// scanLimit instances and may come back short with a NextToken, as AWS's
// do.
func describeInstances(c *call) (any, *wire.Error) {
	f := c.form
	r := c.r
	maxRes, ok := f.Int("MaxResults")
	if !ok {
		return nil, wire.Errorf("InvalidParameterValue", "Value (%s) for parameter maxResults is invalid. Expecting an integer.", wire.Clip(f.Get("MaxResults")))
	}
	ids := f.List("InstanceId")
	if maxRes != nil && len(ids) > 0 {
		return nil, wire.Errorf("InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults")
	}
	if maxRes != nil && (*maxRes < 5 || *maxRes > 1000) {
		return nil, wire.Errorf("InvalidParameterValue", "Value ( %d ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.", *maxRes)
	}
	filters := f.Filters()
	probe := instanceView{tags: map[string]string{}}
	for _, fl := range filters {
		if _, known := r.filterValues(&probe, fl.Name); !known {
			return nil, wire.Errorf("InvalidParameterValue", "The filter '%s' is invalid", wire.Clip(fl.Name))
		}
	}
	match := func(v *instanceView) bool {
		return ec2FiltersMatch(filters, func(name string) []string { vals, _ := r.filterValues(v, name); return vals })
	}
	out := &describeInstancesOut{Reservations: []reservationOut{}}
	if len(ids) > 0 {
		views, err := r.instancesByID(ids)
		if err != nil {
			return nil, err
		}
		for i := range views {
			if match(&views[i]) {
				out.Reservations = append(out.Reservations, r.reservation(&views[i]))
			}
		}
		return out, nil
	}

	next, werr := c.walkEC2("DescribeInstances", filters, maxRes, func(n *Node, x *ec2Instance) bool {
		var v instanceView
		if x != nil {
			v = x.view()
		} else {
			if n.ResourceType != "EC2Instance" {
				return false // hybrid nodes are not EC2's
			}
			v = r.nodeInstance(n)
		}
		if !match(&v) {
			return false
		}
		out.Reservations = append(out.Reservations, r.reservation(&v))
		return true
	})
	out.NextToken = next
	return out, werr
}

// walkEC2 is one page of an EC2 listing over the fleet's EC2 nodes and
// the unmanaged instances, merged in ID order from the NextToken on. Both
// lists are sorted, so a page starts with two binary searches from the
// token and costs O(page) at any fleet size; a filtered page examines at
// most scanLimit items and may come back short with a NextToken, as AWS's
// do. visit sees each item, a fleet node (x nil) or an unmanaged instance
// (n nil), and says whether it went on the page; a fleet node that an
// instance record stands for (it was registered) is seen as the record.
// It returns the NextToken ("" on the last page).
func (c *call) walkEC2(op string, filters any, maxRes *int, visit func(n *Node, x *ec2Instance) bool) (string, *wire.Error) {
	r := c.r
	query := fingerprint(filters)
	last := ""
	if tok := c.form.Get("NextToken"); tok != "" {
		t, err := c.s.decodeToken(tok, op, r.scope(), query)
		if err != nil {
			return "", wire.Errorf("InvalidPaginationToken", "The specified pagination token is not valid or is expired.")
		}
		last = t.Last
	}
	limit := ec2PageDefault
	if maxRes != nil {
		limit = *maxRes
	}
	nodes, extras := r.nodes, r.ec2.instances
	ni := sort.Search(len(nodes), func(i int) bool { return nodes[i].ID > last })
	xi := sort.Search(len(extras), func(i int) bool { return extras[i].ID > last })
	for taken, examined := 0, 0; taken < limit && examined < scanLimit && (ni < len(nodes) || xi < len(extras)); examined++ {
		var n *Node
		var x *ec2Instance
		if xi < len(extras) && (ni >= len(nodes) || extras[xi].ID < nodes[ni].ID) {
			x, last = extras[xi], extras[xi].ID
			xi++
		} else {
			n, last = nodes[ni], nodes[ni].ID
			ni++
			if r.ec2.byID[n.ID] != nil {
				continue // listed from its own record
			}
		}
		if visit(n, x) {
			taken++
		}
	}
	if ni < len(nodes) || xi < len(extras) {
		return c.s.encodeToken(pageToken{Op: op, Region: r.scope(), Last: last, Query: query}), nil
	}
	return "", nil
}

// instancesByID looks the listed instances up; every one must exist, as
// AWS answers InvalidInstanceID.NotFound otherwise.
func (r *region) instancesByID(ids []string) ([]instanceView, *wire.Error) {
	var views []instanceView
	var missing []string
	seen := map[string]bool{}
	for _, id := range ids {
		if !reInstanceID.MatchString(id) || strings.HasPrefix(id, "mi-") {
			return nil, wire.Errorf("InvalidInstanceID.Malformed", "Invalid id: %q", wire.Clip(id))
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		if x, ok := r.ec2.byID[id]; ok {
			views = append(views, x.view())
		} else if n, ok := r.byID[id]; ok && n.ResourceType == "EC2Instance" {
			views = append(views, r.nodeInstance(n))
		} else {
			missing = append(missing, id)
		}
	}
	if len(missing) == 1 {
		return nil, wire.Errorf("InvalidInstanceID.NotFound", "The instance ID '%s' does not exist", missing[0])
	}
	if len(missing) > 1 {
		return nil, wire.Errorf("InvalidInstanceID.NotFound", "The instance IDs '%s' do not exist", strings.Join(missing, ", "))
	}
	sort.Slice(views, func(i, j int) bool { return views[i].id < views[j].id })
	return views, nil
}

func (r *region) reservation(v *instanceView) reservationOut {
	return reservationOut{ReservationID: "r-" + hex17(hashOf("reservation/"+v.id)),
		OwnerID: r.account.id, Instances: []instanceOut{r.instanceOut(v)}}
}

// hex17 renders the low 68 bits of h as 17 hex digits, the form of EC2's
// resource IDs.
func hex17(h uint64) string {
	s := strconv.FormatUint(h&0xfffffffffffffff, 16)
	return strings.Repeat("0", 17-len(s)) + s
}

// AppendXML writes the answer by hand: at 1,000 instances a page,
// encoding/xml's reflection would cost several times the rest of the
// request. The elements are those of the struct tags above.
func (o *describeInstancesOut) AppendXML(w *wire.XMLWriter) {
	w.Grow(256 + 1600*len(o.Reservations)) // an instance is about 1.4 KB of XML
	w.Open("reservationSet")
	for i := range o.Reservations {
		res := &o.Reservations[i]
		w.Open("item")
		w.Text("reservationId", res.ReservationID)
		w.Text("ownerId", res.OwnerID)
		w.Open("instancesSet")
		for j := range res.Instances {
			appendInstanceXML(w, &res.Instances[j])
		}
		w.Close("instancesSet")
		w.Close("item")
	}
	w.Close("reservationSet")
	if o.NextToken != "" {
		w.Text("nextToken", o.NextToken)
	}
}

func appendInstanceXML(w *wire.XMLWriter, in *instanceOut) {
	w.Open("item")
	w.Text("instanceId", in.InstanceID)
	w.Text("imageId", in.ImageID)
	w.Open("instanceState")
	w.Int("code", in.State.Code)
	w.Text("name", in.State.Name)
	w.Close("instanceState")
	w.Text("privateDnsName", in.PrivateDNSName)
	w.Text("instanceType", in.InstanceType)
	w.Text("launchTime", in.LaunchTime)
	w.Open("placement")
	w.Text("availabilityZone", in.AvailabilityZone)
	w.Close("placement")
	if in.Platform != "" {
		w.Text("platform", in.Platform)
	}
	w.Text("platformDetails", in.PlatformDetails)
	w.Text("privateIpAddress", in.PrivateIPAddress)
	w.Text("architecture", in.Architecture)
	if p := in.IamInstanceProfile; p != nil {
		w.Open("iamInstanceProfile")
		w.Text("arn", p.Arn)
		w.Text("id", p.ID)
		w.Close("iamInstanceProfile")
	}
	m := &in.MetadataOptions
	w.Open("metadataOptions")
	w.Text("state", m.State)
	w.Text("httpTokens", m.HTTPTokens)
	w.Int("httpPutResponseHopLimit", m.HTTPPutResponseHopLimit)
	w.Text("httpEndpoint", m.HTTPEndpoint)
	w.Text("httpProtocolIpv6", m.HTTPProtocolIpv6)
	w.Text("instanceMetadataTags", m.InstanceMetadataTags)
	w.Close("metadataOptions")
	if len(in.Tags) > 0 {
		w.Open("tagSet")
		for _, t := range in.Tags {
			w.Open("item")
			w.Text("key", t.Key)
			w.Text("value", t.Value)
			w.Close("item")
		}
		w.Close("tagSet")
	}
	w.Close("item")
}
