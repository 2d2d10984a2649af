package ingest

// SourceOptions configure how sources are opened.
type SourceOptions struct {
	Profile     string // AWS shared-config profile
	Region      string // AWS region for the S3 client
	EndpointURL string // S3-compatible endpoint; path-style addressing
}
