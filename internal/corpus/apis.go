package corpus

import (
	"fmt"
	"strconv"
)

// User agents. Versions vary per actor (derived from its hash) the way a
// fleet of machines runs a spread of SDK versions.
const (
	cliUA     = "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#5.10.213-201.855.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#amzn.2 md/prompt#off md/command#sagemaker.describe-notebook-instance"
	browserUA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
)

func notebookUA(h uint64) string {
	v := 100 + h%60
	return fmt.Sprintf("Boto3/1.34.%d md/Botocore#1.34.%d ua/2.0 os/linux#4.14.%d-%d.%d.amzn2.x86_64 md/arch#x86_64 lang/python#3.10.%d md/pyimpl#CPython exec-env/AWS_SageMaker_Notebook cfg/retry-mode#legacy Botocore/1.34.%d",
		v, v, 300+(h>>8)%50, 200+(h>>16)%40, 500+(h>>20)%50, 8+(h>>24)%7, v)
}

func userAgent(kind actorKind, name string, h uint64) string {
	switch kind {
	case kindNotebook, kindStudioChain:
		return notebookUA(h)
	case kindStudio:
		v := 100 + h%60
		return fmt.Sprintf("Boto3/1.34.%d md/Botocore#1.34.%d ua/2.0 os/linux#5.10.%d-%d.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.%d md/pyimpl#CPython exec-env/AWS_SageMaker_Studio cfg/retry-mode#standard Botocore/1.34.%d AWS-SageMaker-Python-SDK/2.%d.0",
			v, v, 200+(h>>8)%30, 190+(h>>16)%20, 4+(h>>24)%6, v, 200+(h>>32)%30)
	case kindLambda:
		v := 120 + h%30
		return fmt.Sprintf("Boto3/1.34.%d md/Botocore#1.34.%d ua/2.0 os/linux#5.10.%d-%d.866.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.%d md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.%d",
			v, v, 220+(h>>8)%10, 230+(h>>16)%10, 2+(h>>24)%4, v)
	case kindECS:
		return fmt.Sprintf("aws-sdk-go-v2/1.30.%d ua/2.0 os/linux lang/go#1.22.%d md/GOOS#linux md/GOARCH#amd64 exec-env/AWS_ECS_FARGATE", 1+h%5, 2+(h>>8)%5)
	case kindEC2:
		return fmt.Sprintf("aws-cli/2.15.%d md/awscrt#0.19.19 ua/2.0 os/linux#6.1.%d-%d.%d.amzn2023.x86_64 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#amzn.2023 md/prompt#off md/command#s3.cp",
			20+h%20, 80+(h>>8)%30, 100+(h>>16)%30, 100+(h>>24)%100)
	case kindSSO, kindRoot:
		return browserUA
	case kindIAMUser:
		if name == "deploy-bot" {
			return "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 terraform-provider-aws/5.45.0 ua/2.0 aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64"
		}
		return cliUA
	case kindBotocore:
		return "Boto3/1.28.57 md/Botocore#1.31.57 ua/2.0 os/macos#23.1.0 md/arch#arm64 lang/python#3.11.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.31.57"
	case kindCollision:
		return "aws-sdk-java/2.25.16 Linux/5.10.213-201.855.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/standard"
	}
	return cliUA
}

type apiFunc func(g *gen)

// mix is a weighted choice of calls.
type mix struct {
	apis  []apiFunc
	cum   []int
	total int
}

func newMix(pairs ...any) mix {
	var m mix
	for i := 0; i < len(pairs); i += 2 {
		m.apis = append(m.apis, pairs[i].(func(*gen)))
		m.total += pairs[i+1].(int)
		m.cum = append(m.cum, m.total)
	}
	return m
}

var mixes [kindCount]mix

