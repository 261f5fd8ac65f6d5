package local

import (
	"context"

	"github.com/pulumi/pulumi-go-provider/infer"

	"ecs-pulumi.local/toolchain/command-provider/cmdio"
)

// Run is the command:local:run function: it runs a command on every program run
// (and in preview), not as a resource.
type Run struct{}

// Annotate documents the function.
func (r *Run) Annotate(a infer.Annotator) {
	a.Describe(&r, "Runs a local command every time the program runs, including previews.")
}

// RunInputs are the arguments of command:local:run.
type RunInputs struct {
	Command string `pulumi:"command"`
	ProcessOptions
}

// Annotate documents the arguments.
func (r *RunInputs) Annotate(a infer.Annotator) {
	a.Describe(&r.Command, "The command to run.")
}

// RunOutputs are the arguments echoed back with the run results.
type RunOutputs struct {
	RunInputs
	RunResults
}

var _ infer.Fn[RunInputs, RunOutputs] = (*Run)(nil)

// Invoke runs the command.
func (*Run) Invoke(ctx context.Context, req infer.FunctionRequest[RunInputs]) (infer.FunctionResponse[RunOutputs], error) {
	results, err := runProcess(ctx, "run", req.Input.Command, req.Input.ProcessOptions, RunResults{},
		cmdio.EngineLog(ctx))
	return infer.FunctionResponse[RunOutputs]{Output: RunOutputs{RunInputs: req.Input, RunResults: results}}, err
}
