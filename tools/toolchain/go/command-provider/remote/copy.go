package remote

import (
	"context"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi-go-provider/infer/types"
)

// CopyToRemote copies a file, a text asset or a directory to a remote host over SFTP.
type CopyToRemote struct{}

// Annotate documents the resource in the schema.
func (c *CopyToRemote) Annotate(a infer.Annotator) {
	a.Describe(&c, "Copies a local file or directory (or a text asset) to a remote host over SFTP.")
}

// CopyToRemoteInputs are the inputs of command:remote:CopyToRemote.
type CopyToRemoteInputs struct {
	Connection *Connection          `pulumi:"connection"        provider:"secret"`
	Triggers   *[]any               `pulumi:"triggers,optional" provider:"replaceOnChanges"`
	Source     types.AssetOrArchive `pulumi:"source"`
	RemotePath string               `pulumi:"remotePath"`
}

// Annotate documents the inputs.
func (c *CopyToRemoteInputs) Annotate(a infer.Annotator) {
	a.Describe(&c.Connection, "How to reach the host. Secret, since it can hold a password or key.")
	a.Describe(&c.Triggers, "Values of any type; when any of them changes, the copy is redone as a replacement.")
	a.Describe(&c.Source, "A FileAsset, StringAsset or FileArchive (a file or directory, copied as is).")
	a.Describe(&c.RemotePath, "Destination. Missing parent directories are created; an existing directory "+
		"receives the source inside it.")
}

// CopyToRemoteOutputs is the state: the inputs.
type CopyToRemoteOutputs struct {
	CopyToRemoteInputs
}

var (
	_ infer.CustomCheck[CopyToRemoteInputs]                         = (*CopyToRemote)(nil)
	_ infer.CustomResource[CopyToRemoteInputs, CopyToRemoteOutputs] = (*CopyToRemote)(nil)
	_ infer.CustomUpdate[CopyToRemoteInputs, CopyToRemoteOutputs]   = (*CopyToRemote)(nil)
)

// Check accepts only sources that can be copied as they are.
func (*CopyToRemote) Check(ctx context.Context, req infer.CheckRequest) (infer.CheckResponse[CopyToRemoteInputs], error) {
	in, failures, err := infer.DefaultCheck[CopyToRemoteInputs](ctx, req.NewInputs)
	if err != nil {
		return infer.CheckResponse[CopyToRemoteInputs]{Inputs: in, Failures: failures}, err
	}
	asset, archive := in.Source.Asset, in.Source.Archive
	switch {
	case asset == nil && archive == nil:
		failures = append(failures, p.CheckFailure{Property: "source", Reason: "an asset or an archive is required"})
	case asset != nil && !asset.IsPath() && !asset.IsText():
		failures = append(failures, p.CheckFailure{Property: "source", Reason: "the asset must be a FileAsset or StringAsset"})
	case archive != nil && !archive.IsPath():
		failures = append(failures, p.CheckFailure{Property: "source", Reason: "the archive must be a FileArchive (a path)"})
	}
	return infer.CheckResponse[CopyToRemoteInputs]{Inputs: in, Failures: failures}, nil
}

// Create copies (not during preview).
func (*CopyToRemote) Create(
	ctx context.Context, req infer.CreateRequest[CopyToRemoteInputs],
) (infer.CreateResponse[CopyToRemoteOutputs], error) {
	out := CopyToRemoteOutputs{req.Inputs}
	id := "copy-" + sourceHash(req.Inputs.Source)
	if req.DryRun {
		return infer.CreateResponse[CopyToRemoteOutputs]{ID: id, Output: out}, nil
	}
	return infer.CreateResponse[CopyToRemoteOutputs]{ID: id, Output: out}, copyToRemote(ctx, req.Inputs)
}

// Update copies again when the source content or the destination changed.
func (*CopyToRemote) Update(
	ctx context.Context, req infer.UpdateRequest[CopyToRemoteInputs, CopyToRemoteOutputs],
) (infer.UpdateResponse[CopyToRemoteOutputs], error) {
	out := CopyToRemoteOutputs{req.Inputs}
	changed := sourceHash(req.Inputs.Source) != sourceHash(req.State.Source) || req.Inputs.RemotePath != req.State.RemotePath
	if req.DryRun || !changed {
		return infer.UpdateResponse[CopyToRemoteOutputs]{Output: out}, nil
	}
	return infer.UpdateResponse[CopyToRemoteOutputs]{Output: out}, copyToRemote(ctx, req.Inputs)
}

func sourceHash(s types.AssetOrArchive) string {
	switch {
	case s.Asset != nil:
		return s.Asset.Hash
	case s.Archive != nil:
		return s.Archive.Hash
	}
	return ""
}
