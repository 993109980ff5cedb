locals {
  queue_arn_prefix    = "arn:${local.partition}:sqs:${local.region}:${local.account_id}"
  function_arn_prefix = "arn:${local.partition}:lambda:${local.region}:${local.account_id}:function"
  table_resources = {
    main        = [module.data.table_arn, "${module.data.table_arn}/index/*"]
    idempotency = [module.data.idempotency_table_arn]
  }

  # What each function may do beyond logging, its parameters and tracing, on exactly its resources.
  function_statements = { for key, f in var.functions : key => concat(
    [for table, actions in f.tables : {
      Sid      = "${title(table)}Table"
      Effect   = "Allow"
      Action   = actions
      Resource = local.table_resources[table]
    }],
    f.trigger == "stream" ? [
      {
        Sid      = "ReadStream"
        Effect   = "Allow"
        Action   = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"]
        Resource = ["${module.data.table_arn}/stream/*"]
      },
      {
        Sid      = "OnFailureDestination"
        Effect   = "Allow"
        Action   = ["sqs:SendMessage"]
        Resource = ["${local.queue_arn_prefix}:${local.failure_queues[key]}"]
      },
    ] : [],
    f.trigger == "schedule" ? [{
      # Lambda sends what it gave up on with the function's own role.
      Sid      = "OnFailureDestination"
      Effect   = "Allow"
      Action   = ["sqs:SendMessage"]
      Resource = ["${local.queue_arn_prefix}:${local.on_failure_queues[key]}"]
    }] : [],
    f.trigger == "queue" ? [{
      Sid      = "ConsumeQueue"
      Effect   = "Allow"
      Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"]
      Resource = ["${local.queue_arn_prefix}:${local.consumed[key]}"]
    }] : [],
    f.publishes_events ? [{
      Sid      = "PublishEvents"
      Effect   = "Allow"
      Action   = ["events:PutEvents"]
      Resource = [var.event_bus_arn]
    }] : [],
  ) }
}

locals {
  # Every function the stack creates, with what its role may do beyond the common rights: the app's
  # functions and the pre-traffic hook (pretraffic.tf).
  roles = merge(
    { for key, f in var.functions : key => {
      name          = local.function_names[key]
      description   = f.description
      statements    = local.function_statements[key]
      log_group_arn = module.monitoring.function_log_group_arns[key]
    } },
    { (local.pretraffic) = {
      name          = local.pretraffic_name
      description   = "call each new version before it takes traffic, report to CodeDeploy"
      statements    = local.pretraffic_statements
      log_group_arn = aws_cloudwatch_log_group.pretraffic.arn
    } },
  )
}

resource "aws_iam_role" "function" {
  for_each = local.roles

  name        = "${each.value.name}-exec"
  description = "Execution role of ${each.value.name}: ${each.value.description}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })

  tags = merge(local.tags, { Function = each.key })
}

resource "aws_iam_role_policy" "function" {
  for_each = local.roles

  name = "least-privilege"
  role = aws_iam_role.function[each.key].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(each.value.statements, [
      {
        Sid      = "OwnLogGroup"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = ["${each.value.log_group_arn}:*"]
      },
      {
        Sid      = "OwnParameters"
        Effect   = "Allow"
        Action   = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"]
        Resource = ["arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter${local.ssm_prefix}/${each.key}/*"]
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
  for_each = local.roles

  role       = aws_iam_role.function[each.key].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
}

# EventBridge Scheduler invokes a scheduled function and, after its last retry, writes to its
# dead-letter queue, with this role (so SAM does not create one).
resource "aws_iam_role" "scheduler" {
  for_each = local.schedule_dlqs

  name        = "${local.function_names[each.key]}-scheduler"
  description = "EventBridge Scheduler role of ${local.function_names[each.key]}: invoke it"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "scheduler.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
    }]
  })

  tags = merge(local.tags, { Function = each.key })
}

resource "aws_iam_role_policy" "scheduler" {
  for_each = local.schedule_dlqs

  name = "invoke-scheduled-function"
  role = aws_iam_role.scheduler[each.key].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "InvokeScheduledFunction"
        Effect   = "Allow"
        Action   = ["lambda:InvokeFunction"]
        Resource = ["${local.function_arn_prefix}:${local.function_names[each.key]}", "${local.function_arn_prefix}:${local.function_names[each.key]}:*"]
      },
      {
        Sid      = "DeadLetterQueue"
        Effect   = "Allow"
        Action   = ["sqs:SendMessage"]
        Resource = ["${local.queue_arn_prefix}:${each.value}"]
      },
    ]
  })
}
