output "codedeploy_role_arn" {
  description = "Role CodeDeploy uses for the functions' gradual deployments."
  value       = aws_iam_role.codedeploy.arn
}

output "cloudformation_role_arn" {
  description = "Role `sam deploy` hands to CloudFormation (--role-arn)."
  value       = aws_iam_role.cloudformation.arn
}

output "github_plan_role_arn" {
  description = "Role pull-request workflows assume to plan; null without a GitHub repository."
  value       = try(aws_iam_role.github["plan"].arn, null)
}

output "github_deploy_role_arn" {
  description = "Role deploy workflows assume; null without a GitHub repository."
  value       = try(aws_iam_role.github["deploy"].arn, null)
}
