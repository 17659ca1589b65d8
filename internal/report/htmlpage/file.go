package htmlpage

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/patchready/patchready/internal/report"
)

// WriteFile writes the page to path atomically (a temporary file in the
// same directory, renamed into place), mode 0600 like the plan it shows:
// a failed write never leaves half a report where a whole one was.
func WriteFile(path string, pg report.Page, opts Options) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), ".report-*.html")
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := Write(f, pg, opts); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}
