# CodeDeploy shifts the `live` alias during gradual deployments with this role (SAM would
# otherwise create one).
resource "aws_iam_role" "codedeploy" {
  name        = "${var.name_prefix}-codedeploy"
  description = "CodeDeploy role of ${var.name_prefix}: shift Lambda aliases, watch alarms"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "codedeploy.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "codedeploy" {
  role       = aws_iam_role.codedeploy.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AWSCodeDeployRoleForLambda"
}

# The managed policy lets CodeDeploy invoke hooks named CodeDeployHook_* only; each service's
# pre-traffic hook is named <app>-<env>-<service>-pretraffic (terraform/modules/service).
resource "aws_iam_role_policy" "codedeploy_hooks" {
  name = "invoke-pretraffic-hooks"
  role = aws_iam_role.codedeploy.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "InvokePreTrafficHooks"
      Effect   = "Allow"
      Action   = ["lambda:InvokeFunction"]
      Resource = ["arn:${local.partition}:lambda:${local.region}:${local.account_id}:function:${var.name_prefix}-*-pretraffic"]
    }]
  })
}
