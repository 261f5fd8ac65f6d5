package remote

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi-go-provider/infer/types"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

func copyInputs(t *testing.T, conn *Connection, source types.AssetOrArchive, dest string) CopyToRemoteInputs {
	t.Helper()
	return CopyToRemoteInputs{Connection: conn, Source: source, RemotePath: dest}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCopyToRemoteTextFileAndDirectory(t *testing.T) {
	srv := newTestServer(t, serverAuth{password: "pw"})
	conn := connectionTo(t, srv.addr)
	conn.Password = ptr("pw")
	remoteRoot := t.TempDir() // the test server's filesystem is this machine's
	ctx := context.Background()

	text, err := resource.NewTextAsset("hello\n")
	if err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(remoteRoot, "new/parents/greeting.txt")
	if _, err := (&CopyToRemote{}).Create(ctx, infer.CreateRequest[CopyToRemoteInputs]{
		Name: "c", Inputs: copyInputs(t, conn, types.AssetOrArchive{Asset: text}, dest),
	}); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, dest); got != "hello\n" {
		t.Fatalf("text asset copied as %q", got)
	}

	src := t.TempDir()
	if err := os.MkdirAll(filepath.Join(src, "conf/sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "conf/sub/a.yaml"), []byte("a: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	file, err := resource.NewPathAsset(filepath.Join(src, "conf/sub/a.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// An existing remote directory receives the file inside it.
	if err := copyToRemote(ctx, copyInputs(t, conn, types.AssetOrArchive{Asset: file}, remoteRoot)); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(remoteRoot, "a.yaml")); got != "a: 1\n" {
		t.Fatalf("file copied as %q", got)
	}
	// A directory archive is copied recursively, into an existing directory.
	dir, err := resource.NewPathArchive(filepath.Join(src, "conf"))
	if err != nil {
		t.Fatal(err)
	}
	if err := copyToRemote(ctx, copyInputs(t, conn, types.AssetOrArchive{Archive: dir}, remoteRoot)); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(remoteRoot, "conf/sub/a.yaml")); got != "a: 1\n" {
		t.Fatalf("directory copied as %q", got)
	}
}