func init() {
	notebook := newMix(
		s3GetObject, 25, s3PutObject, 10, s3ListObjects, 8, s3HeadObject, 4,
		smCreateTrainingJob, 3, smDescribeTrainingJob, 6, smListTrainingJobs, 3,
		smCreateModel, 1, smCreateEndpointConfig, 1, smCreateEndpoint, 1,
		smDescribeEndpoint, 5, smInvokeEndpoint, 6,
		logsCreateLogStream, 2, logsDescribeLogStreams, 3, logsGetLogEvents, 3,
		ecrGetAuthorizationToken, 2, ecrBatchGetImage, 1,
		stsGetCallerIdentity, 6, kmsDecrypt, 4, kmsGenerateDataKey, 2,
		secretsGetSecretValue, 1,
	)
	mixes[kindNotebook] = notebook
	mixes[kindStudio] = notebook
	mixes[kindStudioChain] = newMix(s3GetObject, 5, s3PutObject, 5, s3ListObjects, 3, stsGetCallerIdentity, 2, kmsDecrypt, 2)
	mixes[kindEC2] = newMix(ssmUpdateInstanceInformation, 10, s3GetObject, 8, s3PutObject, 4, ec2DescribeInstances, 2, logsCreateLogStream, 1, kmsDecrypt, 2, stsGetCallerIdentity, 1)
	mixes[kindLambda] = newMix(s3GetObject, 6, s3PutObject, 6, secretsGetSecretValue, 3, kmsDecrypt, 3, stsGetCallerIdentity, 1)
	mixes[kindECS] = newMix(ecrGetAuthorizationToken, 2, ecrBatchGetImage, 2, s3GetObject, 6, s3PutObject, 3, secretsGetSecretValue, 2, stsGetCallerIdentity, 1)
	mixes[kindSSO] = newMix(smListNotebookInstances, 5, smDescribeNotebookInstanceRO, 4, ec2DescribeInstances, 3, iamListRoles, 2, s3ListBuckets, 2, ctLookupEvents, 2)
	mixes[kindIAMUser] = newMix(iamGetRole, 5, smListNotebookInstances, 2, smDescribeNotebookInstanceRO, 3, lambdaGetFunction, 3, s3PutObject, 2, stsGetCallerIdentity, 2)
	mixes[kindRoot] = newMix(iamGetAccountSummary, 3, iamListAccountAliases, 2, s3ListBuckets, 1)
	mixes[kindService] = newMix(s3GetBucketACL, 6, kmsDecrypt, 2)
	mixes[kindBotocore] = newMix(s3ListBuckets, 3, stsGetCallerIdentity, 3, smListNotebookInstances, 2, iamListRoles, 1)
	mixes[kindCollision] = newMix(s3GetObject, 6, s3PutObject, 4, stsGetCallerIdentity, 1)
}

// denied are the refused calls, one per AWS message form.
var denied = []apiFunc{deniedPresignedURL, deniedSCP, deniedBoundary, deniedRunInstances, deniedS3}

func (g *gen) svc(source, name, host string, readOnly bool) {
	e := &g.e
	e.source, e.name, e.readOnly = source, name, readOnly
	e.tlsHost = hostFor(host, g.s.region)
	if g.r.IntN(2) == 0 {
		e.version = "1.09"
	}
}

func (g *gen) arn(service, resource string) string {
	a := g.s.acct
	return "arn:" + a.partition + ":" + service + ":" + g.s.region + ":" + a.id + ":" + resource
}

var (
	datasets  = []string{"datasets/churn/2026/part-%05d.parquet", "datasets/forecast/daily/%05d.csv", "features/v3/shard-%05d.parquet", "models/forecast/v%d/model.tar.gz", "notebooks/outputs/run-%05d.json", "raw/events/batch-%05d.json.gz"}
	buckets   = []string{"sagemaker-%s-%s", "ds-team-data-%[2]s", "ml-artifacts-%[2]s"}
	endpoints = []string{"forecast-endpoint", "churn-model-prod", "embeddings-v2", "fraud-score-staging"}
)

