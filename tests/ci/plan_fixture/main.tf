# A small configuration the plan-comment tests plan against the emulator, changing the variables
# to get each kind of plan: create-only, update, replace, destroy, no change, failed.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }
}

variable "emulator_port" {
  type = number
}

variable "settings" {
  description = "SSM parameters of the settings module: a changed value updates, a removed key destroys."
  type        = map(string)
}

variable "release_parameter" {
  description = "A new name replaces the parameter: SSM cannot rename one."
  type        = string
}

variable "read_missing_parameter" {
  description = "Read a parameter that does not exist: the plan fails."
  type        = bool
  default     = false
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true

  endpoints {
    ssm = "http://127.0.0.1:${var.emulator_port}"
    sts = "http://127.0.0.1:${var.emulator_port}"
  }
}

module "settings" {
  source = "./settings"
  values = var.settings
}

resource "aws_ssm_parameter" "release" {
  name  = var.release_parameter
  type  = "String"
  value = "2026.11"
}

data "aws_ssm_parameter" "missing" {
  count = var.read_missing_parameter ? 1 : 0
  name  = "/plan-fixture/does-not-exist"
}
