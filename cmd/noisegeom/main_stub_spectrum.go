package main

// Temporary stub so that package main builds on the h-eigen branch; main.go
// comes from another branch. Delete at merge.
func main() {}
