package query

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ctattrib/ctattrib/internal/awsid"
	"github.com/ctattrib/ctattrib/store"
)

var (
	explainCallsSQL    = mustTemplate("explain.sql")
	explainEvidenceSQL = mustTemplate("explain_evidence.sql")
)

// ErrUnknownEvent is returned by Explain, wrapped with the IDs, for event
// IDs that are not in the database.
var ErrUnknownEvent = errors.New("unknown event ID")

// Explanation is why ctattrib attributed one call as it did: the call, the
// answer and the events the answer rests on.
type Explanation struct {
	Call Call
	// Answer is nil when attribution has not reached the call yet.
	Answer *Answer
	// Evidence is the chain, in order from the compute outwards to the key
	// that made the call; empty when the call alone decides.
	Evidence []Evidence
}

// Call is the explained event as CloudTrail recorded it.
type Call struct {
	EventID     string
	EventTime   time.Time
	AccountID   string // recipientAccountId
	Region      string
	EventSource string
	EventName   string
	Principal   string // the principal ARN, else the user name or invoking service
	AccessKeyID string
	SourceIP    string
	UserAgent   string
	ErrorCode   string
}

// Answer is the call's attribution.
type Answer struct {
	ActorKind, Actor   string
	AccountID, Region  string // the actor's, which differ from the call's for cross-account chains
	Method, Confidence string
	Reason, Note       string
	Finding            string // the kind of credential-misuse finding the call belongs to
	FindingReason      string // why, as query findings says it
}

// Evidence is one link of a chain, as explain prints it.
type Evidence struct {
	EventID   string
	EventTime time.Time // zero for the inventory and for events not in the database
	EventName string
	AccountID string
	Region    string
	Proves    string
}

// EvidenceEvent is what the database holds about one link of a chain: the
// event's fields, the AssumeRole or notebook fields attribution read from
// its record, and the notebook lifetime it rests on. Any field may be
// empty: CloudTrail leaves fields out, and prune or a partial ingest can
// leave an ID with no event.
type EvidenceEvent struct {
	EventID string
	// Found is false when no event (or inventory row, for inventory:*)
	// has this ID.
	Found bool

	EventTime                                 time.Time
	AccountID, Region, EventSource, EventName string
	ErrorCode                                 string

	// The caller.
	IdentityType, PrincipalARN, UserName string
	AccessKeyID, SessionName, RoleARN    string
	InvokedBy, SourceIP, UserAgent       string
	EC2RoleDelivery                      string

	// AssumeRole: the role and session asked for and the key issued.
	TargetRoleARN, TargetSession, IssuedKey, Expiration string
	// Federated sessions: the web identity token's or SAML assertion's
	// subject and its OIDC provider or SAML issuer; for EKS Pod Identity,
	// the cluster, namespace, service account and pod.
	Subject, Provider, Cluster, Namespace, ServiceAccount, Pod string

	// Notebook lifecycle events: the instance and what the call set.
	Notebook, NotebookRoleARN, NotebookLCC, NotebookInstanceType string
	NotebookLCCRemoved                                           bool

	// Lifetime is the notebook lifetime the link rests on, if any.
	Lifetime *Lifetime

	// Compute describes the SageMaker compute spans (other than notebook
	// instances) the link rests on: what ran on which role, and when.
	Compute string
}

// Lifetime is one notebook instance lifetime from the inventory.
type Lifetime struct {
	Name, RoleARN, LifecycleConfig string
	Source                         string // cloudtrail, api or csv
	CreatedAt, DeletedAt           time.Time
}

// Explain explains the calls with the given event IDs, in the order given
// (repeats once). IDs that are not in the database are left out and
// reported in an error wrapping ErrUnknownEvent, after the others are
// explained.
func Explain(ctx context.Context, db *store.DB, ids []string) ([]Explanation, error) {
	var uniq []string
	for _, id := range ids {
		if !slices.Contains(uniq, id) {
			uniq = append(uniq, id)
		}
	}
	if len(uniq) == 0 {
		return nil, nil
	}
	byID, err := explainCalls(ctx, db, uniq)
	if err != nil {
		return nil, err
	}
	if err := explainEvidence(ctx, db, uniq, byID); err != nil {
		return nil, err
	}
	var out []Explanation
	var unknown []string
	for _, id := range uniq {
		x, ok := byID[id]
		if !ok {
			unknown = append(unknown, fmt.Sprintf("%q", id))
			continue
		}
		out = append(out, *x)
	}
	if len(unknown) > 0 {
		return out, fmt.Errorf("%w %s", ErrUnknownEvent, strings.Join(unknown, ", "))
	}
	return out, nil
}

