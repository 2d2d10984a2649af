package lifecycle

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/smithy-go"
)

// SageMakerAPI is the part of the SageMaker client a rollout uses.
type SageMakerAPI interface {
	ListNotebookInstances(context.Context, *sagemaker.ListNotebookInstancesInput, ...func(*sagemaker.Options)) (*sagemaker.ListNotebookInstancesOutput, error)
	DescribeNotebookInstance(context.Context, *sagemaker.DescribeNotebookInstanceInput, ...func(*sagemaker.Options)) (*sagemaker.DescribeNotebookInstanceOutput, error)
	DescribeNotebookInstanceLifecycleConfig(context.Context, *sagemaker.DescribeNotebookInstanceLifecycleConfigInput, ...func(*sagemaker.Options)) (*sagemaker.DescribeNotebookInstanceLifecycleConfigOutput, error)
	CreateNotebookInstanceLifecycleConfig(context.Context, *sagemaker.CreateNotebookInstanceLifecycleConfigInput, ...func(*sagemaker.Options)) (*sagemaker.CreateNotebookInstanceLifecycleConfigOutput, error)
	UpdateNotebookInstanceLifecycleConfig(context.Context, *sagemaker.UpdateNotebookInstanceLifecycleConfigInput, ...func(*sagemaker.Options)) (*sagemaker.UpdateNotebookInstanceLifecycleConfigOutput, error)
	UpdateNotebookInstance(context.Context, *sagemaker.UpdateNotebookInstanceInput, ...func(*sagemaker.Options)) (*sagemaker.UpdateNotebookInstanceOutput, error)
	StopNotebookInstance(context.Context, *sagemaker.StopNotebookInstanceInput, ...func(*sagemaker.Options)) (*sagemaker.StopNotebookInstanceOutput, error)
	StartNotebookInstance(context.Context, *sagemaker.StartNotebookInstanceInput, ...func(*sagemaker.Options)) (*sagemaker.StartNotebookInstanceOutput, error)
}

// IAMAPI is the part of the IAM client a rollout uses.
type IAMAPI interface {
	GetRole(context.Context, *iam.GetRoleInput, ...func(*iam.Options)) (*iam.GetRoleOutput, error)
	UpdateAssumeRolePolicy(context.Context, *iam.UpdateAssumeRolePolicyInput, ...func(*iam.Options)) (*iam.UpdateAssumeRolePolicyOutput, error)
}

// RolloutOptions say which notebook instances a rollout covers and how far
// it may go.
type RolloutOptions struct {
	Instances []string // notebook instance names; ignored when All is set
	All       bool     // every notebook instance in the region
	// Region is baked into the scripts; the script reads it from the
	// notebook's metadata when empty.
	Region string
	// UpdateTrust adds the self-trust statement to execution roles that
	// lack it.
	UpdateTrust bool
	// Restart stops InService instances, attaches the configuration and
	// starts them again, so that the script runs now.
	Restart bool
	// Replace attaches ctattrib's configuration to instances that use
	// another lifecycle configuration, replacing it.
	Replace bool
	// PollInterval is how often a restart checks whether the instance has
	// stopped (default 15s); StopTimeout bounds the wait (default 20m).
	PollInterval, StopTimeout time.Duration
	Log                       *slog.Logger
}

// Actions in a Plan.
const (
	ConfigCreate    = "create"
	ConfigUpdate    = "update"
	ConfigUnchanged = "unchanged"

	AttachNew      = "attach"           // instance is stopped: attach now
	AttachDone     = "already attached" // nothing to do
	AttachRestart  = "restart"          // stop, attach if needed, start (--restart)
	AttachPending  = "pending restart"  // not stopped: needs a stop/start
	AttachConflict = "conflict"         // uses another configuration

	TrustPresent = "present"
	TrustAdd     = "add"
	TrustMissing = "missing"
	TrustUnknown = "unknown"
)

// InstancePlan is what a rollout does to one notebook instance.
type InstancePlan struct {
	Name          string
	Status        string
	RoleARN       string
	ConfigName    string
	CurrentConfig string // the configuration attached now, if any
	Config        string // ConfigCreate, ConfigUpdate or ConfigUnchanged; "" when skipped
	Attach        string // one of the Attach constants
	Note          string
	script        []byte
}

