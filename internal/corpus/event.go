package corpus

import (
	"math/rand/v2"
	"strconv"
	"time"
)

// ident is a CloudTrail userIdentity block.
type ident struct {
	typ, principalID, arn, accountID, keyID, userName string
	identityProvider                                  string // SAML and web identity users

	session                                     bool // write sessionContext
	issuerType, issuerID, issuerARN, issuerName string
	created                                     int64
	mfa                                         bool
	sourceIdentity, ec2RoleDelivery             string
	invokedBy                                   string
}

// event is one record being built. The payload parts are built in their
// own buffers and spliced in when the record is written.
type event struct {
	t               int64
	version         string
	id              ident
	source, name    string
	ip, ua          string
	errCode, errMsg string
	req, resp       jw
	res, addl       jw
	readOnly, data  bool
	s3ReqID         bool
	tlsHost         string
	vpce            string
	console         bool
	sharedEventID   bool
	kind, actor     string // ground truth
	finding         string // ground truth: the misuse this call is (Config.Misuse)
	noTLS           bool
}

func (e *event) reset(t int64) {
	buf := [4][]byte{e.req.b, e.resp.b, e.res.b, e.addl.b}
	*e = event{t: t, version: "1.08"}
	e.req.reset(buf[0])
	e.resp.reset(buf[1])
	e.res.reset(buf[2])
	e.addl.reset(buf[3])
}

// Truth kinds, the values of truth.csv's actor_kind column.
const (
	KindNotebookInstance = "notebook-instance"
	KindStudioProfile    = "studio-user-profile"
	KindEC2Instance      = "ec2-instance"
	KindLambdaFunction   = "lambda-function"
	KindECSTask          = "ecs-task"
	KindSSOUser          = "sso-user"
	KindIAMUser          = "iam-user"
	KindRoot             = "root"
	KindAWSService       = "aws-service"
	KindUnattributed     = "unattributed"
)

// gen builds events for one file at a time. Each event draws from its own
// PCG stream, seeded by the file seed and the event's index, so any event
// can be rebuilt alone: that is how duplicates are delivered in a later
// file without keeping the earlier one in memory.
type gen struct {
	w   *world
	s   *stream
	pcg *rand.PCG
	r   *rand.Rand
	e   event
	out jw
	tmp []byte
	// eventID points at the last written event's ID inside the output buffer.
	eventID []byte
}

func newGen(w *world) *gen {
	g := &gen{w: w, pcg: rand.NewPCG(0, 0)}
	g.r = rand.New(g.pcg)
	return g
}

// build generates event j of file f into g.e.
func (g *gen) build(f *fileSpec, j int) {
	g.s = f.s
	g.pcg.Seed(f.seed, uint64(j))
	r := g.r
	if j < len(f.sched) {
		sc := &f.sched[j]
		g.e.reset(sc.t)
		g.scheduled(sc)
		return
	}
	t := f.t0 + r.Int64N(f.t1-f.t0)
	g.e.reset(t)
	a := g.pick(t)
	g.random(a)
}

// pick chooses an actor by weight among those active at t.
func (g *gen) pick(t int64) *actor {
	s := g.s
	for range 8 {
		x := g.r.IntN(s.total)
		lo, hi := 0, len(s.cum)
		for lo < hi {
			m := (lo + hi) / 2
			if s.cum[m] > x {
				hi = m
			} else {
				lo = m + 1
			}
		}
		a := s.actors[lo]
		if g.active(a, t) {
			return a
		}
	}
	return s.fallback
}

func (g *gen) active(a *actor, t int64) bool {
	switch a.kind {
	case kindNotebook, kindTrainingJob, kindHyperPod:
		return a.intervalAt(t) >= 0
	case kindStudioChain:
		k := floorDiv(t-1-a.phase%studioPeriod, studioPeriod)
		return a.phase%studioPeriod+k*studioPeriod >= g.w.start
	}
	if isFederated(a.kind) {
		return g.fedActive(a, t)
	}
	return true
}

func (a *actor) intervalAt(t int64) int {
	for i, iv := range a.intervals {
		if t >= iv.start && t < iv.end {
			return i
		}
	}
	return -1
}

// Key tags keep the key derivations of different session kinds apart.
const (
	tagChain = iota + 1
	tagDefault
	tagEC2
	tagStudio
	tagStudioChain
	tagLambda
	tagECS
	tagSSO
	tagRoot
	tagBotocore
	tagCollision
	tagUser
)

func (g *gen) key(a *actor, tag, iv, n int64) string {
	return accessKey("ASIA", hash3(a.id, uint64(tag)<<32|uint64(iv), uint64(n)))
}