// explainArgs binds $ids, the event IDs asked about, for both queries.
func explainArgs(ids []string) []any { return []any{sql.Named("ids", ids)} }

func explainCalls(ctx context.Context, db *store.DB, ids []string) (map[string]*Explanation, error) {
	text, err := render(explainCallsSQL, nil)
	if err != nil {
		return nil, err
	}
	rs, err := db.SQL.QueryContext(ctx, text, explainArgs(ids)...)
	if err != nil {
		return nil, fmt.Errorf("explain: %w", err)
	}
	defer rs.Close()
	byID := make(map[string]*Explanation)
	for rs.Next() {
		v, err := scanNamed(rs)
		if err != nil {
			return nil, fmt.Errorf("explain: %w", err)
		}
		s := func(col string) string { return scanString(v[col]) }
		x := &Explanation{Call: Call{
			EventID: s("event_id"), EventTime: scanTime(v["event_time"]),
			AccountID: s("account_id"), Region: s("region"),
			EventSource: s("event_source"), EventName: s("event_name"), Principal: s("principal"),
			AccessKeyID: s("access_key_id"), SourceIP: s("source_ip"), UserAgent: s("user_agent"),
			ErrorCode: s("error_code"),
		}}
		if v["actor_kind"] != nil {
			x.Answer = &Answer{
				ActorKind: s("actor_kind"), Actor: s("actor"), Method: s("method"), Confidence: s("confidence"),
				Reason: s("reason"), Note: s("note"), Finding: s("finding"), FindingReason: s("finding_reason"),
				AccountID: s("actor_account_id"), Region: s("actor_region"),
			}
		}
		byID[x.Call.EventID] = x
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("explain: %w", err)
	}
	return byID, nil
}