func (g *gen) bucket() string {
	return fmt.Sprintf(buckets[g.r.IntN(len(buckets))], g.s.region, g.s.acct.id)
}

func (g *gen) objectKey() string {
	return fmt.Sprintf(datasets[g.r.IntN(len(datasets))], g.r.IntN(400))
}

// s3Object writes a data event on one object.
func (g *gen) s3Object(name string, readOnly bool, in, out int64) {
	e := &g.e
	e.source, e.name, e.readOnly, e.data, e.s3ReqID = "s3.amazonaws.com", name, readOnly, true, true
	e.version = "1.09"
	b, k := g.bucket(), g.objectKey()
	host := b + ".s3." + g.s.region + ".amazonaws.com"
	e.tlsHost = host
	if len(e.ua) > 0 && e.ua[0] != '[' && e.id.typ != "AWSService" {
		e.ua = "[" + e.ua + "]"
	}
	q := &e.req
	q.obj()
	q.kstr("bucketName", b)
	q.kstr("Host", host)
	q.kstr("key", k)
	q.end()
	g.s3Extra(in, out)
	part := g.s.acct.partition
	s := &e.res
	s.arr()
	s.obj()
	s.kstr("type", "AWS::S3::Object")
	s.kstr("ARN", "arn:"+part+":s3:::"+b+"/"+k)
	s.end()
	s.obj()
	s.kstr("accountId", g.s.acct.id)
	s.kstr("type", "AWS::S3::Bucket")
	s.kstr("ARN", "arn:"+part+":s3:::"+b)
	s.end()
	s.endArr()
	if g.r.IntN(8) == 0 {
		e.vpce = fmt.Sprintf("vpce-0%016x", hash2(strHash(g.s.acct.id), strHash(g.s.region)))
	}
}

func (g *gen) s3Extra(in, out int64) {
	a := &g.e.addl
	a.obj()
	a.kstr("SignatureVersion", "SigV4")
	a.kstr("CipherSuite", "TLS_AES_128_GCM_SHA256")
	a.kint("bytesTransferredIn", in)
	a.kstr("AuthenticationMethod", "AuthHeader")
	g.tmp = appendRand(g.tmp[:0], 76, base64Chars, g.r)
	a.kstr("x-amz-id-2", string(g.tmp))
	a.kint("bytesTransferredOut", out)
	a.end()
}

func s3GetObject(g *gen)  { g.s3Object("GetObject", true, 0, 1000+g.r.Int64N(50_000_000)) }
func s3HeadObject(g *gen) { g.s3Object("HeadObject", true, 0, 0) }
func s3PutObject(g *gen) {
	g.s3Object("PutObject", false, 1000+g.r.Int64N(20_000_000), 0)
	p := &g.e.resp
	p.obj()
	p.kstr("x-amz-server-side-encryption", "AES256")
	p.end()
}

func s3ListObjects(g *gen) {
	e := &g.e
	// CloudTrail records ListObjectsV2 as ListObjects with list-type 2.
	e.source, e.name, e.readOnly, e.data, e.s3ReqID = "s3.amazonaws.com", "ListObjects", true, true, true
	e.version = "1.09"
	b := g.bucket()
	host := b + ".s3." + g.s.region + ".amazonaws.com"
	e.tlsHost = host
	if len(e.ua) > 0 && e.ua[0] != '[' {
		e.ua = "[" + e.ua + "]"
	}
	q := &e.req
	q.obj()
	q.kstr("list-type", "2")
	q.kstr("bucketName", b)
	q.kstr("encoding-type", "url")
	q.kstr("prefix", "datasets/")
	q.kstr("Host", host)
	q.end()
	g.s3Extra(0, 200+g.r.Int64N(20000))
	s := &e.res
	s.arr()
	s.obj()
	s.kstr("accountId", g.s.acct.id)
	s.kstr("type", "AWS::S3::Bucket")
	s.kstr("ARN", "arn:"+g.s.acct.partition+":s3:::"+b)
	s.end()
	s.endArr()
}

