package local

import (
	"os/exec"
	"syscall"
	"time"
)

// termGrace is how long a canceled command's process group has, after SIGTERM, to clean up
// (remove temporary files holding credentials, say) before it is killed.
const termGrace = 5 * time.Second

// waitAfterCancel bounds how long output pipes are drained after a canceled command.
const waitAfterCancel = termGrace + 2*time.Second

// stopWholeProcessGroup makes a canceled command (engine cancel, customTimeouts) stop
// with its children: the shell runs in its own process group, the whole group gets SIGTERM,
// and SIGKILL after termGrace. Without the group, `sh -c "sleep 600"` leaves sleep holding
// the output pipes.
func stopWholeProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		group := -cmd.Process.Pid
		err := syscall.Kill(group, syscall.SIGTERM)
		time.AfterFunc(termGrace, func() { _ = syscall.Kill(group, syscall.SIGKILL) })
		return err
	}
	cmd.WaitDelay = waitAfterCancel
}
