output "name_prefix" {
  description = "Prefix of every resource name of the environment."
  value       = local.name_prefix
}

output "ssm_prefix" {
  description = "SSM path under which the contract is published."
  value       = local.ssm_prefix
}

output "contract_parameter_names" {
  description = "Full SSM name of every platform contract parameter, by key."
  value       = module.contract.parameter_names
}

output "services" {
  description = "Each service's stack (`sam deploy --stack-name`), SSM path, tables and dashboard, by service."
  value = { for name, service in module.service : name => {
    stack_name             = service.stack_name
    ssm_prefix             = service.ssm_prefix
    contract_parameters    = service.contract_parameter_names
    table_name             = service.table_name
    idempotency_table_name = service.idempotency_table_name
    dashboard_name         = service.dashboard_name
  } }
}

output "artifacts_bucket_name" {
  description = "Bucket for `sam deploy --s3-bucket` of every service."
  value       = module.storage.bucket_name
}

output "cloudformation_role_arn" {
  description = "Role for `sam deploy --role-arn` of every service."
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

output "user_pool_id" {
  description = "Cognito user pool; null without auth."
  value       = var.enable_auth ? module.auth[0].user_pool_id : null
}

output "user_pool_client_id" {
  description = "Cognito app client; null without auth."
  value       = var.enable_auth ? module.auth[0].user_pool_client_id : null
}

output "event_bus_name" {
  description = "EventBridge bus of the domain events."
  value       = module.events.bus_name
}

output "api_domain_name" {
  description = "The APIs' custom domain (https://<it>/<service>/...), or null without one."
  value       = var.custom_domain != null ? module.domain[0].domain_name : null
}