func s3ListBuckets(g *gen) {
	e := &g.e
	e.source, e.name, e.readOnly, e.s3ReqID = "s3.amazonaws.com", "ListBuckets", true, true
	e.tlsHost = "s3." + g.s.region + ".amazonaws.com"
	q := &e.req
	q.obj()
	q.kstr("Host", e.tlsHost)
	q.end()
	g.s3Extra(0, 5000)
}

func s3GetBucketACL(g *gen) {
	e := &g.e
	e.source, e.name, e.readOnly, e.s3ReqID = "s3.amazonaws.com", "GetBucketAcl", true, true
	q := &e.req
	q.obj()
	q.kstr("bucketName", g.s.acct.bucket)
	q.kstr("Host", g.s.acct.bucket+".s3.amazonaws.com")
	q.kstr("acl", "")
	q.end()
	g.s3Extra(0, 580)
	s := &e.res
	s.arr()
	s.obj()
	s.kstr("accountId", g.s.acct.id)
	s.kstr("type", "AWS::S3::Bucket")
	s.kstr("ARN", "arn:"+g.s.acct.partition+":s3:::"+g.s.acct.bucket)
	s.end()
	s.endArr()
}

func (g *gen) jobName(prefix string) string {
	t := fmtTime(g.e.t)
	return prefix + "-" + t[:10] + "-" + t[11:13] + "-" + t[14:16] + "-" + t[17:19] + "-" + strconv.Itoa(100+g.r.IntN(900))
}

func smCreateTrainingJob(g *gen) {
	g.svc("sagemaker.amazonaws.com", "CreateTrainingJob", "api.sagemaker", false)
	e := &g.e
	name := g.jobName("xgboost")
	image := "683313688378.dkr.ecr." + g.s.region + ".amazonaws.com/sagemaker-xgboost:1.7-1"
	q := &e.req
	q.obj()
	q.kstr("trainingJobName", name)
	q.kobj("hyperParameters")
	q.kstr("max_depth", strconv.Itoa(3+g.r.IntN(8)))
	q.kstr("eta", "0.2")
	q.kstr("objective", "binary:logistic")
	q.kstr("num_round", strconv.Itoa(50+g.r.IntN(200)))
	q.end()
	q.kobj("algorithmSpecification")
	q.kstr("trainingImage", image)
	q.kstr("trainingInputMode", "File")
	q.kbool("enableSageMakerMetricsTimeSeries", false)
	q.end()
	q.kstr("roleArn", g.s.acct.roleARN(g.s.acct.smRole))
	q.karr("inputDataConfig")
	q.obj()
	q.kstr("channelName", "train")
	q.kobj("dataSource")
	q.kobj("s3DataSource")
	q.kstr("s3DataType", "S3Prefix")
	q.kstr("s3Uri", "s3://"+g.bucket()+"/datasets/churn/train/")
	q.kstr("s3DataDistributionType", "FullyReplicated")
	q.end()
	q.end()
	q.kstr("contentType", "text/csv")
	q.end()
	q.endArr()
	q.kobj("outputDataConfig")
	q.kstr("s3OutputPath", "s3://"+g.bucket()+"/models/")
	q.end()
	q.kobj("resourceConfig")
	q.kstr("instanceType", "ml.m5.xlarge")
	q.kint("instanceCount", 1)
	q.kint("volumeSizeInGB", 30)
	q.end()
	q.kobj("stoppingCondition")
	q.kint("maxRuntimeInSeconds", 86400)
	q.end()
	q.end()
	p := &e.resp
	p.obj()
	p.kstr("trainingJobArn", g.arn("sagemaker", "training-job/"+name))
	p.end()
}

func smDescribeTrainingJob(g *gen) {
	g.svc("sagemaker.amazonaws.com", "DescribeTrainingJob", "api.sagemaker", true)
	q := &g.e.req
	q.obj()
	q.kstr("trainingJobName", g.jobName("xgboost"))
	q.end()
}

