resource "aws_iam_role" "function" {
  for_each = var.function_names

  name        = "${each.value}-exec"
  description = "Execution role of the ${each.key} function of ${var.name_prefix}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })

  tags = merge(var.tags, { Function = each.key })
}

resource "aws_iam_role_policy" "function" {
  for_each = var.function_names

  name = "least-privilege"
  role = aws_iam_role.function[each.key].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(local.function_statements[each.key], [
      {
        Sid      = "OwnLogGroup"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = ["${var.function_log_group_arns[each.key]}:*"]
      },
      {
        Sid      = "OwnParameters"
        Effect   = "Allow"
        Action   = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"]
        Resource = ["arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter${var.ssm_prefix}/${each.key}/*"]
      },
      {
        # X-Ray has no resource-level permissions: "*" is the only resource AWS accepts.
        Sid      = "Tracing"
        Effect   = "Allow"
        Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
        Resource = ["*"]
      },
    ])
  })
}

# Network interfaces for running in the private subnets.
resource "aws_iam_role_policy_attachment" "function_vpc_access" {
  for_each = var.function_names

  role       = aws_iam_role.function[each.key].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
}

# EventBridge Scheduler invokes the scheduled function and, after its last retry, writes to its
# dead-letter queue, with this role (so SAM does not create one).
resource "aws_iam_role" "scheduler" {
  name        = "${var.name_prefix}-scheduler"
  description = "EventBridge Scheduler role of ${var.name_prefix}: invoke the scheduled function"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "scheduler.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
    }]
  })

  tags = var.tags
}

resource "aws_iam_role_policy" "scheduler" {
  name = "invoke-scheduled-function"
  role = aws_iam_role.scheduler.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "InvokeScheduledFunction"
        Effect   = "Allow"
        Action   = ["lambda:InvokeFunction"]
        Resource = [local.function_arns["scheduled"], "${local.function_arns["scheduled"]}:*"]
      },
      {
        Sid      = "DeadLetterQueue"
        Effect   = "Allow"
        Action   = ["sqs:SendMessage"]
        Resource = [local.scheduled_dlq_arn]
      },
    ]
  })
}

# CodeDeploy shifts the `live` alias during gradual deployments with this role (SAM would
# otherwise create one).
resource "aws_iam_role" "codedeploy" {
  name        = "${var.name_prefix}-codedeploy"
  description = "CodeDeploy role of ${var.name_prefix}: shift Lambda aliases, watch alarms"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "codedeploy.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "codedeploy" {
  role       = aws_iam_role.codedeploy.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AWSCodeDeployRoleForLambda"
}
