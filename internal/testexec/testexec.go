// Package testexec runs a test binary again as a child process (the
// re-exec pattern of tests that need a fresh process: an environment read
// at start-up, a signal, an exit code), also when the binary was
// cross-compiled and runs under qemu-user without binfmt (go test -exec
// qemu-aarch64), where it cannot be executed directly.
package testexec

import (
	"os"
	"os/exec"
	"runtime"
	"sync"
	"testing"
)

// Command returns a command that runs this test binary with args, through
// qemu-<arch> when the binary cannot be executed directly. It skips the
// test when neither works.
func Command(t testing.TB, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Skipf("cannot find the test binary: %v", err)
	}
	if direct() {
		return exec.Command(exe, args...)
	}
	qemu, err := exec.LookPath("qemu-" + qemuArch())
	if err != nil {
		t.Skipf("cannot execute the %s test binary here and no qemu-%s in PATH", runtime.GOARCH, qemuArch())
	}
	return exec.Command(qemu, append([]string{exe}, args...)...)
}

// direct reports, once, whether the test binary starts when executed
// itself (a child run with -test.run matching nothing).
var direct = sync.OnceValue(func() bool {
	exe, err := os.Executable()
	if err != nil {
		return false
	}
	return exec.Command(exe, "-test.run=^$", "-test.count=1").Run() == nil
})

func qemuArch() string {
	if runtime.GOARCH == "arm64" {
		return "aarch64"
	}
	return runtime.GOARCH
}
