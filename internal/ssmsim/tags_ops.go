package ssmsim

import (
	"maps"
	"strings"

	"github.com/patchready/patchready/internal/ssmsim/wire"
)

func init() {
	register("AddTagsToResource", addTagsToResource)
	register("ListTagsForResource", listTagsForResource)
	register("RemoveTagsFromResource", removeTagsFromResource)
}

// maxTagsPerResource is AWS's general limit of user tags on one resource.
// The model allows lists of 1,000, but the service refuses a 51st tag.
const maxTagsPerResource = 50

var taggableTypes = []string{"Document", "ManagedInstance", "MaintenanceWindow", "Parameter", "PatchBaseline", "OpsItem", "OpsMetadata", "Automation", "Association"}

type tagsInput struct {
	ResourceType *string   `json:"ResourceType"`
	ResourceId   *string   `json:"ResourceId"`
	Tags         []tagSpec `json:"Tags"`
	TagKeys      []string  `json:"TagKeys"`
}

// readTagsInput decodes and validates the members the three tag operations
// share, and checks that the resource exists.
func readTagsInput(r *region, body []byte, needTags, needKeys bool) (tagsInput, *wire.Error) {
	var in tagsInput
	if err := decode(body, &in); err != nil {
		return in, err
	}
	v := &wire.Validator{}
	v.Required("resourceType", in.ResourceType != nil)
	v.Required("resourceId", in.ResourceId != nil)
	if needTags {
		v.Required("tags", in.Tags != nil)
		checkTags(v, in.Tags)
	}
	if needKeys {
		v.Required("tagKeys", in.TagKeys != nil)
		for i, k := range in.TagKeys {
			v.Length("tagKeys."+itoa(i+1)+".member", k, 1, 128)
			v.Pattern("tagKeys."+itoa(i+1)+".member", k, reTagKey)
		}
	}
	if in.ResourceType != nil {
		v.Enum("resourceType", *in.ResourceType, taggableTypes...)
	}
	if err := v.Err(); err != nil {
		return in, err
	}
	for _, t := range in.Tags {
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return in, wire.Errorf("InvalidParameters", "Tag keys starting with aws: are reserved for AWS use.")
		}
	}
	if !r.taggableExists(*in.ResourceType, *in.ResourceId) {
		return in, wire.Errorf("InvalidResourceId", "The resource ID %q is not valid for resource type %s. Verify the ID and try again.", wire.Clip(*in.ResourceId), *in.ResourceType)
	}
	return in, nil
}

// taggableExists reports whether a resource of a tagging type exists.
// ManagedInstance means hybrid (mi-) nodes only, as on AWS: EC2 instances
// are tagged through EC2, not SSM.
func (r *region) taggableExists(typ, id string) bool {
	switch typ {
	case "ManagedInstance":
		n, ok := r.byID[id]
		return ok && !n.Terminated && strings.HasPrefix(id, "mi-")
	case "Document":
		d, ok := r.documents.byName[id]
		return ok && !d.Builtin
	case "Association":
		return r.associations.exists(id)
	case "MaintenanceWindow":
		return r.windows.exists(id)
	}
	// Other types are not simulated; none of their resources exist.
	return false
}

func addTagsToResource(s *Server, r *region, body []byte) (any, *wire.Error) {
	in, err := readTagsInput(r, body, true, false)
	if err != nil {
		return nil, err
	}
	typ, id := *in.ResourceType, *in.ResourceId
	merged := maps.Clone(r.currentTags(typ, id))
	if merged == nil {
		merged = map[string]string{}
	}
	maps.Copy(merged, tagMap(in.Tags))
	if len(merged) > maxTagsPerResource {
		return nil, wire.Errorf("TooManyTagsError", "The resource %s would have %d tags; the limit is %d.", id, len(merged), maxTagsPerResource)
	}
	if typ == "ManagedInstance" {
		// A fresh map: generated fleets may share tag maps between nodes.
		r.byID[id].Tags = merged
	} else {
		r.setTags(typ, id, merged)
	}
	return struct{}{}, nil
}

func listTagsForResource(s *Server, r *region, body []byte) (any, *wire.Error) {
	in, err := readTagsInput(r, body, false, false)
	if err != nil {
		return nil, err
	}
	return map[string]any{"TagList": tagList(r.currentTags(*in.ResourceType, *in.ResourceId))}, nil
}

func removeTagsFromResource(s *Server, r *region, body []byte) (any, *wire.Error) {
	in, err := readTagsInput(r, body, false, true)
	if err != nil {
		return nil, err
	}
	typ, id := *in.ResourceType, *in.ResourceId
	if typ == "ManagedInstance" {
		n := r.byID[id]
		m := maps.Clone(n.Tags)
		for _, k := range in.TagKeys {
			delete(m, k)
		}
		n.Tags = m
	} else {
		r.removeTags(typ, id, in.TagKeys)
	}
	return struct{}{}, nil
}

func (r *region) currentTags(typ, id string) map[string]string {
	if typ == "ManagedInstance" {
		return r.byID[id].Tags
	}
	return r.tagsOf(typ, id)
}
