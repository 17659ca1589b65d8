package host

import (
	"fmt"
	"slices"
	"sort"
)

// Install installs a catalogued package and its dependencies, whether or
// not the repositories offer it (presets use it to lay out what a platform
// ships with). Installing an installed package changes nothing.
func (h *Host) Install(name string) error {
	p, ok := h.Catalog[name]
	if !ok {
		return fmt.Errorf("install %s: not in the catalog", name)
	}
	if h.IsInstalled(name) {
		return nil
	}
	for _, d := range p.Deps {
		if err := h.Install(d); err != nil {
			return fmt.Errorf("install %s: %w", name, err)
		}
	}
	h.Installed = append(h.Installed, name)
	sort.Strings(h.Installed)
	if in := p.Interpreter; in != nil && h.Sites[in.Site] == nil {
		h.Sites[in.Site] = map[string]string{}
	}
	for _, m := range p.Modules {
		if h.Sites[m.Site] == nil {
			h.Sites[m.Site] = map[string]string{}
		}
		h.Sites[m.Site][m.Name] = m.Version
	}
	return nil
}

// Uninstall removes a package, the installed packages that depend on it,
// the modules it put in, and the site of an interpreter no other installed
// interpreter shares.
func (h *Host) Uninstall(name string) error {
	p, ok := h.Catalog[name]
	if !ok {
		return fmt.Errorf("uninstall %s: not in the catalog", name)
	}
	if !h.IsInstalled(name) {
		return nil
	}
	for _, other := range slices.Clone(h.Installed) {
		if slices.Contains(h.Catalog[other].Deps, name) {
			if err := h.Uninstall(other); err != nil {
				return err
			}
		}
	}
	h.Installed = slices.DeleteFunc(h.Installed, func(s string) bool { return s == name })
	for _, m := range p.Modules {
		delete(h.Sites[m.Site], m.Name)
	}
	if in := p.Interpreter; in != nil {
		shared := false
		for _, o := range h.Interpreters() {
			shared = shared || o.Site == in.Site
		}
		if !shared {
			delete(h.Sites, in.Site)
		}
	}
	return nil
}

// Offered reports whether the repositories offer package name.
func (h *Host) Offered(name string) bool { return slices.Contains(h.Repo, name) }

// Withdraw removes packages from what the repositories offer.
func (h *Host) Withdraw(names ...string) {
	h.Repo = slices.DeleteFunc(h.Repo, func(s string) bool { return slices.Contains(names, s) })
}
