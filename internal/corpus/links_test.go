package corpus

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// issue is one AssumeRole in the corpus.
type issue struct {
	session, callerKey, callerSource, invokedBy string
	at                                          time.Time
}

type assumeRoleBody struct {
	RoleSessionName string `json:"roleSessionName"`
}

type assumeRoleResp struct {
	Credentials struct {
		AccessKeyID string `json:"accessKeyId"`
	} `json:"credentials"`
}

func sessionName(arn string) string {
	return arn[strings.LastIndexByte(arn, '/')+1:]
}

// TestAttributionLinks checks the truth against what CloudTrail shows: a
// call attributed to a notebook instance either runs in a session named
// after it that an AssumeRole issued, or uses a default-session key that
// called AssumeRole for it; unattributed default-session keys never did.
func TestAttributionLinks(t *testing.T) {
	for _, cfg := range []Config{demoConfig(), benchConfig()} {
		t.Run(cfg.Scenario, func(t *testing.T) {
			out := generate(t, cfg)
			truth := readTruth(t, out.truth)
			recs := records(t, out)
			issued := map[string]issue{}  // new key -> its AssumeRole
			linked := map[string]string{} // caller key -> session name it assumed
			for _, r := range recs {
				if r.EventName != "AssumeRole" || r.ErrorCode != "" {
					continue
				}
				var q assumeRoleBody
				var p assumeRoleResp
				if err := json.Unmarshal(r.RequestParameters, &q); err != nil {
					t.Fatal(err)
				}
				if err := json.Unmarshal(r.ResponseElements, &p); err != nil {
					t.Fatal(err)
				}
				at, _ := time.Parse(timeLayout, r.EventTime)
				is := issue{session: q.RoleSessionName, callerKey: r.UserIdentity.AccessKeyID, invokedBy: r.UserIdentity.InvokedBy, at: at}
				if sc := r.UserIdentity.SessionContext; sc != nil {
					is.callerSource = sc.SourceIdentity
				}
				issued[p.Credentials.AccessKeyID] = is
				if is.callerKey != "" {
					linked[is.callerKey] = q.RoleSessionName
				}
			}
			var chained, viaDefault, unattributedDefault, studioChain, ec2 int
			for _, r := range recs {
				row := truth[r.EventID]
				id := r.UserIdentity
				if id.Type != "AssumedRole" {
					continue
				}
				at, _ := time.Parse(timeLayout, r.EventTime)
				session := sessionName(id.ARN)
				is, ok := issued[id.AccessKeyID]
				switch {
				case row.kind == KindNotebookInstance && session == row.actor:
					if !ok || is.session != row.actor || at.Before(is.at) || !at.Before(is.at.Add(time.Hour)) {
						t.Errorf("event %s by %s at %s: key %s not issued for it (%+v)", r.EventID, id.ARN, at, id.AccessKeyID, is)
					}
					chained++
				case row.kind == KindNotebookInstance:
					if session != "SageMaker" || linked[id.AccessKeyID] != row.actor {
						t.Errorf("event %s by %s for %s: key %s is not linked (assumed %q)", r.EventID, id.ARN, row.actor, id.AccessKeyID, linked[id.AccessKeyID])
					}
					viaDefault++
				case session == "SageMaker" && id.SessionContext.SourceIdentity == "":
					if row.kind != KindUnattributed {
						t.Errorf("event %s: default session without sourceIdentity attributed to %s %s", r.EventID, row.kind, row.actor)
					}
					if s, ok := linked[id.AccessKeyID]; ok && r.EventName != "AssumeRole" {
						t.Errorf("event %s: unattributed key %s assumed %q", r.EventID, id.AccessKeyID, s)
					}
					unattributedDefault++
				case row.kind == KindStudioProfile && session != "SageMaker":
					if !ok || is.callerSource != row.actor || id.SessionContext.SourceIdentity != row.actor {
						t.Errorf("event %s: chained Studio session of %s not issued by its Studio session (%+v)", r.EventID, row.actor, is)
					}
					studioChain++
				case row.kind == KindEC2Instance:
					if id.SessionContext.EC2RoleDelivery != "2.0" || session != row.actor {
						t.Errorf("event %s: EC2 session %s", r.EventID, id.ARN)
					}
					if ok {
						if is.invokedBy != "ec2.amazonaws.com" || is.session != row.actor {
							t.Errorf("event %s: EC2 key issued by %+v", r.EventID, is)
						}
						ec2++
					}
				}
			}
			for name, n := range map[string]int{"chained": chained, "default key": viaDefault, "unattributed default": unattributedDefault, "studio chain": studioChain, "issued ec2": ec2} {
				if n == 0 {
					t.Errorf("no %s notebook calls", name)
				}
			}
		})
	}
}

