output "name_prefix" {
  description = "Prefix of the service's resource names, \"<app>-<env>-<service>\"."
  value       = local.name_prefix
}

output "ssm_prefix" {
  description = "SSM path of the service's contract keys."
  value       = local.ssm_prefix
}

output "contract_parameter_names" {
  description = "Full SSM name of every contract parameter of the service, by key."
  value       = module.contract.parameter_names
}

output "stack_name" {
  description = "CloudFormation stack of the service's SAM application (`sam deploy --stack-name`)."
  value       = local.name_prefix
}

output "passable_role_arns" {
  description = "Roles the service's stack hands to Lambda and EventBridge Scheduler, which the CloudFormation role must be able to pass."
  value       = concat([for r in aws_iam_role.function : r.arn], [for r in aws_iam_role.scheduler : r.arn])
}

output "table_name" {
  description = "The service's single table."
  value       = module.data.table_name
}

output "idempotency_table_name" {
  description = "The service's idempotency table."
  value       = module.data.idempotency_table_name
}

output "dashboard_name" {
  description = "CloudWatch dashboard of the service."
  value       = module.monitoring.dashboard_name
}
