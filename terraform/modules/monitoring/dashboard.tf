locals {
  region = data.aws_region.current.name

  function_names = [for f in values(var.functions) : f.name]
  # Metric math ids are letters, digits and underscores; a function's key may hold hyphens.
  math_ids = { for key in keys(var.functions) : key => replace(key, "-", "_") }

  function_widgets = [for title, m in {
    "Functions: errors (% of invocations)" = { stat = "Sum", metrics = flatten([for key, f in var.functions : [
      [{ expression = "IF(i_${local.math_ids[key]} > 0, 100 * e_${local.math_ids[key]} / i_${local.math_ids[key]}, 0)", label = key, id = "r_${local.math_ids[key]}" }],
      ["AWS/Lambda", "Errors", "FunctionName", f.name, { id = "e_${local.math_ids[key]}", visible = false }],
      ["AWS/Lambda", "Invocations", "FunctionName", f.name, { id = "i_${local.math_ids[key]}", visible = false }],
    ]]) }
    "Functions: invocations"           = { stat = "Sum", metrics = [for n in local.function_names : ["AWS/Lambda", "Invocations", "FunctionName", n]] }
    "Functions: throttles"             = { stat = "Sum", metrics = [for n in local.function_names : ["AWS/Lambda", "Throttles", "FunctionName", n]] }
    "Functions: longest duration (ms)" = { stat = "Maximum", metrics = [for n in local.function_names : ["AWS/Lambda", "Duration", "FunctionName", n]] }
    "Functions: concurrent executions" = { stat = "Maximum", metrics = [for n in local.function_names : ["AWS/Lambda", "ConcurrentExecutions", "FunctionName", n]] }
    "Consumers: age of the oldest event" = { stat = "Maximum", metrics = concat(
      [for f in values(var.functions) : ["AWS/Lambda", "IteratorAge", "FunctionName", f.name, { label = "${f.name} stream (ms)" }] if f.trigger == "stream"],
      [for f in values(var.functions) : ["AWS/Lambda", "AsyncEventAge", "FunctionName", f.name, { label = "${f.name} async (ms)" }] if f.trigger == "schedule"],
      [for q in values(var.consumer_queue_names) : ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", q, { label = "${q} (s)", yAxis = "right" }]],
    ) }
    } : {
    type       = "metric"
    width      = 8
    height     = 6
    properties = { title = title, region = local.region, stat = m.stat, period = 60, metrics = m.metrics }
  } if length(m.metrics) > 0]

  api_widgets = flatten([for api in compact([var.rest_api_name]) : [
    {
      type   = "metric"
      width  = 8
      height = 6
      properties = {
        title  = "API: requests and errors"
        region = local.region
        stat   = "Sum"
        period = 60
        metrics = [for m in ["Count", "4XXError", "5XXError"] :
        ["AWS/ApiGateway", m, "ApiName", api, "Stage", var.stage_name]]
      }
    },
    {
      type   = "metric"
      width  = 8
      height = 6
      properties = {
        title  = "API: latency (ms)"
        region = local.region
        period = 60
        metrics = [for s in ["p50", "p95", "p99"] :
        ["AWS/ApiGateway", "Latency", "ApiName", api, "Stage", var.stage_name, { stat = s }]]
        annotations = { horizontal = [{ label = "p95 alarm", value = var.api_latency_p95_threshold_ms }] }
      }
    },
  ]])

  table_widgets = [for title, m in {
    "Table: consumed capacity (units)"  = { stat = "Sum", metrics = ["ConsumedReadCapacityUnits", "ConsumedWriteCapacityUnits"] }
    "Table: throttled reads and writes" = { stat = "Sum", metrics = ["ReadThrottleEvents", "WriteThrottleEvents"] }
    } : {
    type   = "metric"
    width  = 8
    height = 6
    properties = {
      title   = title
      region  = local.region
      stat    = m.stat
      period  = 60
      metrics = [for name in m.metrics : ["AWS/DynamoDB", name, "TableName", var.table_name]]
    }
  }]

  custom_metric_widgets = length(var.custom_metric_alarms) == 0 ? [] : [{
    type   = "metric"
    width  = 8
    height = 6
    properties = {
      title   = "The service's own metrics"
      region  = local.region
      stat    = "Sum"
      period  = 60
      metrics = [for m in values(var.custom_metric_alarms) : [var.metrics_namespace, m.metric, "service", var.service]]
    }
  }]

  dashboard_widgets = concat(local.function_widgets, local.api_widgets, local.table_widgets, local.custom_metric_widgets, [
    {
      type   = "metric"
      width  = 8
      height = 6
      properties = {
        title  = "Table: system errors, every operation"
        region = local.region
        period = 60
        metrics = [[{
          expression = local.expression_alarms["table-system-errors"].expression
          label      = "SystemErrors"
          id         = "system_errors"
        }]]
      }
    },
    {
      type   = "metric"
      width  = 8
      height = 6
      properties = {
        title   = "Dead-letter and on-failure queues: depth"
        region  = local.region
        stat    = "Maximum"
        period  = 60
        metrics = [for q in values(var.queue_names) : ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", q]]
      }
    },
    {
      type   = "alarm"
      width  = 24
      height = 6
      properties = {
        title  = "Alarms"
        alarms = [for a in values(local.alarms) : a.arn]
      }
    },
  ])
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name_prefix
  dashboard_body = jsonencode({ widgets = local.dashboard_widgets })
}
