mock_provider "aws" {
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
}

variables {
  name_prefix = "demo-test-catalog"
  functions = {
    api       = { name = "demo-test-catalog-api", trigger = "api", timeout = 10 }
    processor = { name = "demo-test-catalog-processor", trigger = "stream", timeout = 60 }
    scheduled = { name = "demo-test-catalog-scheduled", trigger = "schedule", timeout = 300 }
    shipping  = { name = "demo-test-catalog-shipping", trigger = "queue", timeout = 20 }
  }
  rest_api_name     = "demo-test-catalog-api"
  stage_name        = "test"
  table_name        = "demo-test-catalog-main"
  queue_names       = { processor-failures = "demo-test-catalog-processor-failures", scheduled-dlq = "demo-test-catalog-scheduled-dlq" }
  alarm_topic_arn   = "arn:aws:sns:eu-west-1:123456789012:demo-test-alarms"
  service           = "catalog"
  metrics_namespace = "demo/test"
  custom_metric_alarms = {
    projection-drift = { metric = "ProjectionDrift", description = "drift" }
  }
  consumer_queue_names = { shipping = "demo-test-catalog-shipping-queue" }
}

run "log_groups_for_each_function_and_the_api" {
  command = plan

  assert {
    condition     = [for g in aws_cloudwatch_log_group.function : g.name] == ["/aws/lambda/demo-test-catalog-api", "/aws/lambda/demo-test-catalog-processor", "/aws/lambda/demo-test-catalog-scheduled", "/aws/lambda/demo-test-catalog-shipping"]
    error_message = "each function must get /aws/lambda/<name>"
  }
  assert {
    condition     = aws_cloudwatch_log_group.api_access[0].name == "/aws/apigateway/demo-test-catalog-api/access" && aws_cloudwatch_log_group.api_access[0].retention_in_days == 30
    error_message = "the API access log group must exist with the default retention"
  }
}

run "alarms_cover_every_signal" {
  command = apply

  assert {
    condition = alltrue([for key in ["api", "processor", "scheduled", "shipping"] : alltrue([
      for signal in ["throttles", "duration", "concurrency"] : contains(keys(aws_cloudwatch_metric_alarm.metric), "${key}-${signal}")
    ]) && contains(keys(aws_cloudwatch_metric_alarm.expression), "${key}-error-rate")])
    error_message = "every function needs error-rate, throttles, duration and concurrency alarms"
  }
  assert {
    condition     = [for key in ["api", "processor", "scheduled", "shipping"] : aws_cloudwatch_metric_alarm.metric["${key}-duration"].threshold] == [8000, 48000, 240000, 16000]
    error_message = "the duration alarm fires at 80 % of each function's timeout, in ms"
  }
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.expression["api-error-rate"].threshold == 1 &&
      aws_cloudwatch_metric_alarm.expression["api-error-rate"].evaluation_periods == 5 &&
      one([for q in aws_cloudwatch_metric_alarm.expression["api-error-rate"].metric_query : q.expression if q.return_data == true]) == "IF(invocations > 0, 100 * errors / invocations, 0)"
    )
    error_message = "a function's error-rate alarm fires above 1 % of its invocations for 5 minutes (seed 003)"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.expression["api-5xx-rate"].threshold == 1 && toset([for q in aws_cloudwatch_metric_alarm.expression["api-5xx-rate"].metric_query : one(q.metric[*].metric_name) if q.return_data != true]) == toset(["5XXError", "Count"])
    error_message = "the API's 5xx alarm is a rate of its requests"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.metric["api-latency"].dimensions == tomap({ ApiName = "demo-test-catalog-api", Stage = "test" }) && aws_cloudwatch_metric_alarm.metric["api-latency"].extended_statistic == "p95" && aws_cloudwatch_metric_alarm.metric["api-latency"].threshold == 500 && aws_cloudwatch_metric_alarm.metric["api-latency"].evaluation_periods == 5
    error_message = "the API needs a p95 latency alarm above 500 ms for 5 minutes on its stage (seed 003)"
  }
  assert {
    condition     = [for k, a in aws_cloudwatch_metric_alarm.metric : a.dimensions.FunctionName if endswith(k, "-iterator-age")] == ["demo-test-catalog-processor"]
    error_message = "every stream function, and only those, needs an iterator age alarm"
  }
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.metric["shipping-event-age"].dimensions == tomap({ QueueName = "demo-test-catalog-shipping-queue" }) &&
      aws_cloudwatch_metric_alarm.metric["shipping-event-age"].metric_name == "ApproximateAgeOfOldestMessage" &&
      aws_cloudwatch_metric_alarm.metric["scheduled-event-age"].metric_name == "AsyncEventAge"
    )
    error_message = "a queue consumer's event age is its queue's oldest message, a scheduled function's its oldest asynchronous invocation"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.metric["projection-drift"].namespace == "demo/test" && aws_cloudwatch_metric_alarm.metric["projection-drift"].dimensions == tomap({ service = "catalog" }) && aws_cloudwatch_metric_alarm.metric["projection-drift"].alarm_name == "demo-test-catalog-projection-drift"
    error_message = "each custom metric alarm reads the service's own metric"
  }
  assert {
    condition     = toset([for k in ["processor-failures-depth", "scheduled-dlq-depth"] : aws_cloudwatch_metric_alarm.metric[k].dimensions.QueueName]) == toset(["demo-test-catalog-processor-failures", "demo-test-catalog-scheduled-dlq"])
    error_message = "every dead-letter queue needs a depth alarm"
  }
  assert {
    condition     = length(aws_cloudwatch_metric_alarm.expression["table-throttles"].metric_query) == 3 && length(aws_cloudwatch_metric_alarm.expression["table-capacity"].metric_query) == 3
    error_message = "the table's throttling and capacity alarms read both reads and writes"
  }
  assert {
    condition     = strcontains(one(aws_cloudwatch_metric_alarm.expression["table-system-errors"].metric_query[*].expression), "SUM(SystemErrors)") && one(aws_cloudwatch_metric_alarm.expression["table-system-errors"].metric_query[*].period) == 60
    error_message = "one Metrics Insights query sums the table's system errors of every operation"
  }
  assert {
    condition     = alltrue([for a in values(merge(aws_cloudwatch_metric_alarm.metric, aws_cloudwatch_metric_alarm.expression)) : a.comparison_operator == "GreaterThanThreshold" && a.treat_missing_data == "notBreaching" && a.alarm_actions == toset([var.alarm_topic_arn])])
    error_message = "every alarm fires above its threshold, ignores missing data and notifies the platform's topic"
  }
  assert {
    condition     = length(jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets[length(jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets) - 1].properties.alarms) == length(aws_cloudwatch_metric_alarm.metric) + length(aws_cloudwatch_metric_alarm.expression)
    error_message = "the dashboard shows every alarm"
  }

}

