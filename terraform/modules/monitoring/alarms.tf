locals {
  alarm_actions = [var.alarm_topic_arn]

  # What rolls each function's gradual deployment back: its errors, and the API's 5xx for the API
  # function, the stream's iterator age for a stream function.
  rollback_alarms = { for key, f in var.functions : key => concat(
    ["${key}-errors"],
    f.trigger == "api" ? ["api-5xx"] : [],
    f.trigger == "stream" ? ["${key}-iterator-age"] : [],
  ) }

  # Every single-metric alarm, by key. All fire above the threshold and treat missing data as
  # fine: a function that is not invoked is not failing.
  metric_alarms = merge(
    { for key, f in var.functions : "${key}-errors" => {
      name        = "${f.name}-errors"
      description = "The ${key} function raised errors. Also rolls back its gradual deployment."
      namespace   = "AWS/Lambda"
      metric      = "Errors"
      dimensions  = { FunctionName = f.name }
      statistic   = "Sum"
      extended    = null
      threshold   = 0
      periods     = 1
    } },
    { for key, f in var.functions : "${key}-throttles" => {
      name        = "${f.name}-throttles"
      description = "Invocations of the ${key} function were throttled."
      namespace   = "AWS/Lambda"
      metric      = "Throttles"
      dimensions  = { FunctionName = f.name }
      statistic   = "Sum"
      extended    = null
      threshold   = 0
      periods     = 1
    } },
    { for key, f in var.functions : "${key}-iterator-age" => {
      name        = "${f.name}-iterator-age"
      description = "The ${key} function is more than ${var.iterator_age_threshold_ms} ms behind its stream."
      namespace   = "AWS/Lambda"
      metric      = "IteratorAge"
      dimensions  = { FunctionName = f.name }
      statistic   = "Maximum"
      extended    = null
      threshold   = var.iterator_age_threshold_ms
      periods     = 5
    } if f.trigger == "stream" },
    # The REST API's, when the service has one.
    merge([for api in compact([var.rest_api_name]) : {
      api-5xx = {
        name        = "${api}-5xx"
        description = "The API answered with server errors. Also rolls back the API function's gradual deployment."
        namespace   = "AWS/ApiGateway"
        metric      = "5XXError"
        dimensions  = { ApiName = api, Stage = var.stage_name }
        statistic   = "Sum"
        extended    = null
        threshold   = 0
        periods     = 1
      }
      api-latency = {
        name        = "${api}-latency-p99"
        description = "The API's p99 latency stayed above ${var.api_latency_p99_threshold_ms} ms for 5 minutes."
        namespace   = "AWS/ApiGateway"
        metric      = "Latency"
        dimensions  = { ApiName = api, Stage = var.stage_name }
        statistic   = null
        extended    = "p99"
        threshold   = var.api_latency_p99_threshold_ms
        periods     = 5
      }
    }]...),
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
  alarm_description   = "Reads or writes of the service's table were throttled."
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
