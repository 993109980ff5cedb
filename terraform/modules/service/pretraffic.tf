# The service's pre-traffic hook: CodeDeploy invokes it before shifting any traffic to a new
# version of one of the service's functions; it calls that version directly and reports whether
# it is fit (layers/common/splitstack/deploy_hook.py). Its stack creates it under this name; its role
# is one of the function roles (roles.tf).
locals {
  pretraffic      = "pretraffic"
  pretraffic_name = "${local.name_prefix}-${local.pretraffic}"
  pretraffic_statements = [
    {
      # Which function and version a deployment shifts to, and the hook's verdict. SAM names the
      # stack's CodeDeploy application and groups, so they are known by account and region only.
      Sid      = "Deployment"
      Effect   = "Allow"
      Action   = ["codedeploy:ListDeploymentTargets", "codedeploy:BatchGetDeploymentTargets", "codedeploy:PutLifecycleEventHookExecutionStatus"]
      Resource = ["arn:${local.partition}:codedeploy:${local.region}:${local.account_id}:deploymentgroup:*"]
    },
    {
      # Each new version of the service's functions, by its number; never the hook itself.
      Sid      = "CallNewVersions"
      Effect   = "Allow"
      Action   = ["lambda:InvokeFunction"]
      Resource = [for name in values(local.function_names) : "${local.function_arn_prefix}:${name}:*"]
    },
  ]
}

resource "aws_cloudwatch_log_group" "pretraffic" {
  #checkov:skip=CKV_AWS_158:CloudWatch Logs encrypts every group at rest with its own key; a customer-managed key would add a key policy to keep in step with IAM without changing who may read
  #checkov:skip=CKV_AWS_338:retention is the environment's log_retention_days, as for every other log group; keeping a year is the user's compliance choice, not a default
  name              = "/aws/lambda/${local.pretraffic_name}"
  retention_in_days = var.log_retention_days

  tags = merge(local.tags, { Function = local.pretraffic })
}
