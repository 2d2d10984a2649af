package ingest

import (
	"context"
	"errors"
)

// openS3Source is replaced by the S3 implementation.
func openS3Source(_ context.Context, uri string, _ SourceOptions) (Source, error) {
	return nil, errors.New(uri + ": S3 sources are not built yet")
}
