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
  name_prefix          = "demo-test"
  ssm_prefix           = "/demo/test"
  passable_role_arns   = ["arn:aws:iam::123456789012:role/demo-test-catalog-api-exec"]
  artifacts_bucket_arn = "arn:aws:s3:::demo-test-sam"
  event_bus_name       = "demo-test-events"
  github_repository    = "example/splitstack"
  github_deploy_branch = "develop"
  github_environment   = "test"
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
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.cloudformation.policy).Statement : s if s.Sid == "PassOwnRoles"]).Resource == ["arn:aws:iam::123456789012:role/demo-test-catalog-api-exec", aws_iam_role.codedeploy.arn]
    error_message = "the CloudFormation role may pass the services' roles and the CodeDeploy role, nothing else"
  }
}

run "cloudformation_puts_rules_of_the_app_on_the_platforms_bus_only" {
  command = apply

  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.cloudformation.policy).Statement : s if s.Sid == "BusRules"]).Resource == ["arn:aws:events:eu-west-1:123456789012:rule/demo-test-events/demo-test-*"]
    error_message = "the services' stacks may manage their rules on the platform's bus, named <app>-<env>-*"
  }
}

run "cloudformation_maps_base_paths_on_the_apps_domain_only" {
  command = apply

  variables {
    api_domain_name = "api.example.com"
  }

  assert {
    condition = toset([for r in one([for s in jsondecode(aws_iam_role_policy.cloudformation.policy).Statement : s if s.Sid == "RestApi"]).Resource : r if strcontains(r, "/domainnames")]) == toset([
      "arn:aws:apigateway:eu-west-1::/domainnames/api.example.com/basepathmappings",
      "arn:aws:apigateway:eu-west-1::/domainnames/api.example.com/basepathmappings/*",
    ])
    error_message = "the services' stacks may map base paths on the app's domain, and touch nothing else of it"
  }
}

run "no_domain_rights_without_a_domain" {
  command = apply

  assert {
    condition     = !anytrue([for r in one([for s in jsondecode(aws_iam_role_policy.cloudformation.policy).Statement : s if s.Sid == "RestApi"]).Resource : strcontains(r, "/domainnames")])
    error_message = "without a custom domain the CloudFormation role has no right on domain names"
  }
}

run "one_deploy_role_for_every_service_stack" {
  command = apply

  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.github_deploy[0].policy).Statement : s if s.Sid == "Stack"]).Resource == ["arn:aws:cloudformation:eu-west-1:123456789012:stack/demo-test-*/*"]
    error_message = "the deploy role deploys the stacks of the app's services in this environment, named <app>-<env>-<service>"
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

run "plan_role_reads_configuration_never_data" {
  command = apply

  variables {
    state_bucket_name = "tf-state"
  }

  assert {
    condition = alltrue([for action in [
      "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:GetRecords", "s3:GetObject", "logs:GetLogEvents",
      "logs:FilterLogEvents", "logs:StartQuery", "ssm:GetParameter", "secretsmanager:GetSecretValue", "sqs:ReceiveMessage",
      "cognito-idp:ListUsers",
      ] : contains(flatten([for s in jsondecode(aws_iam_role_policy.github_plan_no_data[0].policy).Statement : s.Action if s.Effect == "Deny"]), action)
    ])
    error_message = "the plan role must be denied table items, stream records, object bodies, log events, parameter and secret values, queue messages and users"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.github_plan_no_data[0].policy).Statement : s if s.Sid == "NoParametersOutsideTheContract"]).NotResource == ["arn:aws:ssm:eu-west-1:123456789012:parameter/demo/test/*"]
    error_message = "the plan role may read the parameters of the app's own contract (Terraform refreshes them), and no other"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.github_plan_no_data[0].policy).Statement : s if s.Sid == "NoObjectBodies"]).NotResource == ["arn:aws:s3:::tf-state/demo/test/*", "arn:aws:s3:::demo-test-sam/*"]
    error_message = "the plan role may read its state and the artifacts `sam deploy` uploads, no other object"
  }
  # What the AWS provider's refresh reads for the platform's resources (its Read functions: the
  # table's DescribeTable, DescribeContinuousBackups and DescribeTimeToLive, the bucket's
  # configuration getters, the log group's, bus's, pool's, role's, alarm's and topic's describes
  # and tags, the network's Describe calls) stays allowed: no deny names it.
  assert {
    condition = length(setintersection(toset([
      "dynamodb:DescribeTable", "dynamodb:DescribeContinuousBackups", "dynamodb:DescribeTimeToLive", "dynamodb:ListTagsOfResource",
      "s3:ListBucket", "s3:GetBucketPolicy", "s3:GetBucketVersioning", "s3:GetLifecycleConfiguration", "s3:GetEncryptionConfiguration",
      "s3:GetBucketPublicAccessBlock", "s3:GetBucketOwnershipControls", "s3:GetBucketTagging", "ssm:DescribeParameters",
      "ssm:ListTagsForResource", "logs:DescribeLogGroups", "logs:ListTagsForResource", "events:DescribeEventBus", "events:DescribeArchive",
      "events:ListTagsForResource", "cognito-idp:DescribeUserPool", "cognito-idp:DescribeUserPoolClient", "cognito-idp:GetUserPoolMfaConfig",
      "iam:GetRole", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies", "iam:ListRolePolicies", "cloudwatch:DescribeAlarms",
      "cloudwatch:GetDashboard", "sns:GetTopicAttributes", "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeRouteTables",
      "apigateway:GET", "cloudformation:DescribeStacks", "cloudformation:GetTemplate",
    ]), toset(flatten([for s in jsondecode(aws_iam_role_policy.github_plan_no_data[0].policy).Statement : s.Action])))) == 0
    error_message = "a deny of the plan role takes away a read Terraform's refresh needs"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.github_plan[0].policy).Statement : s if s.Sid == "StateObjects"]).Resource == ["arn:aws:s3:::tf-state/demo/test/*"]
    error_message = "the roles may touch this app's state of this environment (<app>/<env>/terraform.tfstate) and no other"
  }
}

run "both_roles_create_change_sets_through_both_transforms" {
  command = apply

  assert {
    condition = alltrue([for policy in [aws_iam_role_policy.github_plan_change_set[0].policy, aws_iam_role_policy.github_deploy[0].policy] :
      one([for s in jsondecode(policy).Statement : s if s.Sid == "Transforms"]).Resource == [
        "arn:aws:cloudformation:eu-west-1:aws:transform/Serverless-2016-10-31",
        "arn:aws:cloudformation:eu-west-1:aws:transform/LanguageExtensions",
      ]
    ])
    error_message = "CreateChangeSet must also be allowed on the Serverless and LanguageExtensions transforms (SAM CLI #179)"
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

run "codedeploy_may_invoke_the_pretraffic_hooks_only" {
  command = apply

  assert {
    condition     = jsondecode(aws_iam_role_policy.codedeploy_hooks.policy).Statement[0].Resource == ["arn:aws:lambda:eu-west-1:123456789012:function:demo-test-*-pretraffic"]
    error_message = "CodeDeploy may invoke each service's pre-traffic hook, and no other function beyond its managed policy"
  }
}
