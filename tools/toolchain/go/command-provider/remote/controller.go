package remote

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

// Create runs `create` on the host (not during preview).
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
	state.RunResults, err = runRemote(ctx, "create", *req.Inputs.Create, req.Inputs, RunResults{},
		cmdio.EngineLog(ctx))
	return infer.CreateResponse[CommandOutputs]{ID: id, Output: state}, err
}

// Update runs `update`, or `create` when no update command is given, on the (possibly
// new) host from the new inputs.
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
	results, err := runRemote(ctx, "update", *command, req.Inputs, req.State.RunResults, cmdio.EngineLog(ctx))
	if err == nil {
		state.RunResults = results
	}
	return infer.UpdateResponse[CommandOutputs]{Output: state}, err
}

// Delete runs the stored `delete` command against the stored connection. If the host is
// gone, this fails after the dial retries and the resource stays in state.
func (*Command) Delete(ctx context.Context, req infer.DeleteRequest[CommandOutputs]) (infer.DeleteResponse, error) {
	if req.State.Delete == nil {
		return infer.DeleteResponse{}, nil
	}
	_, err := runRemote(ctx, "delete", *req.State.Delete, req.State.CommandInputs, req.State.RunResults,
		cmdio.EngineLog(ctx))
	return infer.DeleteResponse{}, err
}
