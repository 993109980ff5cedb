locals {
  # The keys come from one of the two contract files (platform.json here, service/contract.json),
  # expanded by the caller; the values must set exactly those keys.
  string_keys = [for k, p in var.parameters : k if p.type == "String"]
  list_keys   = [for k, p in var.parameters : k if p.type == "StringList"]
}

resource "aws_ssm_parameter" "this" {
  #checkov:skip=CKV2_AWS_34:the contract holds names, ARNs and ids, never secrets, and CloudFormation's AWS::SSM::Parameter::Value<> parameters, which read it, do not take SecureString
  for_each = var.parameters

  name        = "${var.ssm_prefix}/${each.key}"
  description = each.value.description
  type        = each.value.type
  value       = each.value.type == "StringList" ? join(",", var.list_values[each.key]) : var.string_values[each.key]
  tier        = "Standard"

  tags = merge(var.tags, { Consumer = each.value.consumer })
}
