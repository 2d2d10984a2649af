-- The fixture is a small world, inserted directly: one account with three
-- notebook instances on a shared role (alpha with its lifecycle config in
-- effect, beta with a config that is not, gamma with none and no calls),
-- one denial of each message form, and an IAM user in a second account.
INSERT INTO notebook_instances (account_id, region, name, arn, role_arn, lifecycle_config_name, created_at, deleted_at, last_started_at, status, source) VALUES
 ('111122223333', 'us-east-1', 'nb-alpha', NULL, 'arn:aws:iam::111122223333:role/service-role/SageMakerExec', 'session-name', '2024-05-01T00:00:00Z', NULL, '2024-05-02T00:00:00Z', 'InService', 'api'),
 ('111122223333', 'us-east-1', 'nb-beta',  NULL, 'arn:aws:iam::111122223333:role/service-role/SageMakerExec', 'session-name', '2024-05-01T00:00:00Z', NULL, '2024-05-03T00:00:00Z', 'InService', 'api'),
 ('111122223333', 'us-east-1', 'nb-gamma', NULL, 'arn:aws:iam::111122223333:role/service-role/SageMakerExec', NULL, '2024-04-01T00:00:00Z', NULL, NULL, 'Stopped', 'api'),
 ('111122223333', 'us-east-1', 'nb-gamma', NULL, 'arn:aws:iam::111122223333:role/service-role/OldRole', 'old-config', '2023-01-01T00:00:00Z', '2023-06-01T00:00:00Z', NULL, 'Deleted', 'cloudtrail');

INSERT INTO event_rows (event_id, event_time, event_source, event_name, aws_region, recipient_account_id, identity_type, principal_arn, role_arn, session_name, error_code, error_message, record, vpc_endpoint_id)
SELECT event_id, event_time, event_source, event_name, aws_region, recipient_account_id, identity_type, principal_arn, role_arn, session_name, error_code, error_message,
	json_object('requestParameters', request_parameters::JSON, 'resources', resources::JSON)::VARCHAR, vpc_endpoint_id
