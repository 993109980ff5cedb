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
  app     = "demo"
  env     = "test"
  service = "catalog"
  functions = {
    api = {
      description = "the API"
      trigger     = "api"
      tables      = { main = ["dynamodb:GetItem", "dynamodb:Query"], idempotency = ["dynamodb:PutItem"] }
      timeout     = 10
    }
    processor = {
      description      = "the relay"
      trigger          = "stream"
      tables           = { main = ["dynamodb:UpdateItem"] }
      publishes_events = true
      timeout          = 60
    }
    scheduled = {
      description = "housekeeping"
      trigger     = "schedule"
      tables      = { main = ["dynamodb:Scan"] }
      timeout     = 300
    }
  }
  event_bus_arn     = "arn:aws:events:eu-west-1:123456789012:event-bus/demo-test-events"
  alarm_topic_arn   = "arn:aws:sns:eu-west-1:123456789012:demo-test-alarms"
  metrics_namespace = "demo/test"
  # The mock provider applies: a protected table could not be torn down afterwards.
  protect_data = false
}

run "names_come_from_app_env_and_service" {
  command = plan

  assert {
    condition     = local.function_names == { api = "demo-test-catalog-api", processor = "demo-test-catalog-processor", scheduled = "demo-test-catalog-scheduled" }
    error_message = "function names must be <app>-<env>-<service>-<key>"
  }
  assert {
    condition     = module.data.table_name == "demo-test-catalog-main" && module.data.idempotency_table_name == "demo-test-catalog-idempotency"
    error_message = "each service has its own tables"
  }
  assert {
    condition     = output.stack_name == "demo-test-catalog" && output.ssm_prefix == "/demo/test/catalog"
    error_message = "the service's stack and SSM path are <app>-<env>-<service> and /<app>/<env>/<service>"
  }
}

run "publishes_the_service_level_of_the_contract" {
  command = plan

  assert {
    condition = toset(keys(module.contract.parameter_names)) == toset([
      "app/service-name", "data/table-name", "data/table-arn", "data/table-stream-arn", "data/table-gsi1-name",
      "data/idempotency-table-name", "layer/name", "deploy/stack-name", "api/name", "api/access-log-group-arn",
      "pretraffic/function-name", "pretraffic/role-arn", "pretraffic/log-group-name",
      "api/function-name", "api/role-arn", "api/log-group-name", "api/rollback-alarm-name",
      "processor/function-name", "processor/role-arn", "processor/log-group-name", "processor/rollback-alarm-name",
      "processor/failure-queue-name",
      "scheduled/function-name", "scheduled/role-arn", "scheduled/log-group-name", "scheduled/rollback-alarm-name",
      "scheduled/dlq-name", "scheduled/on-failure-queue-name", "scheduled/scheduler-role-arn",
    ])
    error_message = "the service keys, with every function's keys by its trigger"
  }
  assert {
    condition     = module.contract.parameter_names["processor/failure-queue-name"] == "/demo/test/catalog/processor/failure-queue-name"
    error_message = "the service's keys live under /<app>/<env>/<service>/"
  }
}

run "one_role_per_function" {
  command = plan

  assert {
    condition     = [for r in aws_iam_role.function : r.name] == ["demo-test-catalog-api-exec", "demo-test-catalog-pretraffic-exec", "demo-test-catalog-processor-exec", "demo-test-catalog-scheduled-exec"]
    error_message = "each function must get its own <name>-exec role"
  }
  assert {
    condition     = keys(aws_iam_role.scheduler) == ["scheduled"] && aws_iam_role.scheduler["scheduled"].name == "demo-test-catalog-scheduled-scheduler"
    error_message = "each scheduled function, and only those, gets a scheduler role"
  }
}

run "no_wildcards_beyond_what_aws_requires" {
  command = apply

  assert {
    condition = alltrue(flatten([
      for p in aws_iam_role_policy.function : [
        for s in jsondecode(p.policy).Statement : [
          for a in s.Action : !strcontains(a, "*")
        ]
      ]
    ]))
    error_message = "no function policy may use a wildcard action"
  }
  assert {
    condition = alltrue(flatten([
      for p in aws_iam_role_policy.function : [
        for s in jsondecode(p.policy).Statement : s.Resource != ["*"] || s.Sid == "Tracing"
      ]
    ]))
    error_message = "only X-Ray may have a \"*\" resource in a function policy"
  }
}

