package ssmsim

// documentStore holds the documents of one region.
type documentStore struct{}

func newDocumentStore() *documentStore { return &documentStore{} }
