mock_provider "aws" {}

variables {
  name_prefix = "demo-test"
}

run "all_at_once_uses_codedeploys_own_configuration" {
  command = plan

  assert {
    condition     = output.config_name == "CodeDeployDefault.LambdaAllAtOnce" && length(aws_codedeploy_deployment_config.this) == 0
    error_message = "all_at_once creates nothing and names CodeDeploy's configuration"
  }
}

run "prod_canary_ten_percent_for_ten_minutes" {
  command = plan

  variables {
    traffic = { type = "canary", percentage = 10, interval_minutes = 10 }
  }

  assert {
    condition     = output.config_name == "demo-test-canary-10pct-10min"
    error_message = "a custom configuration is named after its steps"
  }
  assert {
    condition = (
      aws_codedeploy_deployment_config.this[0].compute_platform == "Lambda" &&
      aws_codedeploy_deployment_config.this[0].traffic_routing_config[0].type == "TimeBasedCanary" &&
      aws_codedeploy_deployment_config.this[0].traffic_routing_config[0].time_based_canary[0].percentage == 10 &&
      aws_codedeploy_deployment_config.this[0].traffic_routing_config[0].time_based_canary[0].interval == 10 &&
      length(aws_codedeploy_deployment_config.this[0].traffic_routing_config[0].time_based_linear) == 0
    )
    error_message = "canary shifts its percentage for its interval, then the rest"
  }
}

run "linear_steps" {
  command = plan

  variables {
    traffic = { type = "linear", percentage = 10, interval_minutes = 1 }
  }

  assert {
    condition     = aws_codedeploy_deployment_config.this[0].traffic_routing_config[0].time_based_linear[0].interval == 1 && output.config_name == "demo-test-linear-10pct-1min"
    error_message = "linear shifts its percentage every interval"
  }
}

run "rejects_a_canary_without_steps" {
  command = plan

  variables {
    traffic = { type = "canary" }
  }

  expect_failures = [var.traffic]
}
