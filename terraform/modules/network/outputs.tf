output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "public_subnet_ids" {
  description = "IDs of the two public subnets, in zone order."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "IDs of the two private subnets, in zone order; the Lambda functions run here."
  value       = aws_subnet.private[*].id
}

output "lambda_security_group_id" {
  description = "ID of the egress-only security group of the Lambda functions."
  value       = aws_security_group.lambda.id
}

output "nat_gateway_ids" {
  description = "IDs of the NAT gateways (none, one or two, by nat_mode)."
  value       = aws_nat_gateway.this[*].id
}

output "gateway_endpoint_ids" {
  description = "IDs of the S3 and DynamoDB gateway endpoints, by service."
  value       = { for k, v in aws_vpc_endpoint.gateway : k => v.id }
}

output "interface_endpoint_ids" {
  description = "IDs of the interface endpoints, by service."
  value       = { for k, v in aws_vpc_endpoint.interface : k => v.id }
}
