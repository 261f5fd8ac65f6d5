package local

import (
	"context"

	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"ecs-pulumi.local/toolchain/command-provider/cmdio"
)

var (
	_ infer.CustomResource[CommandInputs, CommandOutputs] = (*Command)(nil)
	_ infer.CustomUpdate[CommandInputs, CommandOutputs]   = (*Command)(nil)
	_ infer.CustomDelete[CommandOutputs]                  = (*Command)(nil)
)

// Create runs `create` (not during preview) and records its output.
func (*Command) Create(
	ctx context.Context, req infer.CreateRequest[CommandInputs],
) (infer.CreateResponse[CommandOutputs], error) {
	state := CommandOutputs{CommandInputs: req.Inputs}
	id, err := resource.NewUniqueHex(req.Name, 8, 0)
	if err != nil {
		return infer.CreateResponse[CommandOutputs]{}, err
	}
	if req.DryRun || req.Inputs.Create == nil {
		return infer.CreateResponse[CommandOutputs]{ID: id, Output: state}, nil
	}
	state.RunResults, err = runProcess(ctx, "create", *req.Inputs.Create, req.Inputs.ProcessOptions,
		RunResults{}, cmdio.EngineLog(ctx))
	return infer.CreateResponse[CommandOutputs]{ID: id, Output: state}, err
}

// Update runs `update`, or `create` when no update command is given. The previous
// output stays in state (and in PULUMI_COMMAND_*) until a run replaces it.
func (*Command) Update(
	ctx context.Context, req infer.UpdateRequest[CommandInputs, CommandOutputs],
) (infer.UpdateResponse[CommandOutputs], error) {
	state := CommandOutputs{CommandInputs: req.Inputs, RunResults: req.State.RunResults}
	command := req.Inputs.Update
	if command == nil {
		command = req.Inputs.Create
	}
	if req.DryRun || command == nil {
		return infer.UpdateResponse[CommandOutputs]{Output: state}, nil
	}
	results, err := runProcess(ctx, "update", *command, req.Inputs.ProcessOptions,
		req.State.RunResults, cmdio.EngineLog(ctx))
	if err == nil {
		state.RunResults = results
	}
	return infer.UpdateResponse[CommandOutputs]{Output: state}, err
}

// Delete runs the `delete` command stored in state, with the stored options and the
// last output in PULUMI_COMMAND_STDOUT/STDERR. A failure keeps the resource in state.
func (*Command) Delete(ctx context.Context, req infer.DeleteRequest[CommandOutputs]) (infer.DeleteResponse, error) {
	if req.State.Delete == nil {
		return infer.DeleteResponse{}, nil
	}
	_, err := runProcess(ctx, "delete", *req.State.Delete, req.State.ProcessOptions,
		req.State.RunResults, cmdio.EngineLog(ctx))
	return infer.DeleteResponse{}, err
}