run "metric_math_ids_hold_no_hyphen" {
  command = apply

  variables {
    functions            = { dead-mail = { name = "demo-test-catalog-dead-mail", trigger = "queue", timeout = 20 } }
    consumer_queue_names = {}
  }

  assert {
    condition     = alltrue([for found in regexall("\"id\":\"([^\"]+)\"", aws_cloudwatch_dashboard.this.dashboard_body) : can(regex("^[a-z][A-Za-z0-9_]*$", found[0]))])
    error_message = "every metric math id of the dashboard is one CloudWatch takes (letters, digits, underscores)"
  }
  assert {
    condition     = strcontains(aws_cloudwatch_dashboard.this.dashboard_body, "e_dead_mail")
    error_message = "a function key's hyphens become underscores in its ids"
  }
}

run "rollback_alarms_per_function" {
  command = plan

  assert {
    condition     = output.rollback_alarm_names.api == "demo-test-catalog-api-rollback"
    error_message = "each function has one rollback alarm, named after it"
  }
  assert {
    condition     = output.rollback_alarm_rules.api == "ALARM(\"demo-test-catalog-api-error-rate\") OR ALARM(\"demo-test-catalog-api-5xx-rate\")"
    error_message = "the API rolls back on its error rate and its 5xx rate"
  }
  assert {
    condition     = output.rollback_alarm_rules.processor == "ALARM(\"demo-test-catalog-processor-error-rate\") OR ALARM(\"demo-test-catalog-processor-iterator-age\")"
    error_message = "a stream function rolls back on its error rate and its iterator age"
  }
  assert {
    condition     = output.rollback_alarm_rules.scheduled == "ALARM(\"demo-test-catalog-scheduled-error-rate\")"
    error_message = "the scheduled function rolls back on its error rate"
  }
}

run "without_composite_alarms_the_error_rate_alarm_rolls_back" {
  command = plan

  variables {
    composite_rollback_alarms = false
  }

  assert {
    condition     = output.rollback_alarm_names == { api = "demo-test-catalog-api-error-rate", processor = "demo-test-catalog-processor-error-rate", scheduled = "demo-test-catalog-scheduled-error-rate", shipping = "demo-test-catalog-shipping-error-rate" }
    error_message = "each function's error-rate alarm is its rollback trigger"
  }
  assert {
    condition     = length(aws_cloudwatch_composite_alarm.rollback) == 0
    error_message = "no composite alarm is made"
  }
}

run "a_service_without_an_api_gets_no_api_alarms" {
  command = plan

  variables {
    functions            = { consumer = { name = "demo-test-catalog-consumer", trigger = "stream", timeout = 60 } }
    rest_api_name        = null
    consumer_queue_names = {}
    custom_metric_alarms = {}
  }

  assert {
    condition     = length(aws_cloudwatch_log_group.api_access) == 0 && !contains(keys(aws_cloudwatch_metric_alarm.expression), "api-5xx-rate") && !contains(keys(aws_cloudwatch_metric_alarm.metric), "api-latency") && output.api_access_log_group_arn == null
    error_message = "no access log group and no API alarm without an API"
  }
}

run "rejects_a_retention_cloudwatch_refuses" {
  command = plan

  variables {
    log_retention_days = 10
  }

  expect_failures = [var.log_retention_days]
}

run "rejects_an_unknown_trigger" {
  command = plan

  variables {
    functions = { api = { name = "demo-test-catalog-api", trigger = "http", timeout = 10 } }
  }

  expect_failures = [var.functions]
}