func explainEvidence(ctx context.Context, db *store.DB, ids []string, byID map[string]*Explanation) error {
	text, err := render(explainEvidenceSQL, nil)
	if err != nil {
		return err
	}
	rs, err := db.SQL.QueryContext(ctx, text, explainArgs(ids)...)
	if err != nil {
		return fmt.Errorf("explain evidence: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		v, err := scanNamed(rs)
		if err != nil {
			return fmt.Errorf("explain evidence: %w", err)
		}
		s := func(col string) string { return scanString(v[col]) }
		e := EvidenceEvent{
			EventID: s("evidence_id"), Found: v["found"] == true,
			EventTime: scanTime(v["event_time"]), AccountID: s("account_id"), Region: s("region"),
			EventSource: s("event_source"), EventName: s("event_name"), ErrorCode: s("error_code"),
			IdentityType: s("identity_type"), PrincipalARN: s("principal_arn"), UserName: s("user_name"),
			AccessKeyID: s("access_key_id"), SessionName: s("session_name"), RoleARN: s("role_arn"),
			InvokedBy: s("invoked_by"), SourceIP: s("source_ip"), UserAgent: s("user_agent"),
			EC2RoleDelivery: s("ec2_role_delivery"),
			TargetRoleARN:   s("target_role_arn"), TargetSession: s("target_session"),
			IssuedKey: s("issued_key"), Expiration: s("expiration_text"),
			Subject: s("subject"), Provider: s("provider"), Cluster: s("cluster"),
			Namespace: s("namespace"), ServiceAccount: s("service_account"), Pod: s("pod"),
			Notebook: s("notebook"), NotebookRoleARN: s("notebook_role_arn"), NotebookLCC: s("notebook_lcc"),
			NotebookLCCRemoved: v["notebook_lcc_removed"] == true, NotebookInstanceType: s("notebook_instance_type"),
			Compute: s("compute_words"),
		}
		if v["life_found"] == true {
			e.Lifetime = &Lifetime{
				Name: s("life_name"), RoleARN: s("life_role_arn"), LifecycleConfig: s("life_lcc"),
				CreatedAt: scanTime(v["life_created_at"]), DeletedAt: scanTime(v["life_deleted_at"]),
				Source: s("life_source"),
			}
		}
		if isInventoryID(e.EventID) {
			// An inventory row is the actor's, in its account and region.
			e.Found = e.Lifetime != nil || e.Compute != ""
			e.AccountID, e.Region = s("actor_account_id"), s("actor_region")
		}
		x := byID[s("explained_id")]
		if x == nil {
			continue
		}
		x.Evidence = append(x.Evidence, Evidence{
			EventID: e.EventID, EventTime: e.EventTime, EventName: e.EventName,
			AccountID: e.AccountID, Region: e.Region, Proves: Proves(e),
		})
	}
	if err := rs.Err(); err != nil {
		return fmt.Errorf("explain evidence: %w", err)
	}
	return nil
}

// scanNamed scans the current row into a map from column name to value.
func scanNamed(rs *sql.Rows) (map[string]any, error) {
	cols, err := rs.Columns()
	if err != nil {
		return nil, err
	}
	v := make([]any, len(cols))
	p := make([]any, len(cols))
	for i := range v {
		p[i] = &v[i]
	}
	if err := rs.Scan(p...); err != nil {
		return nil, err
	}
	m := make(map[string]any, len(cols))
	for i, c := range cols {
		m[c] = v[i]
	}
	return m, nil
}

// scanString is a scanned text value, "" for NULL.
func scanString(v any) string {
	switch s := v.(type) {
	case nil:
		return ""
	case string:
		return s
	}
	return fmt.Sprint(v)
}

// scanTime is a scanned timestamp in UTC, the zero time for NULL.
func scanTime(v any) time.Time {
	if t, ok := v.(time.Time); ok {
		return t.UTC()
	}
	return time.Time{}
}

// Pseudo event IDs that stand for the notebook inventory when a chain
// starts on a notebook known from the SageMaker API, an inventory file, or
// CloudTrail without the event that defines its lifetime.
const (
	InventoryAPI        = "inventory:api"
	InventoryCSV        = "inventory:csv"
	InventoryCloudTrail = "inventory:cloudtrail"
)

func isInventoryID(id string) bool {
	return id == InventoryAPI || id == InventoryCSV || id == InventoryCloudTrail
}

// Proves says in words what one evidence event establishes, from its
// fields alone.
func Proves(e EvidenceEvent) string {
	switch {
	case isInventoryID(e.EventID):
		src := map[string]string{
			InventoryAPI: "the SageMaker API", InventoryCSV: "a CSV file", InventoryCloudTrail: "CloudTrail",
		}[e.EventID]
		if e.Compute != "" {
			return "inventory from " + src + ": " + e.Compute
		}
		if e.Lifetime == nil {
			return "inventory from " + src + ", which no longer lists the instance"
		}
		return "inventory from " + src + ": " + lifetimeWords(*e.Lifetime)
	case !e.Found:
		return "not in the database: pruned, or in logs not ingested"
	case e.EventName == "AssumeRole":
		return assumeRoleWords(e)
	case e.EventName == "AssumeRoleWithWebIdentity" || e.EventName == "AssumeRoleWithSAML" || e.EventName == "AssumeRoleForPodIdentity":
		return federatedWords(e)
	case e.EventSource == "sagemaker.amazonaws.com" && strings.HasSuffix(e.EventName, "NotebookInstance"):
		return notebookWords(e)
	case e.Compute != "":
		// A call under the role's default session while this was the one
		// compute on the role (sole-compute-on-role) rests on it.
		return e.EventName + " put " + e.Compute
	}
	return ownCallWords(e)
}

// assumeRoleWords: "AssumeRole called with K, the default SageMaker
// session key, issued K2 to session S on role R".
func assumeRoleWords(e EvidenceEvent) string {
	var b strings.Builder
	b.WriteString("AssumeRole ")
	b.WriteString(callerWords(e))
	if e.ErrorCode != "" {
		fmt.Fprintf(&b, " failed (%s)", e.ErrorCode)
		return b.String()
	}
	if e.IssuedKey != "" {
		fmt.Fprintf(&b, " issued %s to", e.IssuedKey)
	} else {
		b.WriteString(" (its response names no key) for")
	}
	fmt.Fprintf(&b, " session %s on role %s", orUnknown(e.TargetSession), orUnknown(e.TargetRoleARN))
	if e.Expiration != "" {
		fmt.Fprintf(&b, ", valid until %s", expirationText(e.Expiration))
	}
	return b.String()
}

// federatedWords: "AssumeRoleWithWebIdentity by system:serviceaccount:ml:trainer
// via OIDC provider P issued K to session S on role R", and the like for
// SAML and EKS Pod Identity.
func federatedWords(e EvidenceEvent) string {
	var b strings.Builder
	b.WriteString(e.EventName)
	switch e.EventName {
	case "AssumeRoleWithWebIdentity":
		fmt.Fprintf(&b, " by %s via OIDC provider %s", orUnknown(firstOf(e.Subject, e.UserName)), orUnknown(e.Provider))
	case "AssumeRoleWithSAML":
		fmt.Fprintf(&b, " by %s via SAML issuer %s", orUnknown(firstOf(e.Subject, e.UserName)), orUnknown(e.Provider))
	default:
		sa := "(unknown)"
		if e.Namespace != "" || e.ServiceAccount != "" {
			sa = orUnknown(e.Namespace) + "/" + orUnknown(e.ServiceAccount)
		}
		fmt.Fprintf(&b, " for service account %s in EKS cluster %s", sa, orUnknown(e.Cluster))
		if pod := firstOf(e.Pod, podOfSession(e.TargetSession, e.Cluster)); pod != "" {
			fmt.Fprintf(&b, ", pod %s", pod)
		}
		b.WriteString(", " + callerWords(e))
	}
	if e.ErrorCode != "" {
		fmt.Fprintf(&b, " failed (%s)", e.ErrorCode)
		return b.String()
	}
	if e.IssuedKey != "" {
		fmt.Fprintf(&b, " issued %s to", e.IssuedKey)
	} else {
		b.WriteString(" (its response names no key) for")
	}
	fmt.Fprintf(&b, " session %s on role %s", orUnknown(e.TargetSession), orUnknown(e.TargetRoleARN))
	if e.Expiration != "" {
		fmt.Fprintf(&b, ", valid until %s", expirationText(e.Expiration))
	}
	return b.String()
}

func podOfSession(session, cluster string) string {
	pod, _ := awsid.PodOfSession(session, cluster)
	return pod
}

// expirationText writes an AssumeRole response's expiration in RFC 3339,
// UTC. CloudTrail records it as "Nov 1, 2026, 1:01:38 AM" (UTC), some
// exports in RFC 3339; anything else is shown as recorded.
func expirationText(s string) string {
	for _, layout := range []string{"Jan 2, 2006, 3:04:05 PM", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC().Format(time.RFC3339)
		}
	}
	return s
}

