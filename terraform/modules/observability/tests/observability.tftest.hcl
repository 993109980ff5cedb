mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
}

variables {
  name_prefix = "demo-test"
}

run "one_encrypted_alarm_topic" {
  command = plan

  assert {
    condition     = aws_sns_topic.alarms.name == "demo-test-alarms" && aws_sns_topic.alarms.kms_master_key_id == "alias/aws/sns"
    error_message = "the platform has one encrypted alarm topic"
  }
  assert {
    condition     = length(aws_sns_topic_subscription.email) == 0
    error_message = "nobody is subscribed without an address"
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

run "rejects_a_malformed_address" {
  command = plan

  variables {
    alarm_email = "ops"
  }

  expect_failures = [var.alarm_email]
}

run "x_ray_samples_five_percent_of_the_apis_and_dynamodb_user_errors_alarm" {
  command = plan

  assert {
    condition     = aws_xray_sampling_rule.api[0].fixed_rate == 0.05 && aws_xray_sampling_rule.api[0].reservoir_size == 1 && aws_xray_sampling_rule.api[0].service_type == "AWS::ApiGateway::Stage" && aws_xray_sampling_rule.api[0].service_name == "demo-test-*"
    error_message = "the app's API stages are sampled at 5 % plus one request a second (seed 003)"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.dynamodb_user_errors.metric_name == "UserErrors" && aws_cloudwatch_metric_alarm.dynamodb_user_errors.dimensions == null && aws_cloudwatch_metric_alarm.dynamodb_user_errors.evaluation_periods == 5
    error_message = "DynamoDB's account-wide UserErrors raise an alarm after 5 minutes"
  }
}

run "no_sampling_rule_where_there_is_none" {
  command = plan

  variables {
    xray_sampling_rule = false
  }

  assert {
    condition     = length(aws_xray_sampling_rule.api) == 0
    error_message = "xray_sampling_rule = false makes no rule"
  }
}
