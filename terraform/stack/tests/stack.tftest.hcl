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
  app                = "demo"
  env                = "dev"
  availability_zones = ["eu-west-1a", "eu-west-1b"]
}

run "names_come_from_app_and_env" {
  command = plan

  assert {
    condition     = module.contract.parameter_names["events/bus-name"] == "/demo/dev/events/bus-name"
    error_message = "the platform's contract must live under /<app>/<env>/"
  }
  assert {
    condition     = local.artifacts_bucket == "demo-dev-sam-123456789012"
    error_message = "the artifacts bucket must be <app>-<env>-sam-<account>"
  }
  assert {
    condition     = length(output.services) > 0 && alltrue([for name, service in output.services : service.stack_name == "demo-dev-${name}" && service.ssm_prefix == "/demo/dev/${name}"])
    error_message = "each service is <app>-<env>-<service>, its keys under /<app>/<env>/<service>/"
  }
}

run "publishes_the_whole_platform_contract" {
  command = plan

  assert {
    condition     = toset(keys(module.contract.parameter_names)) == toset(keys(jsondecode(file("../modules/contract/platform.json")).parameters))
    error_message = "the stack must publish every key of the platform's contract file"
  }
}

run "each_service_hands_on_its_roles" {
  command = plan

  assert {
    condition = alltrue([
      for name, service in local.service_definitions :
      length(module.service[name].passable_role_arns) == length(service.functions) + 1 + length([for f in values(service.functions) : f if f.trigger == "schedule"])
    ])
    error_message = "each service hands its functions' roles, its pre-traffic hook's and its schedules' to the CloudFormation role"
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

run "without_a_custom_domain_the_key_says_none" {
  command = plan

  assert {
    condition     = length(module.domain) == 0 && output.api_domain_name == null
    error_message = "no custom_domain: no domain, and api/domain-name = none (the templates then map no base path)"
  }
}

run "a_custom_domain_is_published_for_the_services" {
  command = plan

  variables {
    custom_domain = { name = "api.example.com", hosted_zone_id = "Z0000000000000000000" }
  }

  assert {
    condition     = length(module.domain) == 1 && output.api_domain_name == "api.example.com"
    error_message = "custom_domain creates the domain and publishes its name as api/domain-name"
  }
}

run "rejects_an_unknown_env" {
  command = plan

  variables {
    env = "qa"
  }

  expect_failures = [var.env]
}