// callerWords says who made a call: a service, a session's key, a user.
func callerWords(e EvidenceEvent) string {
	switch {
	case e.IdentityType == "AWSService" || (e.IdentityType == "" && e.InvokedBy != ""):
		return "called by " + firstOf(e.InvokedBy, e.SourceIP, "an AWS service")
	case e.IdentityType == "AssumedRole" && e.SessionName == "SageMaker":
		return "called with " + keyWords(e.AccessKeyID) + ", the default SageMaker session key of role " + orUnknown(e.RoleARN) + ","
	case e.IdentityType == "AssumedRole":
		return "called with " + keyWords(e.AccessKeyID) + " (session " + orUnknown(e.SessionName) + " on role " + orUnknown(e.RoleARN) + ")"
	case e.IdentityType == "IAMUser":
		return "called with " + keyWords(e.AccessKeyID) + " by IAM user " + firstOf(e.UserName, e.PrincipalARN, "(unnamed)")
	case e.PrincipalARN != "":
		return "called with " + keyWords(e.AccessKeyID) + " by " + e.PrincipalARN
	}
	return "called with " + keyWords(e.AccessKeyID)
}

// notebookWords: "CreateNotebookInstance nb-1 on role R (lifetime from T)".
func notebookWords(e EvidenceEvent) string {
	name := e.Notebook
	if name == "" && e.Lifetime != nil {
		name = e.Lifetime.Name
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", e.EventName, orUnknown(name))
	var set []string
	if e.NotebookRoleARN != "" {
		set = append(set, "on role "+e.NotebookRoleARN)
	}
	switch {
	case e.NotebookLCCRemoved:
		set = append(set, "lifecycle config removed")
	case e.NotebookLCC != "":
		set = append(set, "with lifecycle config "+e.NotebookLCC)
	}
	if e.NotebookInstanceType != "" {
		set = append(set, "instance type "+e.NotebookInstanceType)
	}
	if len(set) > 0 {
		b.WriteString(" ")
		b.WriteString(strings.Join(set, ", "))
	}
	if e.Lifetime != nil {
		fmt.Fprintf(&b, " (%s)", lifetimeSpan(*e.Lifetime))
	} else {
		b.WriteString(" (no lifetime in the inventory)")
	}
	return b.String()
}

// lifetimeWords describes an inventory row.
func lifetimeWords(l Lifetime) string {
	var b strings.Builder
	fmt.Fprintf(&b, "notebook instance %s", orUnknown(l.Name))
	if l.RoleARN != "" {
		fmt.Fprintf(&b, " on role %s", l.RoleARN)
	}
	if l.LifecycleConfig != "" {
		fmt.Fprintf(&b, " with lifecycle config %s", l.LifecycleConfig)
	}
	fmt.Fprintf(&b, " (%s)", lifetimeSpan(l))
	return b.String()
}

func lifetimeSpan(l Lifetime) string {
	from := "lifetime from before the trail starts"
	if !l.CreatedAt.IsZero() {
		from = "lifetime from " + l.CreatedAt.Format(time.RFC3339)
	}
	if l.DeletedAt.IsZero() {
		return from + ", not deleted"
	}
	return from + " to " + l.DeletedAt.Format(time.RFC3339)
}

// ownCallWords describes a call that shows, by itself, whose a key is: a
// Lambda or ECS runtime's user agent, EC2 instance-profile delivery.
func ownCallWords(e EvidenceEvent) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s called with %s", orUnknown(e.EventName), keyWords(e.AccessKeyID))
	if e.SessionName != "" || e.RoleARN != "" {
		fmt.Fprintf(&b, " as session %s on role %s", orUnknown(e.SessionName), orUnknown(e.RoleARN))
	}
	env := execEnv(e.UserAgent)
	switch {
	case strings.HasPrefix(env, "exec-env/AWS_Lambda_"):
		fmt.Fprintf(&b, " from a Lambda runtime (%s)", env)
	case strings.HasPrefix(env, "exec-env/AWS_ECS_"):
		fmt.Fprintf(&b, " from an ECS task (%s)", env)
	case e.EC2RoleDelivery != "":
		fmt.Fprintf(&b, " with EC2 instance-profile credentials (ec2RoleDelivery %s)", e.EC2RoleDelivery)
	case env != "":
		fmt.Fprintf(&b, " from %s", env)
	case e.SourceIP != "":
		fmt.Fprintf(&b, " from %s", e.SourceIP)
	}
	return b.String()
}

// execEnv is the exec-env/... token of a user agent, or "".
func execEnv(ua string) string {
	i := strings.Index(ua, "exec-env/")
	if i < 0 {
		return ""
	}
	env := ua[i:]
	if j := strings.IndexAny(env, " ;)"); j >= 0 {
		env = env[:j]
	}
	return env
}

func keyWords(key string) string {
	if key == "" {
		return "an unrecorded key"
	}
	return key
}

func orUnknown(s string) string { return firstOf(s, "(unknown)") }

func firstOf(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
