# The dev environment. Values only: everything else is terraform/stack.

variable "region" {
  description = "AWS region of the environment; null for project.json's `region`."
  type        = string
  default     = null
}

locals {
  # The app's name, region, auth mode and each environment's NAT mode: project.json.
  project = jsondecode(file("${path.module}/../../../project.json"))
  region  = coalesce(var.region, local.project.region)
}

variable "github_repository" {
  description = "GitHub repository (\"owner/name\") whose workflows plan and deploy this environment; null creates no GitHub roles."
  type        = string
  default     = null
}

variable "state_bucket_name" {
  description = "Terraform state bucket (output of terraform/bootstrap), so the GitHub roles can read and lock the state."
  type        = string
  default     = null
}

variable "custom_domain" {
  description = "The APIs' own domain and the Route 53 hosted zone that validates it ({name, hosted_zone_id}); null for none."
  type = object({
    name           = string
    hosted_zone_id = string
  })
  default = null
}

variable "alarm_email" {
  description = "Address notified of alarms; null notifies nobody."
  type        = string
  default     = null
}

provider "aws" {
  region = local.region

  default_tags {
    tags = { Repository = coalesce(var.github_repository, "unset") }
  }
}

module "stack" {
  source = "../../stack"

  app                = local.project.app
  env                = "dev"
  enable_auth        = local.project.auth_mode == "COGNITO"
  availability_zones = ["${local.region}a", "${local.region}b"]
  github_repository  = var.github_repository
  state_bucket_name  = var.state_bucket_name
  alarm_email        = var.alarm_email
  custom_domain      = var.custom_domain
  # Cheap and disposable: one NAT gateway, short retention, data may be destroyed.
  vpc_cidr                      = "10.10.0.0/16"
  nat_mode                      = local.project.nat_mode["dev"]
  protect_data                  = false
  log_retention_days            = 14
  events_archive_retention_days = 7
  github_deploy_branch          = "develop"
}

output "ssm_prefix" {
  description = "SSM path of the contract."
  value       = module.stack.ssm_prefix
}

output "services" {
  description = "Each service's stack (`sam deploy --stack-name`), SSM path, tables and dashboard."
  value       = module.stack.services
}

output "artifacts_bucket_name" {
  description = "For `sam deploy --s3-bucket`."
  value       = module.stack.artifacts_bucket_name
}

output "cloudformation_role_arn" {
  description = "For `sam deploy --role-arn`."
  value       = module.stack.cloudformation_role_arn
}

output "github_plan_role_arn" {
  description = "For the plan workflow's AWS_PLAN_ROLE_ARN variable."
  value       = module.stack.github_plan_role_arn
}

output "github_deploy_role_arn" {
  description = "For the deploy workflow's AWS_DEPLOY_ROLE_ARN variable."
  value       = module.stack.github_deploy_role_arn
}