func smListTrainingJobs(g *gen) {
	g.svc("sagemaker.amazonaws.com", "ListTrainingJobs", "api.sagemaker", true)
	q := &g.e.req
	q.obj()
	q.kint("maxResults", 10)
	q.kstr("sortBy", "CreationTime")
	q.kstr("sortOrder", "Descending")
	q.end()
}

func smCreateModel(g *gen) {
	g.svc("sagemaker.amazonaws.com", "CreateModel", "api.sagemaker", false)
	name := g.jobName("churn-model")
	q := &g.e.req
	q.obj()
	q.kstr("modelName", name)
	q.kobj("primaryContainer")
	q.kstr("image", "683313688378.dkr.ecr."+g.s.region+".amazonaws.com/sagemaker-xgboost:1.7-1")
	q.kstr("modelDataUrl", "s3://"+g.bucket()+"/models/"+name+"/output/model.tar.gz")
	q.end()
	q.kstr("executionRoleArn", g.s.acct.roleARN(g.s.acct.smRole))
	q.end()
	p := &g.e.resp
	p.obj()
	p.kstr("modelArn", g.arn("sagemaker", "model/"+name))
	p.end()
}

func smCreateEndpointConfig(g *gen) {
	g.svc("sagemaker.amazonaws.com", "CreateEndpointConfig", "api.sagemaker", false)
	name := g.jobName("churn-config")
	q := &g.e.req
	q.obj()
	q.kstr("endpointConfigName", name)
	q.karr("productionVariants")
	q.obj()
	q.kstr("variantName", "AllTraffic")
	q.kstr("modelName", g.jobName("churn-model"))
	q.kint("initialInstanceCount", 1)
	q.kstr("instanceType", "ml.m5.large")
	q.end()
	q.endArr()
	q.end()
	p := &g.e.resp
	p.obj()
	p.kstr("endpointConfigArn", g.arn("sagemaker", "endpoint-config/"+name))
	p.end()
}

func smCreateEndpoint(g *gen) {
	g.svc("sagemaker.amazonaws.com", "CreateEndpoint", "api.sagemaker", false)
	name := endpoints[g.r.IntN(len(endpoints))]
	q := &g.e.req
	q.obj()
	q.kstr("endpointName", name)
	q.kstr("endpointConfigName", g.jobName("churn-config"))
	q.end()
	p := &g.e.resp
	p.obj()
	p.kstr("endpointArn", g.arn("sagemaker", "endpoint/"+name))
	p.end()
}

func smDescribeEndpoint(g *gen) {
	g.svc("sagemaker.amazonaws.com", "DescribeEndpoint", "api.sagemaker", true)
	q := &g.e.req
	q.obj()
	q.kstr("endpointName", endpoints[g.r.IntN(len(endpoints))])
	q.end()
}

func smInvokeEndpoint(g *gen) {
	g.svc("sagemaker.amazonaws.com", "InvokeEndpoint", "runtime.sagemaker", false)
	e := &g.e
	e.data = true
	name := endpoints[g.r.IntN(len(endpoints))]
	q := &e.req
	q.obj()
	q.kstr("endpointName", name)
	q.kstr("contentType", "application/json")
	q.kstr("accept", "application/json")
	q.end()
	s := &e.res
	s.arr()
	s.obj()
	s.kstr("accountId", g.s.acct.id)
	s.kstr("type", "AWS::SageMaker::Endpoint")
	s.kstr("ARN", g.arn("sagemaker", "endpoint/"+name))
	s.end()
	s.endArr()
}

func smListNotebookInstances(g *gen) {
	g.svc("sagemaker.amazonaws.com", "ListNotebookInstances", "api.sagemaker", true)
	q := &g.e.req
	q.obj()
	q.kint("maxResults", 100)
	q.end()
}

