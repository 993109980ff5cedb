# Creates the bucket that holds the Terraform state of dev, staging and prod. Run it once per
# account, with credentials of that account: `make tf-bootstrap`.

variable "region" {
  description = "Region of the state bucket; null for project.json's `region`."
  type        = string
  default     = null
}

locals {
  # The app's name and region are defined once, in project.json.
  project = jsondecode(file("${path.module}/../../project.json"))
  app     = local.project.app
  region  = coalesce(var.region, local.project.region)
}

provider "aws" {
  region = local.region
}

data "aws_caller_identity" "current" {}

module "state_bucket" {
  source = "../modules/storage"

  bucket_name = "${local.app}-tfstate-${data.aws_caller_identity.current.account_id}"
  # Old states are the only way back from a bad apply: keep them for three months.
  noncurrent_version_retention_days = 90
  tags                              = { Application = local.app, ManagedBy = "terraform", Purpose = "terraform-state" }
}

output "state_bucket_name" {
  description = "Pass as TF_STATE_BUCKET to `make tf-init ENV=dev|staging|prod`."
  value       = module.state_bucket.bucket_name
}

output "state_bucket_region" {
  description = "Pass as TF_STATE_REGION to `make tf-init`."
  value       = local.region
}
