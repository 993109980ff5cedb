resource "aws_security_group" "lambda" {
  #checkov:skip=CKV2_AWS_5:the functions attach it: SAM's VpcConfig reads its id from the contract (network/lambda-security-group-ids)
  name        = "${var.name_prefix}-lambda"
  description = "Lambda functions of ${var.name_prefix}: no inbound, HTTPS outbound only"
  vpc_id      = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.name_prefix}-lambda" })
}

# AWS APIs (through endpoints or NAT) are all HTTPS; nothing else leaves the functions.
resource "aws_vpc_security_group_egress_rule" "lambda_https" {
  security_group_id = aws_security_group.lambda.id
  description       = "HTTPS to AWS APIs and the internet through NAT"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}
