package ssmsim

import "regexp"

// Patterns and limits from the SSM API model (botocore ssm 2014-11-06).
var (
	reInstanceID      = regexp.MustCompile(`^(^i-(\w{8}|\w{17})$)|(^mi-\w{17}$)$`)
	reMaxConcurrency  = regexp.MustCompile(`^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$`)
	reMaxErrors       = regexp.MustCompile(`^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$`)
	reAssociationName = regexp.MustCompile(`^[a-zA-Z0-9_\-.]{3,128}$`)
	reDocumentName    = regexp.MustCompile(`^[a-zA-Z0-9_\-.:/]{3,128}$`)
	reDocumentVersion = regexp.MustCompile(`^([$]LATEST|[$]DEFAULT|^[1-9][0-9]*$)$`)
	reCommandID       = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	reAssociationID   = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	reWindowID        = regexp.MustCompile(`^mw-[0-9a-f]{17}$`)
	reWindowTargetID  = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	reWindowName      = regexp.MustCompile(`^[a-zA-Z0-9_\-.]{3,128}$`)
	reTagKey          = regexp.MustCompile(`^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`)
)
