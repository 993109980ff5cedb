output "config_name" {
  description = "The CodeDeploy deployment configuration every function's deployment group uses."
  value       = local.custom ? aws_codedeploy_deployment_config.this[0].deployment_config_name : local.predefined
}
