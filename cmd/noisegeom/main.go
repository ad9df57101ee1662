// Command noisegeom is the noisegeom command-line program. Run
// `noisegeom help` for its commands; every command takes --help.
//
//	noisegeom version [--json] [--tables]
//	noisegeom bench [--kernel k,...] [--n n,...] [--threads t,...] [--impl table,...] [--json]
//
// Exit codes: 0 success, 1 failure, 2 usage error, 130 and 143 stopped by
// SIGINT and SIGTERM. All logic lives in packages (internal/cli, bench);
// this file only wires the process to it.
package main

import (
	"io"
	"os"

	"github.com/noisegeom/noisegeom/internal/cli"
)

func main() {
	// SIGINT and SIGTERM: commands stop, temporaries go, exit 130/143.
	sig := cli.HandleSignals(os.Stderr, os.Exit)
	os.Exit(sig.Done(run(os.Args[1:], os.Stdout, os.Stderr)))
}

// run is the program with its process-level inputs and outputs passed in.
func run(args []string, stdout, stderr io.Writer) int {
	return cli.Main("noisegeom", args, stdout, stderr)
}
