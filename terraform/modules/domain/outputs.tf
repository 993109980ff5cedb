output "domain_name" {
  description = "The domain name the services map their base paths onto."
  value       = aws_api_gateway_domain_name.this.domain_name
}

output "regional_domain_name" {
  description = "API Gateway's name the alias records point at."
  value       = aws_api_gateway_domain_name.this.regional_domain_name
}
