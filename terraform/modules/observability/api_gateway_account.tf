# API Gateway writes access logs with an account-wide role; without it, the stage SAM creates
# fails to deploy its access log settings.
resource "aws_iam_role" "api_gateway_logging" {
  count = var.manage_api_gateway_account ? 1 : 0

  name        = "${var.name_prefix}-apigateway-logs"
  description = "Lets API Gateway write access and execution logs to CloudWatch Logs"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "apigateway.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "api_gateway_logging" {
  count = var.manage_api_gateway_account ? 1 : 0

  role       = aws_iam_role.api_gateway_logging[0].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

resource "aws_api_gateway_account" "this" {
  count = var.manage_api_gateway_account ? 1 : 0

  cloudwatch_role_arn = aws_iam_role.api_gateway_logging[0].arn

  depends_on = [aws_iam_role_policy_attachment.api_gateway_logging]
}
