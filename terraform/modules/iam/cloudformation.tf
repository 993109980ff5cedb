locals {
  # Every service's stack is "<app>-<env>-<service>".
  stack_arn         = "arn:${local.partition}:cloudformation:${local.region}:${local.account_id}:stack/${var.name_prefix}-*/*"
  lambda_arn_prefix = "arn:${local.partition}:lambda:${local.region}:${local.account_id}"
  queue_arn_prefix  = "arn:${local.partition}:sqs:${local.region}:${local.account_id}"
  passable_roles    = concat(var.passable_role_arns, [aws_iam_role.codedeploy.arn])
}

# The role CloudFormation uses for `sam deploy` of every service: it manages the services'
# resources, named by the contract, and may pass their roles, but it can create no IAM principal
# or policy.
resource "aws_iam_role" "cloudformation" {
  name        = "${var.name_prefix}-cloudformation"
  description = "CloudFormation execution role of the SAM stacks of ${var.name_prefix}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "cloudformation.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
    }]
  })

  tags = var.tags
}

resource "aws_iam_role_policy" "cloudformation" {
  name = "sam-application"
  role = aws_iam_role.cloudformation.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ServerlessTransform"
        Effect   = "Allow"
        Action   = ["cloudformation:CreateChangeSet"]
        Resource = ["arn:${local.partition}:cloudformation:${local.region}:aws:transform/Serverless-2016-10-31"]
      },
      {
        Sid    = "Functions"
        Effect = "Allow"
        Action = [
          "lambda:CreateFunction", "lambda:DeleteFunction", "lambda:GetFunction", "lambda:GetFunctionConfiguration",
          "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration", "lambda:PublishVersion",
          "lambda:ListVersionsByFunction", "lambda:CreateAlias", "lambda:UpdateAlias", "lambda:DeleteAlias",
          "lambda:GetAlias", "lambda:AddPermission", "lambda:RemovePermission", "lambda:TagResource",
          "lambda:UntagResource", "lambda:ListTags", "lambda:PutFunctionEventInvokeConfig",
          "lambda:DeleteFunctionEventInvokeConfig", "lambda:GetFunctionEventInvokeConfig",
          "lambda:PutFunctionConcurrency", "lambda:DeleteFunctionConcurrency",
          "lambda:GetRuntimeManagementConfig", "lambda:PutRuntimeManagementConfig",
        ]
        Resource = ["${local.lambda_arn_prefix}:function:${var.name_prefix}-*"]
      },
      {
        Sid      = "Layers"
        Effect   = "Allow"
        Action   = ["lambda:PublishLayerVersion", "lambda:DeleteLayerVersion", "lambda:GetLayerVersion"]
        Resource = ["${local.lambda_arn_prefix}:layer:${var.name_prefix}-*"]
      },
      {
        # Event source mappings get a random id: scope them by the function they feed.
        Sid      = "EventSourceMappings"
        Effect   = "Allow"
        Action   = ["lambda:CreateEventSourceMapping", "lambda:UpdateEventSourceMapping", "lambda:DeleteEventSourceMapping", "lambda:GetEventSourceMapping"]
        Resource = ["*"]
        Condition = {
          ArnLike = { "lambda:FunctionArn" = ["${local.lambda_arn_prefix}:function:${var.name_prefix}-*"] }
        }
      },
      {
        Sid    = "RestApi"
        Effect = "Allow"
        Action = ["apigateway:GET", "apigateway:POST", "apigateway:PUT", "apigateway:PATCH", "apigateway:DELETE"]
        Resource = [
          for p in concat(
            ["/restapis", "/restapis/*", "/usageplans", "/usageplans/*", "/apikeys", "/apikeys/*", "/tags/*"],
            # Each service's base path on the custom domain, and nothing else of the domain.
            var.api_domain_name == null ? [] : ["/domainnames/${var.api_domain_name}/basepathmappings", "/domainnames/${var.api_domain_name}/basepathmappings/*"],
          ) : "arn:${local.partition}:apigateway:${local.region}::${p}"
        ]
      },
      {
        Sid      = "Queues"
        Effect   = "Allow"
        Action   = ["sqs:CreateQueue", "sqs:DeleteQueue", "sqs:GetQueueAttributes", "sqs:SetQueueAttributes", "sqs:TagQueue", "sqs:UntagQueue", "sqs:ListQueueTags"]
        Resource = ["${local.queue_arn_prefix}:${var.name_prefix}-*"]
      },
      {
        # A consumer's rule on the platform's bus, named after its queue (<app>-<env>-<service>-…).
        Sid      = "BusRules"
        Effect   = "Allow"
        Action   = ["events:PutRule", "events:DeleteRule", "events:DescribeRule", "events:PutTargets", "events:RemoveTargets", "events:TagResource", "events:UntagResource", "events:ListTagsForResource"]
        Resource = ["arn:${local.partition}:events:${local.region}:${local.account_id}:rule/${var.event_bus_name}/${var.name_prefix}-*"]
      },
      {
        Sid      = "Schedules"
        Effect   = "Allow"
        Action   = ["scheduler:CreateSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule", "scheduler:GetSchedule", "scheduler:TagResource", "scheduler:UntagResource"]
        Resource = ["arn:${local.partition}:scheduler:${local.region}:${local.account_id}:schedule/default/${var.name_prefix}-*"]
      },
      {
        Sid    = "GradualDeployments"
        Effect = "Allow"
        Action = [
          "codedeploy:CreateApplication", "codedeploy:DeleteApplication", "codedeploy:GetApplication",
          "codedeploy:CreateDeploymentGroup", "codedeploy:UpdateDeploymentGroup", "codedeploy:DeleteDeploymentGroup",
          "codedeploy:GetDeploymentGroup", "codedeploy:CreateDeployment", "codedeploy:GetDeployment",
          "codedeploy:GetDeploymentConfig", "codedeploy:RegisterApplicationRevision", "codedeploy:TagResource",
        ]
        Resource = [
          "arn:${local.partition}:codedeploy:${local.region}:${local.account_id}:application:${var.name_prefix}-*",
          "arn:${local.partition}:codedeploy:${local.region}:${local.account_id}:deploymentgroup:${var.name_prefix}-*",
          "arn:${local.partition}:codedeploy:${local.region}:${local.account_id}:deploymentconfig:*",
        ]
      },
      {
        Sid       = "PassOwnRoles"
        Effect    = "Allow"
        Action    = ["iam:PassRole"]
        Resource  = local.passable_roles
        Condition = { StringEquals = { "iam:PassedToService" = ["lambda.amazonaws.com", "scheduler.amazonaws.com", "codedeploy.amazonaws.com"] } }
      },
      {
        Sid      = "ContractParameters"
        Effect   = "Allow"
        Action   = ["ssm:GetParameters", "ssm:GetParameter"]
        Resource = ["arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter${var.ssm_prefix}/*"]
      },
      {
        Sid      = "Artifacts"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:GetObjectVersion"]
        Resource = ["${var.artifacts_bucket_arn}/*"]
      },
      {
        # Lambda checks that the subnets and security groups exist; EC2 Describe* calls accept
        # no resource other than "*".
        Sid      = "DescribeNetwork"
        Effect   = "Allow"
        Action   = ["ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"]
        Resource = ["*"]
      },
      {
        Sid    = "NoIdentityChanges"
        Effect = "Deny"
        Action = [
          "iam:CreateRole", "iam:DeleteRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy",
          "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:UpdateAssumeRolePolicy",
          "iam:CreateUser", "iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:CreateServiceLinkedRole",
        ]
        Resource = ["*"]
      },
    ]
  })
}
