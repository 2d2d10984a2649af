package denial_test

import (
	"fmt"

	"github.com/ctattrib/ctattrib/internal/denial"
)

func ExampleExplain() {
	ex := denial.Explain(denial.Event{
		EventSource:  "s3.amazonaws.com",
		EventName:    "PutObject",
		Region:       "us-east-1",
		ErrorCode:    "AccessDenied",
		ErrorMessage: "Access Denied",
		Bucket:       "data-bucket",
		ObjectKey:    "out/x.csv",
	})
	fmt.Println(ex.Action)
	fmt.Println(ex.Resource)
	fmt.Println(ex.Reason)
	fmt.Println(ex.SuggestedPolicy)
	// Output:
	// s3:PutObject
	// arn:aws:s3:::data-bucket/out/x.csv
	// unknown (bare message)
	// {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::data-bucket/out/x.csv"}]}
}
