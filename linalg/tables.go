package linalg

// newTable builds a named table from the generic one and fill functions
// that replace some of its entries.
func newTable(name string, fills ...func(*kernels)) *kernels {
	k := *genericKernels
	k.name = name
	for _, fill := range fills {
		fill(&k)
	}
	return &k
}