func smDescribeNotebookInstanceRO(g *gen) {
	g.svc("sagemaker.amazonaws.com", "DescribeNotebookInstance", "api.sagemaker", true)
	name := "unknown"
	for _, a := range g.s.actors {
		if a.kind == kindNotebook {
			name = a.name
			if g.r.IntN(2) == 0 {
				break
			}
		}
	}
	q := &g.e.req
	q.obj()
	q.kstr("notebookInstanceName", name)
	q.end()
}

// logsGroup is the log group SageMaker training jobs write to.
const logsGroup = "/aws/sagemaker/TrainingJobs"

func logsCreateLogStream(g *gen) {
	g.svc("logs.amazonaws.com", "CreateLogStream", "logs", false)
	q := &g.e.req
	q.obj()
	q.kstr("logGroupName", logsGroup)
	q.kstr("logStreamName", g.jobName("xgboost")+"/algo-1-"+strconv.Itoa(1700000000+g.r.IntN(1e8)))
	q.end()
}

func logsDescribeLogStreams(g *gen) {
	g.svc("logs.amazonaws.com", "DescribeLogStreams", "logs", true)
	q := &g.e.req
	q.obj()
	q.kstr("logGroupName", logsGroup)
	q.kstr("logStreamNamePrefix", g.jobName("xgboost"))
	q.kbool("descending", false)
	q.end()
}

func logsGetLogEvents(g *gen) {
	g.svc("logs.amazonaws.com", "GetLogEvents", "logs", true)
	q := &g.e.req
	q.obj()
	q.kstr("logGroupName", logsGroup)
	q.kstr("logStreamName", g.jobName("xgboost")+"/algo-1-"+strconv.Itoa(1700000000+g.r.IntN(1e8)))
	q.kbool("startFromHead", true)
	q.end()
}

func ecrGetAuthorizationToken(g *gen) {
	g.svc("ecr.amazonaws.com", "GetAuthorizationToken", "api.ecr", true)
	q := &g.e.req
	q.obj()
	q.karr("registryIds")
	q.str(g.s.acct.id)
	q.endArr()
	q.end()
}

func ecrBatchGetImage(g *gen) {
	g.svc("ecr.amazonaws.com", "BatchGetImage", "api.ecr", true)
	q := &g.e.req
	q.obj()
	q.kstr("registryId", g.s.acct.id)
	q.kstr("repositoryName", "ml/inference")
	q.karr("imageIds")
	q.obj()
	q.kstr("imageTag", "v1."+strconv.Itoa(g.r.IntN(40)))
	q.end()
	q.endArr()
	q.karr("acceptedMediaTypes")
	q.str("application/vnd.docker.distribution.manifest.v2+json")
	q.str("application/vnd.oci.image.manifest.v1+json")
	q.endArr()
	q.end()
	s := &g.e.res
	s.arr()
	s.obj()
	s.kstr("accountId", g.s.acct.id)
	s.kstr("ARN", g.arn("ecr", "repository/ml/inference"))
	s.end()
	s.endArr()
}

func stsGetCallerIdentity(g *gen) {
	g.svc("sts.amazonaws.com", "GetCallerIdentity", "sts", true)
}

func (g *gen) kmsKey() string {
	return g.arn("kms", fmt.Sprintf("key/%08x-%04x-4%03x-8%03x-%012x", g.s.acct.smRole.id[5], 0x1a2b, 0xc3d, 0xe4f, strHash(g.s.acct.id)&(1<<48-1)))
}

