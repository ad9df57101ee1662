// Package cli holds the noisegeom command-line program's commands and the
// helpers they share: dispatch, flag parsing with uniform help and errors,
// exit codes, the reaction to SIGINT and SIGTERM (Signals), and progress
// lines on a terminal. cmd/noisegeom only calls HandleSignals and Main.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/noisegeom/noisegeom/linalg"
)

// Exit codes.
const (
	ExitOK      = 0 // success, including an explicit request for help
	ExitFailure = 1 // the command ran and failed
	ExitUsage   = 2 // bad command line: unknown command or flag, bad flag value
)

// Env is what a command runs with.
type Env struct {
	Prog           string // program name, for messages
	Stdout, Stderr io.Writer
	// Ctx, if set, replaces the signal handler's context (tests).
	Ctx context.Context
}

// Context is cancelled when the process receives SIGINT or SIGTERM (see
// Signals). A long command passes it down and stops when it is done.
func (e *Env) Context() context.Context {
	if e.Ctx != nil {
		return e.Ctx
	}
	return signalContext
}

// Command is one subcommand.
type Command struct {
	Name    string
	Summary string // one line for the command list
	// Run runs the command with the arguments after its name and returns
	// an exit code.
	Run func(env *Env, args []string) int
}

// commands is the registry, by name.
var commands = map[string]*Command{}

// register adds a command; each command file registers itself in init.
func register(c *Command) { commands[c.Name] = c }

// commandNames lists the commands, sorted.
func commandNames() []string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Main runs the program with args (without the program name) and returns
// the exit code. A NOISEGEOM_KERNELS value linalg cannot honour is a usage
// error (exit 2) before any command runs. A panic in a command is reported
// with its stack on stderr and exits 1 (not Go's 2, which means a usage
// error here).
func Main(prog string, args []string, stdout, stderr io.Writer) (code int) {
	if err := linalg.KernelsEnvError(); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return ExitUsage
	}
	env := &Env{Prog: prog, Stdout: stdout, Stderr: stderr}
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "%s: internal error: %v\n%s", prog, r, debug.Stack())
			code = ExitFailure
		}
	}()
	if len(args) == 0 {
		writeUsage(env, stderr)
		return ExitUsage
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(rest) == 0 {
			writeUsage(env, stdout)
			return ExitOK
		}
		if c, ok := commands[rest[0]]; ok {
			return c.Run(env, []string{"--help"})
		}
		return unknownCommand(env, rest[0])
	}
	c, ok := commands[name]
	if !ok {
		return unknownCommand(env, name)
	}
	return c.Run(env, rest)
}

func unknownCommand(env *Env, name string) int {
	fmt.Fprintf(env.Stderr, "%s: unknown command %q (commands: %s)\nRun '%s help' for usage.\n",
		env.Prog, name, strings.Join(commandNames(), ", "), env.Prog)
	return ExitUsage
}

func writeUsage(env *Env, w io.Writer) {
	fmt.Fprintf(w, "Usage: %s <command> [flags]\n\nCommands:\n", env.Prog)
	for _, n := range commandNames() {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].Summary)
	}
	fmt.Fprintf(w, "\nRun '%s <command> --help' for a command's flags.\n", env.Prog)
	fmt.Fprintf(w, "Exit codes: %d success, %d failure, %d usage error, 130 and 143 stopped by SIGINT and SIGTERM.\n",
		ExitOK, ExitFailure, ExitUsage)
}

// parseFlags parses a command's flags. It returns done == true with the
// exit code when the command must stop: after --help (usage on stdout, 0)
// or a bad flag or value (the error and a hint on stderr, 2), including a
// NaN or infinite float (checkFloatFlags). The command accepts no
// positional arguments.
func parseFlags(env *Env, fs *flag.FlagSet, about string, args []string) (code int, done bool) {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	usage := func(w io.Writer) {
		fmt.Fprintf(w, "Usage: %s %s [flags]\n\n%s\n\nFlags:\n", env.Prog, fs.Name(), about)
		var defaults strings.Builder
		fs.SetOutput(&defaults)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
		// Show the GNU-style spelling the docs use; flag accepts both.
		io.WriteString(w,
			strings.ReplaceAll("\n"+defaults.String(), "\n  -", "\n  --")[1:])
	}
	if flagSetHook != nil {
		flagSetHook(fs)
	}
	err := fs.Parse(args)
	if err == nil && fs.NArg() > 0 {
		err = fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if err == nil {
		err = checkFloatFlags(fs)
	}
	switch {
	case err == nil:
		return 0, false
	case errors.Is(err, flag.ErrHelp):
		usage(env.Stdout)
		return ExitOK, true
	}
	return usageError(env, fs.Name(), err), true
}

// usageError reports a command-line error and returns ExitUsage.
func usageError(env *Env, cmd string, err error) int {
	fmt.Fprintf(env.Stderr, "%s %s: %v\nRun '%s %s --help' for usage.\n", env.Prog, cmd, err, env.Prog, cmd)
	return ExitUsage
}

// failure reports a runtime failure and returns ExitFailure.
func failure(env *Env, cmd string, err error) int {
	fmt.Fprintf(env.Stderr, "%s %s: %v\n", env.Prog, cmd, err)
	return ExitFailure
}