FROM (VALUES
 ('e1', '2024-05-02T10:00:00Z', 'sagemaker.amazonaws.com', 'CreateEndpoint', 'us-east-1', '111122223333', 'AssumedRole',
  'arn:aws:sts::111122223333:assumed-role/SageMakerExec/nb-alpha', 'arn:aws:iam::111122223333:role/service-role/SageMakerExec', 'nb-alpha',
  NULL, NULL, '{"endpointName":"churn-endpoint","endpointConfigName":"churn-config"}', NULL, NULL),
 ('e2', '2024-05-02T11:00:00Z', 's3.amazonaws.com', 'PutObject', 'us-east-1', '111122223333', 'AssumedRole',
  'arn:aws:sts::111122223333:assumed-role/SageMakerExec/nb-alpha', 'arn:aws:iam::111122223333:role/service-role/SageMakerExec', 'nb-alpha',
  'AccessDenied', 'Access Denied', '{"bucketName":"data-bucket","key":"out/x.csv"}', NULL, 'vpce-1234'),
 ('e7', '2024-05-02T12:00:00Z', 'sagemaker.amazonaws.com', 'ListEndpoints', 'us-east-1', '111122223333', 'AssumedRole',
  'arn:aws:sts::111122223333:assumed-role/SageMakerExec/nb-alpha', 'arn:aws:iam::111122223333:role/service-role/SageMakerExec', 'nb-alpha',
  NULL, NULL, NULL, NULL, NULL),
 ('e3', '2024-05-03T12:00:00Z', 'sagemaker.amazonaws.com', 'CreatePresignedDomainUrl', 'us-east-1', '111122223333', 'AssumedRole',
  'arn:aws:sts::111122223333:assumed-role/SageMakerExec/SageMaker', 'arn:aws:iam::111122223333:role/service-role/SageMakerExec', 'SageMaker',
  'AccessDeniedException', 'User: arn:aws:sts::111122223333:assumed-role/SageMakerExec/SageMaker is not authorized to perform: sagemaker:CreatePresignedDomainUrl on resource: arn:aws:sagemaker:us-east-1:111122223333:user-profile/d-abc/alice because no identity-based policy allows the sagemaker:CreatePresignedDomainUrl action',
  '{"domainId":"d-abc","userProfileName":"alice"}', NULL, NULL),
 ('e4', '2024-05-03T13:00:00Z', 'ec2.amazonaws.com', 'RunInstances', 'us-east-1', '111122223333', 'AssumedRole',
  'arn:aws:sts::111122223333:assumed-role/SageMakerExec/SageMaker', 'arn:aws:iam::111122223333:role/service-role/SageMakerExec', 'SageMaker',
  'Client.UnauthorizedOperation', 'You are not authorized to perform this operation. Encoded authorization failure message: AbCd',
  '{"instanceType":"p4d.24xlarge"}', NULL, NULL),
 ('e5', '2024-05-03T14:00:00Z', 'kms.amazonaws.com', 'Decrypt', 'us-east-1', '111122223333', 'AssumedRole',
  'arn:aws:sts::111122223333:assumed-role/SageMakerExec/nb-alpha', 'arn:aws:iam::111122223333:role/service-role/SageMakerExec', 'nb-alpha',
  'AccessDenied', 'User: arn:aws:sts::111122223333:assumed-role/SageMakerExec/nb-alpha is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:111122223333:key/1234abcd because no resource-based policy allows the kms:Decrypt action',
  NULL, '[{"accountId":"111122223333","type":"AWS::KMS::Key","ARN":"arn:aws:kms:us-east-1:111122223333:key/1234abcd"}]', NULL),
 ('e6', '2024-05-04T09:00:00Z', 's3.amazonaws.com', 'GetObject', 'eu-west-1', '444455556666', 'IAMUser',
  'arn:aws:iam::444455556666:user/bob', NULL, NULL,
  'AccessDenied', 'User: arn:aws:iam::444455556666:user/bob is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::secret-bucket/report.pdf" with an explicit deny in a service control policy',
  '{"bucketName":"secret-bucket","key":"report.pdf"}', NULL, NULL),
 ('e8', '2024-05-03T15:00:00Z', 'sagemaker.amazonaws.com', 'CreateEndpoint', 'us-east-1', '111122223333', 'AssumedRole',
  'arn:aws:sts::111122223333:assumed-role/SageMakerExec/SageMaker', 'arn:aws:iam::111122223333:role/service-role/SageMakerExec', 'SageMaker',
  NULL, NULL, '{"endpointName":"fraud-endpoint"}', NULL, NULL)
) v(event_id, event_time, event_source, event_name, aws_region, recipient_account_id, identity_type, principal_arn, role_arn, session_name, error_code, error_message, request_parameters, resources, vpc_endpoint_id);

INSERT INTO attributions (event_id, actor_kind, actor, method, confidence, account_id, region, reason) VALUES
 ('e1', 'notebook-instance', 'nb-alpha', 'session-name', 'high', '111122223333', 'us-east-1', NULL),
 ('e2', 'notebook-instance', 'nb-alpha', 'session-name', 'high', '111122223333', 'us-east-1', NULL),
 ('e7', 'notebook-instance', 'nb-alpha', 'session-name', 'high', '111122223333', 'us-east-1', NULL),
 ('e5', 'notebook-instance', 'nb-alpha', 'session-name', 'high', '111122223333', 'us-east-1', NULL),
 ('e3', 'notebook-instance', 'nb-beta', 'access-key-chain', 'medium', '111122223333', 'us-east-1', NULL),
 ('e4', 'unattributed', NULL, 'none', 'low', '111122223333', 'us-east-1', 'default SageMaker session on a role shared by 3 instances'),
 ('e6', 'iam-user', 'bob', 'principal', 'high', '444455556666', 'eu-west-1', NULL);
