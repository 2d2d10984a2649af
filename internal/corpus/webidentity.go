package corpus

import "fmt"

// Federated callers: Kubernetes pods with IRSA (AssumeRoleWithWebIdentity
// with a service account token) or EKS Pod Identity, GitHub Actions
// workflows (AssumeRoleWithWebIdentity with GitHub's token), SAML users
// (AssumeRoleWithSAML), and a role in the other account that an IRSA pod
// assumes with its credentials. Each gets new credentials every
// fedPeriod, by a call in the corpus; a call before the first such call
// is not made (the credentials would come from outside the corpus).

// Truth kinds of federated callers.
const (
	KindServiceAccount = "kubernetes-service-account"
	KindGitHubActions  = "github-actions"
	KindSAMLUser       = "saml-user"
)

const (
	kindIRSAPod actorKind = 64 + iota
	kindPodIdentity
	kindGitHubActions
	kindSAMLUser
	// kindFedChain is a session in another account's role, assumed with
	// the credentials of its src (an IRSA pod).
	kindFedChain
)

const (
	schedFedIssue   schedKind = 64 + iota // the federated call that issues a period's credentials
	schedPodSTS                           // EKS Pod Identity's AssumeRole with the pod's tags, before the agent's call
	schedChainIssue                       // AssumeRole with the source pod's credentials into another account
)

const (
	tagFederated = 32 + iota
	tagFedChain
)

const (
	fedPeriod    = 3600 // federated credentials last an hour
	podSTSOffset = 1    // the agent's AssumeRoleForPodIdentity follows EKS's AssumeRole
	chainDelay   = 120  // the pod assumes the other account's role two minutes in
	fedCluster   = "ml-prod"
)

func isFederated(k actorKind) bool { return k >= kindIRSAPod && k <= kindFedChain }

// federatedActors adds federated callers to the first two streams of the
// world: pods of both kinds, a workflow and a SAML user in the first, and
// in the second account's first stream a role the IRSA pod assumes.
func (w *world) federatedActors() {
	if len(w.streams) == 0 {
		return
	}
	s := w.streams[0]
	a := s.acct
	irsa := w.add(s, kindIRSAPod, "ml/trainer", 4, a.newRole("eks-ml-trainer", "/"))
	w.add(s, kindPodIdentity, "serving/inference", 4, a.newRole("eks-serving-role", "/"))
	w.add(s, kindGitHubActions, "octo-org/model-deploy", 2, a.newRole("GitHubDeployRole", "/"))
	w.add(s, kindSAMLUser, "erin@example.com", 2, a.newRole("SAMLDataScientist", "/"))
	for _, t := range w.streams[1:] {
		if t.acct != a {
			c := w.add(t, kindFedChain, "trainer", 3, t.acct.newRole("DataLakeReader", "/"))
			c.src = irsa
			break
		}
	}
}

// fedIssueAt is when credentials period k of a federated actor are issued.
func fedIssueAt(a *actor, k int64) int64 {
	t := a.phase%fedPeriod + k*fedPeriod
	switch a.kind {
	case kindPodIdentity:
		t += podSTSOffset
	case kindFedChain:
		t = fedIssueAt(a.src, k) + chainDelay
	}
	return t
}

// fedPeriodAt is the credentials period a call of a at t uses.
func fedPeriodAt(a *actor, t int64) int64 {
	return floorDiv(t-1-fedIssueAt(a, 0), fedPeriod)
}

// scheduleFederated adds the calls that issue a's credentials in [t0, t1)
// to out.
func (w *world) scheduleFederated(a *actor, every func(base, period, lo, hi int64, fn func(k, t int64)), out []sched) []sched {
	if !isFederated(a.kind) {
		return out
	}
	base := fedIssueAt(a, 0)
	every(base, fedPeriod, w.start, w.end, func(k, t int64) {
		kind := schedFedIssue
		if a.kind == kindFedChain {
			kind = schedChainIssue
		}
		out = append(out, sched{t: t, kind: kind, actor: a, n: k})
	})
	if a.kind == kindPodIdentity {
		every(base-podSTSOffset, fedPeriod, w.start, w.end, func(k, t int64) {
			out = append(out, sched{t: t, kind: schedPodSTS, actor: a, n: k})
		})
	}
	return out
}

// fedActive: a federated actor calls only with credentials issued in the
// corpus.
func (g *gen) fedActive(a *actor, t int64) bool {
	first := a
	if a.src != nil {
		first = a.src
	}
	return fedIssueAt(first, fedPeriodAt(a, t)) >= g.w.start
}

// reopen takes back the end of the object w just closed, to add fields.
func (w *jw) reopen() {
	w.b = w.b[:len(w.b)-1]
	w.depth++
	w.comma[w.depth] = true
}

