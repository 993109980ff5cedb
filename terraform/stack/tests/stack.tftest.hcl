mock_provider "aws" {
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
}

variables {
  env                = "dev"
  availability_zones = ["eu-west-1a", "eu-west-1b"]
}

run "names_come_from_app_and_env" {
  command = plan

  assert {
    condition     = local.names.functions == { api = "orders-dev-api", processor = "orders-dev-processor", scheduled = "orders-dev-scheduled" }
    error_message = "function names must be <app>-<env>-<role>"
  }
  assert {
    condition     = module.contract.parameter_names["processor/failure-queue-name"] == "/orders/dev/processor/failure-queue-name"
    error_message = "the contract must live under /<app>/<env>/"
  }
  assert {
    condition     = local.names.artifacts_bucket == "orders-dev-sam-123456789012"
    error_message = "the artifacts bucket must be <app>-<env>-sam-<account>"
  }
}

run "publishes_the_whole_contract" {
  command = plan

  assert {
    condition     = toset(keys(module.contract.parameter_names)) == toset(keys(jsondecode(file("../modules/contract/parameters.json")).parameters))
    error_message = "the stack must publish every key of the contract file"
  }
}

run "without_auth_the_pool_keys_say_none" {
  command = plan

  variables {
    enable_auth = false
  }

  assert {
    condition     = length(module.auth) == 0 && output.user_pool_id == null
    error_message = "enable_auth = false must create no user pool"
  }
}

run "rejects_an_unknown_env" {
  command = plan

  variables {
    env = "qa"
  }

  expect_failures = [var.env]
}
