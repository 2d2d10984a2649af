package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Object is one log object a Source holds.
type Object struct {
	// Key is the object's path relative to the source's root, with '/'
	// separators: for s3://bucket/logs it is the S3 key without "logs/".
	Key string
	// URI names the object for users and for the manifest:
	// s3://bucket/key or an absolute local path.
	URI          string
	ETag         string
	Size         int64
	LastModified time.Time
}

// Source is where CloudTrail log objects come from: an S3 bucket or a local
// folder.
type Source interface {
	// List calls fn for each object whose key starts with prefix, in key
	// order, and stops at the first error. An empty prefix lists everything.
	List(ctx context.Context, prefix string, fn func(Object) error) error
	// ListAfter is List of the keys that sort after startAfter (bytewise),
	// S3's StartAfter: the keys before it are not listed at all.
	ListAfter(ctx context.Context, prefix, startAfter string, fn func(Object) error) error
	// ListDirs returns the immediate "sub-folders" below prefix (which is
	// empty or ends in '/'): the S3 common prefixes for delimiter '/', each
	// ending in '/'. Objects directly below prefix are returned too.
	ListDirs(ctx context.Context, prefix string) (dirs []string, objects []Object, err error)
	// Open opens the object with the given key.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// String names the source for messages: s3://bucket/prefix or a path.
	String() string
	// URI is what an Object's URI is for the key, also for a folder's key
	// (ending in '/', and so is the URI).
	URI(key string) string
}

// SourceOptions configure how sources are opened.
type SourceOptions struct {
	// Config, when set, is the AWS configuration the S3 client is made
	// from (credentials, region, endpoint), as the command builds it for
	// every AWS client; Profile and Region are then not read. Without a
	// region, the bucket's is discovered either way.
	Config      *aws.Config
	Profile     string // AWS shared-config profile
	Region      string // AWS region for the S3 client
	EndpointURL string // S3-compatible endpoint; path-style addressing
	// ReadTimeout fails the read of an object or listing page that
	// receives nothing for this long (default DefaultReadTimeout).
	ReadTimeout time.Duration
	// HTTPClient, when set, is the HTTP client the S3 client uses (tests).
	HTTPClient interface {
		Do(*http.Request) (*http.Response, error)
	}
}

// ErrUnsupportedSource is returned by OpenSource for a URI scheme it does
// not know.
var ErrUnsupportedSource = errors.New("unsupported source")

// OpenSource opens a source given as s3://bucket[/prefix] or a local file or
// folder.
func OpenSource(ctx context.Context, uri string, opts SourceOptions) (Source, error) {
	switch {
	case strings.HasPrefix(uri, "s3://"):
		return openS3Source(ctx, uri, opts)
	case strings.Contains(uri, "://"):
		return nil, fmt.Errorf("%s: %w (want s3://bucket/prefix or a local path)", uri, ErrUnsupportedSource)
	}
	return openDirSource(uri)
}

// dirSource reads a local folder, or a single file.
type dirSource struct {
	root string // absolute folder
	file string // set when the source is a single file: its name in root
}

func openDirSource(path string) (*dirSource, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return &dirSource{root: filepath.Dir(abs), file: filepath.Base(abs)}, nil
	}
	return &dirSource{root: abs}, nil
}

func (d *dirSource) String() string {
	if d.file != "" {
		return filepath.Join(d.root, d.file)
	}
	return d.root
}

func (d *dirSource) URI(key string) string {
	uri := filepath.Join(d.root, filepath.FromSlash(key))
	if (key == "" || strings.HasSuffix(key, "/")) && !strings.HasSuffix(uri, string(filepath.Separator)) {
		uri += string(filepath.Separator)
	}
	return uri
}

func (d *dirSource) object(key string, fi fs.FileInfo) Object {
	return Object{
		Key:          key,
		URI:          d.URI(key),
		Size:         fi.Size(),
		LastModified: fi.ModTime().UTC(),
		// A local file has no ETag; size and modification time stand in
		// for it, so a rewritten file is loaded again.
		ETag: fmt.Sprintf("%d-%d", fi.Size(), fi.ModTime().UnixNano()),
	}
}

func (d *dirSource) List(ctx context.Context, prefix string, fn func(Object) error) error {
	return d.ListAfter(ctx, prefix, "", fn)
}

func (d *dirSource) ListAfter(ctx context.Context, prefix, startAfter string, fn func(Object) error) error {
	if d.file != "" {
		if !strings.HasPrefix(d.file, prefix) || d.file <= startAfter {
			return nil
		}
		fi, err := os.Stat(filepath.Join(d.root, d.file))
		if err != nil {
			return err
		}
		return fn(d.object(d.file, fi))
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// Walk from the deepest folder the prefix names.
	start := prefix[:strings.LastIndex(prefix, "/")+1]
	if fi, err := os.Stat(filepath.Join(d.root, filepath.FromSlash(start))); err != nil || !fi.IsDir() {
		if err == nil || errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			return nil // no key can start with prefix
		}
		return err
	}
	return d.walk(ctx, start, prefix, startAfter, fn)
}

// walk calls fn for the files below folder dir (a key that is empty or
// ends in '/') whose keys start with prefix and sort after after, in key
// order. That is not filepath.WalkDir's order: a folder "a" sorts as "a/",
// after a file or folder "a-b" ('-' < '/'), as CloudTrail-Digest/ sorts
// before CloudTrail/.
func (d *dirSource) walk(ctx context.Context, dir, prefix, after string, fn func(Object) error) error {
	entries, err := os.ReadDir(filepath.Join(d.root, filepath.FromSlash(dir)))
	if err != nil {
		return err
	}
	sortKey := func(e fs.DirEntry) string {
		if e.IsDir() {
			return e.Name() + "/"
		}
		return e.Name()
	}
	sort.Slice(entries, func(i, j int) bool { return sortKey(entries[i]) < sortKey(entries[j]) })
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		key := dir + sortKey(e)
		if e.IsDir() {
			// Every key in a folder sorting before after, which does not
			// lie inside it, sorts before after too.
			if key < after && !strings.HasPrefix(after, key) {
				continue
			}
			if strings.HasPrefix(key, prefix) || strings.HasPrefix(prefix, key) {
				if err := d.walk(ctx, key, prefix, after, fn); err != nil {
					return err
				}
			}
			continue
		}
		if !strings.HasPrefix(key, prefix) || key <= after || !e.Type().IsRegular() {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			return err
		}
		if err := fn(d.object(key, fi)); err != nil {
			return err
		}
	}
	return nil
}

func (d *dirSource) ListDirs(ctx context.Context, prefix string) ([]string, []Object, error) {
	if d.file != "" {
		var objs []Object
		err := d.List(ctx, prefix, func(o Object) error { objs = append(objs, o); return nil })
		return nil, objs, err
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	entries, err := os.ReadDir(filepath.Join(d.root, filepath.FromSlash(prefix)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	var dirs []string
	var objs []Object
	for _, e := range entries {
		key := prefix + e.Name()
		switch {
		case e.IsDir():
			dirs = append(dirs, key+"/")
		case e.Type().IsRegular():
			fi, err := e.Info()
			if err != nil {
				return nil, nil, err
			}
			objs = append(objs, d.object(key, fi))
		}
	}
	sort.Strings(dirs)
	return dirs, objs, nil
}

func (d *dirSource) Open(_ context.Context, key string) (io.ReadCloser, error) {
	return os.Open(filepath.Join(d.root, filepath.FromSlash(key)))
}
