package query_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/ctattrib/ctattrib/query"
)

func ExampleWrite() {
	rows := query.NewRows(
		[]query.Column{{Name: "instance"}, {Name: "calls", Kind: query.Int}, {Name: "last_seen", Kind: query.Time}},
		[][]any{
			{"research-nb-1", int64(1204), time.Date(2024, 5, 3, 14, 0, 0, 0, time.UTC)},
			{"nb-2", int64(7), nil},
		})
	defer rows.Close()
	if _, err := query.Write(context.Background(), os.Stdout, rows, query.Table, query.WriteOptions{}); err != nil {
		fmt.Println(err)
	}
	// Output:
	// instance       calls  last_seen
	// research-nb-1   1204  2024-05-03T14:00:00Z
	// nb-2               7
}

func ExampleWrite_json() {
	rows := query.NewRows(
		[]query.Column{{Name: "actor"}, {Name: "denied", Kind: query.Int}},
		[][]any{{"nb-alpha", int64(3)}, {nil, int64(1)}})
	defer rows.Close()
	if _, err := query.Write(context.Background(), os.Stdout, rows, query.JSON, query.WriteOptions{}); err != nil {
		fmt.Println(err)
	}
	// Output:
	// [
	// {"actor":"nb-alpha","denied":3},
	// {"actor":null,"denied":1}
	// ]
}

func ExampleWrite_truncated() {
	rows := query.NewRows(
		[]query.Column{{Name: "event_id"}, {Name: "error_message"}},
		[][]any{{"e1", "User: arn:aws:sts::111122223333:assumed-role/Exec/SageMaker is not authorized to perform: s3:GetObject"}})
	defer rows.Close()
	if _, err := query.Write(context.Background(), os.Stdout, rows, query.Table, query.WriteOptions{Width: 40}); err != nil {
		fmt.Println(err)
	}
	// Output:
	// event_id  error_message
	// e1        User: arn:aws:sts::1111222233…
}
