package corpus

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// account is one AWS account the corpus holds logs for.
type account struct {
	id        string
	partition string // aws or aws-us-gov
	orgID     string // set when the account's logs come from an organisation trail
	trail     string
	bucket    string
	regions   []string
	smRole    role // the SageMaker execution role notebooks and Studio share
}

// role is an IAM role as it appears in sessionIssuer.
type role struct {
	name, path, id string // path ends in '/': "/" or "/service-role/"
}

func (a *account) roleARN(r role) string {
	return "arn:" + a.partition + ":iam::" + a.id + ":role" + r.path + r.name
}

func (a *account) sessionARN(r role, session string) string {
	return "arn:" + a.partition + ":sts::" + a.id + ":assumed-role/" + r.name + "/" + session
}

func (a *account) newRole(name, path string) role {
	return role{name: name, path: path, id: uniqueID("AROA", hash2(strHash(a.id), strHash(name)))}
}

type actorKind uint8

const (
	kindNotebook actorKind = iota
	kindStudio
	kindStudioChain
	kindEC2
	kindLambda
	kindECS
	kindSSO
	kindIAMUser
	kindRoot
	kindService
	kindBotocore
	kindCollision
)

// interval is a span in which a notebook instance is InService.
type interval struct {
	start, end int64 // unix seconds; end is capped at the corpus end
	configured bool  // the session-name lifecycle configuration is attached
}

// actor is one principal that makes calls in one stream.
type actor struct {
	kind      actorKind
	name      string // notebook, profile, instance ID, function, task ID, email, user, service
	weight    int
	id        uint64 // hash input for keys
	role      role
	ip        string
	phase     int64 // seconds; offsets key rotation so actors don't rotate together
	intervals []interval
	// chain is the Studio profile name a kindStudioChain session carries as
	// sourceIdentity.
	chain   string
	uaCache string
	// natAt, when set, is when the actor's NAT gateway changes address
	// (Config.Misuse decoys).
	natAt int64
	// subnetAt, when set, makes a third of the actor's calls go through
	// its VPC endpoint from a private address, in another subnet from
	// subnetAt on (Config.Misuse decoys).
	subnetAt int64
	// src is the actor whose credentials a kindFedChain session was
	// assumed with.
	src *actor
}

// stream is one account and region: the unit CloudTrail writes files for.
type stream struct {
	acct     *account
	region   string
	actors   []*actor
	cum      []int // cumulative weights
	total    int
	static   []sched // inventory events, sorted by time
	weight   int     // share of the corpus' events
	events   int     // events over the whole corpus
	fallback *actor
}

type schedKind uint8

const (
	schedCreate schedKind = iota
	schedStart
	schedStop
	schedUpdate
	schedDelete
	schedDescribe
	schedNotebookAssumeRole // lifecycle script: default session assumes the role as the instance
	schedSageMakerIssue     // sagemaker.amazonaws.com issues the default session
	schedEC2Issue           // ec2.amazonaws.com issues an instance-profile session
	schedStudioChain        // Studio session assumes a second role; sourceIdentity survives
	schedMisuse             // stolen credentials used elsewhere (Config.Misuse)
)

// sched is an event that must happen exactly once at a given time.
type sched struct {
	t     int64
	kind  schedKind
	actor *actor
	admin *actor
	n     int64 // session index
	iv    int   // interval index
	attr  string
	mis   *campaign
}

// world is everything the generator decides before writing files.
type world struct {
	cfg      Config
	seed     uint64
	start    int64
	end      int64
	window   int64
	windows  int
	accounts []*account
	streams  []*stream
}

const (
	chainPeriod   = 3300  // the lifecycle script refreshes its session every 55 minutes
	chainOffset   = 30    // seconds after InService that the script first runs
	defaultPeriod = 21600 // SageMaker and EC2 rotate role credentials every 6 hours
	studioPeriod  = 3600
)