// fedKey is the key of period k of a's credentials.
func (g *gen) fedKey(a *actor, k int64) string {
	if a.kind == kindFedChain {
		return g.key(a, tagFedChain, 0, k)
	}
	return g.key(a, tagFederated, 0, k)
}

// fedSession is the role session name a's credentials carry.
func fedSession(a *actor, k int64, _ *world) string {
	switch a.kind {
	case kindIRSAPod:
		return fmt.Sprintf("botocore-session-%d", fedIssueAt(a, k))
	case kindPodIdentity:
		// eks-CLUSTER-POD-UUID, cut to STS's 64 characters.
		s := fmt.Sprintf("eks-%s-%s-%08x-%04x-%04x-%04x-%012x", fedCluster, podName(a, k), uint32(a.id>>32), uint16(k), uint16(a.id>>16), uint16(a.id), uint64(k)&0xffffffffffff)
		return s[:min(len(s), 64)]
	case kindGitHubActions:
		return "GitHubActions"
	case kindSAMLUser:
		return "erin"
	}
	return a.name
}

// podName is the pod that holds period k's credentials: a new pod of the
// deployment each period.
func podName(a *actor, k int64) string {
	return fmt.Sprintf("inference-%05x-%05x", a.id%0xfffff, uint64(k)%0xfffff)
}

func eksProvider(acct *account, a *actor) string {
	return "arn:" + acct.partition + ":iam::" + acct.id + ":oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/" + fmt.Sprintf("%016X%016X", a.id, hash2(a.id, 1))
}

func githubProvider(acct *account) string {
	return "arn:" + acct.partition + ":iam::" + acct.id + ":oidc-provider/token.actions.githubusercontent.com"
}

// identifyFederated sets the identity and truth of a call by a.
func (g *gen) identifyFederated(a *actor) {
	e := &g.e
	k := fedPeriodAt(a, e.t)
	issued := fedIssueAt(a, k)
	g.assumedRole(a.role, fedSession(a, k, g.w), g.fedKey(a, k), issued)
	switch a.kind {
	case kindIRSAPod, kindPodIdentity:
		e.kind, e.actor = KindServiceAccount, a.name
	case kindGitHubActions:
		e.kind, e.actor = KindGitHubActions, a.name
	case kindSAMLUser:
		e.kind, e.actor = KindSAMLUser, a.name
	case kindFedChain:
		e.kind, e.actor = KindServiceAccount, a.src.name
		// The pod calls from its cluster, wherever the role is.
		e.ip, e.ua = a.src.ip, a.src.ua()
	}
}

