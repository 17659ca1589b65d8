// Command gendocs writes documents/probe.yaml and documents/fix.yaml from
// the shell fragments in documents/scripts. Run it with
// `go generate ./documents`.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/patchready/patchready/documents/internal/docgen"
)

func main() { os.Exit(run()) }

func run() int {
	// go generate runs in the directory of the file holding the directive.
	files, err := docgen.Files(os.DirFS("."))
	if err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		return 1
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := os.WriteFile(filepath.Clean(name), files[name], 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "gendocs:", err)
			return 1
		}
	}
	return 0
}
