package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/sync/errgroup"
)

// decoders is Load's second stage: workers that download and decode the
// objects the lister passes on, concurrently, and pass each one's records
// (or why it has none) to the writer.
type decoders struct {
	src     Source
	workers int
}

// result is one object's raw events, or why it has none.
type result struct {
	obj    Object
	packed packed // its records
	status string
	err    error
	// rejected counts the records that are not events, reason says why
	// the first is not; control counts CloudWatch Logs control messages.
	rejected, control int
	reason            string
}

// run decodes the objects of todo into done, which it closes when all
// workers have finished.
func (d *decoders) run(ctx context.Context, todo <-chan Object, done chan<- result) error {
	defer close(done)
	g, ctx := errgroup.WithContext(ctx)
	for range d.workers {
		g.Go(func() error {
			for o := range todo {
				r := decodeObject(ctx, d.src, o)
				if ctx.Err() != nil {
					return ctx.Err()
				}
				select {
				case done <- r:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			return nil
		})
	}
	return g.Wait()
}

// decodeObject downloads and decodes one object. Its events are returned
// only if the whole object decoded: a half-read object is a failure, never
// half loaded.
func decodeObject(ctx context.Context, src Source, o Object) result {
	rc, err := src.Open(ctx, o.Key)
	if err != nil {
		return result{obj: o, status: StatusFailed, err: err}
	}
	defer rc.Close()
	p := packers.Get().(*packer)
	defer packers.Put(p)
	p.reset()
	body := &countingReader{r: rc}
	dec, err := Decode(body, func(raw []byte) error {
		if len(raw) > maxRecordBytes {
			return fmt.Errorf("%w: event %d is %.1f MiB, more than the %d MiB ingest stores",
				ErrRecordTooLarge, p.len()+1, float64(len(raw))/(1<<20), maxRecordBytes>>20)
		}
		p.add(raw)
		return nil
	})
	if err == nil {
		// Read to the end, past what the decoder needed, so that the
		// source's own checks (Content-Length, ETag) run and the size
		// can be compared with the listing's: an object cut short at a
		// line boundary decodes without error.
		if _, err = io.Copy(io.Discard, body); err == nil && body.n != o.Size {
			err = fmt.Errorf("%w: read %d bytes, listed as %d (cut short or changed while read)", ErrCorrupt, body.n, o.Size)
		}
	}
	switch {
	case errors.Is(err, ErrDigest):
		return result{obj: o, status: StatusSkipped, err: err}
	case errors.Is(err, ErrNotJSON) && !looksLikeLog(o.Key):
		return result{obj: o, status: StatusSkipped, err: err}
	case err != nil:
		if errors.Is(err, io.ErrUnexpectedEOF) {
			err = fmt.Errorf("truncated: %w", err)
		}
		return result{obj: o, status: StatusFailed, err: err}
	case p.notUTF8 > 0:
		return result{obj: o, status: StatusFailed, err: fmt.Errorf("event %d is not valid UTF-8", p.notUTF8)}
	}
	return result{obj: o, packed: p.pack(), status: StatusLoaded,
		rejected: dec.Rejected, reason: dec.Reason, control: dec.Control}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// looksLikeLog reports whether a key's name promises JSON, so that a
// non-JSON body is an error rather than an unrelated file to pass over.
func looksLikeLog(key string) bool {
	k := strings.TrimSuffix(strings.ToLower(key), ".gz")
	for _, ext := range []string{".json", ".jsonl", ".ndjson", ".log"} {
		if strings.HasSuffix(k, ext) {
			return true
		}
	}
	return strings.HasSuffix(strings.ToLower(key), ".gz")
}
