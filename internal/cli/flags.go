package cli

import (
	"flag"
	"fmt"
	"math"
	"slices"
)

// flagSetHook, when set (by tests), sees every FlagSet parseFlags parses:
// the way to enumerate each command's flags.
var flagSetHook func(fs *flag.FlagSet)

// infiniteOK is implemented by a flag.Value for which an infinite float64
// is meaningful (its usage says what Inf means); checkFloatFlags lets Inf
// through for it. NaN is never accepted.
type infiniteOK interface{ InfiniteOK() bool }

// checkFloatFlags rejects a NaN or infinite value given to any float64
// flag (any flag.Getter whose Get returns a float64) on the command line.
func checkFloatFlags(fs *flag.FlagSet) error {
	var err error
	fs.Visit(func(f *flag.Flag) {
		g, ok := f.Value.(flag.Getter)
		if !ok || err != nil {
			return
		}
		v, ok := g.Get().(float64)
		if !ok || !(math.IsNaN(v) || math.IsInf(v, 0)) {
			return
		}
		if inf, ok := f.Value.(infiniteOK); ok && inf.InfiniteOK() && !math.IsNaN(v) {
			return
		}
		err = fmt.Errorf("--%s %v: want a finite number", f.Name, v)
	})
	return err
}

// onlyWith returns a usage error naming the first of names set on the
// command line when cond, the condition under which they mean anything, is
// false; want says what they need (e.g. "--density").
func onlyWith(fs *flag.FlagSet, cond bool, want string, names ...string) error {
	if cond {
		return nil
	}
	var err error
	fs.Visit(func(f *flag.Flag) {
		if err == nil && slices.Contains(names, f.Name) {
			err = fmt.Errorf("--%s needs %s", f.Name, want)
		}
	})
	return err
}
