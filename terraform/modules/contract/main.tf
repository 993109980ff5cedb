locals {
  # The one list of keys. Everything else (this module's inputs, the SAM template, the tests,
  # the README table) is checked against or generated from parameters.json.
  parameters  = jsondecode(file("${path.module}/parameters.json")).parameters
  string_keys = [for k, p in local.parameters : k if p.type == "String"]
  list_keys   = [for k, p in local.parameters : k if p.type == "StringList"]
}

resource "aws_ssm_parameter" "this" {
  for_each = local.parameters

  name        = "${var.ssm_prefix}/${each.key}"
  description = each.value.description
  type        = each.value.type
  value       = each.value.type == "StringList" ? join(",", var.list_values[each.key]) : var.string_values[each.key]
  tier        = "Standard"

  tags = merge(var.tags, { Consumer = each.value.consumer })
}
