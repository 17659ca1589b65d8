package plan

import (
	"fmt"
	"os"
	"path/filepath"
)

// SaveFile writes p to path atomically: it writes a temporary file in the
// same directory, syncs it and renames it over path. A failure at any step
// leaves the old file (if any) untouched and no temporary file behind. The
// file is readable only by its owner, because a plan lists the fleet.
func SaveFile(path string, p Plan) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	// CreateTemp already uses 0600; Chmod makes it explicit and independent
	// of that detail.
	if err := tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	if err := Save(tmp, p); err != nil {
		return fmt.Errorf("save plan %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("save plan %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save plan %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	// Syncing the directory makes the rename itself durable. Some file
	// systems refuse to sync a directory; the file is already in place then,
	// so that is not worth failing over.
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// LoadFile reads and checks the plan file at path (see Load).
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
