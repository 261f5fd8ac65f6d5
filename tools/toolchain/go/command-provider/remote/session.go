package remote

import (
	"context"
	"fmt"
	"sort"
	"strings"

	p "github.com/pulumi/pulumi-go-provider"
	"golang.org/x/crypto/ssh"

	"ecs-pulumi.local/toolchain/command-provider/cmdio"
)

// runRemote dials the host and runs one command in a new session, with `environment`
// (required) and the PULUMI_COMMAND_* variables (best effort) set on the session.
func runRemote(
	ctx context.Context, phase, command string, in CommandInputs, previous RunResults, sink cmdio.LineSink,
) (RunResults, error) {
	if in.Connection == nil {
		return RunResults{}, fmt.Errorf("%s command: connection is required", phase)
	}
	client, err := in.Connection.Dial(ctx)
	if err != nil {
		return RunResults{}, fmt.Errorf("%s command: %w", phase, err)
	}
	defer client.Close()
	stopWatching := make(chan struct{})
	defer close(stopWatching)
	lost := keepAlive(client, stopWatching)
	session, err := client.NewSession()
	if err != nil {
		return RunResults{}, fmt.Errorf("%s command: opening SSH session: %w", phase, err)
	}
	defer session.Close()

	for _, k := range sortedKeys(in.Environment) {
		if err := session.Setenv(k, in.Environment[k]); err != nil {
			return RunResults{}, fmt.Errorf("%s command: the server refused environment variable %s "+
				"(sshd must list it in AcceptEnv): %w", phase, k, err)
		}
	}
	previousEnv := cmdio.PreviousOutputEnv(in.AddPreviousOutputInEnv, previous.Stdout, previous.Stderr)
	for _, k := range sortedKeys(previousEnv) {
		if err := session.Setenv(k, previousEnv[k]); err != nil {
			p.GetLogger(ctx).Warningf("%s was not set: the server refused it (sshd AcceptEnv)", k)
		}
	}
	if in.Stdin != nil && *in.Stdin != "" {
		session.Stdin = strings.NewReader(*in.Stdin)
	}
	capture := cmdio.NewCapture(sink, in.Logging.logsStdout(), in.Logging.logsStderr())
	session.Stdout = capture.Stdout()
	session.Stderr = capture.Stderr()

	err = runWithContext(ctx, session, command)
	capture.Close()
	if dead := lost(); dead != nil {
		err = dead
	}
	if err != nil {
		return RunResults{}, cmdio.CommandFailed(phase, err, capture)
	}
	var results RunResults
	results.Stdout, results.Stderr = capture.Results()
	return results, nil
}

// runWithContext runs the command and, if ctx ends first (cancel, customTimeouts),
// closes the session so the remote process gets a hang-up.
func runWithContext(ctx context.Context, session *ssh.Session, command string) error {
	stop := context.AfterFunc(ctx, func() {
		_ = session.Signal(ssh.SIGTERM)
		_ = session.Close()
	})
	defer stop()
	err := session.Run(command)
	if ctx.Err() != nil {
		return fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	return err
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
