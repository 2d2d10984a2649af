package lifecycle

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// StudioAPI is the part of the SageMaker client the Studio setting uses.
type StudioAPI interface {
	DescribeDomain(context.Context, *sagemaker.DescribeDomainInput, ...func(*sagemaker.Options)) (*sagemaker.DescribeDomainOutput, error)
	UpdateDomain(context.Context, *sagemaker.UpdateDomainInput, ...func(*sagemaker.Options)) (*sagemaker.UpdateDomainOutput, error)
}

// StudioPlan is what it takes for a Studio domain's calls to carry the
// user profile name in sourceIdentity: the domain setting
// ExecutionRoleIdentityConfig=USER_PROFILE_NAME, and sts:SetSourceIdentity
// for SageMaker in the execution role's trust policy.
type StudioPlan struct {
	DomainID string
	// Identity is the domain's ExecutionRoleIdentityConfig now.
	Identity string
	// RoleARN is the domain's default execution role; Trust is
	// TrustPresent, TrustAdd, TrustMissing or TrustUnknown for it.
	RoleARN, Trust, Note string
	roleName             string
	merged               []byte
}

// StudioIdentity is the ExecutionRoleIdentityConfig value that puts the
// user profile name in sourceIdentity.
const StudioIdentity = string(types.ExecutionRoleIdentityConfigUserProfileName)

// NewStudioPlan reads the domain and its default execution role's trust
// policy. It changes nothing.
func NewStudioPlan(ctx context.Context, sm StudioAPI, iamc IAMAPI, domainID string, updateTrust bool) (*StudioPlan, error) {
	if err := ValidateDomainID(domainID); err != nil {
		return nil, err
	}
	out, err := sm.DescribeDomain(ctx, &sagemaker.DescribeDomainInput{DomainId: aws.String(domainID)})
	if err != nil {
		return nil, fmt.Errorf("describe domain %s: %w", domainID, err)
	}
	p := &StudioPlan{DomainID: domainID, Trust: TrustUnknown}
	if out.DomainSettings != nil {
		p.Identity = string(out.DomainSettings.ExecutionRoleIdentityConfig)
	}
	if out.DefaultUserSettings != nil {
		p.RoleARN = aws.ToString(out.DefaultUserSettings.ExecutionRole)
	}
	arn, err := ParseRoleARN(p.RoleARN)
	if err != nil {
		p.Note = fmt.Sprintf("default execution role: %v", err)
		return p, nil
	}
	p.roleName = arn.Name
	role, err := iamc.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(arn.Name)})
	if err != nil {
		p.Note = fmt.Sprintf("cannot read the trust policy: %v", err)
		return p, nil
	}
	doc, err := url.QueryUnescape(aws.ToString(role.Role.AssumeRolePolicyDocument))
	if err != nil {
		p.Note = fmt.Sprintf("cannot decode the trust policy: %v", err)
		return p, nil
	}
	merged, changed, err := MergeTrust([]byte(doc), StudioTrustStatement())
	switch {
	case err != nil:
		p.Note = err.Error()
	case !changed:
		p.Trust = TrustPresent
	case updateTrust:
		p.Trust, p.merged = TrustAdd, merged
	default:
		p.Trust = TrustMissing
		p.Note = "SageMaker cannot set the source identity; rerun with --update-trust"
	}
	return p, nil
}

// Changes counts the API calls that change something.
func (p *StudioPlan) Changes() int {
	n := 0
	if p.Identity != StudioIdentity {
		n++
	}
	if p.Trust == TrustAdd {
		n++
	}
	return n
}

// Write prints the plan, with the equivalent AWS CLI commands.
func (p *StudioPlan) Write(w io.Writer) error {
	action := "unchanged"
	if p.Identity != StudioIdentity {
		action = "set to " + StudioIdentity
	}
	fmt.Fprintf(w, "Domain %s: ExecutionRoleIdentityConfig is %s: %s\n", p.DomainID, dash(p.Identity), action)
	fmt.Fprintf(w, "Execution role %s: sts:SetSourceIdentity for %s: %s", dash(p.RoleARN), sagemakerService, p.Trust)
	if p.Note != "" {
		fmt.Fprintf(w, " (%s)", p.Note)
	}
	stmt, _ := json.MarshalIndent(StudioTrustStatement(), "", "  ")
	fmt.Fprintf(w, "\n\nThe same by hand:\n\n  aws sagemaker update-domain --domain-id %s \\\n    --domain-settings-for-update ExecutionRoleIdentityConfig=%s\n", p.DomainID, StudioIdentity)
	fmt.Fprintf(w, "\nand add this statement to the execution role's trust policy:\n\n%s\n", stmt)
	_, err := fmt.Fprintf(w, "\n%d change(s) to make.\n", p.Changes())
	return err
}

// Apply makes the changes in the plan.
func (p *StudioPlan) Apply(ctx context.Context, sm StudioAPI, iamc IAMAPI) error {
	if p.Trust == TrustAdd {
		if _, err := iamc.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{
			RoleName: aws.String(p.roleName), PolicyDocument: aws.String(string(p.merged)),
		}); err != nil {
			return fmt.Errorf("update trust policy of %s: %w", p.RoleARN, err)
		}
	}
	if p.Identity != StudioIdentity {
		if _, err := sm.UpdateDomain(ctx, &sagemaker.UpdateDomainInput{
			DomainId: aws.String(p.DomainID),
			DomainSettingsForUpdate: &types.DomainSettingsForUpdate{
				ExecutionRoleIdentityConfig: types.ExecutionRoleIdentityConfigUserProfileName,
			},
		}); err != nil {
			return fmt.Errorf("update domain %s: %w", p.DomainID, err)
		}
	}
	return nil
}

var domainIDPattern = regexp.MustCompile(`^d-(-*[a-z0-9]){1,61}$`)

// ValidateDomainID checks a Studio domain ID (d-xxxxxxxxxxxx).
func ValidateDomainID(id string) error {
	if !domainIDPattern.MatchString(id) {
		return fmt.Errorf("domain ID %q: want d- followed by lowercase letters and digits: %w", id, ErrInvalid)
	}
	return nil
}