// TestDemoShowcase checks the demo holds every case it promises.
func TestDemoShowcase(t *testing.T) {
	out := generate(t, demoConfig())
	truth := readTruth(t, out.truth)
	recs := records(t, out)
	has := map[string]bool{}
	var nlp []string
	for _, r := range recs {
		row := truth[r.EventID]
		if strings.HasPrefix(r.UserIdentity.ARN, "arn:aws-us-gov:") && r.AWSRegion == "us-gov-west-1" {
			has["govcloud"] = true
		}
		if strings.Contains(r.UserIdentity.ARN, ":assumed-role/DataPipelineRole/ds-team-a-1") && row.kind == KindUnattributed {
			has["name collision"] = true
		}
		if strings.Contains(string(r.RequestParameters), `"notebookInstanceName":"nlp-research-1"`) && r.ErrorCode == "" {
			switch r.EventName {
			case "CreateNotebookInstance", "DeleteNotebookInstance":
				nlp = append(nlp, r.EventTime+" "+r.EventName)
			}
		}
		if r.UserIdentity.InvokedBy == "ec2.amazonaws.com" && r.EventName == "AssumeRole" {
			has["ec2 issue"] = true
		}
		for form, match := range map[string]func() bool{
			"no identity-based policy": func() bool {
				return r.ErrorCode == "AccessDenied" && strings.Contains(r.ErrorMessage, "because no identity-based policy allows the sagemaker:CreatePresignedDomainUrl action")
			},
			"scp": func() bool {
				return r.ErrorCode == "AccessDeniedException" && strings.HasSuffix(r.ErrorMessage, "with an explicit deny in a service control policy")
			},
			"boundary": func() bool {
				return r.ErrorCode == "AccessDeniedException" && strings.HasSuffix(r.ErrorMessage, "with an explicit deny in a permissions boundary")
			},
			"ec2": func() bool {
				return r.ErrorCode == "Client.UnauthorizedOperation" && strings.HasPrefix(r.ErrorMessage, "You are not authorized to perform this operation. User: arn:")
			},
			"s3": func() bool {
				return r.ErrorCode == "AccessDenied" && r.ErrorMessage == "Access Denied" && r.EventSource == "s3.amazonaws.com"
			},
		} {
			if match() {
				has["denied "+form] = true
			}
		}
	}
	for _, want := range []string{"govcloud", "name collision", "ec2 issue", "denied no identity-based policy", "denied scp", "denied boundary", "denied ec2", "denied s3"} {
		if !has[want] {
			t.Errorf("demo has no %s", want)
		}
	}
	slices.Sort(nlp)
	if len(nlp) != 3 || !strings.HasSuffix(nlp[0], "Create") && !strings.HasSuffix(nlp[0], "CreateNotebookInstance") || !strings.HasSuffix(nlp[1], "DeleteNotebookInstance") || !strings.HasSuffix(nlp[2], "CreateNotebookInstance") {
		t.Errorf("nlp-research-1 lifecycle = %v, want create, delete, create", nlp)
	}
}

// TestShippedDemo checks testdata/demo is what the generator makes today,
// so the committed data can always be regenerated.
func TestShippedDemo(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "demo")
	out := generate(t, demoConfig())
	got := map[string]bool{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		key := filepath.ToSlash(rel)
		switch key {
		case "README.md":
			return nil
		case "truth.csv":
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if string(b) != string(out.truth) {
				t.Errorf("%s differs from the generator's truth", path)
			}
			return nil
		}
		got[key] = true
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if want, ok := out.objs[key]; !ok || string(want) != string(b) {
			t.Errorf("%s is not what the generator writes", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for key := range out.objs {
		if !got[key] {
			t.Errorf("testdata/demo lacks %s", key)
		}
	}
	if t.Failed() {
		t.Log("regenerate with the command in testdata/demo/README.md")
	}
}
