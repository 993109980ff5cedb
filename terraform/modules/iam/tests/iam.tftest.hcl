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
  name_prefix    = "orders-test"
  ssm_prefix     = "/orders/test"
  function_names = { api = "orders-test-api", processor = "orders-test-processor", scheduled = "orders-test-scheduled" }
  function_log_group_arns = {
    api       = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/orders-test-api"
    processor = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/orders-test-processor"
    scheduled = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/orders-test-scheduled"
  }
  table_arn                    = "arn:aws:dynamodb:eu-west-1:123456789012:table/orders-test-main"
  idempotency_table_arn        = "arn:aws:dynamodb:eu-west-1:123456789012:table/orders-test-idempotency"
  event_bus_arn                = "arn:aws:events:eu-west-1:123456789012:event-bus/orders-test-events"
  processor_failure_queue_name = "orders-test-processor-failures"
  scheduled_dlq_name           = "orders-test-scheduled-dlq"
  stack_name                   = "orders-test"
  artifacts_bucket_arn         = "arn:aws:s3:::orders-test-sam"
  github_repository            = "example/splitstack"
  github_deploy_branch         = "develop"
  github_environment           = "test"
}

run "one_role_per_function" {
  command = plan

  assert {
    condition     = [for r in aws_iam_role.function : r.name] == ["orders-test-api-exec", "orders-test-processor-exec", "orders-test-scheduled-exec"]
    error_message = "each function must get its own <name>-exec role"
  }
}

run "no_wildcards_beyond_what_aws_requires" {
  command = plan

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
  command = plan

  assert {
    condition     = [for s in jsondecode(aws_iam_role_policy.function["api"].policy).Statement : s.Sid] == ["OrdersTable", "IdempotencyTable", "OwnLogGroup", "OwnParameters", "Tracing"]
    error_message = "the API function must reach the tables, its logs, its parameters and X-Ray, nothing else"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.function["processor"].policy).Statement : s if s.Sid == "ReadStream"]).Resource == ["arn:aws:dynamodb:eu-west-1:123456789012:table/orders-test-main/stream/*"]
    error_message = "the processor reads the main table's stream only"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.function["processor"].policy).Statement : s if s.Sid == "OnFailureDestination"]).Resource == ["arn:aws:sqs:eu-west-1:123456789012:orders-test-processor-failures"]
    error_message = "the processor may send only to its on-failure queue, named by the contract"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.function["scheduled"].policy).Statement : s if s.Sid == "OwnParameters"]).Resource == ["arn:aws:ssm:eu-west-1:123456789012:parameter/orders/test/scheduled/*"]
    error_message = "a function reads only its own SSM path"
  }
  assert {
    condition     = !anytrue([for s in jsondecode(aws_iam_role_policy.function["api"].policy).Statement : contains(s.Action, "events:PutEvents")])
    error_message = "the API function must not publish events"
  }
}

run "cloudformation_role_cannot_create_identities" {
  command = apply

  assert {
    condition     = contains(one([for s in jsondecode(aws_iam_role_policy.cloudformation.policy).Statement : s if s.Effect == "Deny"]).Action, "iam:CreateRole")
    error_message = "the CloudFormation role must be denied iam:CreateRole"
  }
  assert {
    condition     = !anytrue([for s in jsondecode(aws_iam_role_policy.cloudformation.policy).Statement : s.Effect == "Allow" && anytrue([for a in s.Action : startswith(a, "iam:") && a != "iam:PassRole"])])
    error_message = "the CloudFormation role may only pass roles, never manage IAM"
  }
}

run "github_trust_is_scoped_to_repository_and_branch" {
  command = apply

  assert {
    condition     = jsondecode(aws_iam_role.github["deploy"].assume_role_policy).Statement[0].Condition.StringLike["token.actions.githubusercontent.com:sub"] == ["repo:example/splitstack:ref:refs/heads/develop", "repo:example/splitstack:environment:test"]
    error_message = "the deploy role must trust only the deploy branch and the environment"
  }
  assert {
    condition     = jsondecode(aws_iam_role.github["plan"].assume_role_policy).Statement[0].Condition.StringLike["token.actions.githubusercontent.com:sub"] == ["repo:example/splitstack:pull_request", "repo:example/splitstack:ref:refs/heads/main"]
    error_message = "the plan role must trust only pull requests and the default branch"
  }
  assert {
    condition = !contains(flatten([
      for statement in jsondecode(aws_iam_role_policy.github_plan_change_set[0].policy).Statement : statement.Action
    ]), "cloudformation:ExecuteChangeSet")
    error_message = "the plan role may create change sets, never execute one"
  }
  assert {
    condition     = jsondecode(aws_iam_role.github["deploy"].assume_role_policy).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"
    error_message = "the roles must check the token audience"
  }
}

run "no_github_resources_without_a_repository" {
  command = plan

  variables {
    github_repository = null
  }

  assert {
    condition     = length(aws_iam_role.github) == 0 && length(aws_iam_openid_connect_provider.github) == 0
    error_message = "without a repository there must be no OIDC provider or GitHub role"
  }
}

run "existing_oidc_provider_is_reused" {
  command = plan

  variables {
    create_github_oidc_provider = false
  }

  assert {
    condition     = length(aws_iam_openid_connect_provider.github) == 0 && jsondecode(aws_iam_role.github["plan"].assume_role_policy).Statement[0].Principal.Federated == "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    error_message = "create_github_oidc_provider = false must trust the account's existing provider"
  }
}

run "rejects_a_malformed_repository" {
  command = plan

  variables {
    github_repository = "splitstack"
  }

  expect_failures = [var.github_repository]
}
