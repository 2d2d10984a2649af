package fakeaws_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/ctattrib/ctattrib/internal/fakeaws"
)

func client(srv *fakeaws.Server) *sagemaker.Client {
	return sagemaker.New(sagemaker.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDFAKE", "fake", ""),
	})
}

func TestListPaginates(t *testing.T) {
	srv := fakeaws.New(t)
	for _, name := range []string{"c", "a", "e", "b", "d"} {
		srv.AddNotebook(fakeaws.Notebook{Name: name, RoleARN: srv.RoleARN("/", "r")})
	}
	var names []string
	p := sagemaker.NewListNotebookInstancesPaginator(client(srv), &sagemaker.ListNotebookInstancesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, nb := range page.NotebookInstances {
			names = append(names, aws.ToString(nb.NotebookInstanceName))
		}
	}
	if diff := cmp.Diff([]string{"a", "b", "c", "d", "e"}, names); diff != "" {
		t.Errorf("listed (-want +got):\n%s", diff)
	}
	if n := len(srv.Calls()); n != 3 {
		t.Errorf("%d ListNotebookInstances calls, want 3 pages of 2", n)
	}
}

func TestStopStartAndErrors(t *testing.T) {
	srv := fakeaws.New(t)
	srv.AddNotebook(fakeaws.Notebook{Name: "nb", Status: fakeaws.StatusInService, RoleARN: srv.RoleARN("/", "r")})
	sm := client(srv)
	ctx := t.Context()
	name := &sagemaker.DescribeNotebookInstanceInput{NotebookInstanceName: aws.String("nb")}

	_, err := sm.UpdateNotebookInstance(ctx, &sagemaker.UpdateNotebookInstanceInput{NotebookInstanceName: aws.String("nb"), LifecycleConfigName: aws.String("x")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ValidationException" {
		t.Errorf("UpdateNotebookInstance on a running instance = %v, want ValidationException", err)
	}
	if _, err := sm.StopNotebookInstance(ctx, &sagemaker.StopNotebookInstanceInput{NotebookInstanceName: aws.String("nb")}); err != nil {
		t.Fatal(err)
	}
	var statuses []string
	for range 2 {
		out, err := sm.DescribeNotebookInstance(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		statuses = append(statuses, string(out.NotebookInstanceStatus))
	}
	if _, err := sm.StartNotebookInstance(ctx, &sagemaker.StartNotebookInstanceInput{NotebookInstanceName: aws.String("nb")}); err != nil {
		t.Fatal(err)
	}
	out, err := sm.DescribeNotebookInstance(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	statuses = append(statuses, string(out.NotebookInstanceStatus))
	if diff := cmp.Diff([]string{"Stopped", "Stopped", "InService"}, statuses); diff != "" {
		t.Errorf("statuses after stop, stop, start (-want +got):\n%s", diff)
	}
	if _, err := sm.DescribeNotebookInstance(ctx, &sagemaker.DescribeNotebookInstanceInput{NotebookInstanceName: aws.String("missing")}); !errors.As(err, &ae) {
		t.Errorf("DescribeNotebookInstance(missing) = %v, want an API error", err)
	}
}