// assumedRole fills e.id for a role session.
func (g *gen) assumedRole(rl role, session, key string, created int64) {
	acct := g.s.acct
	e := &g.e
	e.id = ident{
		typ:         "AssumedRole",
		principalID: rl.id + ":" + session,
		arn:         acct.sessionARN(rl, session),
		accountID:   acct.id,
		keyID:       key,
		session:     true,
		issuerType:  "Role",
		issuerID:    rl.id,
		issuerARN:   acct.roleARN(rl),
		issuerName:  rl.name,
		created:     created,
	}
}

// notebookSession sets the identity of a call by notebook a at e.t and
// returns the truth. chained selects the lifecycle script's session when
// the instance has one.
func (g *gen) notebookSession(a *actor, chained bool) {
	e := &g.e
	iv := a.intervalAt(e.t)
	in := a.intervals[iv]
	first := in.start + chainOffset
	if in.configured && chained && e.t > first {
		k := (e.t - first - 1) / chainPeriod
		sk := first + k*chainPeriod
		g.assumedRole(a.role, a.name, g.key(a, tagChain, int64(iv), k), sk)
		e.kind, e.actor = KindNotebookInstance, a.name
		return
	}
	j := (e.t - in.start) / defaultPeriod
	ps := in.start + j*defaultPeriod
	g.assumedRole(a.role, "SageMaker", g.key(a, tagDefault, int64(iv), j), ps)
	e.kind, e.actor = KindUnattributed, e.id.arn
	if in.configured {
		// The default key is linked to the instance when it called
		// AssumeRole for the lifecycle session inside the corpus.
		k := max(0, (ps-first+chainPeriod-1)/chainPeriod)
		if sk := first + k*chainPeriod; sk < ps+defaultPeriod && sk < in.end {
			e.kind, e.actor = KindNotebookInstance, a.name
		}
	}
}

// identify sets e.id, e.ip, e.ua and the truth for a random call by a.
func (g *gen) identify(a *actor) {
	e := &g.e
	acct := g.s.acct
	e.ip = a.ipAt(e.t)
	e.ua = a.ua()
	t := e.t
	if a.subnetAt != 0 {
		defer func() {
			if g.r.IntN(3) == 0 {
				g.viaEndpoint(a)
			}
		}()
	}
	switch a.kind {
	case kindNotebook:
		g.notebookSession(a, g.r.IntN(10) != 0)
	case kindStudio:
		k := floorDiv(t-a.phase%studioPeriod, studioPeriod)
		g.assumedRole(a.role, "SageMaker", g.key(a, tagStudio, 0, k), a.phase%studioPeriod+k*studioPeriod)
		e.id.sourceIdentity = a.name
		e.kind, e.actor = KindStudioProfile, a.name
	case kindStudioChain:
		k := floorDiv(t-1-a.phase%studioPeriod, studioPeriod)
		g.assumedRole(a.role, a.name, g.key(a, tagStudioChain, 0, k), a.phase%studioPeriod+k*studioPeriod)
		e.id.sourceIdentity = a.chain
		e.kind, e.actor = KindStudioProfile, a.chain
	case kindEC2:
		k := floorDiv(t-a.phase, defaultPeriod)
		g.assumedRole(a.role, a.name, g.key(a, tagEC2, 0, k), a.phase+k*defaultPeriod)
		e.id.ec2RoleDelivery = "2.0"
		e.kind, e.actor = KindEC2Instance, a.name
	case kindLambda:
		k := floorDiv(t-a.phase, 7200)
		g.assumedRole(a.role, a.name, g.key(a, tagLambda, 0, k), a.phase+k*7200)
		e.kind, e.actor = KindLambdaFunction, a.name
	case kindECS:
		k := floorDiv(t-a.phase, 3600)
		g.assumedRole(a.role, a.name, g.key(a, tagECS, 0, k), a.phase+k*3600)
		e.kind, e.actor = KindECSTask, a.name
	case kindSSO:
		k := floorDiv(t-a.phase, 28800)
		g.assumedRole(a.role, a.name, g.key(a, tagSSO, 0, k), a.phase+k*28800)
		e.kind, e.actor = KindSSOUser, a.name
		e.console = g.r.IntN(3) != 0
		if !e.console {
			e.ua = cliUA
		}
	case kindIAMUser:
		e.id = ident{
			typ:         "IAMUser",
			principalID: uniqueID("AIDA", a.id),
			arn:         "arn:" + acct.partition + ":iam::" + acct.id + ":user/" + a.name,
			accountID:   acct.id,
			keyID:       accessKey("AKIA", a.id),
			userName:    a.name,
		}
		e.kind, e.actor = KindIAMUser, a.name
	case kindRoot:
		e.id = ident{
			typ:         "Root",
			principalID: acct.id,
			arn:         "arn:" + acct.partition + ":iam::" + acct.id + ":root",
			accountID:   acct.id,
			keyID:       g.key(a, tagRoot, 0, floorDiv(t, 3600)),
			session:     true,
			created:     t - t%3600,
			mfa:         true,
		}
		e.console = true
		e.kind, e.actor = KindRoot, "root"
	case kindService:
		e.id = ident{typ: "AWSService", invokedBy: a.name}
		e.ip, e.ua = a.name, a.name
		e.kind, e.actor = KindAWSService, a.name
		e.noTLS = true
	case kindBotocore:
		g.assumedRole(a.role, a.name, g.key(a, tagBotocore, 0, floorDiv(t, 3600)), t-t%3600)
		e.kind, e.actor = KindUnattributed, e.id.arn
	case kindCollision:
		g.assumedRole(a.role, a.name, g.key(a, tagCollision, 0, floorDiv(t, 3600)), t-t%3600)
		e.kind, e.actor = KindUnattributed, e.id.arn
	case kindTrainingJob, kindHyperPod:
		g.computeSession(a)
	default:
		g.identifyFederated(a)
	}
}

