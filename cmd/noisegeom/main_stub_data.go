// Temporary stand-in for main.go (written by another helper) so that this
// package builds and `noisegeom data ...` can be tried on its own. It runs
// the data command with all arguments. DELETE AT MERGE.
package main

import "os"

func main() { os.Exit(runData(os.Args[1:], os.Stdout, os.Stderr)) }
