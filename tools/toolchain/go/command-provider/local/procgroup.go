package local

import (
	"os/exec"
	"syscall"
	"time"
)

// waitAfterCancel bounds how long output pipes are drained after a canceled command.
const waitAfterCancel = 2 * time.Second

// stopWholeProcessGroup makes a canceled command (engine cancel, customTimeouts) stop
// with its children: the shell runs in its own process group and the whole group is
// killed. Without this, `sh -c "sleep 600"` leaves sleep holding the output pipes.
func stopWholeProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = waitAfterCancel
}
