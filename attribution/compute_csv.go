package attribution

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/ctattrib/ctattrib/internal/awsid"
	"github.com/ctattrib/ctattrib/store"
)

// ComputeCSVHeader is the header a compute inventory CSV file starts with.
var ComputeCSVHeader = []string{"account_id", "region", "kind", "name", "part", "role_arn", "created_at", "ended_at"}

// ComputeKinds are the kinds of SageMaker compute, other than notebook
// instances, the compute inventory holds.
var ComputeKinds = []string{"hyperpod-cluster", "training-job", "processing-job", "transform-job",
	"endpoint", "studio-domain", "studio-user-profile"}

var stepComputeDeleteCSV = newStep("compute_delete_csv.sql")

// ParseComputeCSV reads a compute inventory file (ComputeCSVHeader
// columns: kind one of ComputeKinds, part an instance group or empty,
// times RFC 3339 or YYYY-MM-DD, empty when unknown or still running). It
// returns an *ImportError naming every bad line.
func ParseComputeCSV(r io.Reader) ([]Compute, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	var out []Compute
	var bad []LineError
	first := true
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				bad = append(bad, LineError{Line: pe.Line, Err: pe.Err.Error()})
				continue
			}
			return nil, err
		}
		if first {
			first = false
			if strings.Join(rec, ",") != strings.Join(ComputeCSVHeader, ",") {
				return nil, &ImportError{Lines: []LineError{{Line: line, Err: "header must be " + strings.Join(ComputeCSVHeader, ",")}}}
			}
			continue
		}
		c, err := parseComputeRecord(rec)
		if err != nil {
			bad = append(bad, LineError{Line: line, Err: err.Error()})
			continue
		}
		out = append(out, c)
	}
	if first {
		return nil, &ImportError{Lines: []LineError{{Line: 1, Err: "empty file; header must be " + strings.Join(ComputeCSVHeader, ",")}}}
	}
	if len(bad) > 0 {
		return nil, &ImportError{Lines: bad}
	}
	return out, nil
}

func parseComputeRecord(rec []string) (Compute, error) {
	if len(rec) != len(ComputeCSVHeader) {
		return Compute{}, fmt.Errorf("%d fields, want %d", len(rec), len(ComputeCSVHeader))
	}
	c := Compute{AccountID: rec[0], Region: rec[1], Kind: rec[2], Name: rec[3], Part: rec[4], RoleARN: rec[5], Source: "csv"}
	switch {
	case !awsid.IsAccount(c.AccountID):
		return c, fmt.Errorf("account_id %q is not 12 digits", c.AccountID)
	case !awsid.IsRegion(c.Region):
		return c, fmt.Errorf("region %q is not a region name", c.Region)
	case !slices.Contains(ComputeKinds, c.Kind):
		return c, fmt.Errorf("kind %q is not one of %s", c.Kind, strings.Join(ComputeKinds, ", "))
	case c.Name == "" || len(c.Name) > 256:
		return c, fmt.Errorf("name %q is empty or longer than 256 characters", c.Name)
	case RoleNameFromARN(c.RoleARN) == "":
		return c, fmt.Errorf("role_arn %q is not an IAM role ARN", c.RoleARN)
	case AccountFromARN(c.RoleARN) != c.AccountID:
		return c, fmt.Errorf("role_arn %q is in another account than %s", c.RoleARN, c.AccountID)
	}
	var err error
	if c.CreatedAt, err = parseCSVTime("created_at", rec[6]); err != nil {
		return c, err
	}
	if c.EndedAt, err = parseCSVTime("ended_at", rec[7]); err != nil {
		return c, err
	}
	if c.CreatedAt != nil && c.EndedAt != nil && c.EndedAt.Before(*c.CreatedAt) {
		return c, fmt.Errorf("ended_at %s is before created_at %s", rec[7], rec[6])
	}
	return c, nil
}

// ImportCompute stores compute from a CSV file. The file is authoritative
// for the resources it lists: earlier CSV rows for the same account,
// region, kind and name are replaced.
func ImportCompute(ctx context.Context, db *store.DB, cs []Compute) error {
	tx, err := db.SQL.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	r := quiet(tx)
	for _, c := range cs {
		if _, err := r.exec(ctx, stepComputeDeleteCSV, sql.Named("account_id", c.AccountID), sql.Named("region", c.Region),
			sql.Named("kind", c.Kind), sql.Named("name", c.Name)); err != nil {
			return err
		}
	}
	if err := insertCompute(ctx, r, cs); err != nil {
		return err
	}
	return tx.Commit()
}

// insertCompute stores cs in compute_resources.
func insertCompute(ctx context.Context, r runner, cs []Compute) error {
	for _, c := range cs {
		if _, err := r.exec(ctx, stepComputeInsert, sql.Named("account_id", c.AccountID), sql.Named("region", c.Region),
			sql.Named("kind", c.Kind), sql.Named("name", c.Name), sql.Named("parent", c.Parent), sql.Named("part", nullStr(c.Part)),
			sql.Named("arn", nullStr(c.ARN)), sql.Named("role_arn", nullStr(c.RoleARN)),
			sql.Named("created_at", nullTime(c.CreatedAt)), sql.Named("ended_at", nullTime(c.EndedAt)),
			sql.Named("status", nullStr(c.Status)), sql.Named("source", c.Source)); err != nil {
			return fmt.Errorf("store %s %s in %s/%s: %w", c.Kind, c.Name, c.AccountID, c.Region, err)
		}
	}
	return nil
}