// RolePlan is what a rollout does to one execution role's trust policy.
type RolePlan struct {
	ARN    string
	Trust  string // TrustPresent, TrustAdd, TrustMissing or TrustUnknown
	Note   string
	name   string
	merged []byte
}

// Plan is the list of changes a rollout makes, worked out before any of
// them is made.
type Plan struct {
	Instances []InstancePlan
	Roles     []RolePlan
}

// Changes counts the API calls that change something.
func (p *Plan) Changes() int {
	n := 0
	for _, ip := range p.Instances {
		if ip.Config == ConfigCreate || ip.Config == ConfigUpdate {
			n++
		}
		if ip.Attach == AttachNew || ip.Attach == AttachRestart {
			n++
		}
	}
	for _, rp := range p.Roles {
		if rp.Trust == TrustAdd {
			n++
		}
	}
	return n
}

// NewPlan reads the notebook instances, their lifecycle configurations and
// execution roles, and works out what a rollout would change. It changes
// nothing.
func NewPlan(ctx context.Context, sm SageMakerAPI, iamc IAMAPI, opts RolloutOptions) (*Plan, error) {
	names := opts.Instances
	if opts.All {
		var err error
		if names, err = listNotebooks(ctx, sm); err != nil {
			return nil, err
		}
	}
	plan := &Plan{}
	roles := map[string]bool{}
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ip, err := planInstance(ctx, sm, name, opts)
		if err != nil {
			return nil, err
		}
		plan.Instances = append(plan.Instances, ip)
		if ip.RoleARN != "" && !roles[ip.RoleARN] {
			roles[ip.RoleARN] = true
			plan.Roles = append(plan.Roles, planRole(ctx, iamc, ip.RoleARN, opts))
		}
	}
	return plan, nil
}

func listNotebooks(ctx context.Context, sm SageMakerAPI) ([]string, error) {
	var names []string
	p := sagemaker.NewListNotebookInstancesPaginator(sm, &sagemaker.ListNotebookInstancesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list notebook instances: %w", err)
		}
		for _, nb := range page.NotebookInstances {
			names = append(names, aws.ToString(nb.NotebookInstanceName))
		}
	}
	return names, nil
}

func planInstance(ctx context.Context, sm SageMakerAPI, name string, opts RolloutOptions) (InstancePlan, error) {
	if err := ValidateInstanceName(name); err != nil {
		return InstancePlan{}, err
	}
	nb, err := sm.DescribeNotebookInstance(ctx, &sagemaker.DescribeNotebookInstanceInput{NotebookInstanceName: aws.String(name)})
	if err != nil {
		return InstancePlan{}, fmt.Errorf("describe notebook instance %s: %w", name, err)
	}
	ip := InstancePlan{
		Name:          name,
		Status:        string(nb.NotebookInstanceStatus),
		RoleARN:       aws.ToString(nb.RoleArn),
		ConfigName:    ConfigName(name),
		CurrentConfig: aws.ToString(nb.NotebookInstanceLifecycleConfigName),
	}
	ip.script, err = Script(Params{Instance: name, RoleARN: ip.RoleARN, Region: opts.Region})
	if err != nil {
		ip.Note = fmt.Sprintf("skipped: %v", err)
		return ip, nil
	}
	if ip.CurrentConfig != "" && ip.CurrentConfig != ip.ConfigName && !opts.Replace {
		ip.Attach = AttachConflict
		ip.Note = fmt.Sprintf("uses lifecycle configuration %s; add the script to it, or rerun with --replace", ip.CurrentConfig)
		return ip, nil
	}

	cur, err := sm.DescribeNotebookInstanceLifecycleConfig(ctx, &sagemaker.DescribeNotebookInstanceLifecycleConfigInput{
		NotebookInstanceLifecycleConfigName: aws.String(ip.ConfigName),
	})
	switch {
	case isNotFound(err):
		ip.Config = ConfigCreate
	case err != nil:
		return InstancePlan{}, fmt.Errorf("describe lifecycle configuration %s: %w", ip.ConfigName, err)
	case sameHooks(cur.OnStart, ip.script) && len(cur.OnCreate) == 0:
		ip.Config = ConfigUnchanged
	default:
		ip.Config = ConfigUpdate
	}

	attached := ip.CurrentConfig == ip.ConfigName
	stopped := nb.NotebookInstanceStatus == types.NotebookInstanceStatusStopped || nb.NotebookInstanceStatus == types.NotebookInstanceStatusFailed
	switch {
	case attached && (ip.Config == ConfigUnchanged || stopped):
		ip.Attach = AttachDone
	case stopped:
		ip.Attach = AttachNew
	case nb.NotebookInstanceStatus == types.NotebookInstanceStatusInService && opts.Restart:
		ip.Attach = AttachRestart
		ip.Note = "stop, attach and start again"
	default:
		ip.Attach = AttachPending
		if attached {
			ip.Note = fmt.Sprintf("%s: the new script runs at the next start; rerun with --restart to restart now", ip.Status)
		} else {
			ip.Note = fmt.Sprintf("%s: can only be attached when stopped; stop it and rerun, or rerun with --restart", ip.Status)
		}
	}
	return ip, nil
}

