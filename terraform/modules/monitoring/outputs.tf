output "function_log_group_names" {
  description = "Log group of each function, by role."
  value       = { for k, g in aws_cloudwatch_log_group.function : k => g.name }
}

output "function_log_group_arns" {
  description = "ARN of each function's log group, by role."
  value       = { for k, g in aws_cloudwatch_log_group.function : k => g.arn }
}

output "api_access_log_group_name" {
  description = "Log group of the API's access logs."
  value       = aws_cloudwatch_log_group.api_access.name
}

output "api_access_log_group_arn" {
  description = "ARN of the API's access log group, without the trailing \":*\" (the form API Gateway wants)."
  value       = trimsuffix(aws_cloudwatch_log_group.api_access.arn, ":*")
}

output "alarm_topic_arn" {
  description = "SNS topic every alarm notifies."
  value       = aws_sns_topic.alarms.arn
}

output "rollback_alarm_names" {
  description = "Alarms that roll back each function's gradual deployment, by role."
  value = {
    api       = [for k in ["api-errors", "api-5xx"] : aws_cloudwatch_metric_alarm.metric[k].alarm_name]
    processor = [for k in ["processor-errors", "iterator-age"] : aws_cloudwatch_metric_alarm.metric[k].alarm_name]
    scheduled = [aws_cloudwatch_metric_alarm.metric["scheduled-errors"].alarm_name]
  }
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}
