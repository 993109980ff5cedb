terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }

  # bucket and region come from -backend-config (make tf-init reads TF_STATE_BUCKET, the
  # output of terraform/bootstrap). The lock is a file beside the state: no DynamoDB table.
  backend "s3" {
    key          = "splitstack/dev/terraform.tfstate"
    encrypt      = true
    use_lockfile = true
  }
}
