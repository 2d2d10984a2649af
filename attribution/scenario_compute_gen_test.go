package attribution_test

import "fmt"

// The compute part of the scenario: SageMaker compute other than notebook
// instances in account acctC, all calling under their execution roles'
// default SageMaker session. Each event's id says what it shows.

const acctC = "444455556666"

func computeRole(name string) string { return "arn:aws:iam::" + acctC + ":role/" + name }

// computeCall is a call under role's default SageMaker session.
func computeCall(id, t, region, role, key string) ev {
	e := event(id, t, region, acctC, "s3.amazonaws.com", "GetObject", "10.9.0.10",
		assumed("aws", acctC, computeRole(role), "SageMaker", key, t[:11]+"00:00:00Z"), ev{"bucketName": "ml-" + region}, nil)
	e["userAgent"] = "aws-sdk-java/1.12.0 Linux/5.10 OpenJDK_64-Bit_Server_VM/17"
	return e
}

func sagemakerCall(id, t, region, name string, req, resp ev) ev {
	return event(id, t, region, acctC, "sagemaker.amazonaws.com", name, "198.51.100.40",
		iamUser(acctC, "mlops", "AKIAMLOPSEXAMPLE0001"), req, resp)
}

func smARN(region, kind, name string) string {
	return fmt.Sprintf("arn:aws:sagemaker:%s:%s:%s/%s", region, acctC, kind, name)
}

