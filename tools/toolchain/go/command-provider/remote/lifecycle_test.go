package remote

import (
	"context"
	"net"
	"strconv"
	"testing"

	"github.com/blang/semver"
	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi-go-provider/integration"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// Through the provider protocol (property maps, Check defaults, secrets), as the engine
// drives it: create runs on the host, state keeps the connection secret, delete runs the
// stored command with the stored connection.
func TestRemoteCommandThroughProviderProtocol(t *testing.T) {
	srv := newTestServer(t, serverAuth{password: "pw-secret"}, "PULUMI_COMMAND_STDOUT")
	host, portText, _ := net.SplitHostPort(srv.addr)
	port, _ := strconv.Atoi(portText)

	s, err := integration.NewServer(context.Background(), "command", semver.MustParse("1.2.1"),
		integration.WithProvider(infer.Provider(infer.Options{
			Resources: []infer.InferredResource{infer.Resource(&Command{})},
		})))
	if err != nil {
		t.Fatal(err)
	}
	urn := resource.NewURN("stack", "proj", "", tokens.Type("command:remote:Command"), "node")
	conn := property.New(property.NewMap(map[string]property.Value{
		"host":            property.New(host),
		"port":            property.New(float64(port)),
		"user":            property.New("tester"),
		"password":        property.New("pw-secret").WithSecret(true),
		"agentSocketPath": property.New(""),
	}))
	checked, err := s.Check(p.CheckRequest{Urn: urn, Inputs: property.NewMap(map[string]property.Value{
		"connection": conn,
		"create":     property.New("echo created"),
		"delete":     property.New(`echo "deleting after $PULUMI_COMMAND_STDOUT"`),
	})})
	if err != nil || len(checked.Failures) > 0 {
		t.Fatalf("check: %v %+v", err, checked.Failures)
	}
	if got := checked.Inputs.Get("connection").AsMap().Get("dialErrorLimit").AsNumber(); got != 10 {
		t.Fatalf("dialErrorLimit default = %v", got)
	}

	created, err := s.Create(p.CreateRequest{Urn: urn, Properties: checked.Inputs})
	if err != nil {
		t.Fatal(err)
	}
	if created.Properties.Get("stdout").AsString() != "created" {
		t.Fatalf("stdout = %v", created.Properties.Get("stdout"))
	}
	if !created.Properties.Get("connection").Secret() {
		t.Fatal("connection must be secret in state")
	}
	if err := s.Delete(p.DeleteRequest{ID: created.ID, Urn: urn, Properties: created.Properties}); err != nil {
		t.Fatal(err)
	}
	ran := srv.executed()
	if len(ran) != 2 || ran[1] != `echo "deleting after $PULUMI_COMMAND_STDOUT"` {
		t.Fatalf("commands run on the host: %q", ran)
	}
}
