locals {
  alarm_actions = [aws_sns_topic.alarms.arn]
  rollback_alarms = {
    api       = ["api-errors", "api-5xx"]
    processor = ["processor-errors", "iterator-age"]
    scheduled = ["scheduled-errors"]
  }

  # Every single-metric alarm, by key. All fire above the threshold and treat missing data as
  # fine: a function that is not invoked is not failing.
  metric_alarms = merge(
    { for role, name in var.function_names : "${role}-errors" => {
      name        = "${name}-errors"
      description = "The ${role} function raised errors. Also rolls back its gradual deployment."
      namespace   = "AWS/Lambda"
      metric      = "Errors"
      dimensions  = { FunctionName = name }
      statistic   = "Sum"
      extended    = null
      threshold   = 0
      periods     = 1
    } },
    { for role, name in var.function_names : "${role}-throttles" => {
      name        = "${name}-throttles"
      description = "Invocations of the ${role} function were throttled."
      namespace   = "AWS/Lambda"
      metric      = "Throttles"
      dimensions  = { FunctionName = name }
      statistic   = "Sum"
      extended    = null
      threshold   = 0
      periods     = 1
    } },
    {
      api-5xx = {
        name        = "${var.rest_api_name}-5xx"
        description = "The API answered with server errors. Also rolls back the API function's gradual deployment."
        namespace   = "AWS/ApiGateway"
        metric      = "5XXError"
        dimensions  = { ApiName = var.rest_api_name, Stage = var.stage_name }
        statistic   = "Sum"
        extended    = null
        threshold   = 0
        periods     = 1
      }
      api-latency = {
        name        = "${var.rest_api_name}-latency-p99"
        description = "The API's p99 latency stayed above ${var.api_latency_p99_threshold_ms} ms for 5 minutes."
        namespace   = "AWS/ApiGateway"
        metric      = "Latency"
        dimensions  = { ApiName = var.rest_api_name, Stage = var.stage_name }
        statistic   = null
        extended    = "p99"
        threshold   = var.api_latency_p99_threshold_ms
        periods     = 5
      }
      iterator-age = {
        name        = "${var.function_names["processor"]}-iterator-age"
        description = "The stream processor is more than ${var.iterator_age_threshold_ms} ms behind the table."
        namespace   = "AWS/Lambda"
        metric      = "IteratorAge"
        dimensions  = { FunctionName = var.function_names["processor"] }
        statistic   = "Maximum"
        extended    = null
        threshold   = var.iterator_age_threshold_ms
        periods     = 5
      }
    },
    # A message in any of these queues is a batch or an invocation that gave up: look at it.
    { for role, queue in var.queue_names : "${role}-depth" => {
      name        = "${queue}-depth"
      description = "The ${role} queue holds messages that need replaying."
      namespace   = "AWS/SQS"
      metric      = "ApproximateNumberOfMessagesVisible"
      dimensions  = { QueueName = queue }
      statistic   = "Maximum"
      extended    = null
      threshold   = 0
      periods     = 1
    } },
  )
}

resource "aws_cloudwatch_metric_alarm" "metric" {
  for_each = local.metric_alarms

  alarm_name          = each.value.name
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  extended_statistic  = each.value.extended
  period              = 60
  evaluation_periods  = each.value.periods
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "table_throttles" {
  alarm_name          = "${var.table_name}-throttles"
  alarm_description   = "Reads or writes of the main table were throttled."
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  metric_query {
    id          = "throttles"
    expression  = "reads + writes"
    label       = "Throttled reads and writes"
    return_data = true
  }

  metric_query {
    id = "reads"
    metric {
      namespace   = "AWS/DynamoDB"
      metric_name = "ReadThrottleEvents"
      dimensions  = { TableName = var.table_name }
      stat        = "Sum"
      period      = 60
    }
  }

  metric_query {
    id = "writes"
    metric {
      namespace   = "AWS/DynamoDB"
      metric_name = "WriteThrottleEvents"
      dimensions  = { TableName = var.table_name }
      stat        = "Sum"
      period      = 60
    }
  }

  tags = var.tags
}

# CodeDeploy rolls a function's gradual deployment back when one of its alarms fires. SAM needs
# the alarm names as a list literal at transform time, so it cannot take an SSM list of them:
# each function gets one composite alarm, and the contract publishes its single name.
resource "aws_cloudwatch_composite_alarm" "rollback" {
  for_each = var.composite_rollback_alarms ? local.rollback_alarms : {}

  alarm_name        = "${var.name_prefix}-${each.key}-rollback"
  alarm_description = "Rolls back the ${each.key} function's deployment: any of its alarms fires."
  alarm_rule        = join(" OR ", [for key in each.value : "ALARM(\"${aws_cloudwatch_metric_alarm.metric[key].alarm_name}\")"])
  alarm_actions     = local.alarm_actions
  ok_actions        = local.alarm_actions

  tags = var.tags
}
