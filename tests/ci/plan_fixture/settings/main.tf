variable "values" {
  type = map(string)
}

resource "aws_ssm_parameter" "this" {
  for_each = var.values

  name  = "/plan-fixture/${each.key}"
  type  = "String"
  value = each.value
}