func buildWorld(cfg Config) (*world, error) {
	w := &world{
		cfg:    cfg,
		seed:   cfg.Seed,
		start:  cfg.Start.Unix(),
		window: int64(cfg.Window.Seconds()),
	}
	r := rand.New(rand.NewPCG(cfg.Seed, 0x636f72707573))
	switch cfg.Scenario {
	case ScenarioDemo:
		w.demoAccounts()
	case ScenarioBench:
		w.benchAccounts(r)
	default:
		return nil, fmt.Errorf("unknown scenario %q", cfg.Scenario)
	}
	for _, a := range w.accounts {
		for _, reg := range a.regions {
			w.streams = append(w.streams, &stream{acct: a, region: reg, weight: 10})
		}
	}
	// Windows: every stream gets one file per window.
	per := cfg.EventsPerFile * len(w.streams)
	w.windows = max(1, (cfg.Events+per-1)/per)
	w.end = w.start + int64(w.windows)*w.window
	switch cfg.Scenario {
	case ScenarioDemo:
		w.demoActors()
	case ScenarioBench:
		w.benchActors(r)
	}
	if cfg.Federated {
		w.federatedActors()
	}
	if cfg.Misuse {
		w.injectMisuse()
	}
	total := 0
	for _, s := range w.streams {
		total += s.weight
	}
	left := cfg.Events
	for i, s := range w.streams {
		s.events = cfg.Events * s.weight / total
		if i == len(w.streams)-1 {
			s.events = left
		}
		left -= s.events
		for _, a := range s.actors {
			s.total += a.weight
			s.cum = append(s.cum, s.total)
			if a.kind == kindIAMUser && s.fallback == nil {
				s.fallback = a
			}
		}
		if s.fallback == nil {
			return nil, fmt.Errorf("stream %s/%s has no always-active actor", s.acct.id, s.region)
		}
		slices.SortStableFunc(s.static, func(a, b sched) int { return int(a.t - b.t) })
	}
	return w, nil
}

func newAccount(id, partition, orgID string, regions ...string) *account {
	a := &account{id: id, partition: partition, orgID: orgID, regions: regions}
	a.trail = "management-events"
	a.bucket = "aws-cloudtrail-logs-" + id + "-3f9a1c2b"
	if orgID != "" {
		a.trail = "org-trail"
		a.bucket = "org-cloudtrail-" + orgID
	}
	a.smRole = a.newRole("AmazonSageMaker-ExecutionRole-20240101T000000", "/service-role/")
	return a
}

func (w *world) demoAccounts() {
	w.accounts = []*account{
		newAccount("111122223333", "aws", "", "us-east-1", "eu-west-1"),
		newAccount("444455556666", "aws", "o-7h2k9x4m1p", "us-east-1", "eu-west-1"),
	}
	if w.cfg.GovCloud {
		w.accounts = append(w.accounts, newAccount("777788889999", "aws-us-gov", "", "us-gov-west-1"))
	}
}

func (w *world) benchAccounts(r *rand.Rand) {
	n := max(1, w.cfg.Accounts)
	orgID := "o-" + string(appendRand(nil, 10, "abcdefghijklmnopqrstuvwxyz0123456789", r))
	for i := range n {
		id := fmt.Sprintf("%012d", 100000000000+r.Int64N(899999999999))
		org := ""
		if i%2 == 1 || n == 1 {
			org = orgID
		}
		w.accounts = append(w.accounts, newAccount(id, "aws", org, w.cfg.Regions...))
	}
	if w.cfg.GovCloud {
		w.accounts = append(w.accounts, newAccount(fmt.Sprintf("%012d", 100000000000+r.Int64N(899999999999)), "aws-us-gov", "", "us-gov-west-1"))
	}
}

func (w *world) stream(acct, region string) *stream {
	for _, s := range w.streams {
		if s.acct.id == acct && s.region == region {
			return s
		}
	}
	panic("no stream " + acct + "/" + region)
}

// at returns the time a fraction f of the way through the corpus, rounded
// to a second.
func (w *world) at(f float64) int64 {
	return w.start + int64(math.Round(f*float64(w.end-w.start)))
}

// add appends an actor to s; common fields are derived from its name.
func (w *world) add(s *stream, kind actorKind, name string, weight int, rl role) *actor {
	h := hash3(w.seed, strHash(s.acct.id+"/"+s.region), strHash(name)+uint64(kind))
	a := &actor{
		kind:   kind,
		name:   name,
		weight: weight,
		id:     h,
		role:   rl,
		phase:  int64(h % defaultPeriod),
		ip:     publicIP(h),
	}
	a.uaCache = userAgent(kind, name, h)
	s.actors = append(s.actors, a)
	return a
}

// publicIP returns a stable public-looking address in ranges AWS uses.
func publicIP(h uint64) string {
	firsts := [...]int{3, 18, 34, 44, 52, 54}
	return fmt.Sprintf("%d.%d.%d.%d", firsts[h%uint64(len(firsts))], (h>>8)%256, (h>>16)%256, 1+(h>>24)%254)
}

