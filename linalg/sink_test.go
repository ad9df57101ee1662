package linalg

// sinkFloat keeps benchmarked results alive so the compiler cannot drop
// the work that produced them.
var sinkFloat float64
