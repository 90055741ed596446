package e2etest

import (
	"os/exec"
	"syscall"
)

// dieWithParent has the kernel kill a started server when the process
// that started it dies (a test binary killed or timing out), so that no
// server outlives its test.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
