// Package attribution works out, for every CloudTrail event in the
// database, who made the call: the SageMaker notebook instance, HyperPod
// cluster or node, training, processing or transform job, endpoint, Studio
// domain or user profile, EC2 instance, Lambda function, ECS task,
// Kubernetes service account, GitHub Actions workflow, person or AWS
// service, how ctattrib knows (method) and how sure it is (confidence).
//
// All notebook instances on one execution role call AWS as
// assumed-role/ROLE/SageMaker. An instance whose on-start script sets
// role_session_name to its own name calls as assumed-role/ROLE/NAME, after
// an AssumeRole made with its default SageMaker key. Run reads those
// clues, and every other CloudTrail holds, with set-based SQL in DuckDB:
// it builds small tables (the notebook inventory, the access keys that
// AssumeRole events link, the addresses people used) and then attributes
// all events with one INSERT ... SELECT. The pure parts (session-name
// conventions, ARN parts) are Go functions in session.go whose RE2 patterns
// the SQL shares.
//
// # Precedence
//
// The first rule that applies decides. For identities other than
// AssumedRole the identity type decides alone:
//
//	identity type         actor_kind         actor                     method            confidence
//	IAMUser               iam-user           user name                 iam-user          high
//	Root                  root               account id                root              high
//	AWSService            aws-service        invokedBy                 aws-service       high
//	none, with invokedBy  aws-service        invokedBy                 aws-service       high
//	  (AwsServiceEvent)
//	FederatedUser         federated-user     federated-user name       federated-user    high
//	IdentityCenterUser    sso-user           user name                 identity-center   high
//	AWSAccount            aws-account        account id                aws-account       medium
//	WebIdentityUser       as its key's link (see Keys): the token's subject
//	                                                                   web-identity      high
//	SAMLUser              saml-user          SAML subject (user name)  saml              high
//	none / Unknown        unattributed       -                         none              low
//
// For AssumedRole identities, in order:
//
//	 1 sessionContext.sourceIdentity          studio-user-profile (SageMaker role or session,
//	                                          or a key chained from one), else source-identity
//	                                          source-identity  high
//	 2 key issued by an AssumeRole in the data, valid at the event's time (see Keys)
//	                                          the key's actor   access-key-chain, the key's
//	                                                            or how the chain
//	                                                            starts: web-identity,
//	                                                            saml, pod-identity
//	 3 session name = a notebook instance alive at the time, in the same account,
//	   on its execution role                  notebook-instance session-name      high
//	                                          (medium when the instance is in another region)
//	 4 default-session key that called AssumeRole for a notebook-named session
//	                                          notebook-instance access-key-chain  high
//	4a session name hyperpod.CLUSTER.i-<id>   hyperpod-node     hyperpod-session-name high
//	   (ctattrib lifecycle hyperpod)          actor CLUSTER/i-<id>; CLUSTER truncated with a
//	                                          hash when the cluster's name was too long
//	 4b session name SageMaker (a role's default session) and exactly one SageMaker
//	   compute alive on the role in the account at the time (see Compute)
//	                                          the compute's kind sole-compute-on-role medium
//	 5 session name i-<8|17 hex>              ec2-instance      ec2-instance-id   high with
//	                                          ec2RoleDelivery, else medium
//	 6 role AWSReservedSSO_*                  sso-user          sso-role-session  high
//	 7 session name = a notebook instance whose role the inventory does not know
//	                                          notebook-instance session-name      medium
//	 8 user agent exec-env/AWS_Lambda_*, or a key whose calls carry it (see Keys)
//	                                          lambda-function   lambda-function-name medium
//	 9 session name of 32 hex digits, or user agent exec-env/AWS_ECS_* (or a
//	   key whose calls carry it)              ecs-task          ecs-task-id       medium
//	10 userIdentity.invokedBy, unless the session's own calls used the key
//	   (the service called on the session's behalf: rules 8, 9, 11 or 12)
//	                                          aws-service       invoked-by        medium
//	11 session name is an e-mail address      person            email-session-name medium
//	12 otherwise                              unattributed, with a reason: the default
//	                                          SageMaker session (every compute alive on the
//	                                          role, with its kind, and what would tell them
//	                                          apart; or that none was), a notebook's
//	                                          name on an unrelated role, botocore-session-* or
//	                                          another SDK default name, or no match at all
//
// # Keys
//
// The calls that issue a role's credentials are AssumeRole, its web
// identity and SAML forms, and EKS Pod Identity's AssumeRoleForPodIdentity
// (and the AssumeRole pods.eks.amazonaws.com makes for it). A federated
// one links the key to whom its token names, with method and note:
//
//	call                         token                                 actor_kind                  actor             note                               method
//	AssumeRoleWithWebIdentity    system:serviceaccount:NS:NAME (IRSA)  kubernetes-service-account  NS/NAME           EKS cluster OIDC id and region     web-identity
//	AssumeRoleWithWebIdentity    repo:OWNER/REPO:CONTEXT, from GitHub  github-actions              OWNER/REPO        GitHub Actions CONTEXT (ref, env)  web-identity
//	AssumeRoleWithWebIdentity    any other subject                     web-identity                the subject       OIDC provider                      web-identity
//	AssumeRoleWithSAML           the SAML subject                      saml-user                   the subject       SAML issuer                        saml
//	AssumeRoleForPodIdentity,    namespace, service account            kubernetes-service-account  NS/NAME           cluster and pod                    pod-identity
//	  AssumeRole by pods.eks     (session tags)
//
// A role assumed with such a key is the same subject's, with the same
// method and note, hop after hop and across accounts. EKS's AssumeRole
// without the pod's tags links nothing (its AssumeRoleForPodIdentity may).
//
// Any other AssumeRole event that returned credentials links the new access key
// to, in order: the notebook instance its roleSessionName names (on the
// instance's role; medium when the role is unknown); the HyperPod node its
// roleSessionName names when the role assumed itself; the EC2 instance,
// Lambda function or ECS task when ec2, lambda or ecs-tasks.amazonaws.com
// called it; another AWS service that called it for itself (SageMaker's
// own deliveries of the default session are not linked: they name no
// instance); or whoever made the AssumeRole call, as attributed. The last
// follows role chains one hop per round until nothing changes. The key
// that called an AssumeRole for a notebook-named session on the same role
// is that instance's default SageMaker key, so calls made with it outside
// the profile are the instance's too; likewise the default key that named
// a HyperPod node's session is that node's.
//
// A key no AssumeRole links is still known from its own calls: a Lambda
// function's or ECS task's when their user agent names the compute, else
// the session's, which nothing attributes. AWS services that call with a
// session's key on its behalf (S3 decrypting with KMS for a GetObject,
// forward access) put their own name in invokedBy and the user agent;
// such a call is the session's, not the service's. A key only ever used
// with invokedBy is the service's own session (CloudFormation with a
// stack's service role).
//
// A link holds only while the key is valid: from the AssumeRole (or the
// default session's creation date) to the expiration in the response,
// else 12 hours (7 for EC2 instance credentials). A key linked to several
// actors at once is attributed with low confidence and a note.
//
// # Compute
//
// Every SageMaker resource that runs with an execution role calls AWS as
// assumed-role/ROLE/SageMaker when nothing renames its session. The
// compute inventory (compute_resources, and notebook_instances) holds
// when each ran on which role, from CloudTrail (21_compute_inventory.sql),
// inventory sync or import:
//
//	actor_kind           from                                        role
//	notebook-instance    Create/Update/DeleteNotebookInstance        roleArn
//	hyperpod-cluster     Create/UpdateCluster, DeleteCluster         each instance group's executionRole;
//	                                                                 a group scaled to 0 runs nothing,
//	                                                                 instanceGroupsToDelete ends one
//	training-job         CreateTrainingJob, StopTrainingJob          roleArn; ends at the latest after
//	processing-job       CreateProcessingJob, StopProcessingJob      stoppingCondition (a day if unset)
//	transform-job        CreateTransformJob, StopTransformJob        its model's executionRoleArn (a day)
//	endpoint             Create/Update/DeleteEndpoint                its endpoint config's models' roles
//	studio-domain        Create/Update/DeleteDomain                  default user and space settings
//	studio-user-profile  Create/Update/DeleteUserProfile             userSettings.executionRole
//
// A call under the default session, with no chain and no sourceIdentity,
// is the compute's when exactly one was alive on its role in its account
// (any region: the role's credentials work everywhere, and awsRegion is
// the endpoint called) at the time, widened by ten minutes each side.
// Notebook instances are candidates too, so a job on a notebook's role
// leaves both unattributed. The rule reads comp_segs: per role, the
// stretches of time between span bounds, how many resources were alive
// (a sweep over the bounds, not a join: roles that hundreds of jobs share
// are common), the one when there is one, and up to ten candidates by
// name for the reason.
//
// # Evidence
//
// Every attribution lists in evidence the IDs of the events it rests on,
// in chain order from the compute outwards:
//
//	session-name          the notebook lifetime matched: its CreateNotebookInstance
//	                      (for a lifetime whose start the trail lacks, its first
//	                      Update or Delete), or inventory:api / inventory:csv
//	web-identity, saml,   the federated call that issued the key, then every
//	pod-identity          AssumeRole hop down to the key that made the call
//	sole-compute-on-role  the events that put the compute on the role: its Create,
//	                      or the Update that set the instance group, Studio setting
//	                      or endpoint config; or inventory:api / inventory:csv
//	access-key-chain      the key's chain: for a notebook, the lifetime, then the
//	                      default-session AssumeRole that named it, then every
//	                      further AssumeRole hop down to the key that made the call,
//	                      across accounts; for EC2, Lambda and ECS keys, the
//	                      service's AssumeRole; for a key whoever else called
//	                      AssumeRole for, that caller's evidence and the AssumeRole
//	lambda-function-name, a call that does not show the compute itself (another
//	ecs-task-id           service made it with the key): the key's own call that does
//	any other             nothing: the answer rests on the call alone
//
// # Odd records
//
// No value of one record fails a run: an access key id of another length
// or a redaction links nothing, a creation date or expiration that is no
// time reads as unknown (a key then holds 12 hours), a missing
// sessionIssuer leaves the role name the ARN gives, a request or response
// of another JSON type (a string that is no JSON) reads as absent, and
// each unattributed event says why. TestAttributeSurvivesCorruptRecords
// and FuzzAttributeRecord hold this.
//
// Of the two copies an organisation trail records of a cross-account
// AssumeRole, evidence names the one with the lower event ID.
// evidence_event_id is the single event that proves the last link.
//
// # Findings
//
// Attribution names whose credentials made a call; Findings (findings.go)
// then asks whether that compute made it. Calls made with a compute's
// credentials from somewhere the compute does not call from (a desktop
// client, another network, an address a person of the account used),
// after the compute ended, or from distant networks at once keep their
// attribution and get a finding: the kind in attributions.finding, one
// row per key and kind in the findings table.
//
// # Incremental runs
//
// Run keeps what it resolved (attribution_keys, attribution_seen_inventory,
// attribution_seen_ips) and, unless Options.Full is set, rewrites only the
// attributions of new events and of events whose key, session name or
// role has a different resolution or evidence now; findings are
// recomputed whole. The
// result equals a full run. A new ctattrib version with changed rules
// needs one --full run.
//
// # Steps
//
// Run executes the files of the sql folder in the order of their numbers,
// each rendered by one text/template scheme (the relation classify reads,
// the session-name patterns of session.go) and logged with its time at
// debug level. Steps that read the finished attributions belong in
// afterClassify.
package attribution
