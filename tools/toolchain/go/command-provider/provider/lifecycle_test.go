package provider

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blang/semver"
	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/integration"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

const localCommand = "command:local:Command"

func server(t *testing.T) integration.Server {
	t.Helper()
	s, err := integration.NewServer(context.Background(), Name, semver.MustParse(Version), integration.WithProvider(New()))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func urn(token string) resource.URN {
	return resource.NewURN("stack", "proj", "", tokens.Type(token), "res")
}

func str(s string) property.Value { return property.New(s) }

func strs(items ...string) property.Value {
	values := make([]property.Value, len(items))
	for i, s := range items {
		values[i] = property.New(s)
	}
	return property.New(property.NewArray(values))
}

// check runs Check (applying defaults and validation) as the engine does before Create.
func check(t *testing.T, s integration.Server, token string, inputs map[string]property.Value) property.Map {
	t.Helper()
	resp, err := s.Check(p.CheckRequest{Urn: urn(token), Inputs: property.NewMap(inputs)})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Failures) > 0 {
		t.Fatalf("check failures: %+v", resp.Failures)
	}
	return resp.Inputs
}

func diff(t *testing.T, s integration.Server, state, oldInputs, newInputs property.Map) p.DiffResponse {
	t.Helper()
	resp, err := s.Diff(p.DiffRequest{ID: "id", Urn: urn(localCommand), State: state, OldInputs: oldInputs, Inputs: newInputs})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func replaces(d p.DiffResponse) bool {
	for _, pd := range d.DetailedDiff {
		switch pd.Kind {
		case p.AddReplace, p.UpdateReplace, p.DeleteReplace:
			return true
		}
	}
	return false
}

// The whole life of a local command: create, a trigger change (replace), an input change
// without `update` (create re-runs), with `update`, and delete with the last stdout.
func TestLocalCommandLifecycle(t *testing.T) {
	s := server(t)
	dir := t.TempDir()
	journal := filepath.Join(dir, "journal")
	base := map[string]property.Value{
		"create":      str(`echo "create $N" >> journal; echo out-$N`),
		"delete":      str(`echo "delete saw $PULUMI_COMMAND_STDOUT" >> journal`),
		"dir":         str(dir),
		"environment": property.New(property.NewMap(map[string]property.Value{"N": str("1")})),
		"triggers":    strs("vm-1"),
	}
	inputs := check(t, s, localCommand, base)

	preview, err := s.Create(p.CreateRequest{Urn: urn(localCommand), Properties: inputs, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(journal); err == nil {
		t.Fatal("preview ran the create command")
	}
	if preview.Properties.Get("stdout").IsComputed() == false && preview.Properties.Get("stdout").AsString() != "" {
		t.Fatalf("preview stdout = %v", preview.Properties.Get("stdout"))
	}

	created, err := s.Create(p.CreateRequest{Urn: urn(localCommand), Properties: inputs})
	if err != nil {
		t.Fatal(err)
	}
	if got := created.Properties.Get("stdout").AsString(); got != "out-1" {
		t.Fatalf("stdout = %q", got)
	}
	state := created.Properties

	// A new trigger value replaces; so does a changed element in the middle of the list.
	changed := check(t, s, localCommand, withValue(base, "triggers", strs("vm-2")))
	if d := diff(t, s, state, inputs, changed); !d.HasChanges || !replaces(d) {
		t.Fatalf("trigger change must replace: %+v", d.DetailedDiff)
	}
	// Unknown triggers (the engine's dependent-replacement scan) replace too.
	unknown := check(t, s, localCommand, withValue(base, "triggers", property.New(property.Computed)))
	if d := diff(t, s, state, inputs, unknown); !replaces(d) {
		t.Fatalf("unknown triggers must replace: %+v", d.DetailedDiff)
	}
	// Other inputs update in place.
	envChanged := withValue(base, "environment", property.New(property.NewMap(map[string]property.Value{"N": str("2")})))
	newInputs := check(t, s, localCommand, envChanged)
	d := diff(t, s, state, inputs, newInputs)
	if !d.HasChanges || replaces(d) {
		t.Fatalf("environment change must be an in-place update: %+v", d.DetailedDiff)
	}
	if same := diff(t, s, state, inputs, inputs); same.HasChanges {
		t.Fatalf("identical inputs must not change: %+v", same.DetailedDiff)
	}

	// Update with no `update` command re-runs create.
	updated, err := s.Update(p.UpdateRequest{ID: created.ID, Urn: urn(localCommand), State: state, OldInputs: inputs, Inputs: newInputs})
	if err != nil {
		t.Fatal(err)
	}
	if got := updated.Properties.Get("stdout").AsString(); got != "out-2" {
		t.Fatalf("update stdout = %q", got)
	}
	// With an `update` command, that one runs, and sees the previous stdout.
	withUpdate := check(t, s, localCommand, withValue(envChanged, "update", str(`echo "update after $PULUMI_COMMAND_STDOUT" >> journal; echo upd`)))
	updated2, err := s.Update(p.UpdateRequest{ID: created.ID, Urn: urn(localCommand), State: updated.Properties, OldInputs: newInputs, Inputs: withUpdate})
	if err != nil {
		t.Fatal(err)
	}

	if err := s.Delete(p.DeleteRequest{ID: created.ID, Urn: urn(localCommand), Properties: updated2.Properties}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(journal)
	want := "create 1\ncreate 2\nupdate after out-2\ndelete saw upd\n"
	if string(got) != want {
		t.Fatalf("journal:\n%s\nwant:\n%s", got, want)
	}
}

func TestFailingDeleteReturnsError(t *testing.T) {
	s := server(t)
	inputs := check(t, s, localCommand, map[string]property.Value{"create": str("true"), "delete": str("exit 7")})
	created, err := s.Create(p.CreateRequest{Urn: urn(localCommand), Properties: inputs})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Delete(p.DeleteRequest{ID: created.ID, Urn: urn(localCommand), Properties: created.Properties})
	if err == nil || !strings.Contains(err.Error(), "exit status 7") {
		t.Fatalf("delete error = %v", err)
	}
}

// Secret inputs stay secret in the outputs the engine checkpoints.
func TestSecretInputsStaySecretInState(t *testing.T) {
	s := server(t)
	env := property.New(property.NewMap(map[string]property.Value{"TOKEN": str("tok-1")})).WithSecret(true)
	inputs := check(t, s, localCommand, map[string]property.Value{
		"create": str(`test -n "$TOKEN"`), "environment": env, "stdin": str("pw").WithSecret(true),
		"logging": str("none"),
	})
	created, err := s.Create(p.CreateRequest{Urn: urn(localCommand), Properties: inputs})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"environment", "stdin"} {
		v := created.Properties.Get(k)
		if !v.Secret() && !v.HasSecrets() {
			t.Errorf("%s lost its secret mark: %v", k, v)
		}
	}
}

// The remote connection is secret even when the program passes it in plain text.
func TestRemoteConnectionIsSecretWithDefaults(t *testing.T) {
	s := server(t)
	conn := property.New(property.NewMap(map[string]property.Value{"host": str("127.0.0.1")}))
	inputs := check(t, s, "command:remote:Command", map[string]property.Value{"connection": conn})
	c := inputs.Get("connection")
	if !c.Secret() {
		t.Fatalf("connection not secret after check: %v", c)
	}
	fields := c.AsMap()
	if fields.Get("port").AsNumber() != 22 || fields.Get("user").AsString() != "root" ||
		fields.Get("dialErrorLimit").AsNumber() != 10 || fields.Get("perDialTimeout").AsNumber() != 15 {
		t.Fatalf("defaults not applied: %v", fields)
	}
}

func TestSchemaMarksReplaceOnChangesAndSecrets(t *testing.T) {
	s := server(t)
	resp, err := s.GetSchema(p.GetSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Name      string `json:"name"`
		Version   string `json:"version"`
		Resources map[string]struct {
			InputProperties map[string]struct {
				ReplaceOnChanges bool `json:"replaceOnChanges"`
				Secret           bool `json:"secret"`
			} `json:"inputProperties"`
		} `json:"resources"`
	}
	if err := json.Unmarshal([]byte(resp.Schema), &spec); err != nil {
		t.Fatal(err)
	}
	if spec.Name != "command" {
		t.Fatalf("name = %q", spec.Name)
	}
	for _, token := range []string{localCommand, "command:remote:Command"} {
		r, ok := spec.Resources[token]
		if !ok {
			t.Fatalf("%s missing", token)
		}
		for name, prop := range r.InputProperties {
			if prop.ReplaceOnChanges != (name == "triggers") {
				t.Errorf("%s.%s replaceOnChanges = %v", token, name, prop.ReplaceOnChanges)
			}
		}
	}
	if !spec.Resources["command:remote:Command"].InputProperties["connection"].Secret {
		t.Error("remote connection must be secret")
	}
}

func withValue(m map[string]property.Value, key string, v property.Value) map[string]property.Value {
	out := map[string]property.Value{}
	for k, val := range m {
		out[k] = val
	}
	out[key] = v
	return out
}
