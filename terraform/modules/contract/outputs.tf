output "parameter_names" {
  description = "Full SSM name of every contract parameter, by key."
  value       = { for k, p in aws_ssm_parameter.this : k => p.name }
}

output "parameter_arns" {
  description = "ARN of every contract parameter, by key."
  value       = { for k, p in aws_ssm_parameter.this : k => p.arn }
}
