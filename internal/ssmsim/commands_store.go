package ssmsim

// commandStore holds the commands of one region.
type commandStore struct{}

func newCommandStore() *commandStore { return &commandStore{} }