// federatedScheduled writes the call that issues a period's credentials.
func (g *gen) federatedScheduled(sc *sched) {
	e := &g.e
	a := sc.actor
	acct := g.s.acct
	k := sc.n
	session := fedSession(a, k, g.w)
	key := g.fedKey(a, k)
	e.ip, e.ua = a.ipAt(e.t), a.ua()
	switch {
	case sc.kind == schedChainIssue:
		// The source pod, with its credentials of the same period, assumes
		// this account's role; the organisation trail delivers the
		// target account's copy.
		src := a.src
		srcAcct := g.w.streams[0].acct
		e.id = ident{
			typ: "AssumedRole", principalID: src.role.id + ":" + fedSession(src, k, g.w),
			arn: srcAcct.sessionARN(src.role, fedSession(src, k, g.w)), accountID: srcAcct.id,
			keyID: g.fedKey(src, k), session: true, issuerType: "Role", issuerID: src.role.id,
			issuerARN: srcAcct.roleARN(src.role), issuerName: src.role.name, created: fedIssueAt(src, k),
		}
		e.ip, e.ua = src.ip, src.ua()
		g.assumeRole(a.role, session, key, fedPeriod, true)
		e.kind, e.actor = KindServiceAccount, src.name
	case sc.kind == schedPodSTS:
		e.id = ident{typ: "AWSService", invokedBy: "pods.eks.amazonaws.com"}
		e.ip, e.ua = "pods.eks.amazonaws.com", "pods.eks.amazonaws.com"
		g.assumeRole(a.role, session, key, fedPeriod, true)
		ns, sa := splitName(a.name)
		q := &e.req
		q.reopen()
		q.karr("tags")
		for _, kv := range [][2]string{{"eks-cluster-arn", "arn:" + acct.partition + ":eks:" + g.s.region + ":" + acct.id + ":cluster/" + fedCluster},
			{"eks-cluster-name", fedCluster}, {"kubernetes-namespace", ns}, {"kubernetes-service-account", sa},
			{"kubernetes-pod-name", podName(a, k)}} {
			q.obj()
			q.kstr("key", kv[0])
			q.kstr("value", kv[1])
			q.end()
		}
		q.endArr()
		q.end()
		e.noTLS = true
		e.kind, e.actor = KindAWSService, "pods.eks.amazonaws.com"
	case a.kind == kindPodIdentity:
		// The node's Pod Identity Agent asks EKS for the pod's credentials.
		node := "i-0" + fmt.Sprintf("%016x", hash2(a.id, 0x6e6f6465))[:16]
		nodeRole := acct.newRole("eks-node-role", "/")
		g.assumedRole(nodeRole, node, accessKey("ASIA", hash2(a.id, uint64(k)<<8|0x6e)), e.t-e.t%21600)
		e.id.ec2RoleDelivery = "2.0"
		e.source, e.name = "eks-auth.amazonaws.com", "AssumeRoleForPodIdentity"
		e.tlsHost = hostFor("eks-auth", g.s.region)
		ns, sa := splitName(a.name)
		q, p := &e.req, &e.resp
		q.obj()
		q.kstr("clusterName", fedCluster)
		q.kstr("token", "HIDDEN_DUE_TO_SECURITY_REASONS")
		q.end()
		p.obj()
		p.kobj("subject")
		p.kstr("namespace", ns)
		p.kstr("serviceAccount", sa)
		p.end()
		p.kstr("audience", "pods.eks.amazonaws.com")
		p.kobj("assumedRoleUser")
		p.kstr("assumeRoleId", a.role.id+":"+session)
		p.kstr("arn", acct.sessionARN(a.role, session))
		p.end()
		p.kobj("credentials")
		p.kstr("accessKeyId", key)
		p.kstr("sessionToken", "HIDDEN_DUE_TO_SECURITY_REASONS")
		p.kstr("secretAccessKey", "HIDDEN_DUE_TO_SECURITY_REASONS")
		p.kstr("expiration", expiration(e.t+fedPeriod))
		p.end()
		p.end()
		e.kind, e.actor = KindEC2Instance, node
	case a.kind == kindSAMLUser:
		e.id = ident{typ: "SAMLUser", principalID: "bdGOnTesti4+ExamplexL/jEvs=:" + a.name, userName: a.name, identityProvider: "bdGOnTesti4+ExamplexL/jEvs="}
		e.ua = browserUA
		g.assumeRole(a.role, session, key, fedPeriod, false)
		e.name = "AssumeRoleWithSAML"
		p := &e.resp
		p.reopen()
		p.kstr("subject", a.name)
		p.kstr("subjectType", "persistent")
		p.kstr("issuer", "http://www.okta.com/exk1a2b3c4EXAMPLE")
		p.kstr("audience", "https://signin.aws.amazon.com/saml")
		p.end()
		e.kind, e.actor = KindSAMLUser, a.name
	default: // IRSA and GitHub Actions
		subject, provider := "", ""
		if a.kind == kindIRSAPod {
			ns, sa := splitName(a.name)
			subject, provider = "system:serviceaccount:"+ns+":"+sa, eksProvider(acct, a)
			e.kind = KindServiceAccount
		} else {
			subject, provider = "repo:"+a.name+":environment:prod", githubProvider(acct)
			e.kind = KindGitHubActions
		}
		e.actor = a.name
		e.id = ident{typ: "WebIdentityUser", principalID: provider + ":sts.amazonaws.com:" + subject, userName: subject, identityProvider: provider}
		g.assumeRole(a.role, session, key, fedPeriod, false)
		e.name = "AssumeRoleWithWebIdentity"
		p := &e.resp
		p.reopen()
		p.kstr("subjectFromWebIdentityToken", subject)
		p.kstr("provider", provider)
		p.kstr("audience", "sts.amazonaws.com")
		p.end()
	}
}

// splitName splits NAMESPACE/NAME.
func splitName(s string) (ns, name string) {
	for i := range len(s) {
		if s[i] == '/' {
			return s[:i], s[i+1:]
		}
	}
	return "default", s
}

// federatedMixes are the APIs federated callers use.
var federatedMixes = map[actorKind]mix{}

func init() {
	federatedMixes[kindIRSAPod] = newMix(s3GetObject, 6, s3PutObject, 4, s3ListObjects, 2, stsGetCallerIdentity, 1)
	federatedMixes[kindPodIdentity] = newMix(s3GetObject, 5, secretsGetSecretValue, 2, kmsDecrypt, 2, stsGetCallerIdentity, 1)
	federatedMixes[kindGitHubActions] = newMix(smCreateModel, 2, s3PutObject, 4, stsGetCallerIdentity, 2, ecrGetAuthorizationToken, 1)
	federatedMixes[kindSAMLUser] = newMix(smListNotebookInstances, 3, s3ListBuckets, 2, iamListRoles, 1)
	federatedMixes[kindFedChain] = newMix(s3GetObject, 4, s3ListObjects, 3)
}

// mixFor is the mix of APIs an actor of kind k calls.
func mixFor(k actorKind) mix {
	if m, ok := federatedMixes[k]; ok {
		return m
	}
	return mixes[k]
}
