package local

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"

	"ecs-pulumi.local/toolchain/command-provider/cmdio"
)

// defaultInterpreter runs the command text through the POSIX shell.
var defaultInterpreter = []string{"/bin/sh", "-c"}

// runProcess runs one command with the process options and the previous outputs (for the
// PULUMI_COMMAND_* variables), and returns the new run results.
// phase ("create", "update", "delete", "run") only names the step in errors.
func runProcess(
	ctx context.Context, phase, command string, opts ProcessOptions, previous RunResults, sink cmdio.LineSink,
) (RunResults, error) {
	argv := append([]string{}, defaultInterpreter...)
	if opts.Interpreter != nil && len(*opts.Interpreter) > 0 {
		argv = append([]string{}, *opts.Interpreter...)
	}
	argv = append(argv, command)

	//nolint:gosec // running the user's command is this provider's purpose
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	stopWholeProcessGroup(cmd)
	if opts.Dir != nil {
		cmd.Dir = *opts.Dir
	}
	cmd.Env = processEnv(opts, previous)
	if opts.Stdin != nil && *opts.Stdin != "" {
		cmd.Stdin = strings.NewReader(*opts.Stdin)
	}
	capture := cmdio.NewCapture(sink, opts.Logging.logsStdout(), opts.Logging.logsStderr())
	cmd.Stdout = capture.Stdout()
	cmd.Stderr = capture.Stderr()

	err := cmd.Run()
	capture.Close()
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			// The resource's customTimeouts ran out: say so rather than only "signal: terminated".
			err = fmt.Errorf("stopped when its time limit (customTimeouts) ran out: %w", err)
		}
		return RunResults{}, cmdio.CommandFailed(phase, err, capture)
	}

	var results RunResults
	results.Stdout, results.Stderr = capture.Results()
	if err := collectFiles(cmd.Dir, opts, &results); err != nil {
		return RunResults{}, fmt.Errorf("%s command: collecting files: %w", phase, err)
	}
	return results, nil
}

// processEnv is the provider's environment, then `environment`, then PULUMI_COMMAND_*
// (exec keeps the last value of a repeated name, so the previous output wins, as upstream).
func processEnv(opts ProcessOptions, previous RunResults) []string {
	env := os.Environ()
	if opts.Environment != nil {
		env = appendSorted(env, *opts.Environment)
	}
	return appendSorted(env, cmdio.PreviousOutputEnv(opts.AddPreviousOutputInEnv, previous.Stdout, previous.Stderr))
}

func appendSorted(env []string, vars map[string]string) []string {
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		env = append(env, k+"="+vars[k])
	}
	return env
}
