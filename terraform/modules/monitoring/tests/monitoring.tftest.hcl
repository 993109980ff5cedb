mock_provider "aws" {
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
}

variables {
  name_prefix = "shop-test-orders"
  functions = {
    api       = { name = "shop-test-orders-api", trigger = "api" }
    processor = { name = "shop-test-orders-processor", trigger = "stream" }
    scheduled = { name = "shop-test-orders-scheduled", trigger = "schedule" }
  }
  rest_api_name   = "shop-test-orders-api"
  stage_name      = "test"
  table_name      = "shop-test-orders-main"
  queue_names     = { processor-failures = "shop-test-orders-processor-failures", scheduled-dlq = "shop-test-orders-scheduled-dlq" }
  alarm_topic_arn = "arn:aws:sns:eu-west-1:123456789012:shop-test-alarms"
}

run "log_groups_for_each_function_and_the_api" {
  command = plan

  assert {
    condition     = [for g in aws_cloudwatch_log_group.function : g.name] == ["/aws/lambda/shop-test-orders-api", "/aws/lambda/shop-test-orders-processor", "/aws/lambda/shop-test-orders-scheduled"]
    error_message = "each function must get /aws/lambda/<name>"
  }
  assert {
    condition     = aws_cloudwatch_log_group.api_access[0].name == "/aws/apigateway/shop-test-orders-api/access" && aws_cloudwatch_log_group.api_access[0].retention_in_days == 30
    error_message = "the API access log group must exist with the default retention"
  }
}

run "alarms_cover_every_signal" {
  command = plan

  assert {
    condition     = alltrue([for key in ["api", "processor", "scheduled"] : contains(keys(aws_cloudwatch_metric_alarm.metric), "${key}-errors") && contains(keys(aws_cloudwatch_metric_alarm.metric), "${key}-throttles")])
    error_message = "every function needs an errors and a throttles alarm"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.metric["api-5xx"].dimensions == tomap({ ApiName = "shop-test-orders-api", Stage = "test" }) && aws_cloudwatch_metric_alarm.metric["api-latency"].extended_statistic == "p99" && aws_cloudwatch_metric_alarm.metric["api-latency"].statistic == null
    error_message = "the API needs 5xx and p99 latency alarms on its stage"
  }
  assert {
    condition     = [for k, a in aws_cloudwatch_metric_alarm.metric : a.dimensions.FunctionName if endswith(k, "-iterator-age")] == ["shop-test-orders-processor"]
    error_message = "every stream function, and only those, needs an iterator age alarm"
  }
  assert {
    condition     = toset([for k in ["processor-failures-depth", "scheduled-dlq-depth"] : aws_cloudwatch_metric_alarm.metric[k].dimensions.QueueName]) == toset(["shop-test-orders-processor-failures", "shop-test-orders-scheduled-dlq"])
    error_message = "every dead-letter queue needs a depth alarm"
  }
  assert {
    condition     = length(aws_cloudwatch_metric_alarm.table_throttles.metric_query) == 3
    error_message = "the table throttling alarm must sum read and write throttles"
  }
  assert {
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.metric : a.comparison_operator == "GreaterThanThreshold" && a.treat_missing_data == "notBreaching" && a.alarm_actions == toset([var.alarm_topic_arn])])
    error_message = "every alarm fires above its threshold, ignores missing data and notifies the platform's topic"
  }
}

run "rollback_alarms_per_function" {
  command = plan

  assert {
    condition     = output.rollback_alarm_names.api == "shop-test-orders-api-rollback"
    error_message = "each function has one rollback alarm, named after it"
  }
  assert {
    condition     = output.rollback_alarm_rules.api == "ALARM(\"shop-test-orders-api-errors\") OR ALARM(\"shop-test-orders-api-5xx\")"
    error_message = "the API rolls back on its errors and 5xx"
  }
  assert {
    condition     = output.rollback_alarm_rules.processor == "ALARM(\"shop-test-orders-processor-errors\") OR ALARM(\"shop-test-orders-processor-iterator-age\")"
    error_message = "a stream function rolls back on its errors and its iterator age"
  }
  assert {
    condition     = output.rollback_alarm_rules.scheduled == "ALARM(\"shop-test-orders-scheduled-errors\")"
    error_message = "the scheduled function rolls back on its errors"
  }
}

run "without_composite_alarms_the_errors_alarm_rolls_back" {
  command = plan

  variables {
    composite_rollback_alarms = false
  }

  assert {
    condition     = output.rollback_alarm_names == { api = "shop-test-orders-api-errors", processor = "shop-test-orders-processor-errors", scheduled = "shop-test-orders-scheduled-errors" }
    error_message = "each function's errors alarm is its rollback trigger"
  }
  assert {
    condition     = length(aws_cloudwatch_composite_alarm.rollback) == 0
    error_message = "no composite alarm is made"
  }
}

run "a_service_without_an_api_gets_no_api_alarms" {
  command = plan

  variables {
    functions     = { consumer = { name = "shop-test-orders-consumer", trigger = "stream" } }
    rest_api_name = null
  }

  assert {
    condition     = length(aws_cloudwatch_log_group.api_access) == 0 && !contains(keys(aws_cloudwatch_metric_alarm.metric), "api-5xx") && output.api_access_log_group_arn == null
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
    functions = { api = { name = "shop-test-orders-api", trigger = "http" } }
  }

  expect_failures = [var.functions]
}
