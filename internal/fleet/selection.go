package fleet

// Tag is one KEY=VALUE selection tag.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Selection says which managed nodes a command works on. The zero value
// selects every node in the region.
type Selection struct {
	InstanceIDs        []string `json:"instance_ids,omitempty"`
	Tags               []Tag    `json:"tags,omitempty"`
	Platform           string   `json:"platform,omitempty"` // Linux | Windows | MacOS
	ExcludeInstanceIDs []string `json:"exclude_instance_ids,omitempty"`
}