// notebook adds a notebook instance created by admin at the given time.
// lifecycle lists further state changes as (kind, time) pairs.
func (w *world) notebook(s *stream, name string, configured bool, weight int, admin *actor, created int64, changes ...sched) *actor {
	nb := w.add(s, kindNotebook, name, weight, s.acct.smRole)
	s.static = append(s.static, sched{t: created, kind: schedCreate, actor: nb, admin: admin, attr: "ml.t3.medium"})
	cur := interval{start: created + 60, end: w.end, configured: configured}
	for _, c := range changes {
		c.actor, c.admin = nb, admin
		switch c.kind {
		case schedStop, schedDelete:
			if c.kind == schedStop {
				cur.end = c.t
				nb.intervals = append(nb.intervals, cur)
			}
		case schedStart:
			cur = interval{start: c.t + 60, end: w.end, configured: cur.configured}
		case schedCreate:
			cur = interval{start: c.t + 60, end: w.end, configured: cur.configured}
		case schedUpdate:
			if c.attr == "lifecycle" {
				cur.configured = true
			}
		}
		s.static = append(s.static, c)
	}
	nb.intervals = append(nb.intervals, cur)
	for i := range nb.intervals {
		nb.intervals[i].end = min(nb.intervals[i].end, w.end)
	}
	return nb
}

func (w *world) commonActors(s *stream) {
	w.add(s, kindService, "cloudtrail.amazonaws.com", 2, role{})
	w.add(s, kindRoot, "root", 1, role{})
	w.add(s, kindBotocore, "botocore-session-1700000000", 3, s.acct.newRole("ReadOnlyAuditRole", "/"))
}

func (w *world) demoActors() {
	a, b := w.accounts[0], w.accounts[1]
	ssoRole := func(acct *account) role {
		return acct.newRole("AWSReservedSSO_AdministratorAccess_0123456789abcdef", "/aws-reserved/sso.amazonaws.com/")
	}

	// Account A, us-east-1: two notebooks, Studio, EC2, Lambda, a session
	// on an unrelated role named like a notebook.
	s := w.stream(a.id, "us-east-1")
	s.weight = 16
	jane := w.add(s, kindSSO, "jane.doe@example.com", 4, ssoRole(a))
	w.add(s, kindIAMUser, "deploy-bot", 4, role{})
	w.notebook(s, "ds-team-a-1", true, 30, jane, w.start+5)
	w.notebook(s, "ml-forecast-2", false, 20, jane, w.start+12,
		sched{t: w.at(0.35), kind: schedStop},
		sched{t: w.at(0.35) + 420, kind: schedUpdate, attr: "ml.t3.large"},
		sched{t: w.at(0.45), kind: schedStart})
	w.add(s, kindStudio, "alice", 8, a.smRole)
	w.add(s, kindStudio, "bob", 5, a.smRole)
	chain := w.add(s, kindStudioChain, "etl-job", 3, a.newRole("DataScienceCrossRole", "/"))
	chain.chain = "alice"
	ec2 := w.add(s, kindEC2, "i-0123456789abcdef0", 6, a.newRole("ec2-app-instance-role", "/"))
	ec2.phase = w.start + 900 // rotate credentials inside the corpus
	w.add(s, kindLambda, "nightly-export", 4, a.newRole("nightly-export-role-x1y2z3", "/service-role/"))
	w.add(s, kindCollision, "ds-team-a-1", 4, a.newRole("DataPipelineRole", "/"))
	w.commonActors(s)
	s.static = append(s.static, sched{t: w.at(0.6), kind: schedDescribe, actor: jane, admin: jane, attr: "ds-team-a-1"})

	s = w.stream(a.id, "eu-west-1")
	s.weight = 6
	w.add(s, kindSSO, "jane.doe@example.com", 3, ssoRole(a))
	w.add(s, kindIAMUser, "deploy-bot", 4, role{})
	w.add(s, kindECS, "3f2a9c1e7b5d4e6f8a0b1c2d3e4f5a6b", 6, a.newRole("ecsTaskRole", "/"))
	w.add(s, kindLambda, "eu-ingest", 4, a.newRole("eu-ingest-role", "/"))
	w.commonActors(s)

	// Account B (organisation trail), us-east-1: a notebook that is deleted
	// and created again under the same name, and one without the config.
	s = w.stream(b.id, "us-east-1")
	s.weight = 14
	admin := w.add(s, kindIAMUser, "platform-admin", 3, role{})
	w.add(s, kindSSO, "raj.patel@example.com", 3, ssoRole(b))
	w.notebook(s, "nlp-research-1", true, 25, admin, w.start+8,
		sched{t: w.at(0.4), kind: schedStop},
		sched{t: w.at(0.4) + 300, kind: schedDelete},
		sched{t: w.at(0.55), kind: schedCreate, attr: "ml.g4dn.xlarge"})
	w.notebook(s, "cv-sandbox-1", false, 20, admin, w.start+20)
	w.add(s, kindEC2, "i-0a1b2c3d4e5f60718", 5, b.newRole("batch-worker-role", "/"))
	w.add(s, kindECS, "9d8c7b6a5f4e3d2c1b0a99887766554f", 4, b.newRole("ecsTaskRole", "/"))
	w.commonActors(s)

	s = w.stream(b.id, "eu-west-1")
	s.weight = 6
	w.add(s, kindIAMUser, "platform-admin", 3, role{})
	w.add(s, kindStudio, "carol", 8, b.smRole)
	w.add(s, kindLambda, "gdpr-export", 4, b.newRole("gdpr-export-role", "/"))
	w.add(s, kindSSO, "raj.patel@example.com", 2, ssoRole(b))
	w.commonActors(s)

	if w.cfg.GovCloud {
		g := w.accounts[2]
		s = w.stream(g.id, "us-gov-west-1")
		s.weight = 6
		w.add(s, kindIAMUser, "deploy-bot", 4, role{})
		w.add(s, kindSSO, "jane.doe@example.com", 3, ssoRole(g))
		ec2 := w.add(s, kindEC2, "i-0fedcba9876543210", 8, g.newRole("gov-app-instance-role", "/"))
		ec2.phase = w.start + 1800
		w.add(s, kindLambda, "gov-report", 3, g.newRole("gov-report-role", "/"))
		w.commonActors(s)
	}
}

