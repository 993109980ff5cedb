data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name
  account_id = data.aws_caller_identity.current.account_id

  table_and_indexes = [var.table_arn, "${var.table_arn}/index/*"]
  stream_arns       = ["${var.table_arn}/stream/*"]
  queue_arn_prefix  = "arn:${local.partition}:sqs:${local.region}:${local.account_id}"
  processor_dlq_arn = "${local.queue_arn_prefix}:${var.processor_failure_queue_name}"
  scheduled_dlq_arn = "${local.queue_arn_prefix}:${var.scheduled_dlq_name}"
  function_arns = {
    for role, name in var.function_names :
    role => "arn:${local.partition}:lambda:${local.region}:${local.account_id}:function:${name}"
  }

  # What each function may do beyond logging and tracing, on exactly its resources.
  function_statements = {
    api = [
      {
        Sid      = "OrdersTable"
        Effect   = "Allow"
        Action   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:ConditionCheckItem"]
        Resource = local.table_and_indexes
      },
      {
        Sid      = "IdempotencyTable"
        Effect   = "Allow"
        Action   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
        Resource = [var.idempotency_table_arn]
      },
    ]
    processor = [
      {
        Sid      = "ReadStream"
        Effect   = "Allow"
        Action   = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"]
        Resource = local.stream_arns
      },
      {
        Sid      = "ReadModel"
        Effect   = "Allow"
        Action   = ["dynamodb:UpdateItem"]
        Resource = [var.table_arn]
      },
      {
        Sid      = "ProjectionMarkers"
        Effect   = "Allow"
        Action   = ["dynamodb:PutItem"]
        Resource = [var.idempotency_table_arn]
      },
      {
        Sid      = "PublishEvents"
        Effect   = "Allow"
        Action   = ["events:PutEvents"]
        Resource = [var.event_bus_arn]
      },
      {
        Sid      = "OnFailureDestination"
        Effect   = "Allow"
        Action   = ["sqs:SendMessage"]
        Resource = [local.processor_dlq_arn]
      },
    ]
    scheduled = [
      {
        Sid      = "ExpireAndReconcile"
        Effect   = "Allow"
        Action   = ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:Scan"]
        Resource = local.table_and_indexes
      },
      {
        Sid      = "IdempotencyTable"
        Effect   = "Allow"
        Action   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
        Resource = [var.idempotency_table_arn]
      },
    ]
  }
}
