# How CodeDeploy shifts each function's `live` alias to a new version. CodeDeploy's Lambda
# configurations shift in two steps (canary) or in equal steps (linear), never 10 → 50 → 100 %
# (decision 0019); an all-at-once environment uses CodeDeploy's own configuration.
locals {
  predefined = "CodeDeployDefault.LambdaAllAtOnce"
  custom     = var.traffic.type != "all_at_once"
  config_name = local.custom ? format("%s-%s-%dpct-%dmin", var.name_prefix, replace(var.traffic.type, "_", "-"),
  var.traffic.percentage, var.traffic.interval_minutes) : local.predefined
}

resource "aws_codedeploy_deployment_config" "this" {
  count = local.custom ? 1 : 0

  deployment_config_name = local.config_name
  compute_platform       = "Lambda"

  traffic_routing_config {
    type = var.traffic.type == "canary" ? "TimeBasedCanary" : "TimeBasedLinear"

    dynamic "time_based_canary" {
      for_each = var.traffic.type == "canary" ? [var.traffic] : []
      content {
        percentage = time_based_canary.value.percentage
        interval   = time_based_canary.value.interval_minutes
      }
    }

    dynamic "time_based_linear" {
      for_each = var.traffic.type == "linear" ? [var.traffic] : []
      content {
        percentage = time_based_linear.value.percentage
        interval   = time_based_linear.value.interval_minutes
      }
    }
  }
}
