# The app's custom domain for its REST APIs: a regional API Gateway domain name with its ACM
# certificate, validated through DNS in the given hosted zone, and the alias records that point
# the name at it. Each service's stack maps its base path (its name) onto it:
# https://<domain>/<service>/... is https://<api-id>.execute-api.<region>.amazonaws.com/<stage>/...

resource "aws_acm_certificate" "this" {
  domain_name       = var.domain_name
  validation_method = "DNS"
  tags              = merge(var.tags, { Name = var.domain_name })

  lifecycle {
    create_before_destroy = true
  }
}

# One name, so one validation record.
resource "aws_route53_record" "validation" {
  zone_id         = var.hosted_zone_id
  name            = one(aws_acm_certificate.this.domain_validation_options).resource_record_name
  type            = one(aws_acm_certificate.this.domain_validation_options).resource_record_type
  records         = [one(aws_acm_certificate.this.domain_validation_options).resource_record_value]
  ttl             = 300
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "this" {
  certificate_arn         = aws_acm_certificate.this.arn
  validation_record_fqdns = [aws_route53_record.validation.fqdn]
}

resource "aws_api_gateway_domain_name" "this" {
  domain_name              = var.domain_name
  regional_certificate_arn = aws_acm_certificate_validation.this.certificate_arn
  # TLS 1.2 or newer: seed 003; clients limited to TLS 1.0/1.1 cannot connect.
  security_policy = "TLS_1_2"
  tags            = var.tags

  endpoint_configuration {
    types = ["REGIONAL"]
  }
}

resource "aws_route53_record" "alias" {
  for_each = toset(["A", "AAAA"])

  zone_id = var.hosted_zone_id
  name    = aws_api_gateway_domain_name.this.domain_name
  type    = each.key

  alias {
    name                   = aws_api_gateway_domain_name.this.regional_domain_name
    zone_id                = aws_api_gateway_domain_name.this.regional_zone_id
    evaluate_target_health = false
  }
}
