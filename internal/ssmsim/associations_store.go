package ssmsim

// associationStore holds the associations of one region.
type associationStore struct{}

func newAssociationStore() *associationStore { return &associationStore{} }