// random generates an unscheduled call by a.
func (g *gen) random(a *actor) {
	g.identify(a)
	r := g.r
	switch a.kind {
	case kindNotebook, kindStudio, kindStudioChain, kindLambda, kindEC2, kindECS, kindCollision:
		if r.IntN(1000) < 15 {
			denied[r.IntN(len(denied))](g)
			return
		}
	}
	mix := mixFor(a.kind)
	x := r.IntN(mix.total)
	for i, c := range mix.cum {
		if x < c {
			mix.apis[i](g)
			break
		}
	}
	if a.kind == kindService {
		g.e.ip, g.e.ua = a.name, a.name
	}
}

// ua returns the actor's user agent; versions are stable per actor.
func (a *actor) ua() string {
	if a.uaCache != "" {
		return a.uaCache
	}
	return cliUA
}

func hostFor(service, region string) string {
	return service + "." + region + ".amazonaws.com"
}

// expiration formats a credential expiry the way STS responseElements do.
func expiration(t int64) string {
	return time.Unix(t, 0).UTC().Format("Jan 2, 2006, 3:04:05 PM")
}

// sessionToken appends a fake STS session token.
func (g *gen) sessionToken() string {
	g.tmp = append(g.tmp[:0], "IQoJb3JpZ2luX2VjE"...)
	g.tmp = appendRand(g.tmp, 220, base64Chars, g.r)
	g.tmp = append(g.tmp, '=')
	return string(g.tmp)
}

// assumeRoleResponse writes STS AssumeRole request and response payloads.
func (g *gen) assumeRole(target role, session, newKey string, duration int64, withResources bool) {
	e := &g.e
	acct := g.s.acct
	e.source, e.name = "sts.amazonaws.com", "AssumeRole"
	e.tlsHost = hostFor("sts", g.s.region)
	roleARN := acct.roleARN(target)
	q := &e.req
	q.obj()
	q.kstr("roleArn", roleARN)
	q.kstr("roleSessionName", session)
	q.kint("durationSeconds", duration)
	q.end()
	p := &e.resp
	p.obj()
	p.kobj("credentials")
	p.kstr("accessKeyId", newKey)
	p.kstr("sessionToken", g.sessionToken())
	p.kstr("expiration", expiration(e.t+duration))
	p.end()
	p.kobj("assumedRoleUser")
	p.kstr("assumedRoleId", target.id+":"+session)
	p.kstr("arn", acct.sessionARN(target, session))
	p.end()
	p.end()
	if withResources {
		s := &e.res
		s.arr()
		s.obj()
		s.kstr("accountId", acct.id)
		s.kstr("type", "AWS::IAM::Role")
		s.kstr("ARN", roleARN)
		s.end()
		s.endArr()
	}
}

