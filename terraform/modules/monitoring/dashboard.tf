locals {
  region = data.aws_region.current.name

  function_widgets = [for role, name in var.function_names : {
    type   = "metric"
    width  = 8
    height = 6
    properties = {
      title   = "${role}: invocations, errors, throttles"
      region  = local.region
      stat    = "Sum"
      period  = 60
      metrics = [for m in ["Invocations", "Errors", "Throttles"] : ["AWS/Lambda", m, "FunctionName", name]]
    }
  }]

  dashboard_widgets = concat(local.function_widgets, [
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
        ["AWS/ApiGateway", m, "ApiName", var.rest_api_name, "Stage", var.stage_name]]
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
        ["AWS/ApiGateway", "Latency", "ApiName", var.rest_api_name, "Stage", var.stage_name, { stat = s }]]
      }
    },
    {
      type   = "metric"
      width  = 8
      height = 6
      properties = {
        title   = "Stream processor: iterator age"
        region  = local.region
        stat    = "Maximum"
        period  = 60
        metrics = [["AWS/Lambda", "IteratorAge", "FunctionName", var.function_names["processor"]]]
      }
    },
    {
      type   = "metric"
      width  = 8
      height = 6
      properties = {
        title   = "Main table: throttled reads and writes"
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
