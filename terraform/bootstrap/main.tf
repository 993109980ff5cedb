# Creates the bucket that holds the Terraform state of dev, staging and prod. Run it once per
# account, with credentials of that account: `make tf-bootstrap`.

variable "app" {
  description = "Application name, the first part of the bucket name."
  type        = string
  default     = "shop"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,18}[a-z0-9]$", var.app))
    error_message = "app must be 3-20 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "region" {
  description = "Region of the state bucket."
  type        = string
  default     = "eu-west-1"
}

provider "aws" {
  region = var.region
}

data "aws_caller_identity" "current" {}

module "state_bucket" {
  source = "../modules/storage"

  bucket_name = "${var.app}-tfstate-${data.aws_caller_identity.current.account_id}"
  # Old states are the only way back from a bad apply: keep them for three months.
  noncurrent_version_retention_days = 90
  tags                              = { Application = var.app, ManagedBy = "terraform", Purpose = "terraform-state" }
}

output "state_bucket_name" {
  description = "Pass as TF_STATE_BUCKET to `make tf-init ENV=dev|staging|prod`."
  value       = module.state_bucket.bucket_name
}

output "state_bucket_region" {
  description = "Pass as TF_STATE_REGION to `make tf-init`."
  value       = var.region
}
