package lifecycle_test

import (
	"bytes"
	"fmt"
	"log"
	"strings"

	lifecycle "github.com/ctattrib/ctattrib/lifecycle-scripts"
)

func ExampleRender() {
	var buf bytes.Buffer
	err := lifecycle.Render(&buf, lifecycle.FormatShell, lifecycle.Params{
		Instance: "test-2",
		RoleARN:  "arn:aws:iam::111122223333:role/service-role/AmazonSageMaker-ExecutionRole",
		Region:   "us-east-1",
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, line := range strings.Split(buf.String(), "\n") {
		if strings.HasPrefix(line, "#!") || strings.HasPrefix(line, "set ") ||
			strings.HasPrefix(line, "notebook_name=") || strings.HasPrefix(line, "role_arn=") ||
			strings.HasPrefix(line, "region=") {
			fmt.Println(line)
		}
	}
	// Output:
	// #!/bin/bash
	// set -euo pipefail
	// notebook_name='test-2'
	// role_arn='arn:aws:iam::111122223333:role/service-role/AmazonSageMaker-ExecutionRole'
	// region='us-east-1'
}

func ExampleRender_json() {
	err := lifecycle.Render(new(bytes.Buffer), lifecycle.FormatJSON, lifecycle.Params{
		Instance: "test-2; reboot",
		RoleARN:  "arn:aws:iam::111122223333:role/r",
	})
	fmt.Println(err)
	// Output:
	// notebook instance name "test-2; reboot": want letters, digits and hyphens, starting and ending with a letter or digit: invalid value
}
