output "function_log_group_names" {
  description = "Log group of each function, by function."
  value       = { for k, g in aws_cloudwatch_log_group.function : k => g.name }
}

output "function_log_group_arns" {
  description = "ARN of each function's log group, by function."
  value       = { for k, g in aws_cloudwatch_log_group.function : k => g.arn }
}

output "api_access_log_group_arn" {
  description = "ARN of the API's access log group, without the trailing \":*\" (the form API Gateway wants); null without an API."
  value       = one([for g in aws_cloudwatch_log_group.api_access : trimsuffix(g.arn, ":*")])
}

output "rollback_alarm_names" {
  description = "The alarm that rolls back each function's gradual deployment, by function: its composite alarm, or its error-rate alarm without composite alarms."
  value = {
    for role, keys in local.rollback_alarms : role => (
      var.composite_rollback_alarms ? aws_cloudwatch_composite_alarm.rollback[role].alarm_name : local.alarms[keys[0]].alarm_name
    )
  }
}

output "rollback_alarm_rules" {
  description = "What each composite rollback alarm watches, by function (empty without composite alarms)."
  value       = { for role, alarm in aws_cloudwatch_composite_alarm.rollback : role => alarm.alarm_rule }
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}
