terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }

  # bucket, region and key come from -backend-config: make tf-init reads TF_STATE_BUCKET (the
  # output of terraform/bootstrap) and keys the state <app>/<env>/terraform.tfstate, so apps
  # sharing a bucket never share a state. The lock is a file beside the state: no DynamoDB table.
  backend "s3" {
    encrypt      = true
    use_lockfile = true
  }
}
