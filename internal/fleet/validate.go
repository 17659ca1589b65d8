package fleet

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// instanceIDPattern is the ID shape SSM accepts: an EC2 instance (i- and 8 or
// 17 hex digits) or a hybrid managed node (mi- and 17 hex digits).
var instanceIDPattern = regexp.MustCompile(`^(i-([0-9a-f]{8}|[0-9a-f]{17})|mi-[0-9a-f]{17})$`)

// Tag limits as AWS applies them to resource tags.
const (
	maxTagKeyLen   = 128
	maxTagValueLen = 256
)

// ValidInstanceID reports whether id has the shape of a managed node ID.
func ValidInstanceID(id string) bool { return instanceIDPattern.MatchString(id) }

// ParseTag parses a KEY=VALUE selection tag. The value may itself contain
// '='; only the first one separates. Neither part may be empty, because SSM
// filter values must be at least one character long.
func ParseTag(s string) (Tag, error) {
	k, v, ok := strings.Cut(s, "=")
	switch {
	case !ok:
		return Tag{}, fmt.Errorf("tag %q: want KEY=VALUE", s)
	case k == "":
		return Tag{}, fmt.Errorf("tag %q: empty key", s)
	case v == "":
		return Tag{}, fmt.Errorf("tag %q: empty value (SSM cannot filter on an empty tag value)", s)
	}
	t := Tag{Key: k, Value: v}
	if err := t.validate(); err != nil {
		return Tag{}, err
	}
	return t, nil
}

func (t Tag) validate() error {
	switch {
	case t.Key == "" || t.Value == "":
		return fmt.Errorf("tag %q=%q: key and value must not be empty", t.Key, t.Value)
	case utf8.RuneCountInString(t.Key) > maxTagKeyLen:
		return fmt.Errorf("tag key %.20q...: longer than %d characters", t.Key, maxTagKeyLen)
	case utf8.RuneCountInString(t.Value) > maxTagValueLen:
		return fmt.Errorf("tag %s: value longer than %d characters", t.Key, maxTagValueLen)
	case !utf8.ValidString(t.Key) || !utf8.ValidString(t.Value):
		return fmt.Errorf("tag %q: not valid UTF-8", t.Key)
	}
	return nil
}

// CanonicalPlatform returns the platform type as SSM spells it (Linux,
// Windows, MacOS), accepting any letter case. "" stays "" (any platform).
func CanonicalPlatform(p string) (string, error) {
	for _, c := range []string{PlatformLinux, PlatformWindows, PlatformMacOS} {
		if strings.EqualFold(p, c) {
			return c, nil
		}
	}
	if p == "" {
		return "", nil
	}
	return "", fmt.Errorf("platform %q: want Linux, Windows or MacOS", p)
}

// Normalize checks a selection and returns it in canonical form: platform
// spelled as SSM does, instance ID lists sorted without duplicates. Every
// problem is reported at once, so a user fixes a long --instance-ids list in
// one go.
func (s Selection) Normalize() (Selection, error) {
	var problems []string
	check := func(flag string, ids []string) []string {
		for _, id := range ids {
			if !ValidInstanceID(id) {
				problems = append(problems, fmt.Sprintf("%s: %q is not a managed node ID (i-xxxxxxxx, i-xxxxxxxxxxxxxxxxx or mi-xxxxxxxxxxxxxxxxx)", flag, id))
			}
		}
		return sortedUnique(ids)
	}
	out := Selection{
		InstanceIDs:        check("instance ID", s.InstanceIDs),
		ExcludeInstanceIDs: check("excluded instance ID", s.ExcludeInstanceIDs),
	}
	p, err := CanonicalPlatform(s.Platform)
	if err != nil {
		problems = append(problems, err.Error())
	}
	out.Platform = p
	for _, t := range s.Tags {
		if err := t.validate(); err != nil {
			problems = append(problems, err.Error())
			continue
		}
		if !slices.Contains(out.Tags, t) {
			out.Tags = append(out.Tags, t)
		}
	}
	if len(problems) > 0 {
		return Selection{}, fmt.Errorf("invalid selection: %s", strings.Join(problems, "; "))
	}
	return out, nil
}

func sortedUnique(ids []string) []string {
	if len(ids) == 0 {
		return nil
	}
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}
