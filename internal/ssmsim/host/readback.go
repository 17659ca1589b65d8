package host

import (
	"path"
	"sort"
	"strings"
)

// ReadBack returns the host a script left behind in t, a tree rendered from
// h: the packages now installed and the modules now in each site. What
// the stubs do not change (managers, network, agent) stays as in h.
func (h *Host) ReadBack(t Tree) *Host {
	c := h.Clone()
	c.Installed = []string{}
	c.Sites = map[string]map[string]string{}
	for p, e := range t {
		switch dir := path.Dir(p); {
		case dir == StateDir+"/installed" && e.Mode.IsRegular():
			if _, ok := c.Catalog[path.Base(p)]; ok {
				c.Installed = append(c.Installed, path.Base(p))
			}
		case path.Dir(dir) == StateDir+"/site" && e.Mode.IsRegular():
			site := path.Base(dir)
			if c.Sites[site] == nil {
				c.Sites[site] = map[string]string{}
			}
			c.Sites[site][path.Base(p)] = strings.TrimSpace(e.Data)
		case dir == StateDir+"/site" && e.Mode.IsDir():
			if c.Sites[path.Base(p)] == nil {
				c.Sites[path.Base(p)] = map[string]string{}
			}
		}
	}
	sort.Strings(c.Installed)
	return c
}