run "each_function_gets_only_its_own_resources" {
  command = apply

  assert {
    condition     = [for s in jsondecode(aws_iam_role_policy.function["api"].policy).Statement : s.Sid] == ["IdempotencyTable", "MainTable", "OwnLogGroup", "OwnParameters", "Tracing"]
    error_message = "the API function must reach its tables, its logs, its parameters and X-Ray, nothing else"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.function["api"].policy).Statement : s if s.Sid == "MainTable"]).Action == ["dynamodb:GetItem", "dynamodb:Query"]
    error_message = "a function gets exactly the table actions its entry lists"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.function["processor"].policy).Statement : s if s.Sid == "ReadStream"]).Resource == ["${module.data.table_arn}/stream/*"]
    error_message = "a stream function reads its service's table stream only"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.function["processor"].policy).Statement : s if s.Sid == "OnFailureDestination"]).Resource == ["arn:aws:sqs:eu-west-1:123456789012:demo-test-catalog-processor-failures"]
    error_message = "a stream function may send only to its on-failure queue, named by the contract"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.function["scheduled"].policy).Statement : s if s.Sid == "OnFailureDestination"]).Resource == ["arn:aws:sqs:eu-west-1:123456789012:demo-test-catalog-scheduled-on-failure"]
    error_message = "a scheduled function may send only to its asynchronous on-failure queue, named by the contract"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.function["scheduled"].policy).Statement : s if s.Sid == "OwnParameters"]).Resource == ["arn:aws:ssm:eu-west-1:123456789012:parameter/demo/test/catalog/scheduled/*"]
    error_message = "a function reads only its own SSM path"
  }
  assert {
    condition     = !anytrue([for s in jsondecode(aws_iam_role_policy.function["api"].policy).Statement : contains(s.Action, "events:PutEvents")])
    error_message = "the API function must not publish events"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.function["processor"].policy).Statement : s if s.Sid == "PublishEvents"]).Resource == [var.event_bus_arn]
    error_message = "a function that publishes may put events on the platform's bus only"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.scheduler["scheduled"].policy).Statement : s if s.Sid == "InvokeScheduledFunction"]).Resource == ["arn:aws:lambda:eu-west-1:123456789012:function:demo-test-catalog-scheduled", "arn:aws:lambda:eu-west-1:123456789012:function:demo-test-catalog-scheduled:*"]
    error_message = "the scheduler role invokes its function only"
  }
}

run "a_service_without_an_api_publishes_no_api_keys" {
  command = plan

  variables {
    functions = { consumer = { description = "c", trigger = "stream", timeout = 10 } }
  }

  assert {
    condition     = !contains(keys(module.contract.parameter_names), "api/name") && contains(keys(module.contract.parameter_names), "consumer/failure-queue-name")
    error_message = "the API keys exist only with an API function"
  }
}

run "a_queue_consumer_reads_its_own_queue_and_publishes_its_queues" {
  command = apply

  variables {
    functions = { consumer = { description = "c", trigger = "queue", timeout = 10, tables = { idempotency = ["dynamodb:PutItem"] } } }
  }

  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.function["consumer"].policy).Statement : s if s.Sid == "ConsumeQueue"]).Resource == ["arn:aws:sqs:eu-west-1:123456789012:demo-test-catalog-consumer-queue"]
    error_message = "a queue consumer reads and deletes from its own queue only"
  }
  assert {
    condition     = toset([for k in keys(module.contract.parameter_names) : k if startswith(k, "consumer/")]) == toset(["consumer/function-name", "consumer/role-arn", "consumer/log-group-name", "consumer/rollback-alarm-name", "consumer/queue-name", "consumer/queue-dlq-name"])
    error_message = "a queue consumer publishes its queue's and its dead-letter queue's names"
  }
  assert {
    condition     = contains(keys(module.monitoring.rollback_alarm_names), "consumer") && length(aws_iam_role.scheduler) == 0
    error_message = "a queue consumer has a rollback alarm and no scheduler role"
  }
}

run "rejects_two_api_functions" {
  command = plan

  variables {
    functions = { a = { description = "a", trigger = "api", timeout = 10 }, b = { description = "b", trigger = "api", timeout = 10 } }
  }

  expect_failures = [var.functions]
}

run "rejects_a_table_the_service_does_not_have" {
  command = plan

  variables {
    functions = { api = { description = "a", trigger = "api", timeout = 10, tables = { other = ["dynamodb:GetItem"] } } }
  }

  expect_failures = [var.functions]
}

run "rejects_a_wildcard_action" {
  command = plan

  variables {
    functions = { api = { description = "a", trigger = "api", timeout = 10, tables = { main = ["dynamodb:*"] } } }
  }

  expect_failures = [var.functions]
}

run "rejects_a_long_service_name" {
  command = plan

  variables {
    service = "delivery-and-returns"
  }

  expect_failures = [var.service]
}

run "a_pretraffic_hook_that_calls_new_versions_only" {
  command = apply

  assert {
    condition     = module.contract.parameter_names["pretraffic/function-name"] == "/demo/test/catalog/pretraffic/function-name" && aws_cloudwatch_log_group.pretraffic.name == "/aws/lambda/demo-test-catalog-pretraffic"
    error_message = "the hook is <app>-<env>-<service>-pretraffic, published in the contract with its log group"
  }
  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.function["pretraffic"].policy).Statement : s.Resource if s.Sid == "CallNewVersions"]) == [
      "arn:aws:lambda:eu-west-1:123456789012:function:demo-test-catalog-api:*",
      "arn:aws:lambda:eu-west-1:123456789012:function:demo-test-catalog-processor:*",
      "arn:aws:lambda:eu-west-1:123456789012:function:demo-test-catalog-scheduled:*",
    ]
    error_message = "the hook may call versions of the service's functions only"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.function["pretraffic"].policy).Statement : s.Action if s.Sid == "Deployment"]) == ["codedeploy:ListDeploymentTargets", "codedeploy:BatchGetDeploymentTargets", "codedeploy:PutLifecycleEventHookExecutionStatus"]
    error_message = "the hook reads its deployment's targets and reports its verdict"
  }
  assert {
    condition     = contains(output.passable_role_arns, aws_iam_role.function["pretraffic"].arn)
    error_message = "the CloudFormation role must be able to pass the hook's role to Lambda"
  }
}

run "rejects_a_function_named_like_the_hook" {
  command = plan

  variables {
    functions = { pretraffic = { description = "p", trigger = "queue", timeout = 10 } }
  }

  expect_failures = [var.functions]
}
