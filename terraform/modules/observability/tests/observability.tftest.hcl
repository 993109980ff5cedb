mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
}

variables {
  name_prefix = "shop-test"
}

run "one_encrypted_alarm_topic" {
  command = plan

  assert {
    condition     = aws_sns_topic.alarms.name == "shop-test-alarms" && aws_sns_topic.alarms.kms_master_key_id == "alias/aws/sns"
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