func kmsDecrypt(g *gen) {
	g.svc("kms.amazonaws.com", "Decrypt", "kms", true)
	e := &g.e
	if e.id.typ == "AssumedRole" && g.r.IntN(2) == 0 {
		// SSE-KMS reads: S3 decrypts on the caller's behalf.
		e.id.invokedBy = "s3.amazonaws.com"
		e.ip, e.ua, e.noTLS = "s3.amazonaws.com", "s3.amazonaws.com", true
	}
	key := g.kmsKey()
	q := &e.req
	q.obj()
	q.kobj("encryptionContext")
	q.kstr("aws:s3:arn", "arn:"+g.s.acct.partition+":s3:::"+g.bucket()+"/"+g.objectKey())
	q.end()
	q.kstr("encryptionAlgorithm", "SYMMETRIC_DEFAULT")
	q.end()
	s := &e.res
	s.arr()
	s.obj()
	s.kstr("accountId", g.s.acct.id)
	s.kstr("type", "AWS::KMS::Key")
	s.kstr("ARN", key)
	s.end()
	s.endArr()
}

func kmsGenerateDataKey(g *gen) {
	g.svc("kms.amazonaws.com", "GenerateDataKey", "kms", true)
	key := g.kmsKey()
	q := &g.e.req
	q.obj()
	q.kstr("keyId", key)
	q.kstr("keySpec", "AES_256")
	q.end()
	s := &g.e.res
	s.arr()
	s.obj()
	s.kstr("accountId", g.s.acct.id)
	s.kstr("type", "AWS::KMS::Key")
	s.kstr("ARN", key)
	s.end()
	s.endArr()
}

func secretsGetSecretValue(g *gen) {
	g.svc("secretsmanager.amazonaws.com", "GetSecretValue", "secretsmanager", true)
	q := &g.e.req
	q.obj()
	q.kstr("secretId", g.arn("secretsmanager", "secret:prod/warehouse/readonly-Ab12Cd"))
	q.end()
}

func ssmUpdateInstanceInformation(g *gen) {
	g.svc("ssm.amazonaws.com", "UpdateInstanceInformation", "ssm", false)
	e := &g.e
	e.ua = "aws-sdk-go/1.44.260 (go1.21.9; linux; amd64) amazon-ssm-agent/3.3.40.0"
	q := &e.req
	q.obj()
	q.kstr("instanceId", e.actor)
	q.kstr("agentVersion", "3.3.40.0")
	q.kstr("agentStatus", "Active")
	q.kstr("platformType", "Linux")
	q.kstr("platformName", "Amazon Linux")
	q.kstr("platformVersion", "2023")
	q.kstr("iPAddress", "10.0."+strconv.Itoa(g.r.IntN(255))+"."+strconv.Itoa(1+g.r.IntN(254)))
	q.kstr("computerName", "ip-10-0-1-17.ec2.internal")
	q.kstr("agentName", "amazon-ssm-agent")
	q.kstr("availabilityZone", g.s.region+"a")
	q.end()
}

func ec2DescribeInstances(g *gen) {
	g.svc("ec2.amazonaws.com", "DescribeInstances", "ec2", true)
	q := &g.e.req
	q.obj()
	q.kobj("instancesSet")
	q.end()
	q.kobj("filterSet")
	q.end()
	q.end()
}

func iamGetRole(g *gen) {
	g.svc("iam.amazonaws.com", "GetRole", "iam", true)
	g.e.tlsHost = "iam.amazonaws.com"
	q := &g.e.req
	q.obj()
	q.kstr("roleName", g.s.acct.smRole.name)
	q.end()
}

func iamListRoles(g *gen) {
	g.svc("iam.amazonaws.com", "ListRoles", "iam", true)
	g.e.tlsHost = "iam.amazonaws.com"
}

func iamGetAccountSummary(g *gen) {
	g.svc("iam.amazonaws.com", "GetAccountSummary", "iam", true)
	g.e.tlsHost = "iam.amazonaws.com"
}

func iamListAccountAliases(g *gen) {
	g.svc("iam.amazonaws.com", "ListAccountAliases", "iam", true)
	g.e.tlsHost = "iam.amazonaws.com"
}

