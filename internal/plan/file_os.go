package plan

import (
	"fmt"
	"io"
	"os"

	"github.com/patchready/patchready/internal/safefile"
)

// SaveFile writes p to path atomically: it writes a temporary file in the
// same directory, syncs it and renames it over path. A failure at any step
// leaves the old file (if any) untouched and no temporary file behind. The
// file is readable only by its owner, because a plan lists the fleet.
// Anything at path that is not a regular file (a device, a directory, a
// symbolic link) is refused: see package safefile.
func SaveFile(path string, p Plan) error {
	if err := safefile.WriteAtomic(path, 0o600, func(w io.Writer) error { return Save(w, p) }); err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	return nil
}

// LoadFile reads and checks the plan file at path (see Load). Any file
// that can be read will do, a pipe included (show <(...)).
func LoadFile(path string) (Plan, error) {
	f, err := os.Open(path)
	if err != nil {
		return Plan{}, fmt.Errorf("open plan file: %w", err)
	}
	defer f.Close()
	p, err := Load(f)
	if err != nil {
		return Plan{}, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}