func sameHooks(hooks []types.NotebookInstanceLifecycleHook, script []byte) bool {
	if len(hooks) != 1 {
		return false
	}
	got, err := base64.StdEncoding.DecodeString(aws.ToString(hooks[0].Content))
	return err == nil && string(got) == string(script)
}

// isNotFound reports whether err is SageMaker saying a lifecycle
// configuration does not exist. SageMaker has no not-found error for it: it
// answers with a ValidationException.
func isNotFound(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && (ae.ErrorCode() == "ValidationException" || ae.ErrorCode() == "ResourceNotFound") &&
		strings.Contains(ae.ErrorMessage(), "Unable to describe")
}

func planRole(ctx context.Context, iamc IAMAPI, roleARN string, opts RolloutOptions) RolePlan {
	rp := RolePlan{ARN: roleARN, Trust: TrustUnknown}
	arn, err := ParseRoleARN(roleARN)
	if err != nil {
		rp.Note = err.Error()
		return rp
	}
	rp.name = arn.Name
	out, err := iamc.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(arn.Name)})
	if err != nil {
		rp.Note = fmt.Sprintf("cannot read the trust policy: %v", err)
		return rp
	}
	doc, err := url.QueryUnescape(aws.ToString(out.Role.AssumeRolePolicyDocument))
	if err != nil {
		rp.Note = fmt.Sprintf("cannot decode the trust policy: %v", err)
		return rp
	}
	stmt, _ := SelfTrustStatement(roleARN)
	merged, changed, err := MergeTrust([]byte(doc), stmt)
	switch {
	case err != nil:
		rp.Note = err.Error()
	case !changed:
		rp.Trust = TrustPresent
	case opts.UpdateTrust:
		rp.Trust = TrustAdd
		rp.merged = merged
	default:
		rp.Trust = TrustMissing
		rp.Note = "the role cannot assume itself; rerun with --update-trust, or see ctattrib lifecycle policy"
	}
	return rp
}

// Write prints the plan as two tables, notebook instances and roles, and
// the number of changes.
func (p *Plan) Write(w io.Writer) error {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "INSTANCE\tSTATUS\tLIFECYCLE CONFIG\tCONFIG\tATTACH\tNOTE")
	for _, ip := range p.Instances {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", ip.Name, ip.Status, ip.ConfigName, dash(ip.Config), dash(ip.Attach), ip.Note)
	}
	tw.Flush()
	if len(p.Roles) > 0 {
		buf.WriteString("\n")
		tw = tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ROLE\tSELF-TRUST\tNOTE")
		for _, rp := range p.Roles {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", rp.ARN, rp.Trust, rp.Note)
		}
		tw.Flush()
	}
	fmt.Fprintf(&buf, "\n%d change(s) to make.\n", p.Changes())
	var out strings.Builder
	for _, line := range strings.SplitAfter(buf.String(), "\n") {
		out.WriteString(strings.TrimRight(line, " \n"))
		if strings.HasSuffix(line, "\n") {
			out.WriteString("\n")
		}
	}
	_, err := io.WriteString(w, out.String())
	return err
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Apply makes the changes in the plan: trust policies first, so that a
// notebook that starts with the script can already assume its role, then
// each instance's configuration and attachment. It stops at the first
// error; running it again picks up where it stopped.
func (p *Plan) Apply(ctx context.Context, sm SageMakerAPI, iamc IAMAPI, opts RolloutOptions) error {
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	for _, rp := range p.Roles {
		if rp.Trust != TrustAdd {
			continue
		}
		if _, err := iamc.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{
			RoleName: aws.String(rp.name), PolicyDocument: aws.String(string(rp.merged)),
		}); err != nil {
			return fmt.Errorf("update trust policy of %s: %w", rp.ARN, err)
		}
		log.Info("Added self-trust statement", "role", rp.ARN)
	}
	for _, ip := range p.Instances {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := applyInstance(ctx, sm, ip, opts, log); err != nil {
			return err
		}
	}
	return nil
}

