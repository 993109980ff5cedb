variable "name_prefix" {
  description = "Prefix of every resource name, \"<app>-<env>\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,26}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-28 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "ssm_prefix" {
  description = "SSM path of the environment's contract, \"/<app>/<env>\", without a trailing slash."
  type        = string

  validation {
    condition     = can(regex("^/[a-z0-9-]+/[a-z0-9-]+$", var.ssm_prefix))
    error_message = "ssm_prefix must look like /<app>/<env>, for example /demo/dev."
  }
}

variable "passable_role_arns" {
  description = "Roles the services' stacks hand to Lambda and EventBridge Scheduler (their functions' execution roles, their schedules' roles), which the CloudFormation role may pass."
  type        = list(string)
}

variable "api_domain_name" {
  description = "The APIs' custom domain, onto which the services' stacks map their base paths; null when there is none."
  type        = string
  default     = null
}

variable "event_bus_name" {
  description = "The platform's event bus, on which the services' stacks put their consumers' rules."
  type        = string
}

variable "artifacts_bucket_arn" {
  description = "ARN of the SAM artifacts bucket."
  type        = string
}

variable "state_bucket_name" {
  description = "Bucket of the Terraform state, for the GitHub roles; null grants no state access."
  type        = string
  default     = null
}

variable "github_repository" {
  description = "GitHub repository (\"owner/name\") allowed to assume the plan and deploy roles through OIDC; null creates no GitHub resources."
  type        = string
  default     = null

  validation {
    condition     = var.github_repository == null || can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must look like owner/name."
  }
}

variable "github_deploy_branch" {
  description = "Branch whose pushes may deploy this environment (for example develop for dev, main for prod)."
  type        = string
  default     = "main"
}

variable "github_default_branch" {
  description = "The repository's default branch, whose scheduled drift check may assume the (read-only) plan role."
  type        = string
  default     = "main"
}

variable "github_environment" {
  description = "GitHub environment (with its reviewers) whose jobs may deploy this environment."
  type        = string
  default     = null
}

variable "create_github_oidc_provider" {
  description = "Create the account's GitHub OIDC provider. It is one per account: set false in every environment but one that shares the account."
  type        = bool
  default     = true
}

variable "deploy_role_policy_arns" {
  description = "Extra managed policies for the deploy role, which runs `terraform apply` of this stack. Keep to what the stack manages."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}
