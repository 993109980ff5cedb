data "aws_region" "current" {}

# Lambda writes to /aws/lambda/<name> unless told otherwise; the template points each function's
# LoggingConfig at these groups, so retention is ours and no group is created on first write.
resource "aws_cloudwatch_log_group" "function" {
  #checkov:skip=CKV_AWS_158:CloudWatch Logs encrypts every group at rest with its own key; a customer-managed key would add a key policy to keep in step with IAM without changing who may read
  #checkov:skip=CKV_AWS_338:retention is the environment's log_retention_days, as for every other log group; keeping a year is the user's compliance choice, not a default
  for_each = var.functions

  name              = "/aws/lambda/${each.value.name}"
  retention_in_days = var.log_retention_days

  tags = merge(var.tags, { Function = each.key })
}

resource "aws_cloudwatch_log_group" "api_access" {
  #checkov:skip=CKV_AWS_158:CloudWatch Logs encrypts every group at rest with its own key; a customer-managed key would add a key policy to keep in step with IAM without changing who may read
  #checkov:skip=CKV_AWS_338:retention is the environment's log_retention_days, as for every other log group; keeping a year is the user's compliance choice, not a default
  count = var.rest_api_name == null ? 0 : 1

  name              = "/aws/apigateway/${var.rest_api_name}/access"
  retention_in_days = var.log_retention_days

  tags = var.tags
}