func applyInstance(ctx context.Context, sm SageMakerAPI, ip InstancePlan, opts RolloutOptions, log *slog.Logger) error {
	hooks := []types.NotebookInstanceLifecycleHook{{Content: aws.String(base64.StdEncoding.EncodeToString(ip.script))}}
	switch ip.Config {
	case ConfigCreate:
		if _, err := sm.CreateNotebookInstanceLifecycleConfig(ctx, &sagemaker.CreateNotebookInstanceLifecycleConfigInput{
			NotebookInstanceLifecycleConfigName: aws.String(ip.ConfigName), OnStart: hooks,
		}); err != nil {
			return fmt.Errorf("create lifecycle configuration %s: %w", ip.ConfigName, err)
		}
		log.Info("Created lifecycle configuration", "name", ip.ConfigName)
	case ConfigUpdate:
		if _, err := sm.UpdateNotebookInstanceLifecycleConfig(ctx, &sagemaker.UpdateNotebookInstanceLifecycleConfigInput{
			NotebookInstanceLifecycleConfigName: aws.String(ip.ConfigName), OnStart: hooks,
			OnCreate: []types.NotebookInstanceLifecycleHook{},
		}); err != nil {
			return fmt.Errorf("update lifecycle configuration %s: %w", ip.ConfigName, err)
		}
		log.Info("Updated lifecycle configuration", "name", ip.ConfigName)
	}
	attach := func() error {
		if ip.CurrentConfig == ip.ConfigName {
			return nil
		}
		if _, err := sm.UpdateNotebookInstance(ctx, &sagemaker.UpdateNotebookInstanceInput{
			NotebookInstanceName: aws.String(ip.Name), LifecycleConfigName: aws.String(ip.ConfigName),
		}); err != nil {
			return fmt.Errorf("attach %s to %s: %w", ip.ConfigName, ip.Name, err)
		}
		log.Info("Attached lifecycle configuration", "instance", ip.Name, "config", ip.ConfigName)
		return nil
	}
	switch ip.Attach {
	case AttachNew:
		return attach()
	case AttachRestart:
		if _, err := sm.StopNotebookInstance(ctx, &sagemaker.StopNotebookInstanceInput{NotebookInstanceName: aws.String(ip.Name)}); err != nil {
			return fmt.Errorf("stop %s: %w", ip.Name, err)
		}
		log.Info("Stopping notebook instance", "instance", ip.Name)
		if err := waitStopped(ctx, sm, ip.Name, opts); err != nil {
			return err
		}
		if err := attach(); err != nil {
			return err
		}
		if _, err := sm.StartNotebookInstance(ctx, &sagemaker.StartNotebookInstanceInput{NotebookInstanceName: aws.String(ip.Name)}); err != nil {
			return fmt.Errorf("start %s: %w", ip.Name, err)
		}
		log.Info("Started notebook instance", "instance", ip.Name)
	}
	return nil
}

func waitStopped(ctx context.Context, sm SageMakerAPI, name string, opts RolloutOptions) error {
	interval, timeout := opts.PollInterval, opts.StopTimeout
	if interval <= 0 {
		interval = 15 * time.Second
	}
	if timeout <= 0 {
		timeout = 20 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		out, err := sm.DescribeNotebookInstance(ctx, &sagemaker.DescribeNotebookInstanceInput{NotebookInstanceName: aws.String(name)})
		if err != nil {
			return fmt.Errorf("wait for %s to stop: %w", name, err)
		}
		switch out.NotebookInstanceStatus {
		case types.NotebookInstanceStatusStopped:
			return nil
		case types.NotebookInstanceStatusStopping:
		default:
			return fmt.Errorf("wait for %s to stop: status is %s", name, out.NotebookInstanceStatus)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for %s to stop: %w", name, ctx.Err())
		case <-time.After(interval):
		}
	}
}
