package corpus

import "strings"

// SageMaker compute other than notebook instances (Config.Compute): per
// stream of the bench scenario, a training job and a HyperPod cluster,
// each on an execution role of its own, calling under the role's default
// SageMaker session. Each is the one compute on its role while it runs,
// so the truth names it.

// Truth kinds of the compute in this file.
const (
	KindTrainingJob     = "training-job"
	KindHyperPodCluster = "hyperpod-cluster"
)

// Actor kinds of the compute in this file.
const (
	kindTrainingJob actorKind = kindCollision + 1 + iota
	kindHyperPod
	kindCount // the number of actor kinds
)

// schedComputeCreate is the CreateTrainingJob or CreateCluster of a
// compute actor; sched.n holds a job's maximum runtime in seconds.
const schedComputeCreate = schedMisuse + 1

const tagCompute = tagUser + 1

func init() {
	m := newMix(s3GetObject, 10, s3PutObject, 6, s3ListObjects, 3, logsCreateLogStream, 2,
		ecrBatchGetImage, 1, stsGetCallerIdentity, 2, kmsDecrypt, 2)
	mixes[kindTrainingJob] = m
	mixes[kindHyperPod] = m
}

// computeActors adds the stream's training job, running from 20% to 50%
// of the corpus with a stopping condition that ends it then, and its
// HyperPod cluster, running from 10% to the end. admin creates both.
func (w *world) computeActors(s *stream, si int, admin *actor) {
	a := s.acct
	job := w.add(s, kindTrainingJob, "churn-train-"+s.region, 6, a.newRole("MLJobRole-"+s.region, "/"))
	start, end := w.at(0.2), w.at(0.5)
	job.intervals = []interval{{start: start + 60, end: end}}
	s.static = append(s.static, sched{t: start, kind: schedComputeCreate, actor: job, admin: admin, n: end - start})
	cluster := w.add(s, kindHyperPod, "llm-cluster-"+teams[si%len(teams)], 6, a.newRole("HyperPodNodeRole-"+s.region, "/"))
	created := w.at(0.1)
	cluster.intervals = []interval{{start: created + 60, end: w.end}}
	s.static = append(s.static, sched{t: created, kind: schedComputeCreate, actor: cluster, admin: admin})
}

// computeSession sets the identity of a call by a compute actor: its
// role's default SageMaker session, whose key SageMaker rotates.
func (g *gen) computeSession(a *actor) {
	e := &g.e
	iv := a.intervals[max(0, a.intervalAt(e.t))]
	k := (e.t - iv.start) / defaultPeriod
	g.assumedRole(a.role, "SageMaker", g.key(a, tagCompute, 0, k), iv.start+k*defaultPeriod)
	e.kind, e.actor = KindTrainingJob, a.name
	if a.kind == kindHyperPod {
		e.kind = KindHyperPodCluster
	}
}

// computeCreate writes the call that creates a compute actor.
func (g *gen) computeCreate(sc *sched) {
	e := &g.e
	c := sc.actor
	g.identify(sc.admin)
	acct := g.s.acct
	e.source = "sagemaker.amazonaws.com"
	e.tlsHost = hostFor("api.sagemaker", g.s.region)
	q, p := &e.req, &e.resp
	q.obj()
	p.obj()
	switch c.kind {
	case kindTrainingJob:
		e.name = "CreateTrainingJob"
		q.kstr("trainingJobName", c.name)
		q.kstr("roleArn", acct.roleARN(c.role))
		q.kobj("stoppingCondition")
		q.kint("maxRuntimeInSeconds", sc.n)
		q.end()
		q.kobj("resourceConfig")
		q.kstr("instanceType", "ml.m5.xlarge")
		q.kint("instanceCount", 1)
		q.kint("volumeSizeInGB", 30)
		q.end()
		p.kstr("trainingJobArn", "arn:"+acct.partition+":sagemaker:"+g.s.region+":"+acct.id+":training-job/"+c.name)
	case kindHyperPod:
		e.name = "CreateCluster"
		q.kstr("clusterName", c.name)
		q.karr("instanceGroups")
		q.obj()
		q.kstr("instanceGroupName", "workers")
		q.kstr("instanceType", "ml.p5.48xlarge")
		q.kint("instanceCount", 4)
		q.kstr("executionRole", acct.roleARN(c.role))
		q.kobj("lifeCycleConfig")
		q.kstr("sourceS3Uri", "s3://sagemaker-lifecycle-"+acct.id+"/hyperpod/")
		q.kstr("onCreate", "on_create.sh")
		q.end()
		q.end()
		q.endArr()
		p.kstr("clusterArn", "arn:"+acct.partition+":sagemaker:"+g.s.region+":"+acct.id+":cluster/"+strings.ToLower(accessKey("", c.id))[:12])
	}
	q.end()
	p.end()
}
