data "aws_region" "current" {}
data "aws_partition" "current" {}

# Lambda writes to /aws/lambda/<name> unless told otherwise; the template points each function's
# LoggingConfig at these groups, so retention is ours and no group is created on first write.
resource "aws_cloudwatch_log_group" "function" {
  for_each = var.function_names

  name              = "/aws/lambda/${each.value}"
  retention_in_days = var.log_retention_days

  tags = merge(var.tags, { Function = each.key })
}

resource "aws_cloudwatch_log_group" "api_access" {
  name              = "/aws/apigateway/${var.rest_api_name}/access"
  retention_in_days = var.log_retention_days

  tags = var.tags
}

resource "aws_sns_topic" "alarms" {
  name              = "${var.name_prefix}-alarms"
  kms_master_key_id = "alias/aws/sns"

  tags = var.tags
}

resource "aws_sns_topic_subscription" "email" {
  count = var.alarm_email == null ? 0 : 1

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}
