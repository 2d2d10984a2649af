package corpus

import "fmt"

// Finding kinds, the values of the truth CSV's finding column when
// Config.Misuse is set: the misuse a call is, or empty for none.
const (
	FindingOffCompute = "credentials-used-off-compute"
	FindingAfterEnded = "credentials-used-after-compute-ended"
	FindingManyPlaces = "one-session-many-places"
)

// TruthHeaderMisuse is the first line of the ground-truth CSV when
// Config.Misuse is set: the usual columns and the finding.
const TruthHeaderMisuse = "event_id,account_id,region,actor_kind,actor,finding\n"

// misuseMode is where stolen credentials are used from.
type misuseMode uint8

const (
	mLaptopMac     misuseMode = iota // a macOS laptop with the AWS CLI
	mLaptopWindows                   // a Windows laptop with the AWS CLI
	mOtherCloud                      // a Linux VM in another cloud, boto3 without exec-env
	mOtherVPC                        // a Linux host in another VPC, through its own endpoint
	mChain                           // an AssumeRole hop from a laptop, then calls with the new key
	mAfterStop                       // a stopped notebook's last key, from another cloud
	mSpread                          // a session's key used from a second network minutes apart
)

// misuseCalls is how many calls a campaign makes, a minute or two apart.
const misuseCalls = 6

// Attacker places: documentation and foreign cloud ranges, never an
// actor's address (those are in AWS's ranges, see publicIP).
const (
	macUA     = "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#s3.ls"
	windowsUA = "aws-cli/2.13.25 Python/3.11.5 Windows/10 exe/AMD64 prompt/off command/s3.ls"
	cloudUA   = "Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#6.5.0-1016-gcp md/arch#x86_64 lang/python#3.11.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.84"
	vpcUA     = "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.1.84-99.169.amzn2023.x86_64 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#amzn.2023 md/prompt#off md/command#s3.cp"
)

func attackerIP(m misuseMode, h uint64) string {
	switch m {
	case mLaptopMac, mChain:
		return fmt.Sprintf("203.0.113.%d", 1+h%250)
	case mLaptopWindows:
		return fmt.Sprintf("198.51.100.%d", 1+h%250)
	case mOtherVPC:
		return fmt.Sprintf("10.%d.%d.%d", 128+h%100, (h>>8)%256, 1+(h>>16)%250)
	}
	return fmt.Sprintf("104.196.%d.%d", (h>>8)%256, 1+(h>>16)%250) // another cloud
}

func (m misuseMode) ua() string {
	switch m {
	case mLaptopMac, mChain:
		return macUA
	case mLaptopWindows:
		return windowsUA
	case mOtherVPC:
		return vpcUA
	}
	return cloudUA
}

// campaign is one victim's credentials used elsewhere.
type campaign struct {
	mode misuseMode
	id   uint64
	t0   int64
	hop  role   // mChain: the role the hop assumes
	key  string // mChain: the key the hop issued
	end  int64  // mAfterStop: when the notebook stopped
	iv   int    // mAfterStop: the interval that ended
}

