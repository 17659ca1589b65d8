package host

import (
	"embed"
)

//go:embed stubs/*.sh
var stubFS embed.FS

func stubBody(name string) string {
	data, err := stubFS.ReadFile("stubs/" + name + ".sh")
	if err != nil {
		panic(err) // the stubs are embedded; a missing one is a programming error
	}
	return string(data)
}
