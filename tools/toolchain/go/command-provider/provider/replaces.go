package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// withNestedReplaces fixes one gap in pulumi-go-provider's default Diff: it looks up
// replaceOnChanges by the full detailed-diff key, so a change of `triggers[0]` comes out
// as an update. The SDK papers over this with `replaceOnChanges: ["triggers[*]"]`, but
// the provider itself should say "replace" (other SDKs and raw engine scans rely on it).
// Here every detailed-diff entry under a replaceOnChanges input becomes a replace.
func withNestedReplaces(inner p.Provider) p.Provider {
	var (
		once     sync.Once
		replaced map[string]map[string]bool // resource token -> input names
		loadErr  error
	)
	innerDiff := inner.Diff
	inner.Diff = func(ctx context.Context, req p.DiffRequest) (p.DiffResponse, error) {
		resp, err := innerDiff(ctx, req)
		if err != nil {
			return resp, err
		}
		once.Do(func() { replaced, loadErr = replaceOnChangesInputs(ctx, inner) })
		if loadErr != nil {
			return resp, loadErr
		}
		forced := replaced[string(req.Urn.Type())]
		for path, d := range resp.DetailedDiff {
			if forced[topLevelName(path)] {
				d.Kind = asReplace(d.Kind)
				resp.DetailedDiff[path] = d
			}
		}
		return resp, nil
	}
	return inner
}

// replaceOnChangesInputs reads, from the provider's own schema, which inputs of each
// resource are marked replaceOnChanges.
func replaceOnChangesInputs(ctx context.Context, prov p.Provider) (map[string]map[string]bool, error) {
	got, err := prov.GetSchema(ctx, p.GetSchemaRequest{})
	if err != nil {
		return nil, fmt.Errorf("reading own schema: %w", err)
	}
	var spec struct {
		Resources map[string]struct {
			InputProperties map[string]struct {
				ReplaceOnChanges bool `json:"replaceOnChanges"`
			} `json:"inputProperties"`
		} `json:"resources"`
	}
	if err := json.Unmarshal([]byte(got.Schema), &spec); err != nil {
		return nil, fmt.Errorf("parsing own schema: %w", err)
	}
	out := map[string]map[string]bool{}
	for token, r := range spec.Resources {
		for name, prop := range r.InputProperties {
			if prop.ReplaceOnChanges {
				if out[token] == nil {
					out[token] = map[string]bool{}
				}
				out[token][name] = true
			}
		}
	}
	return out, nil
}

// topLevelName returns the first element of a property path: "triggers[0]" -> "triggers".
func topLevelName(path string) string {
	parsed, err := resource.ParsePropertyPath(path)
	if err != nil || len(parsed) == 0 {
		return path
	}
	if name, ok := parsed[0].(string); ok {
		return name
	}
	return path
}

func asReplace(k p.DiffKind) p.DiffKind {
	switch k {
	case p.Add:
		return p.AddReplace
	case p.Delete:
		return p.DeleteReplace
	case p.Update:
		return p.UpdateReplace
	default:
		return k
	}
}
