locals {
  alarm_actions = [var.alarm_topic_arn]

  api_dimensions = { ApiName = var.rest_api_name, Stage = var.stage_name }

  # What rolls each function's gradual deployment back, besides its stack's alarm on the new
  # version's error rate (sam/<service>/template.yaml, decision 0019): the function's own error rate,
  # the API's 5xx rate for the API function, the stream's iterator age for a stream function.
  rollback_alarms = { for key, f in var.functions : key => concat(
    ["${key}-error-rate"],
    f.trigger == "api" ? ["api-5xx-rate"] : [],
    f.trigger == "stream" ? ["${key}-iterator-age"] : [],
  ) }

  # Every single-metric alarm, by key. All fire above the threshold for `periods` minutes in a row
  # and treat missing data as fine: a function that is not invoked is not failing.
  metric_alarms = merge(
    # Every function's throttles, longest invocation (against its timeout) and concurrency.
    merge([for key, f in var.functions : {
      for signal, a in {
        throttles   = { metric = "Throttles", statistic = "Sum", threshold = 0, description = "Invocations of the ${key} function were throttled." }
        duration    = { metric = "Duration", statistic = "Maximum", threshold = f.timeout * 10 * var.duration_timeout_percent, description = "An invocation of the ${key} function took more than ${var.duration_timeout_percent} % of its ${f.timeout} s timeout." }
        concurrency = { metric = "ConcurrentExecutions", statistic = "Maximum", threshold = var.concurrency_threshold, description = "The ${key} function ran more than ${var.concurrency_threshold} invocations at once." }
        } : "${key}-${signal}" => {
        name        = "${f.name}-${signal}"
        description = a.description
        namespace   = "AWS/Lambda"
        metric      = a.metric
        dimensions  = { FunctionName = f.name }
        statistic   = a.statistic
        extended    = null
        threshold   = a.threshold
        periods     = 1
      }
    }]...),
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
    # The age of what waits for a consumer: the oldest message of its queue, the oldest
    # asynchronous invocation of a scheduled function.
    { for key, queue in var.consumer_queue_names : "${key}-event-age" => {
      name        = "${var.functions[key].name}-event-age"
      description = "The oldest message waiting for the ${key} function is more than ${var.event_age_threshold_seconds} s old."
      namespace   = "AWS/SQS"
      metric      = "ApproximateAgeOfOldestMessage"
      dimensions  = { QueueName = queue }
      statistic   = "Maximum"
      extended    = null
      threshold   = var.event_age_threshold_seconds
      periods     = 5
    } },
    { for key, f in var.functions : "${key}-event-age" => {
      name        = "${f.name}-event-age"
      description = "The ${key} function's oldest asynchronous invocation waited more than ${var.event_age_threshold_seconds} s."
      namespace   = "AWS/Lambda"
      metric      = "AsyncEventAge"
      dimensions  = { FunctionName = f.name }
      statistic   = "Maximum"
      extended    = null
      threshold   = var.event_age_threshold_seconds * 1000
      periods     = 5
    } if f.trigger == "schedule" },
    # The REST API's, when the service has one.
    { for api in compact([var.rest_api_name]) : "api-latency" => {
      name        = "${api}-latency-p95"
      description = "The API's p95 latency stayed above ${var.api_latency_p95_threshold_ms} ms for 5 minutes."
      namespace   = "AWS/ApiGateway"
      metric      = "Latency"
      dimensions  = local.api_dimensions
      statistic   = null
      extended    = "p95"
      threshold   = var.api_latency_p95_threshold_ms
      periods     = 5
    } },
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
    # The service's own metrics (Powertools, one `service` dimension): any count above zero.
    { for key, m in var.custom_metric_alarms : key => {
      name        = "${var.name_prefix}-${key}"
      description = m.description
      namespace   = var.metrics_namespace
      metric      = m.metric
      dimensions  = { service = var.service }
      statistic   = "Sum"
      extended    = null
      threshold   = 0
      periods     = 1
    } },
  )

  # Every alarm on an expression over metrics (metric math, or one Metrics Insights query), by key:
  # `metrics` are the expression's inputs by id, each a [namespace, metric, dimensions, statistic].
  expression_alarms = merge(
    { for key, f in var.functions : "${key}-error-rate" => {
      name        = "${f.name}-error-rate"
      description = "More than ${var.error_rate_threshold_percent} % of the ${key} function's invocations failed, 5 minutes in a row. Also rolls back its gradual deployment."
      expression  = "IF(invocations > 0, 100 * errors / invocations, 0)"
      label       = "Errors (% of invocations)"
      metrics = {
        errors      = ["AWS/Lambda", "Errors", { FunctionName = f.name }, "Sum"]
        invocations = ["AWS/Lambda", "Invocations", { FunctionName = f.name }, "Sum"]
      }
      threshold = var.error_rate_threshold_percent
      periods   = 5
    } },
    { for api in compact([var.rest_api_name]) : "api-5xx-rate" => {
      name        = "${api}-5xx-rate"
      description = "More than ${var.error_rate_threshold_percent} % of the API's requests got a server error, 5 minutes in a row. Also rolls back the API function's gradual deployment."
      expression  = "IF(requests > 0, 100 * errors / requests, 0)"
      label       = "5xx (% of requests)"
      metrics = {
        errors   = ["AWS/ApiGateway", "5XXError", local.api_dimensions, "Sum"]
        requests = ["AWS/ApiGateway", "Count", local.api_dimensions, "Sum"]
      }
      threshold = var.error_rate_threshold_percent
      periods   = 5
    } },
    {
      table-throttles = {
        name        = "${var.table_name}-throttles"
        description = "Reads or writes of the service's table were throttled."
        expression  = "reads + writes"
        label       = "Throttled reads and writes"
        metrics = {
          reads  = ["AWS/DynamoDB", "ReadThrottleEvents", { TableName = var.table_name }, "Sum"]
          writes = ["AWS/DynamoDB", "WriteThrottleEvents", { TableName = var.table_name }, "Sum"]
        }
        threshold = 0
        periods   = 1
      }
      table-capacity = {
        name        = "${var.table_name}-consumed-capacity"
        description = "The service's table consumed more than ${var.consumed_capacity_threshold} read or write capacity units per second for 5 minutes: on demand, that is the bill growing."
        expression  = "MAX([reads, writes]) / 60"
        label       = "Consumed capacity units per second (the larger of reads and writes)"
        metrics = {
          reads  = ["AWS/DynamoDB", "ConsumedReadCapacityUnits", { TableName = var.table_name }, "Sum"]
          writes = ["AWS/DynamoDB", "ConsumedWriteCapacityUnits", { TableName = var.table_name }, "Sum"]
        }
        threshold = var.consumed_capacity_threshold
        periods   = 5
      }
      # SystemErrors comes per table and operation; one query sums every operation's.
      table-system-errors = {
        name        = "${var.table_name}-system-errors"
        description = "DynamoDB answered requests on the service's table with server errors (HTTP 500)."
        expression  = "SELECT SUM(SystemErrors) FROM SCHEMA(\"AWS/DynamoDB\", Operation, TableName) WHERE TableName = '${var.table_name}'"
        label       = "System errors, every operation"
        metrics     = {}
        threshold   = 0
        periods     = 1
      }
    },
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

resource "aws_cloudwatch_metric_alarm" "expression" {
  for_each = local.expression_alarms

  alarm_name          = each.value.name
  alarm_description   = each.value.description
  evaluation_periods  = each.value.periods
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  metric_query {
    id          = "result"
    expression  = each.value.expression
    label       = each.value.label
    period      = length(each.value.metrics) == 0 ? 60 : null
    return_data = true
  }

  dynamic "metric_query" {
    for_each = each.value.metrics
    content {
      id = metric_query.key
      metric {
        namespace   = metric_query.value[0]
        metric_name = metric_query.value[1]
        dimensions  = metric_query.value[2]
        stat        = metric_query.value[3]
        period      = 60
      }
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
  alarm_rule        = join(" OR ", [for key in each.value : "ALARM(\"${local.alarms[key].alarm_name}\")"])
  alarm_actions     = local.alarm_actions
  ok_actions        = local.alarm_actions

  tags = var.tags
}

locals {
  # Every alarm of the module, by key.
  alarms = merge(aws_cloudwatch_metric_alarm.metric, aws_cloudwatch_metric_alarm.expression)
}