// injectMisuse plans, in every stream, stolen credentials of each kind of
// compute used elsewhere, and decoys that look unusual but are the
// compute's own: NAT gateway address changes and notebooks moving between
// subnets behind their VPC endpoint. AWS services calling on a session's
// behalf (S3 decrypting with KMS) are in every corpus already.
func (w *world) injectMisuse() {
	for si, s := range w.streams {
		var notebooks, ec2s, lambdas, ecss []*actor
		var botocore *actor
		for _, a := range s.actors {
			switch a.kind {
			case kindNotebook:
				notebooks = append(notebooks, a)
			case kindEC2:
				ec2s = append(ec2s, a)
			case kindLambda:
				lambdas = append(lambdas, a)
			case kindECS:
				ecss = append(ecss, a)
			case kindBotocore:
				botocore = a
			}
		}
		plan := func(a *actor, m misuseMode, f float64) {
			c := campaign{mode: m, id: hash3(a.id, uint64(m), 0x6d6973), t0: w.at(f)}
			if m == mChain {
				c.hop = s.acct.newRole("DataExportRole", "/")
				c.key = accessKey("ASIA", hash2(c.id, 0x686f70))
			}
			for k := range misuseCalls {
				s.static = append(s.static, sched{t: c.t0 + int64(k)*(60+int64(c.id>>(8*k)%60)), kind: schedMisuse, actor: a, n: int64(k), mis: &c})
			}
		}
		// Notebooks with the session-name config and one lifetime are
		// victims in turn; a configured one that stops is used after it.
		var steady []*actor
		for _, nb := range notebooks {
			if len(nb.intervals) == 1 && nb.intervals[0].configured {
				steady = append(steady, nb)
			}
		}
		modes := []misuseMode{mLaptopMac, mChain, mOtherCloud}
		for i, nb := range steady {
			if i < len(modes) {
				plan(nb, modes[i], 0.3+0.15*float64(i))
			}
		}
		if len(steady) == 1 {
			// The demo's one steady notebook is the chain's start too.
			plan(steady[0], mChain, 0.6)
		}
		for _, nb := range notebooks {
			for iv, in := range nb.intervals {
				if in.configured && in.end < w.end-3600 {
					c := campaign{mode: mAfterStop, id: hash3(nb.id, uint64(iv), 0x656e64), t0: in.end + 720, end: in.end, iv: iv}
					for k := range misuseCalls {
						s.static = append(s.static, sched{t: c.t0 + int64(k)*90, kind: schedMisuse, actor: nb, n: int64(k), mis: &c})
					}
				}
			}
		}
		// Decoys: every other notebook's NAT gateway changes address
		// half-way through; the others call through their VPC endpoint
		// from private addresses, in a new subnet after half-way.
		for i, nb := range notebooks {
			if (i+si)%2 == 0 {
				nb.natAt = w.at(0.5)
			} else {
				nb.subnetAt = w.at(0.5)
			}
		}
		ec2Modes := []misuseMode{mLaptopWindows, mOtherVPC}
		for i, a := range ec2s {
			if i < len(ec2Modes) {
				plan(a, ec2Modes[i], 0.35+0.2*float64(i))
			} else {
				a.natAt = w.at(0.5)
			}
		}
		for i, a := range lambdas {
			plan(a, []misuseMode{mLaptopMac, mOtherCloud}[i%2], 0.4+0.2*float64(i))
		}
		for i, a := range ecss {
			plan(a, []misuseMode{mOtherCloud, mLaptopWindows}[i%2], 0.45+0.2*float64(i))
		}
		if botocore != nil {
			// The session's own call, then the copy's calls from afar.
			t := w.at(0.5)
			t -= t % 3600
			c := campaign{mode: mSpread, id: hash2(botocore.id, 0x737072), t0: t + 1500}
			for k := range misuseCalls {
				s.static = append(s.static, sched{t: c.t0 + int64(k)*45, kind: schedMisuse, actor: botocore, n: int64(k), mis: &c})
			}
		}
	}
}

// ipAt is the address a's own calls come from at t.
func (a *actor) ipAt(t int64) string {
	if a.natAt != 0 && t >= a.natAt {
		return publicIP(hash2(a.id, 0x6e6174))
	}
	return a.ip
}

// viaEndpoint makes a call of a's go through the stream's VPC endpoint
// from a private address in a's subnet, which changes at subnetAt.
func (g *gen) viaEndpoint(a *actor) {
	e := &g.e
	subnet := a.id >> 8 % 200
	if e.t >= a.subnetAt {
		subnet += 50
	}
	e.vpce = fmt.Sprintf("vpce-0%016x", hash2(strHash(g.s.acct.id), strHash(g.s.region)))
	e.ip = fmt.Sprintf("10.%d.%d.%d", 1+a.id%100, subnet, 1+uint64(g.r.IntN(250)))
}

// misuse generates call sc.n of a campaign: the victim's credentials, the
// attacker's place and client.
func (g *gen) misuse(sc *sched) {
	e := &g.e
	a, c := sc.actor, sc.mis
	t := e.t
	switch {
	case c.mode == mAfterStop:
		// The last lifecycle-script key before the stop, still valid.
		e.t = c.end - 1
		g.notebookSession(a, true)
		e.t = t
	case a.kind == kindNotebook:
		g.notebookSession(a, true)
	default:
		g.identify(a)
	}
	finding := FindingOffCompute
	switch c.mode {
	case mAfterStop:
		finding = FindingAfterEnded
	case mSpread:
		finding = FindingManyPlaces
		if sc.n == 0 || sc.n == misuseCalls-1 {
			// The session's own calls from its own place, before and
			// after the copy's.
			stsGetCallerIdentity(g)
			return
		}
	}
	ip, ua := attackerIP(c.mode, c.id), c.mode.ua()
	if c.mode == mAfterStop {
		ip = attackerIP(mOtherCloud, c.id)
	}
	e.ip, e.ua, e.vpce = ip, ua, ""
	switch {
	case c.mode == mChain && sc.n == 0:
		g.assumeRole(c.hop, "exfil", c.key, 3600, true)
	case c.mode == mChain:
		g.assumedRole(c.hop, "exfil", c.key, c.t0)
		s3ListBuckets(g)
	default:
		[]apiFunc{stsGetCallerIdentity, s3ListBuckets, secretsGetSecretValue, s3GetObject, s3ListBuckets, s3GetObject}[sc.n%misuseCalls](g)
	}
	e.ip, e.vpce = ip, ""
	if c.mode == mOtherVPC {
		e.vpce = fmt.Sprintf("vpce-0%016x", hash2(c.id, 0x767063))
	}
	e.finding = finding
}
