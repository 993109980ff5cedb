mock_provider "aws" {}

variables {
  ssm_prefix = "/demo/test"
  parameters = jsondecode(file("platform.json")).parameters
  # Every key of platform.json, built from the file itself so this test follows it.
  string_values = { for k, p in jsondecode(file("platform.json")).parameters : k => "value-of-${replace(k, "/", "-")}" if p.type == "String" }
  list_values   = { for k, p in jsondecode(file("platform.json")).parameters : k => ["a-1", "b-2"] if p.type == "StringList" }
}

run "publishes_every_key_of_the_contract_file" {
  command = plan

  assert {
    condition     = length(aws_ssm_parameter.this) == length(jsondecode(file("platform.json")).parameters)
    error_message = "one parameter per key of the contract file"
  }
  assert {
    condition     = alltrue([for k, p in aws_ssm_parameter.this : p.name == "/demo/test/${k}"])
    error_message = "every parameter must live under /<app>/<env>/<key>"
  }
}

run "types_follow_the_contract_file" {
  command = plan

  assert {
    condition     = aws_ssm_parameter.this["network/private-subnet-ids"].type == "StringList" && aws_ssm_parameter.this["network/private-subnet-ids"].value == "a-1,b-2"
    error_message = "StringList keys must be written as comma-joined StringList parameters"
  }
  assert {
    condition     = aws_ssm_parameter.this["events/bus-name"].type == "String" && aws_ssm_parameter.this["events/bus-name"].value == "value-of-events-bus-name"
    error_message = "String keys must be written as String parameters"
  }
}

run "publishes_a_service_level_under_its_own_path" {
  command = plan

  variables {
    ssm_prefix    = "/demo/test/catalog"
    parameters    = { "data/table-name" = { type = "String", consumer = "template", description = "d" } }
    string_values = { "data/table-name" = "demo-test-catalog-main" }
    list_values   = {}
  }

  assert {
    condition     = aws_ssm_parameter.this["data/table-name"].name == "/demo/test/catalog/data/table-name"
    error_message = "a service's keys live under /<app>/<env>/<service>/"
  }
}

run "fails_when_a_key_is_missing" {
  command = plan

  variables {
    string_values = { for k, p in jsondecode(file("platform.json")).parameters : k => "v" if p.type == "String" && k != "events/bus-name" }
  }

  expect_failures = [var.string_values]
}

run "fails_on_a_key_outside_the_contract" {
  command = plan

  variables {
    list_values = merge(
      { for k, p in jsondecode(file("platform.json")).parameters : k => ["a"] if p.type == "StringList" },
      { "network/public-subnet-ids" = ["b"] },
    )
  }

  expect_failures = [var.list_values]
}

run "fails_on_a_comma_inside_a_list_item" {
  command = plan

  variables {
    list_values = { for k, p in jsondecode(file("platform.json")).parameters : k => ["a,b"] if p.type == "StringList" }
  }

  expect_failures = [var.list_values]
}
