locals {
  region = data.aws_region.current.name

  function_widgets = [for key, f in var.functions : {
    type   = "metric"
    width  = 8
    height = 6
    properties = {
      title   = "${key}: invocations, errors, throttles"
      region  = local.region
      stat    = "Sum"
      period  = 60
      metrics = [for m in ["Invocations", "Errors", "Throttles"] : ["AWS/Lambda", m, "FunctionName", f.name]]
    }
  }]

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
        title  = "API: latency"
        region = local.region
        period = 60
        metrics = [for s in ["p50", "p99"] :
        ["AWS/ApiGateway", "Latency", "ApiName", api, "Stage", var.stage_name, { stat = s }]]
      }
    },
  ]])

  stream_widgets = [for key, f in var.functions : {
    type   = "metric"
    width  = 8
    height = 6
    properties = {
      title   = "${key}: iterator age"
      region  = local.region
      stat    = "Maximum"
      period  = 60
      metrics = [["AWS/Lambda", "IteratorAge", "FunctionName", f.name]]
    }
  } if f.trigger == "stream"]

  dashboard_widgets = concat(local.function_widgets, local.api_widgets, local.stream_widgets, [
    {
      type   = "metric"
      width  = 8
      height = 6
      properties = {
        title   = "Table: throttled reads and writes"
        region  = local.region
        stat    = "Sum"
        period  = 60
        metrics = [for m in ["ReadThrottleEvents", "WriteThrottleEvents"] : ["AWS/DynamoDB", m, "TableName", var.table_name]]
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
      height = 4
      properties = {
        title = "Alarms"
        alarms = concat(
          [for a in aws_cloudwatch_metric_alarm.metric : a.arn],
          [aws_cloudwatch_metric_alarm.table_throttles.arn],
        )
      }
    },
  ])
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name_prefix
  dashboard_body = jsonencode({ widgets = local.dashboard_widgets })
}
