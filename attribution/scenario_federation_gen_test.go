package attribution_test

// Federated sessions in the scenario fixture: pods through IRSA and EKS Pod
// Identity, a GitHub Actions workflow, another OIDC provider, a SAML user,
// a chain from a pod into another account, and records with odd values
// that must leave their event attributed or unattributed with a reason,
// never the run failed.

const (
	eksOIDC     = "oidc.eks.us-east-1.amazonaws.com/id/5C1A2B3D4E5F60718293A4B5C6D7E8F9"
	eksProvider = "arn:aws:iam::111111111111:oidc-provider/" + eksOIDC
	ghProvider  = "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"
)

// webIdentityUser is the caller of an AssumeRoleWithWebIdentity.
func webIdentityUser(provider, subject string) ev {
	return ev{"type": "WebIdentityUser", "principalId": provider + ":sts.amazonaws.com:" + subject,
		"userName": subject, "identityProvider": provider}
}

// assumeRoleWithWebIdentity is STS's record of a token exchanged for a
// role's credentials.
func assumeRoleWithWebIdentity(id, t, provider, subject, roleARN, session, issued, expires string) ev {
	e := event(id, t, "us-east-1", acctA, "sts.amazonaws.com", "AssumeRoleWithWebIdentity", "54.90.10.20",
		webIdentityUser(provider, subject),
		ev{"roleArn": roleARN, "roleSessionName": session, "durationSeconds": 3600},
		ev{"credentials": ev{"accessKeyId": issued, "expiration": expires, "sessionToken": "HIDDEN"},
			"subjectFromWebIdentityToken": subject, "provider": provider, "audience": "sts.amazonaws.com",
			"assumedRoleUser": ev{"assumedRoleId": "AROAEXAMPLE:" + session, "arn": "arn:aws:sts::" + acctA + ":assumed-role/" + baseName(roleARN) + "/" + session}})
	e["userAgent"] = "aws-sdk-go-v2/1.30.0 os/linux lang/go#1.22"
	return e
}

// from sets the address a call came from.
func from(e ev, ip string) ev {
	e["sourceIPAddress"] = ip
	return e
}

