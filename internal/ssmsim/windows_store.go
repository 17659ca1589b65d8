package ssmsim

// windowStore holds the windows of one region.
type windowStore struct{}

func newWindowStore() *windowStore { return &windowStore{} }
