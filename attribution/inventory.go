package attribution

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/ctattrib/ctattrib/internal/awsid"
	"github.com/ctattrib/ctattrib/store"
)

// Notebook is one lifetime of a notebook instance in the inventory.
type Notebook struct {
	AccountID, Region, Name string
	ARN, RoleARN            string
	LifecycleConfigName     string
	InstanceType            string
	CreatedAt, DeletedAt    *time.Time
	Status                  string
	Source                  string // "cloudtrail", "api" or "csv"
}

// RefreshInventory rebuilds the notebook instances CloudTrail shows
// (Create/Update/DeleteNotebookInstance events). Run does it too.
func RefreshInventory(ctx context.Context, db *store.DB) error {
	tx, err := db.SQL.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if err := quiet(tx).run(ctx, stepInventory, stepComputeInventory); err != nil {
		return err
	}
	return tx.Commit()
}

// The inventory's statements other than Run's steps.
var (
	stepInventoryList        = newStep("inventory_list.sql")
	stepInventoryDeleteCSV   = newStep("inventory_delete_csv.sql")
	stepInventoryDeleteAPI   = newStep("inventory_delete_api.sql")
	stepInventoryInsert      = newStep("inventory_insert.sql")
	stepInventoryMarkDeleted = newStep("inventory_mark_deleted.sql")
)

// ListInventory returns the inventory, all sources, ordered by account,
// region, name and creation time.
func ListInventory(ctx context.Context, db *store.DB) ([]Notebook, error) {
	rows, err := quiet(db.SQL).query(ctx, stepInventoryList)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Notebook
	for rows.Next() {
		var nb Notebook
		var created, deleted sql.NullTime
		if err := rows.Scan(&nb.AccountID, &nb.Region, &nb.Name, &nb.ARN, &nb.RoleARN, &nb.LifecycleConfigName,
			&nb.InstanceType, &created, &deleted, &nb.Status, &nb.Source); err != nil {
			return nil, err
		}
		nb.CreatedAt, nb.DeletedAt = timePtr(created), timePtr(deleted)
		out = append(out, nb)
	}
	return out, rows.Err()
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// CSVHeader is the header an inventory CSV file must start with.
var CSVHeader = []string{"account_id", "region", "name", "role_arn", "lifecycle_config_name", "created_at", "deleted_at"}

// LineError is a bad line of an inventory CSV file.
type LineError struct {
	Line int
	Err  string
}

// ImportError lists every bad line of an inventory CSV file; nothing was
// imported.
type ImportError struct {
	Lines []LineError
}

func (e *ImportError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d bad lines, nothing imported", len(e.Lines))
	for _, l := range e.Lines {
		fmt.Fprintf(&b, "\nline %d: %s", l.Line, l.Err)
	}
	return b.String()
}

var (
	notebookNameRE = regexp.MustCompile(`^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$`)
)

// ParseInventoryCSV reads an inventory file (CSVHeader columns; times are
// RFC 3339 or YYYY-MM-DD, empty when unknown or still running). It returns
// an *ImportError naming every bad line.
func ParseInventoryCSV(r io.Reader) ([]Notebook, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	var out []Notebook
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
			if strings.Join(rec, ",") != strings.Join(CSVHeader, ",") {
				return nil, &ImportError{Lines: []LineError{{Line: line, Err: "header must be " + strings.Join(CSVHeader, ",")}}}
			}
			continue
		}
		nb, err := parseInventoryRecord(rec)
		if err != nil {
			bad = append(bad, LineError{Line: line, Err: err.Error()})
			continue
		}
		out = append(out, nb)
	}
	if first {
		return nil, &ImportError{Lines: []LineError{{Line: 1, Err: "empty file; header must be " + strings.Join(CSVHeader, ",")}}}
	}
	if len(bad) > 0 {
		return nil, &ImportError{Lines: bad}
	}
	return out, nil
}

func parseInventoryRecord(rec []string) (Notebook, error) {
	if len(rec) != len(CSVHeader) {
		return Notebook{}, fmt.Errorf("%d fields, want %d", len(rec), len(CSVHeader))
	}
	nb := Notebook{AccountID: rec[0], Region: rec[1], Name: rec[2], RoleARN: rec[3], LifecycleConfigName: rec[4], Source: "csv"}
	switch {
	case !awsid.IsAccount(nb.AccountID):
		return nb, fmt.Errorf("account_id %q is not 12 digits", nb.AccountID)
	case !awsid.IsRegion(nb.Region):
		return nb, fmt.Errorf("region %q is not a region name", nb.Region)
	case !notebookNameRE.MatchString(nb.Name):
		return nb, fmt.Errorf("name %q is not a notebook instance name", nb.Name)
	case nb.RoleARN != "" && RoleNameFromARN(nb.RoleARN) == "":
		return nb, fmt.Errorf("role_arn %q is not an IAM role ARN", nb.RoleARN)
	case nb.RoleARN != "" && AccountFromARN(nb.RoleARN) != nb.AccountID:
		return nb, fmt.Errorf("role_arn %q is in another account than %s", nb.RoleARN, nb.AccountID)
	}
	var err error
	if nb.CreatedAt, err = parseCSVTime("created_at", rec[5]); err != nil {
		return nb, err
	}
	if nb.DeletedAt, err = parseCSVTime("deleted_at", rec[6]); err != nil {
		return nb, err
	}
	if nb.CreatedAt != nil && nb.DeletedAt != nil && nb.DeletedAt.Before(*nb.CreatedAt) {
		return nb, fmt.Errorf("deleted_at %s is before created_at %s", rec[6], rec[5])
	}
	return nb, nil
}

