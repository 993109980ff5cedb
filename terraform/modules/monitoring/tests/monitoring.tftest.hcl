mock_provider "aws" {
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
}

variables {
  name_prefix    = "orders-test"
  function_names = { api = "orders-test-api", processor = "orders-test-processor", scheduled = "orders-test-scheduled" }
  rest_api_name  = "orders-test-api"
  stage_name     = "test"
  table_name     = "orders-test-main"
  queue_names    = { processor_failures = "orders-test-processor-failures", scheduled_dlq = "orders-test-scheduled-dlq" }
}

run "log_groups_for_each_function_and_the_api" {
  command = plan

  assert {
    condition     = [for g in aws_cloudwatch_log_group.function : g.name] == ["/aws/lambda/orders-test-api", "/aws/lambda/orders-test-processor", "/aws/lambda/orders-test-scheduled"]
    error_message = "each function must get /aws/lambda/<name>"
  }
  assert {
    condition     = aws_cloudwatch_log_group.api_access.name == "/aws/apigateway/orders-test-api/access" && aws_cloudwatch_log_group.api_access.retention_in_days == 30
    error_message = "the API access log group must exist with the default retention"
  }
}

run "alarms_cover_every_signal" {
  command = plan

  assert {
    condition     = alltrue([for role in ["api", "processor", "scheduled"] : contains(keys(aws_cloudwatch_metric_alarm.metric), "${role}-errors") && contains(keys(aws_cloudwatch_metric_alarm.metric), "${role}-throttles")])
    error_message = "every function needs an errors and a throttles alarm"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.metric["api-5xx"].dimensions == tomap({ ApiName = "orders-test-api", Stage = "test" }) && aws_cloudwatch_metric_alarm.metric["api-latency"].extended_statistic == "p99" && aws_cloudwatch_metric_alarm.metric["api-latency"].statistic == null
    error_message = "the API needs 5xx and p99 latency alarms on its stage"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.metric["iterator-age"].dimensions.FunctionName == "orders-test-processor" && aws_cloudwatch_metric_alarm.metric["iterator-age"].statistic == "Maximum"
    error_message = "the stream iterator age alarm must watch the processor's oldest record"
  }
  assert {
    condition     = toset([for k in ["processor_failures-depth", "scheduled_dlq-depth"] : aws_cloudwatch_metric_alarm.metric[k].dimensions.QueueName]) == toset(["orders-test-processor-failures", "orders-test-scheduled-dlq"])
    error_message = "every dead-letter queue needs a depth alarm"
  }
  assert {
    condition     = length(aws_cloudwatch_metric_alarm.table_throttles.metric_query) == 3
    error_message = "the table throttling alarm must sum read and write throttles"
  }
  assert {
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.metric : a.comparison_operator == "GreaterThanThreshold" && a.treat_missing_data == "notBreaching"])
    error_message = "every alarm fires above its threshold and ignores missing data"
  }
}

run "rollback_alarms_per_function" {
  command = plan

  assert {
    condition     = output.rollback_alarm_names.api == "orders-test-api-rollback"
    error_message = "each function has one rollback alarm, named after it"
  }
  assert {
    condition     = output.rollback_alarm_rules.api == "ALARM(\"orders-test-api-errors\") OR ALARM(\"orders-test-api-5xx\")"
    error_message = "the API rolls back on its errors and 5xx"
  }
  assert {
    condition     = output.rollback_alarm_rules.scheduled == "ALARM(\"orders-test-scheduled-errors\")"
    error_message = "the scheduled function rolls back on its errors"
  }
}

run "without_composite_alarms_the_errors_alarm_rolls_back" {
  command = plan

  variables {
    composite_rollback_alarms = false
  }

  assert {
    condition     = output.rollback_alarm_names == { api = "orders-test-api-errors", processor = "orders-test-processor-errors", scheduled = "orders-test-scheduled-errors" }
    error_message = "each function's errors alarm is its rollback trigger"
  }
  assert {
    condition     = length(aws_cloudwatch_composite_alarm.rollback) == 0
    error_message = "no composite alarm is made"
  }
}

run "api_gateway_account_role_is_optional" {
  command = plan

  variables {
    manage_api_gateway_account = false
  }

  assert {
    condition     = length(aws_api_gateway_account.this) == 0 && length(aws_iam_role.api_gateway_logging) == 0
    error_message = "manage_api_gateway_account = false must leave the account setting alone"
  }
}

run "rejects_a_retention_cloudwatch_refuses" {
  command = plan

  variables {
    log_retention_days = 10
  }

  expect_failures = [var.log_retention_days]
}

run "rejects_missing_functions" {
  command = plan

  variables {
    function_names = { api = "orders-test-api" }
  }

  expect_failures = [var.function_names]
}
