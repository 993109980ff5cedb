variable "app" {
  description = "Application name (project.json's `app`); with env, it names every resource (\"<app>-<env>-<service>-api\") and the SSM path (\"/<app>/<env>/\")."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,18}[a-z0-9]$", var.app))
    error_message = "app must be 3-20 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen."
  }
}

variable "env" {
  description = "Environment name."
  type        = string

  validation {
    condition     = contains(["local", "dev", "staging", "prod"], var.env)
    error_message = "env must be one of local, dev, staging or prod."
  }
}

variable "availability_zones" {
  description = "The two availability zones of the VPC."
  type        = list(string)
}

variable "vpc_cidr" {
  description = "CIDR block of the VPC."
  type        = string
  default     = "10.0.0.0/16"
}

variable "nat_mode" {
  description = "NAT gateways for the private subnets: none, single or per_az."
  type        = string
  default     = "single"
}

variable "interface_endpoints" {
  description = "Services reached through interface VPC endpoints, for example [\"events\", \"sqs\"]."
  type        = list(string)
  default     = []
}

variable "protect_data" {
  description = "Deletion protection and prevent_destroy on the tables, deletion protection on the user pool."
  type        = bool
  default     = true
}

variable "enable_auth" {
  description = "Create the Cognito user pool. Without it the contract's auth keys hold \"none\" and the API must use the IAM or API_KEY auth mode."
  type        = bool
  default     = true
}

variable "enforce_tls" {
  description = "TLS-only bucket policies. Only the local emulator turns this off (it denies principal \"*\" whatever the condition)."
  type        = bool
  default     = true
}

variable "expire_old_artifacts" {
  description = "The artifacts bucket's lifecycle (old versions expire, unfinished uploads are aborted). Only the local emulator turns it off: nothing ages there, and the provider waits a minute after writing it."
  type        = bool
  default     = true
}

variable "force_destroy_buckets" {
  description = "Let `terraform destroy` delete buckets that still hold objects (throwaway environments only)."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "Days the function, access and VPC flow log groups keep their events."
  type        = number
  default     = 30
}

variable "events_archive_retention_days" {
  description = "Days the event bus archive keeps events for replay; 0 keeps them forever."
  type        = number
  default     = 30
}

variable "api_latency_p95_threshold_ms" {
  description = "API p95 latency (ms) above which, 5 minutes in a row, each service's latency alarm fires (seed 003: 500)."
  type        = number
  default     = 500
}

variable "alarm_email" {
  description = "Address subscribed to the alarm topic; null subscribes nobody."
  type        = string
  default     = null
}

variable "manage_api_gateway_account" {
  description = "Set the region's API Gateway CloudWatch role, which access logging needs. It is one per account and region: set false where another stack already manages it."
  type        = bool
  default     = true
}

variable "github_repository" {
  description = "GitHub repository (\"owner/name\") whose workflows may plan and deploy this environment; null creates no GitHub roles."
  type        = string
  default     = null
}

variable "github_deploy_branch" {
  description = "Branch that deploys this environment."
  type        = string
  default     = "main"
}

variable "create_github_oidc_provider" {
  description = "Create the account's GitHub OIDC provider (one per account)."
  type        = bool
  default     = true
}

variable "state_bucket_name" {
  description = "Terraform state bucket (from terraform/bootstrap), for the GitHub roles; null grants them no state access."
  type        = string
  default     = null
}

variable "deploy_role_policy_arns" {
  description = "Extra managed policies for the GitHub deploy role, which runs `terraform apply`."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

variable "custom_domain" {
  description = "The APIs' own domain (e.g. api.example.com, each service under /<service>), with the Route 53 hosted zone that validates its certificate and holds its records; null serves each API on its execute-api URL only."
  type = object({
    name           = string
    hosted_zone_id = string
  })
  default = null
}

variable "composite_rollback_alarms" {
  description = "One composite alarm per function as its deployment's rollback trigger. Only the local emulator, which lacks composite alarms, turns this off."
  type        = bool
  default     = true
}

variable "xray_sampling_rule" {
  description = "X-Ray's sampling rule of the app's APIs (5 %). Only the local emulator, which has no X-Ray sampling rules, turns this off."
  type        = bool
  default     = true
}

variable "deployment_traffic" {
  description = "How CodeDeploy shifts each function's traffic to a new version (modules/deployment): all_at_once, or canary / linear with a percentage and interval_minutes."
  type = object({
    type             = string
    percentage       = optional(number)
    interval_minutes = optional(number)
  })
  default = { type = "all_at_once" }
}