func lambdaGetFunction(g *gen) {
	g.svc("lambda.amazonaws.com", "GetFunction20150331v2", "lambda", true)
	q := &g.e.req
	q.obj()
	q.kstr("functionName", funcs[g.r.IntN(len(funcs))])
	q.end()
}

func ctLookupEvents(g *gen) {
	g.svc("cloudtrail.amazonaws.com", "LookupEvents", "cloudtrail", true)
	q := &g.e.req
	q.obj()
	q.kint("maxResults", 50)
	q.end()
}

// notAuthorized is the message IAM-style services return on a refused call.
func (g *gen) notAuthorized(action, resource, why string) string {
	return "User: " + g.e.id.arn + " is not authorized to perform: " + action + " on resource: " + resource + " " + why
}

func noPolicy(action string) string {
	return "because no identity-based policy allows the " + action + " action"
}

func deniedPresignedURL(g *gen) {
	g.svc("sagemaker.amazonaws.com", "CreatePresignedDomainUrl", "api.sagemaker", false)
	e := &g.e
	res := g.arn("sagemaker", "user-profile/d-xxxx1a2b3c4d/alice")
	q := &e.req
	q.obj()
	q.kstr("domainId", "d-xxxx1a2b3c4d")
	q.kstr("userProfileName", "alice")
	q.kint("sessionExpirationDurationInSeconds", 43200)
	q.end()
	e.errCode = "AccessDenied"
	e.errMsg = g.notAuthorized("sagemaker:CreatePresignedDomainUrl", res, noPolicy("sagemaker:CreatePresignedDomainUrl"))
}

func deniedSCP(g *gen) {
	g.svc("secretsmanager.amazonaws.com", "GetSecretValue", "secretsmanager", true)
	e := &g.e
	res := g.arn("secretsmanager", "secret:prod/payments/api-key-Zx98Yw")
	q := &e.req
	q.obj()
	q.kstr("secretId", res)
	q.end()
	e.errCode = "AccessDeniedException"
	e.errMsg = g.notAuthorized("secretsmanager:GetSecretValue", res, "with an explicit deny in a service control policy")
}

func deniedBoundary(g *gen) {
	g.svc("sagemaker.amazonaws.com", "CreateNotebookInstance", "api.sagemaker", false)
	e := &g.e
	name := "scratch-" + strconv.Itoa(g.r.IntN(100))
	q := &e.req
	q.obj()
	q.kstr("notebookInstanceName", name)
	q.kstr("instanceType", "ml.p3.2xlarge")
	q.kstr("roleArn", g.s.acct.roleARN(g.s.acct.smRole))
	q.end()
	e.errCode = "AccessDeniedException"
	e.errMsg = g.notAuthorized("sagemaker:CreateNotebookInstance", g.arn("sagemaker", "notebook-instance/"+name), "with an explicit deny in a permissions boundary")
}

func deniedRunInstances(g *gen) {
	g.svc("ec2.amazonaws.com", "RunInstances", "ec2", false)
	e := &g.e
	q := &e.req
	q.obj()
	q.kobj("instancesSet")
	q.karr("items")
	q.obj()
	q.kstr("imageId", "ami-0abcdef1234567890")
	q.kint("minCount", 1)
	q.kint("maxCount", 1)
	q.end()
	q.endArr()
	q.end()
	q.kstr("instanceType", "p4d.24xlarge")
	q.end()
	e.errCode = "Client.UnauthorizedOperation"
	g.tmp = appendRand(g.tmp[:0], 180, alnum+"-_", g.r)
	e.errMsg = "You are not authorized to perform this operation. " +
		g.notAuthorized("ec2:RunInstances", g.arn("ec2", "instance/*"), noPolicy("ec2:RunInstances")) +
		". Encoded authorization failure message: " + string(g.tmp)
}

func deniedS3(g *gen) {
	s3GetObject(g)
	e := &g.e
	e.errCode, e.errMsg = "AccessDenied", "Access Denied"
	e.addl.reset(e.addl.b)
	g.s3Extra(0, 243)
}