// scheduled generates an event the world fixed in advance.
func (g *gen) scheduled(sc *sched) {
	e := &g.e
	a := sc.actor
	acct := g.s.acct
	switch sc.kind {
	case schedNotebookAssumeRole:
		// The lifecycle script, running with the instance's default
		// session, assumes the same role with the instance name as the
		// session name.
		iv := a.intervals[sc.iv]
		j := (e.t - iv.start) / defaultPeriod
		g.assumedRole(a.role, "SageMaker", g.key(a, tagDefault, int64(sc.iv), j), iv.start+j*defaultPeriod)
		e.ip, e.ua = a.ipAt(e.t), a.ua()
		newKey := g.key(a, tagChain, int64(sc.iv), sc.n)
		g.assumeRole(a.role, a.name, newKey, 3600, true)
		e.kind, e.actor = KindNotebookInstance, a.name
	case schedSageMakerIssue:
		e.id = ident{typ: "AWSService", invokedBy: "sagemaker.amazonaws.com"}
		e.ip, e.ua = "sagemaker.amazonaws.com", "sagemaker.amazonaws.com"
		g.assumeRole(a.role, "SageMaker", g.key(a, tagDefault, int64(sc.iv), sc.n), defaultPeriod, true)
		e.noTLS, e.sharedEventID = true, false
		e.kind, e.actor = KindAWSService, "sagemaker.amazonaws.com"
	case schedEC2Issue:
		e.id = ident{typ: "AWSService", invokedBy: "ec2.amazonaws.com"}
		e.ip, e.ua = "ec2.amazonaws.com", "ec2.amazonaws.com"
		g.assumeRole(a.role, a.name, g.key(a, tagEC2, 0, sc.n), defaultPeriod, true)
		e.noTLS = true
		e.kind, e.actor = KindAWSService, "ec2.amazonaws.com"
	case schedStudioChain:
		// A Studio user's session assumes a second role; the chained
		// session keeps the user's sourceIdentity.
		studio := acct.smRole
		k := floorDiv(e.t-a.phase%studioPeriod, studioPeriod)
		g.assumedRole(studio, "SageMaker", g.key(a, tagStudio, 1, k), a.phase%studioPeriod+k*studioPeriod)
		e.id.sourceIdentity = a.chain
		e.ip, e.ua = a.ip, notebookUA(a.id)
		g.assumeRole(a.role, a.name, g.key(a, tagStudioChain, 0, sc.n), 3600, true)
		e.kind, e.actor = KindStudioProfile, a.chain
	case schedMisuse:
		g.misuse(sc)
	case schedComputeCreate:
		g.computeCreate(sc)
	case schedFedIssue, schedPodSTS, schedChainIssue:
		g.federatedScheduled(sc)
	default:
		g.inventory(sc)
	}
	e.version = "1.08"
}

// inventory writes notebook-instance management calls by an admin.
func (g *gen) inventory(sc *sched) {
	e := &g.e
	nb := sc.actor
	g.identify(sc.admin)
	acct := g.s.acct
	e.source = "sagemaker.amazonaws.com"
	e.tlsHost = hostFor("api.sagemaker", g.s.region)
	nbARN := "arn:" + acct.partition + ":sagemaker:" + g.s.region + ":" + acct.id + ":notebook-instance/" + nb.name
	q, p := &e.req, &e.resp
	q.obj()
	q.kstr("notebookInstanceName", nb.name)
	switch sc.kind {
	case schedCreate:
		e.name = "CreateNotebookInstance"
		itype := sc.attr
		q.kstr("instanceType", itype)
		q.kstr("subnetId", "subnet-0"+strconv.FormatUint(nb.id%(1<<60), 16)[:8])
		q.karr("securityGroupIds")
		q.str("sg-0" + strconv.FormatUint(nb.id>>8%(1<<60), 16)[:8])
		q.endArr()
		q.kstr("roleArn", acct.roleARN(nb.role))
		iv := 0
		for i, in := range nb.intervals {
			if in.start-60 == e.t {
				iv = i
			}
		}
		if nb.intervals[iv].configured {
			q.kstr("lifecycleConfigName", "session-name-per-instance")
		}
		q.kstr("directInternetAccess", "Enabled")
		q.kint("volumeSizeInGB", 5)
		q.karr("tags")
		q.obj()
		q.kstr("key", "team")
		q.kstr("value", nb.name[:len(nb.name)-2])
		q.end()
		q.endArr()
		q.kstr("rootAccess", "Enabled")
		q.kstr("platformIdentifier", "notebook-al2-v2")
		q.end()
		p.obj()
		p.kstr("notebookInstanceArn", nbARN)
		p.end()
	case schedStart:
		e.name = "StartNotebookInstance"
	case schedStop:
		e.name = "StopNotebookInstance"
	case schedDelete:
		e.name = "DeleteNotebookInstance"
	case schedDescribe:
		e.name = "DescribeNotebookInstance"
		e.readOnly = true
	case schedUpdate:
		e.name = "UpdateNotebookInstance"
		if sc.attr == "lifecycle" {
			q.kstr("lifecycleConfigName", "session-name-per-instance")
		} else {
			q.kstr("instanceType", sc.attr)
		}
	}
	if sc.kind != schedCreate {
		q.end()
	}
}
