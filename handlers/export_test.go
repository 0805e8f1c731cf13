package handlers

// MaxConcurrentUploads is maxConcurrentUploads, for the tests of the bound.
const MaxConcurrentUploads = maxConcurrentUploads

// RoutePatterns are the patterns addRoutes registers, in order, for the tests
// that go through every route.
func RoutePatterns() []string {
	s := NewServer(Config{SessionKeys: [][]byte{[]byte("route patterns key")}}, Services{})
	var rec patternRecorder
	s.addRoutes(&rec)
	return rec.patterns
}
