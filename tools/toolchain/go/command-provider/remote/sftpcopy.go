package remote

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/pkg/sftp"
)

// copyToRemote dials the host and copies the source to the remote path over SFTP.
func copyToRemote(ctx context.Context, in CopyToRemoteInputs) error {
	if in.Connection == nil {
		return errors.New("copy: connection is required")
	}
	client, err := in.Connection.Dial(ctx)
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	defer client.Close()
	remote, err := sftp.NewClient(client)
	if err != nil {
		return fmt.Errorf("copy: starting SFTP (the server needs the sftp subsystem): %w", err)
	}
	defer remote.Close()

	if a := in.Source.Asset; a != nil && a.IsText() {
		return writeRemoteFile(remote, strings.NewReader(a.Text), in.RemotePath, false)
	}
	local := ""
	if a := in.Source.Asset; a != nil {
		local = a.Path
	} else if in.Source.Archive != nil {
		local = in.Source.Archive.Path
	}
	info, err := os.Stat(local)
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	if info.IsDir() {
		return copyDir(remote, local, in.RemotePath)
	}
	f, err := os.Open(local)
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	defer f.Close()
	return writeRemoteFile(remote, f, intoIfDir(remote, in.RemotePath, filepath.Base(local)), false)
}

// intoIfDir returns dest/name when dest is an existing remote directory, else dest.
func intoIfDir(remote *sftp.Client, dest, name string) string {
	if st, err := remote.Stat(dest); err == nil && st.IsDir() {
		return path.Join(dest, name)
	}
	return dest
}

// copyDir copies a local directory: into dest when dest exists (like `scp -r`), or as
// dest when it does not. A trailing "/" on the source copies its contents instead.
func copyDir(remote *sftp.Client, local, dest string) error {
	if !strings.HasSuffix(local, "/") {
		dest = intoIfDir(remote, dest, filepath.Base(local))
	}
	return fs.WalkDir(os.DirFS(local), ".", func(rel string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := path.Join(dest, filepath.ToSlash(rel))
		if d.IsDir() {
			if err := remote.MkdirAll(target); err != nil {
				return fmt.Errorf("copy: creating %s: %w", target, err)
			}
			return nil
		}
		f, err := os.Open(filepath.Join(local, rel))
		if err != nil {
			return err
		}
		defer f.Close()
		return writeRemoteFile(remote, f, target, true)
	})
}

// writeRemoteFile creates or truncates the remote file (creating its parents) and fills it.
func writeRemoteFile(remote *sftp.Client, content io.Reader, dest string, parentExists bool) error {
	if st, err := remote.Stat(dest); err == nil && st.IsDir() {
		return fmt.Errorf("copy: remote path %s is a directory", dest)
	}
	if !parentExists {
		if err := remote.MkdirAll(path.Dir(dest)); err != nil {
			return fmt.Errorf("copy: creating %s: %w", path.Dir(dest), err)
		}
	}
	f, err := remote.Create(dest)
	if err != nil {
		return fmt.Errorf("copy: creating %s: %w", dest, err)
	}
	if _, err := io.Copy(f, content); err != nil {
		_ = f.Close()
		return fmt.Errorf("copy: writing %s: %w", dest, err)
	}
	return f.Close()
}
