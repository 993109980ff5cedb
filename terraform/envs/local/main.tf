# The local environment: the same stack as dev/staging/prod, applied to the AWS emulator (moto
# server) on this machine. `make local` and the integration tests apply it.

variable "emulator_port" {
  description = "Port of the AWS emulator on 127.0.0.1 (LOCAL_AWS_PORT)."
  type        = number
  default     = 5050

  validation {
    condition     = var.emulator_port >= 1024 && var.emulator_port <= 65535
    error_message = "emulator_port must be an unprivileged port, 1024-65535."
  }
}

locals {
  endpoint = "http://127.0.0.1:${var.emulator_port}"
  # The app's name: project.json.
  project = jsondecode(file("${path.module}/../../../project.json"))
}

provider "aws" {
  region = "us-east-1"

  # The emulator accepts any credentials; these keep the provider from looking for real ones.
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true
  skip_region_validation      = true
  s3_use_path_style           = true

  endpoints {
    apigateway     = local.endpoint
    cloudwatch     = local.endpoint
    cloudwatchlogs = local.endpoint
    cognitoidp     = local.endpoint
    dynamodb       = local.endpoint
    ec2            = local.endpoint
    events         = local.endpoint
    iam            = local.endpoint
    lambda         = local.endpoint
    s3             = local.endpoint
    scheduler      = local.endpoint
    sns            = local.endpoint
    sqs            = local.endpoint
    ssm            = local.endpoint
    sts            = local.endpoint
  }
}

module "stack" {
  source = "../../stack"

  app                = local.project.app
  env                = "local"
  availability_zones = ["us-east-1a", "us-east-1b"]

  # Nothing leaves the machine: no NAT, no interface endpoints.
  nat_mode = "none"

  # Throwaway data: let `make tf-destroy ENV=local` remove everything.
  protect_data          = false
  force_destroy_buckets = true

  # moto applies a Deny on principal "*" regardless of its aws:SecureTransport condition, which
  # would lock Terraform itself out of the bucket. Real environments keep the policy.
  enforce_tls = false

  # moto does not implement PutCompositeAlarm, and nothing deploys gradually here: each function's
  # errors alarm is published as its rollback alarm instead.
  composite_rollback_alarms = false

  # Nor X-Ray sampling rules.
  xray_sampling_rule = false

  # Nothing ages here, and the provider waits a minute after writing a bucket's lifecycle until it
  # reads it back the same ten times: the longest wait of the apply (decision 0023).
  expire_old_artifacts = false

  log_retention_days            = 1
  events_archive_retention_days = 1

  # Exercises the GitHub OIDC roles against the emulator; no real repository is involved.
  github_repository = "example/splitstack"
}

output "ssm_prefix" {
  description = "SSM path of the contract."
  value       = module.stack.ssm_prefix
}

output "contract_parameter_names" {
  description = "Full SSM name of every platform contract parameter, by key."
  value       = module.stack.contract_parameter_names
}

output "services" {
  description = "Each service's stack, SSM path, tables and dashboard."
  value       = module.stack.services
}

output "user_pool_id" {
  description = "Cognito user pool, for `make token`."
  value       = module.stack.user_pool_id
}

output "user_pool_client_id" {
  description = "Cognito app client, for `make token`."
  value       = module.stack.user_pool_client_id
}
