package docparse

import (
	"encoding/json"
	"fmt"

	"gopkg.in/yaml.v3"
)

// Convert renders content in another format, as GetDocument does
// when asked for a DocumentFormat other than the stored one.
func Convert(content, from, to string) (string, error) {
	if to == "" || to == from {
		return content, nil
	}
	var v any
	if err := yaml.Unmarshal([]byte(content), &v); err != nil {
		return "", fmt.Errorf("reading %s content: %w", from, err)
	}
	switch to {
	case "JSON":
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return "", fmt.Errorf("rendering JSON: %w", err)
		}
		return string(b), nil
	case "YAML":
		b, err := yaml.Marshal(v)
		if err != nil {
			return "", fmt.Errorf("rendering YAML: %w", err)
		}
		return string(b), nil
	}
	return "", fmt.Errorf("format %s is not supported", to)
}
