data "aws_partition" "current" {}

# Every alarm of every service notifies this one topic.
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

# DynamoDB's UserErrors are per account and region (no table dimension): requests refused as
# malformed or unauthorised (HTTP 400, conditional checks and transaction conflicts aside), a bug in
# a caller or a policy. Five minutes in a row is not a passing mistake.
resource "aws_cloudwatch_metric_alarm" "dynamodb_user_errors" {
  alarm_name          = "${var.name_prefix}-dynamodb-user-errors"
  alarm_description   = "DynamoDB refused requests of this account and region as invalid (UserErrors), 5 minutes in a row."
  namespace           = "AWS/DynamoDB"
  metric_name         = "UserErrors"
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 5
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  tags = var.tags
}

# X-Ray traces 5 % of the requests entering through the app's APIs, and the first of each second
# (seed 003). Lambda follows the API's decision; nothing here can keep the unsampled errors (decision
# 0019): every error is logged with its trace id and counted in the error-rate alarms instead.
resource "aws_xray_sampling_rule" "api" {
  count = var.xray_sampling_rule ? 1 : 0

  rule_name      = substr("${var.name_prefix}-api", 0, 32)
  priority       = 1000
  reservoir_size = 1
  fixed_rate     = 0.05
  service_name   = "${var.name_prefix}-*"
  service_type   = "AWS::ApiGateway::Stage"
  host           = "*"
  http_method    = "*"
  url_path       = "*"
  resource_arn   = "*"
  version        = 1

  tags = var.tags
}
