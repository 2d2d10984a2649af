{{- /* Shared parts of the findings steps. Each takes the column it tests as its argument. */ -}}

{{define "ipv4"}}regexp_full_match({{.}}, '[0-9]{1,3}(\.[0-9]{1,3}){3}'){{end}}

{{define "ipv6"}}regexp_full_match({{.}}, '[0-9a-fA-F]*:[0-9a-fA-F:.]+'){{end}}

{{- /* RFC 1918, loopback, link-local, carrier-grade NAT and IPv6 unique-local
       addresses: a call from one came through a VPC endpoint or the VPC. */}}
{{define "private"}}regexp_matches({{.}}, '^(10\.|192\.168\.|172\.(1[6-9]|2[0-9]|3[01])\.|127\.|169\.254\.|100\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\.|[fF][cdCD][0-9a-fA-F]{2}:)'){{end}}

{{- /* A desktop operating system in the user agent: the AWS CLI and SDKs on
       macOS and Windows, and Go SDK v1's "(go1.x; darwin; arm64)". */}}
{{define "desktop"}}regexp_matches({{.}}, '(?i)(os/macos|os/windows|darwin/[0-9]|windows/[0-9]|windows_nt|mac os x|; (darwin|windows); )'){{end}}

{{- /* The runtime marker AWS SDKs add from AWS_EXECUTION_ENV: AWS_Lambda,
       AWS_ECS, AWS_SageMaker, ... ('' for none). */}}
{{define "runtime"}}regexp_extract({{.}}, 'exec-env/(AWS_[A-Za-z]+)', 1){{end}}

{{- /* The kinds of compute whose credentials live on a machine AWS runs for
       the customer, and can be taken off it. */}}
{{define "compute"}}'notebook-instance', 'studio-user-profile', 'ec2-instance', 'lambda-function', 'ecs-task', 'sagemaker-job', 'sagemaker-cluster-node', 'hyperpod-node'{{end}}