func parseCSVTime(field, s string) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			return &t, nil
		}
	}
	return nil, fmt.Errorf("%s %q is not RFC 3339 or YYYY-MM-DD", field, s)
}

// ImportInventory stores notebooks from a CSV file. The file is
// authoritative for the names it lists: earlier CSV rows for the same
// account, region and name are replaced.
func ImportInventory(ctx context.Context, db *store.DB, nbs []Notebook) error {
	return replaceRows(ctx, db, nbs, func(tx *sql.Tx, nb Notebook) error {
		_, err := quiet(tx).exec(ctx, stepInventoryDeleteCSV, nbKey(nb)...)
		return err
	})
}

// replaceRows runs deleteOld for each notebook, then inserts them all, in
// one transaction.
func replaceRows(ctx context.Context, db *store.DB, nbs []Notebook, deleteOld func(*sql.Tx, Notebook) error) error {
	tx, err := db.SQL.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	for _, nb := range nbs {
		if err := deleteOld(tx, nb); err != nil {
			return err
		}
	}
	for _, nb := range nbs {
		if _, err := quiet(tx).exec(ctx, stepInventoryInsert, append(nbKey(nb),
			sql.Named("arn", nullStr(nb.ARN)), sql.Named("role_arn", nullStr(nb.RoleARN)),
			sql.Named("lifecycle_config_name", nullStr(nb.LifecycleConfigName)),
			sql.Named("instance_type", nullStr(nb.InstanceType)), sql.Named("created_at", nullTime(nb.CreatedAt)),
			sql.Named("deleted_at", nullTime(nb.DeletedAt)), sql.Named("status", nullStr(nb.Status)),
			sql.Named("source", nb.Source))...); err != nil {
			return fmt.Errorf("store %s/%s/%s: %w", nb.AccountID, nb.Region, nb.Name, err)
		}
	}
	return tx.Commit()
}

// nbKey binds the account, region and name of a notebook.
func nbKey(nb Notebook) []any {
	return []any{sql.Named("account_id", nb.AccountID), sql.Named("region", nb.Region), sql.Named("name", nb.Name)}
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

// SageMakerAPI is the part of the SageMaker client Sync uses.
type SageMakerAPI interface {
	ListNotebookInstances(context.Context, *sagemaker.ListNotebookInstancesInput, ...func(*sagemaker.Options)) (*sagemaker.ListNotebookInstancesOutput, error)
	DescribeNotebookInstance(context.Context, *sagemaker.DescribeNotebookInstanceInput, ...func(*sagemaker.Options)) (*sagemaker.DescribeNotebookInstanceOutput, error)
}

// Sync reads the notebook instances of one account and region from the
// SageMaker API and stores them with source 'api'. Instances stored by an
// earlier sync that the API no longer lists are marked deleted at now.
func Sync(ctx context.Context, db *store.DB, api SageMakerAPI, account, region string, now time.Time) ([]Notebook, error) {
	var nbs []Notebook
	p := sagemaker.NewListNotebookInstancesPaginator(api, &sagemaker.ListNotebookInstancesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list notebook instances in %s: %w", region, err)
		}
		for _, s := range page.NotebookInstances {
			d, err := api.DescribeNotebookInstance(ctx, &sagemaker.DescribeNotebookInstanceInput{NotebookInstanceName: s.NotebookInstanceName})
			if err != nil {
				return nil, fmt.Errorf("describe notebook instance %s in %s: %w", aws.ToString(s.NotebookInstanceName), region, err)
			}
			nb := Notebook{
				AccountID: account, Region: region, Name: aws.ToString(d.NotebookInstanceName),
				ARN: aws.ToString(d.NotebookInstanceArn), RoleARN: aws.ToString(d.RoleArn),
				LifecycleConfigName: aws.ToString(d.NotebookInstanceLifecycleConfigName),
				InstanceType:        string(d.InstanceType), Status: string(d.NotebookInstanceStatus), Source: "api",
			}
			if d.CreationTime != nil {
				t := d.CreationTime.UTC()
				nb.CreatedAt = &t
			}
			nbs = append(nbs, nb)
		}
	}
	names := make([]string, len(nbs))
	for i, nb := range nbs {
		names[i] = nb.Name
	}
	err := replaceRows(ctx, db, nbs, func(tx *sql.Tx, nb Notebook) error {
		_, err := quiet(tx).exec(ctx, stepInventoryDeleteAPI, nbKey(nb)...)
		return err
	})
	if err != nil {
		return nil, err
	}
	_, err = quiet(db.SQL).exec(ctx, stepInventoryMarkDeleted, sql.Named("now", now.UTC()),
		sql.Named("account_id", account), sql.Named("region", region), sql.Named("names", names))
	return nbs, err
}
