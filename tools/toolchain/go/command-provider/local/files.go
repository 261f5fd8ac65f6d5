package local

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi-go-provider/infer/types"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// collectFiles fills assets and archive from assetPaths and archivePaths, after a run.
func collectFiles(dir string, opts ProcessOptions, results *RunResults) error {
	if opts.AssetPaths == nil && opts.ArchivePaths == nil {
		return nil
	}
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return err
		}
		dir = wd
	}
	if opts.AssetPaths != nil {
		paths, err := matchFiles(dir, *opts.AssetPaths)
		if err != nil {
			return err
		}
		assets := map[string]*types.AssetOrArchive{}
		for _, rel := range paths {
			asset, err := resource.NewPathAsset(filepath.Join(dir, rel))
			if err != nil {
				return err
			}
			assets[rel] = &types.AssetOrArchive{Asset: asset}
		}
		results.Assets = &assets
	}
	if opts.ArchivePaths != nil {
		paths, err := matchFiles(dir, *opts.ArchivePaths)
		if err != nil {
			return err
		}
		members := map[string]any{}
		for _, rel := range paths {
			asset, err := resource.NewPathAsset(filepath.Join(dir, rel))
			if err != nil {
				return err
			}
			members[rel] = asset
		}
		archive, err := resource.NewAssetArchive(members)
		if err != nil {
			return err
		}
		results.Archive = archive
	}
	return nil
}

// matchFiles returns the regular files under dir (slash-separated, relative) that the
// rules select. Rules apply in order; a rule starting with "!" removes earlier matches.
func matchFiles(dir string, rules []string) ([]string, error) {
	type rule struct {
		exclude bool
		re      *regexp.Regexp
	}
	compiled := make([]rule, 0, len(rules))
	for _, r := range rules {
		exclude := strings.HasPrefix(r, "!")
		re, err := globRegexp(strings.TrimPrefix(r, "!"))
		if err != nil {
			return nil, fmt.Errorf("glob %q: %w", r, err)
		}
		compiled = append(compiled, rule{exclude, re})
	}
	var matched []string
	err := fs.WalkDir(os.DirFS(dir), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		selected := false
		for _, r := range compiled {
			if r.re.MatchString(p) {
				selected = !r.exclude
			}
		}
		if selected {
			matched = append(matched, p)
		}
		return nil
	})
	return matched, err
}

// globRegexp translates a glob: `**` matches anything including "/", `*` and `?` stop
// at "/", `{a,b}` is an alternative, `[...]` a character class.
func globRegexp(glob string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString("^")
	depth := 0 // open {...} groups
	for i := 0; i < len(glob); i++ {
		switch c := glob[i]; {
		case c == '*' && i+1 < len(glob) && glob[i+1] == '*':
			b.WriteString(".*")
			i++
		case c == '*':
			b.WriteString("[^/]*")
		case c == '?':
			b.WriteString("[^/]")
		case c == '{':
			b.WriteString("(?:")
			depth++
		case c == '}' && depth > 0:
			b.WriteString(")")
			depth--
		case c == ',' && depth > 0:
			b.WriteString("|")
		case c == '[':
			end := strings.IndexByte(glob[i:], ']')
			if end < 0 {
				return nil, fmt.Errorf("unclosed [")
			}
			class := glob[i+1 : i+end]
			if strings.HasPrefix(class, "!") {
				class = "^" + class[1:]
			}
			b.WriteString("[" + class + "]")
			i += end
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	if depth != 0 {
		return nil, fmt.Errorf("unclosed {")
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}
