output "name_prefix" {
  description = "Prefix of every resource name of the environment."
  value       = local.name_prefix
}

output "ssm_prefix" {
  description = "SSM path under which the contract is published."
  value       = local.ssm_prefix
}

output "contract_parameter_names" {
  description = "Full SSM name of every contract parameter, by key."
  value       = module.contract.parameter_names
}

output "stack_name" {
  description = "CloudFormation stack name for `sam deploy --stack-name`."
  value       = local.names.stack
}

output "artifacts_bucket_name" {
  description = "Bucket for `sam deploy --s3-bucket`."
  value       = module.storage.bucket_name
}

output "cloudformation_role_arn" {
  description = "Role for `sam deploy --role-arn`."
  value       = module.iam.cloudformation_role_arn
}

output "github_plan_role_arn" {
  description = "Role for the pull-request plan workflow; null without a GitHub repository."
  value       = module.iam.github_plan_role_arn
}

output "github_deploy_role_arn" {
  description = "Role for the deploy workflow; null without a GitHub repository."
  value       = module.iam.github_deploy_role_arn
}

output "table_name" {
  description = "Main DynamoDB table."
  value       = module.data.table_name
}

output "idempotency_table_name" {
  description = "Idempotency table."
  value       = module.data.idempotency_table_name
}

output "user_pool_id" {
  description = "Cognito user pool; null without auth."
  value       = var.enable_auth ? module.auth[0].user_pool_id : null
}

output "user_pool_client_id" {
  description = "Cognito app client; null without auth."
  value       = var.enable_auth ? module.auth[0].user_pool_client_id : null
}

output "dashboard_name" {
  description = "CloudWatch dashboard of the environment."
  value       = module.monitoring.dashboard_name
}

output "event_bus_name" {
  description = "EventBridge bus of the domain events."
  value       = module.events.bus_name
}
