package handlers

// MaxConcurrentUploads is maxConcurrentUploads, for the tests of the bound.
const MaxConcurrentUploads = maxConcurrentUploads