var (
	teams   = []string{"ds-team-a", "ml-forecast", "nlp-research", "cv-sandbox", "risk-models", "growth-analytics", "fraud-ml", "pricing", "recsys", "genai-lab"}
	people  = []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy"}
	funcs   = []string{"nightly-export", "etl-trigger", "thumbnailer", "report-mailer", "feature-sync"}
	ssoUser = []string{"jane.doe@example.com", "raj.patel@example.com", "li.wei@example.com"}
)

func (w *world) benchActors(r *rand.Rand) {
	nb := max(0, w.cfg.Notebooks)
	for si, s := range w.streams {
		a := s.acct
		s.weight = 10 + r.IntN(10)
		ssoRole := a.newRole(fmt.Sprintf("AWSReservedSSO_AdministratorAccess_%016x", hash2(w.seed, strHash(a.id))), "/aws-reserved/sso.amazonaws.com/")
		jane := w.add(s, kindSSO, ssoUser[si%len(ssoUser)], 3, ssoRole)
		w.add(s, kindIAMUser, "deploy-bot", 3, role{})
		for i := range nb {
			name := fmt.Sprintf("%s-%d", teams[(i+si)%len(teams)], 1+i/len(teams))
			configured := i%3 != 2
			created := w.start + int64(5+7*i)
			var changes []sched
			switch i % 6 {
			case 1: // deleted and created again under the same name
				changes = []sched{{t: w.at(0.5), kind: schedStop}, {t: w.at(0.5) + 300, kind: schedDelete}, {t: w.at(0.6), kind: schedCreate, attr: "ml.g4dn.xlarge"}}
			case 2: // the config is attached while stopped
				changes = []sched{{t: w.at(0.3), kind: schedStop}, {t: w.at(0.3) + 200, kind: schedUpdate, attr: "lifecycle"}, {t: w.at(0.4), kind: schedStart}}
			case 4:
				changes = []sched{{t: w.at(0.7), kind: schedStop}}
			}
			w.notebook(s, name, configured, 12+r.IntN(10), jane, created, changes...)
		}
		for i := range 3 {
			w.add(s, kindStudio, people[(i+si)%len(people)], 6, a.smRole)
		}
		chain := w.add(s, kindStudioChain, "etl-job", 2, a.newRole("DataScienceCrossRole", "/"))
		chain.chain = people[si%len(people)]
		for i := range 3 {
			w.add(s, kindEC2, fmt.Sprintf("i-0%016x", hash3(w.seed, uint64(si), uint64(i))), 5, a.newRole("ec2-app-instance-role", "/"))
		}
		for i := range 2 {
			fn := funcs[(i+si)%len(funcs)]
			w.add(s, kindLambda, fn, 4, a.newRole(fn+"-role", "/service-role/"))
		}
		for i := range 2 {
			w.add(s, kindECS, fmt.Sprintf("%016x%016x", hash3(w.seed, uint64(si), 100+uint64(i)), hash3(w.seed, uint64(si), 200+uint64(i))), 4, a.newRole("ecsTaskRole", "/"))
		}
		if nb > 0 {
			w.add(s, kindCollision, fmt.Sprintf("%s-1", teams[si%len(teams)]), 2, a.newRole("DataPipelineRole", "/"))
		}
		if w.cfg.Compute {
			w.computeActors(s, si, jane)
		}
		w.commonActors(s)
	}
}