func federationFiles() []fixtureFile {
	irsaRole := "arn:aws:iam::111111111111:role/eks-ml-trainer"
	lakeRole := "arn:aws:iam::222222222222:role/DataLakeReader"
	ghRole := "arn:aws:iam::111111111111:role/GitHubDeployRole"
	appRole := "arn:aws:iam::111111111111:role/MobileAppRole"
	podRole := "arn:aws:iam::111111111111:role/eks-serving-role"
	nodeRole := "arn:aws:iam::111111111111:role/eks-node-role"
	samlRole := "arn:aws:iam::111111111111:role/SAMLDataScientist"
	podSession := "eks-ml-prod-inference-0a1b2c3d-4e5f-6789-abcd-ef0123456789"

	irsa := assumed("aws", acctA, irsaRole, "botocore-session-1714568400", "ASIAIRSATRAINER00001", "2024-05-01T13:00:00Z")
	irsaChained := assumed("aws", acctB, lakeRole, "trainer", "ASIAIRSACHAIN0000001", "2024-05-01T13:10:00Z")
	gha := assumed("aws", acctA, ghRole, "GitHubActions", "ASIAGHADEPLOY0000001", "2024-05-01T13:20:00Z")
	app := assumed("aws", acctA, appRole, "app-session", "ASIACOGNITO000000001", "2024-05-01T13:25:00Z")
	node := assumed("aws", acctA, nodeRole, "i-0a1b2c3d4e5f60718", "ASIANODE000000000001", "2024-05-01T12:00:00Z")
	node["sessionContext"].(ev)["ec2RoleDelivery"] = "2.0"
	pod := assumed("aws", acctA, podRole, podSession, "ASIAPODID00000000001", "2024-05-01T13:30:00Z")
	erin := assumed("aws", acctA, samlRole, "erin", "ASIASAMLERIN00000001", "2024-05-01T13:40:00Z")

	podAgent := event("f-21-pod-identity-agent", "2024-05-01T13:30:01Z", "us-east-1", acctA, "eks-auth.amazonaws.com", "AssumeRoleForPodIdentity", "10.0.6.15", node,
		ev{"clusterName": "ml-prod", "token": "HIDDEN_DUE_TO_SECURITY_REASONS"},
		ev{"subject": ev{"namespace": "serving", "serviceAccount": "inference"}, "audience": "pods.eks.amazonaws.com",
			"podIdentityAssociation": ev{"associationArn": "arn:aws:eks:us-east-1:111111111111:podidentityassociation/ml-prod/a-abcdefgh12345678", "associationId": "a-abcdefgh12345678"},
			"assumedRoleUser":        ev{"assumeRoleId": "AROAEXAMPLE:" + podSession, "arn": "arn:aws:sts::111111111111:assumed-role/eks-serving-role/" + podSession},
			"credentials":            ev{"accessKeyId": "ASIAPODID00000000001", "sessionToken": "HIDDEN", "secretAccessKey": "HIDDEN", "expiration": "May 1, 2024, 7:30:00 PM"}})
	podAgent["userAgent"] = "aws-sdk-go-v2/1.24.0 os/linux lang/go#1.21 eks-pod-identity-agent"
	podSTS := assumeRole("f-20-pods-eks-assume-role", "2024-05-01T13:30:00Z", "us-east-1", acctA,
		ev{"type": "AWSService", "invokedBy": "pods.eks.amazonaws.com"}, podRole, podSession, "ASIAPODID00000000001", "May 1, 2024, 7:30:00 PM")
	podSTS["sourceIPAddress"], podSTS["userAgent"] = "pods.eks.amazonaws.com", "pods.eks.amazonaws.com"
	podSTS["requestParameters"].(ev)["tags"] = []ev{
		{"key": "eks-cluster-arn", "value": "arn:aws:eks:us-east-1:111111111111:cluster/ml-prod"},
		{"key": "eks-cluster-name", "value": "ml-prod"},
		{"key": "kubernetes-namespace", "value": "serving"},
		{"key": "kubernetes-service-account", "value": "inference"},
		{"key": "kubernetes-pod-name", "value": "inference-5d8f7b9c4-x2kq9"},
		{"key": "kubernetes-pod-uid", "value": "8f14e45f-ceea-467f-a0e6-7e2f9a1b3c4d"},
	}

	saml := event("f-30-saml-erin-assume", "2024-05-01T13:40:00Z", "us-east-1", acctA, "sts.amazonaws.com", "AssumeRoleWithSAML", "198.51.100.77",
		ev{"type": "SAMLUser", "principalId": "bdGOnTesti4+ExamplexL/jEvs=:erin@example.com", "userName": "erin@example.com", "identityProvider": "bdGOnTesti4+ExamplexL/jEvs="},
		ev{"sAMLAssertionID": "_c0046cEXAMPLEb9d4b8eEXAMPLE2619aEXAMPLE", "roleSessionName": "erin", "durationSeconds": 3600,
			"roleArn": samlRole, "principalArn": "arn:aws:iam::111111111111:saml-provider/Okta"},
		ev{"subjectType": "persistent", "issuer": "http://www.okta.com/exk1a2b3c4EXAMPLE", "subject": "erin@example.com",
			"nameQualifier": "bdGOnTesti4+ExamplexL/jEvs=", "audience": "https://signin.aws.amazon.com/saml",
			"credentials":     ev{"accessKeyId": "ASIASAMLERIN00000001", "sessionToken": "HIDDEN", "expiration": "May 1, 2024, 2:40:00 PM"},
			"assumedRoleUser": ev{"assumedRoleId": "AROAEXAMPLE:erin", "arn": "arn:aws:sts::111111111111:assumed-role/SAMLDataScientist/erin"}})

	fedA := []ev{
		// IRSA: a training pod's service account, and the role it assumes
		// in account B with those credentials.
		assumeRoleWithWebIdentity("f-01-irsa-trainer-assume", "2024-05-01T13:00:00Z", eksProvider, "system:serviceaccount:ml:trainer",
			irsaRole, "botocore-session-1714568400", "ASIAIRSATRAINER00001", "May 1, 2024, 2:00:00 PM"),
		event("f-02-irsa-trainer-get-object", "2024-05-01T13:05:00Z", "us-east-1", acctA, "s3.amazonaws.com", "GetObject", "54.90.10.20", irsa, ev{"bucketName": "ml-data"}, nil),
		from(assumeRole("f-03-irsa-trainer-assume-lake", "2024-05-01T13:10:00Z", "us-east-1", acctA, irsa, lakeRole, "trainer", "ASIAIRSACHAIN0000001", "2024-05-01T14:10:00Z"), "54.90.10.20"),
		// GitHub Actions deploying a model from its prod environment.
		assumeRoleWithWebIdentity("f-10-gha-assume", "2024-05-01T13:20:00Z", ghProvider, "repo:octo-org/model-deploy:environment:prod",
			ghRole, "GitHubActions", "ASIAGHADEPLOY0000001", "May 1, 2024, 2:20:00 PM"),
		event("f-11-gha-create-model", "2024-05-01T13:21:00Z", "us-east-1", acctA, "sagemaker.amazonaws.com", "CreateModel", "20.55.1.2", gha, ev{"modelName": "churn-v7"}, nil),
		// Another OIDC provider: the subject is all it says.
		assumeRoleWithWebIdentity("f-15-cognito-assume", "2024-05-01T13:25:00Z", "cognito-identity.amazonaws.com", "us-east-1:0c2b7e9e-1111-4a4b-9c3d-123456789012",
			appRole, "app-session", "ASIACOGNITO000000001", "May 1, 2024, 2:25:00 PM"),
		event("f-16-cognito-put-object", "2024-05-01T13:26:00Z", "us-east-1", acctA, "s3.amazonaws.com", "PutObject", "203.0.113.61", app, ev{"bucketName": "app-uploads"}, nil),
		// EKS Pod Identity: EKS assumes the role with the pod's tags, the
		// node's agent hands the credentials to the pod.
		podSTS, podAgent,
		event("f-22-pod-get-item", "2024-05-01T13:31:00Z", "us-east-1", acctA, "dynamodb.amazonaws.com", "GetItem", "10.0.6.15", pod, ev{"tableName": "features"}, nil),
		// SAML: the session is named "erin"; the assertion's subject says who.
		saml,
		event("f-31-saml-erin-list", "2024-05-01T13:41:00Z", "us-east-1", acctA, "sagemaker.amazonaws.com", "ListNotebookInstances", "198.51.100.77", erin, nil, nil),
	}
	// Odd values in one record: each event is attributed, or unattributed
	// with a reason, and the run goes on.
	ciBot := iamUser(acctA, "ci-bot", "AKIACIBOTEXAMPLE0001")
	oddCaller := assumed("aws", acctA, "arn:aws:iam::111111111111:role/BuildRole", "odd-caller", "ASIASHORT", "2024-05-01T14:00:00Z")
	noIssuer := assumed("aws", acctA, "arn:aws:iam::111111111111:role/BuildRole", "no-issuer", "ASIANOISSUER00000001", "2024-05-01T14:00:00Z")
	delete(noIssuer["sessionContext"].(ev), "sessionIssuer")
	wrongTypes := assumed("aws", acctA, "arn:aws:iam::111111111111:role/BuildRole", "wrong-types", "ASIAWRONGTYPES000001", "yesterday")
	wrongTypes["accessKeyId"] = 12345
	wrongTypes["sessionContext"].(ev)["sessionIssuer"] = "BuildRole"
	wrongAssume := assumeRole("f-47-wrong-json-types", "2024-05-01T14:07:00Z", "us-east-1", acctA, wrongTypes,
		"arn:aws:iam::111111111111:role/BuildRole", "x", "ASIAWRONG00000000001", "May 1, 2024, 3:07:00 PM")
	wrongAssume["requestParameters"] = "HIDDEN_DUE_TO_SECURITY_REASONS"
	wrongAssume["responseElements"] = ev{"credentials": []any{"ASIAWRONG00000000001"}}
	noSubject := assumeRoleWithWebIdentity("f-48-web-identity-no-subject", "2024-05-01T14:08:00Z", "", "",
		"arn:aws:iam::111111111111:role/MobileAppRole", "nobody", "ASIANOSUBJECT0000001", "May 1, 2024, 3:08:00 PM")
	noSubject["userIdentity"] = ev{"type": "WebIdentityUser"}
	delete(noSubject["responseElements"].(ev), "subjectFromWebIdentityToken")
	odd := []ev{
		assumeRole("f-40-odd-caller-key-assume", "2024-05-01T14:00:00Z", "us-east-1", acctA, oddCaller,
			"arn:aws:iam::111111111111:role/BuildRole", "build-2", "ASIAODDCALLER0000001", "May 1, 2024, 3:00:00 PM"),
		assumeRole("f-41-odd-expiration-assume", "2024-05-01T14:01:00Z", "us-east-1", acctA, ciBot,
			"arn:aws:iam::111111111111:role/BuildRole", "build-3", "ASIAODDEXPIRY0000001", "when the build ends"),
		event("f-42-odd-expiration-call", "2024-05-01T14:02:00Z", "us-east-1", acctA, "s3.amazonaws.com", "PutObject", "203.0.113.80",
			assumed("aws", acctA, "arn:aws:iam::111111111111:role/BuildRole", "build-3", "ASIAODDEXPIRY0000001", "2024-05-01T14:01:00Z"), nil, nil),
		event("f-43-no-session-issuer", "2024-05-01T14:03:00Z", "us-east-1", acctA, "s3.amazonaws.com", "GetObject", "203.0.113.80", noIssuer, nil, nil),
		func() ev {
			e := event("f-44-aws-service-event", "2024-05-01T14:04:00Z", "us-east-1", acctA, "sagemaker.amazonaws.com", "SageMakerInstanceRestarted", "sagemaker.amazonaws.com",
				ev{"accountId": acctA, "invokedBy": "sagemaker.amazonaws.com"}, nil, nil)
			e["eventType"], e["userAgent"] = "AwsServiceEvent", "sagemaker.amazonaws.com"
			return e
		}(),
		assumeRole("f-45-role-arn-without-path", "2024-05-01T14:05:00Z", "us-east-1", acctA, ciBot,
			"arn:aws:iam::111111111111:role", "build-4", "ASIANOPATH0000000001", "May 1, 2024, 3:05:00 PM"),
		assumeRole("f-46-role-arn-not-an-arn", "2024-05-01T14:06:00Z", "us-east-1", acctA, ciBot,
			"BuildRole", "build-5", "ASIANOTANARN00000001", "May 1, 2024, 3:06:00 PM"),
		wrongAssume,
		noSubject,
	}
	for _, e := range odd {
		// From the build host, which ci-bot calls from.
		if e["eventSource"] == "sts.amazonaws.com" {
			e["sourceIPAddress"] = "203.0.113.80"
		}
	}
	fedA = append(fedA, odd...)
	fedB := []ev{
		event("f-04-irsa-trainer-chained-in-b", "2024-05-01T13:12:00Z", "us-west-2", acctB, "s3.amazonaws.com", "ListObjectsV2", "54.90.10.20", irsaChained, ev{"bucketName": "lake"}, nil),
	}
	return []fixtureFile{
		{account: acctA, region: "us-east-1", day: "2024/05/01", stamp: "20240501T1345Z_fed11111", events: fedA, org: true},
		{account: acctB, region: "us-west-2", day: "2024/05/01", stamp: "20240501T1315Z_fed22222", events: fedB, org: true},
	}
}