func computeScenarioFiles() []fixtureFile {
	east := []ev{
		// Training and processing jobs on MLJobsRole: one alive, then
		// two at once, then none.
		sagemakerCall("c-01-create-training-job", "2024-05-02T10:00:00Z", "us-east-1", "CreateTrainingJob",
			ev{"trainingJobName": "churn-train", "roleArn": computeRole("MLJobsRole"),
				"stoppingCondition": ev{"maxRuntimeInSeconds": 3600}},
			ev{"trainingJobArn": smARN("us-east-1", "training-job", "churn-train")}),
		computeCall("c-02-training-job-call", "2024-05-02T10:30:00Z", "us-east-1", "MLJobsRole", "ASIATRAINDEFAULT0001"),
		// The job's default key assumes a role in account A: the chain
		// crosses accounts and regions.
		assumeRole("c-03-training-job-assumes-cross-account", "2024-05-02T10:40:00Z", "us-east-1", acctC,
			assumed("aws", acctC, computeRole("MLJobsRole"), "SageMaker", "ASIATRAINDEFAULT0001", "2024-05-02T10:00:00Z"),
			"arn:aws:iam::111111111111:role/CrossAccountReader", "churn-train-reader", "ASIACROSSREADER00001", "2024-05-02T11:40:00Z"),
		sagemakerCall("c-05-create-processing-job", "2024-05-02T12:00:00Z", "us-east-1", "CreateProcessingJob",
			ev{"processingJobName": "churn-prep", "roleArn": computeRole("MLJobsRole")},
			ev{"processingJobArn": smARN("us-east-1", "processing-job", "churn-prep")}),
		computeCall("c-06-processing-job-call", "2024-05-02T12:10:00Z", "us-east-1", "MLJobsRole", "ASIAPREPDEFAULT00001"),
		sagemakerCall("c-07-create-second-training-job", "2024-05-02T12:30:00Z", "us-east-1", "CreateTrainingJob",
			ev{"trainingJobName": "churn-train-2", "roleArn": computeRole("MLJobsRole"),
				"stoppingCondition": ev{"maxRuntimeInSeconds": 7200}},
			ev{"trainingJobArn": smARN("us-east-1", "training-job", "churn-train-2")}),
		computeCall("c-08-two-jobs-alive-call", "2024-05-02T12:50:00Z", "us-east-1", "MLJobsRole", "ASIATRAIN2DEFAULT001"),
		sagemakerCall("c-09-stop-processing-job", "2024-05-02T13:00:00Z", "us-east-1", "StopProcessingJob",
			ev{"processingJobName": "churn-prep"}, nil),
		computeCall("c-10-no-job-alive-call", "2024-05-02T15:30:00Z", "us-east-1", "MLJobsRole", "ASIALATEDEFAULT00001"),
		// A malformed request: the role is a number, the stopping
		// condition a string. The job has no role; the run goes on.
		sagemakerCall("c-11-create-training-job-malformed", "2024-05-02T16:00:00Z", "us-east-1", "CreateTrainingJob",
			ev{"trainingJobName": "odd-job", "roleArn": 12345, "stoppingCondition": "1h"}, nil),

		// An endpoint on EndpointRole, deleted and created again under
		// the same name with another config.
		sagemakerCall("c-20-create-model", "2024-05-02T09:00:00Z", "us-east-1", "CreateModel",
			ev{"modelName": "churn-model", "executionRoleArn": computeRole("EndpointRole")},
			ev{"modelArn": smARN("us-east-1", "model", "churn-model")}),
		sagemakerCall("c-21-create-endpoint-config", "2024-05-02T09:01:00Z", "us-east-1", "CreateEndpointConfig",
			ev{"endpointConfigName": "churn-cfg", "productionVariants": []ev{{"variantName": "AllTraffic", "modelName": "churn-model"}}},
			ev{"endpointConfigArn": smARN("us-east-1", "endpoint-config", "churn-cfg")}),
		sagemakerCall("c-22-create-endpoint", "2024-05-02T09:10:00Z", "us-east-1", "CreateEndpoint",
			ev{"endpointName": "churn-ep", "endpointConfigName": "churn-cfg"},
			ev{"endpointArn": smARN("us-east-1", "endpoint", "churn-ep")}),
		computeCall("c-23-endpoint-call", "2024-05-02T09:30:00Z", "us-east-1", "EndpointRole", "ASIAENDPOINTDEFAULT1"),
		sagemakerCall("c-24-delete-endpoint", "2024-05-02T10:00:00Z", "us-east-1", "DeleteEndpoint", ev{"endpointName": "churn-ep"}, nil),
		computeCall("c-25-endpoint-deleted-call", "2024-05-02T10:30:00Z", "us-east-1", "EndpointRole", "ASIAENDPOINTDEFAULT2"),
		sagemakerCall("c-26-create-model-2", "2024-05-02T10:50:00Z", "us-east-1", "CreateModel",
			ev{"modelName": "churn-model-2", "executionRoleArn": computeRole("EndpointRole")},
			ev{"modelArn": smARN("us-east-1", "model", "churn-model-2")}),
		sagemakerCall("c-27-create-endpoint-config-2", "2024-05-02T10:51:00Z", "us-east-1", "CreateEndpointConfig",
			ev{"endpointConfigName": "churn-cfg-2", "productionVariants": []ev{{"variantName": "AllTraffic", "modelName": "churn-model-2"}}},
			ev{"endpointConfigArn": smARN("us-east-1", "endpoint-config", "churn-cfg-2")}),
		sagemakerCall("c-28-recreate-endpoint", "2024-05-02T11:00:00Z", "us-east-1", "CreateEndpoint",
			ev{"endpointName": "churn-ep", "endpointConfigName": "churn-cfg-2"},
			ev{"endpointArn": smARN("us-east-1", "endpoint", "churn-ep")}),
		computeCall("c-29-recreated-endpoint-call", "2024-05-02T11:30:00Z", "us-east-1", "EndpointRole", "ASIAENDPOINTDEFAULT3"),

		// A transform job runs as its model's role.
		sagemakerCall("c-30-create-batch-model", "2024-05-02T08:00:00Z", "us-east-1", "CreateModel",
			ev{"modelName": "scorer", "executionRoleArn": computeRole("BatchRole")}, ev{"modelArn": smARN("us-east-1", "model", "scorer")}),
		sagemakerCall("c-31-create-transform-job", "2024-05-02T08:05:00Z", "us-east-1", "CreateTransformJob",
			ev{"transformJobName": "nightly-score", "modelName": "scorer"},
			ev{"transformJobArn": smARN("us-east-1", "transform-job", "nightly-score")}),
		computeCall("c-32-transform-job-call", "2024-05-02T08:20:00Z", "us-east-1", "BatchRole", "ASIABATCHDEFAULT0001"),

		// Studio: a domain's default execution role, and a user profile
		// with a role of its own. Their apps call without sourceIdentity.
		sagemakerCall("c-40-create-domain", "2024-05-02T07:00:00Z", "us-east-1", "CreateDomain",
			ev{"domainName": "research", "defaultUserSettings": ev{"executionRole": computeRole("StudioDefaultRole")}},
			ev{"domainArn": smARN("us-east-1", "domain", "d-research0001"), "url": "https://d-research0001.studio.us-east-1.sagemaker.aws"}),
		sagemakerCall("c-41-create-user-profile", "2024-05-02T07:05:00Z", "us-east-1", "CreateUserProfile",
			ev{"domainId": "d-research0001", "userProfileName": "erin", "userSettings": ev{"executionRole": computeRole("ErinStudioRole")}},
			ev{"userProfileArn": smARN("us-east-1", "user-profile", "d-research0001/erin")}),
		computeCall("c-42-studio-domain-call", "2024-05-02T07:30:00Z", "us-east-1", "StudioDefaultRole", "ASIASTUDIODEFAULT001"),
		computeCall("c-43-studio-user-profile-call", "2024-05-02T07:31:00Z", "us-east-1", "ErinStudioRole", "ASIASTUDIOERIN000001"),
	}
	// The chained session in account A, in another region.
	chained := []ev{
		event("c-04-cross-account-chained-call", "2024-05-02T10:45:00Z", "us-west-1", acctA, "s3.amazonaws.com", "ListObjectsV2", "10.9.0.10",
			assumed("aws", acctA, "arn:aws:iam::111111111111:role/CrossAccountReader", "churn-train-reader", "ASIACROSSREADER00001", "2024-05-02T10:40:00Z"),
			ev{"bucketName": "shared-data"}, nil),
	}
	clusterARN := smARN("us-west-2", "cluster", "a1b2c3d4e5f6")
	west := []ev{
		// A HyperPod cluster: its controller group on ClusterRole, its
		// workers on WorkerRole, scaled down to none and up again, and a
		// GPU group on GpuRole added and removed.
		sagemakerCall("c-50-create-cluster", "2024-05-02T08:00:00Z", "us-west-2", "CreateCluster",
			ev{"clusterName": "ml-cluster", "instanceGroups": []ev{
				{"instanceGroupName": "controller", "instanceCount": 1, "instanceType": "ml.m5.xlarge", "executionRole": computeRole("ClusterRole")},
				{"instanceGroupName": "workers", "instanceCount": 4, "instanceType": "ml.p4d.24xlarge", "executionRole": computeRole("WorkerRole")},
			}},
			ev{"clusterArn": clusterARN}),
		computeCall("c-51-cluster-worker-call", "2024-05-02T08:30:00Z", "us-west-2", "WorkerRole", "ASIAWORKERDEFAULT001"),
		computeCall("c-52-cluster-controller-call", "2024-05-02T08:40:00Z", "us-west-2", "ClusterRole", "ASIACONTROLDEFAULT01"),
		sagemakerCall("c-53-scale-workers-to-zero", "2024-05-02T09:00:00Z", "us-west-2", "UpdateCluster",
			ev{"clusterName": clusterARN, "instanceGroups": []ev{
				{"instanceGroupName": "workers", "instanceCount": 0, "executionRole": computeRole("WorkerRole")}}},
			ev{"clusterArn": clusterARN}),
		computeCall("c-54-no-workers-call", "2024-05-02T09:30:00Z", "us-west-2", "WorkerRole", "ASIAWORKERDEFAULT002"),
		sagemakerCall("c-55-scale-up-add-gpu", "2024-05-02T10:00:00Z", "us-west-2", "UpdateCluster",
			ev{"clusterName": "ml-cluster", "instanceGroups": []ev{
				{"instanceGroupName": "workers", "instanceCount": 2, "executionRole": computeRole("WorkerRole")},
				{"instanceGroupName": "gpu", "instanceCount": 1, "executionRole": computeRole("GpuRole")}}},
			ev{"clusterArn": clusterARN}),
		computeCall("c-56-workers-again-call", "2024-05-02T10:30:00Z", "us-west-2", "WorkerRole", "ASIAWORKERDEFAULT003"),
		computeCall("c-57-gpu-group-call", "2024-05-02T10:31:00Z", "us-west-2", "GpuRole", "ASIAGPUDEFAULT000001"),
		sagemakerCall("c-58-delete-gpu-group", "2024-05-02T11:00:00Z", "us-west-2", "UpdateCluster",
			ev{"clusterName": "ml-cluster", "instanceGroups": []ev{
				{"instanceGroupName": "workers", "instanceCount": 2, "executionRole": computeRole("WorkerRole")}},
				"instanceGroupsToDelete": []string{"gpu"}},
			ev{"clusterArn": clusterARN}),
		computeCall("c-59-gpu-group-gone-call", "2024-05-02T11:30:00Z", "us-west-2", "GpuRole", "ASIAGPUDEFAULT000002"),
		sagemakerCall("c-60-delete-cluster", "2024-05-02T12:00:00Z", "us-west-2", "DeleteCluster", ev{"clusterName": "ml-cluster"}, nil),
		computeCall("c-61-cluster-deleted-call", "2024-05-02T12:30:00Z", "us-west-2", "ClusterRole", "ASIACONTROLDEFAULT02"),
		// Instance groups that are no list: nothing to read, no failure.
		sagemakerCall("c-62-create-cluster-malformed", "2024-05-02T13:00:00Z", "us-west-2", "CreateCluster",
			ev{"clusterName": "odd-cluster", "instanceGroups": ev{"instanceGroupName": "x"}}, nil),
	}
	return []fixtureFile{
		{account: acctC, region: "us-east-1", day: "2024/05/02", stamp: "20240502T1600Z_cccc1111", events: east, org: true},
		{account: acctC, region: "us-west-2", day: "2024/05/02", stamp: "20240502T1300Z_cccc2222", events: west, org: true},
		{account: acctA, region: "us-west-1", day: "2024/05/02", stamp: "20240502T1100Z_aaaa4444", events: chained, org: true},
	}
}
