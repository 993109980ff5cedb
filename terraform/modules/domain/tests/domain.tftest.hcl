mock_provider "aws" {
  mock_resource "aws_acm_certificate" {
    defaults = {
      arn = "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
      domain_validation_options = [{
        domain_name           = "api.example.com"
        resource_record_name  = "_0123.api.example.com."
        resource_record_type  = "CNAME"
        resource_record_value = "_4567.acm-validations.aws."
      }]
    }
  }
  mock_resource "aws_acm_certificate_validation" {
    defaults = {
      certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
    }
  }
}

variables {
  domain_name    = "api.example.com"
  hosted_zone_id = "Z0000000000000000000"
}

run "the_domain_is_regional_with_tls_1_2_and_a_validated_certificate" {
  command = apply

  assert {
    condition     = aws_api_gateway_domain_name.this.security_policy == "TLS_1_2"
    error_message = "the domain must refuse TLS 1.0 and 1.1"
  }
  assert {
    condition     = one(aws_api_gateway_domain_name.this.endpoint_configuration).types == tolist(["REGIONAL"])
    error_message = "the domain must be regional, like the REST APIs"
  }
  assert {
    condition     = aws_api_gateway_domain_name.this.regional_certificate_arn == aws_acm_certificate_validation.this.certificate_arn
    error_message = "the domain must use the certificate once DNS validated it"
  }
  assert {
    condition     = aws_acm_certificate.this.validation_method == "DNS" && aws_route53_record.validation.zone_id == "Z0000000000000000000" && aws_route53_record.validation.records == toset(["_4567.acm-validations.aws."])
    error_message = "the certificate must be validated through DNS, in the hosted zone"
  }
}

run "the_name_points_at_the_domain_over_ipv4_and_ipv6" {
  command = apply

  assert {
    condition     = toset(keys(aws_route53_record.alias)) == toset(["A", "AAAA"]) && alltrue([for r in aws_route53_record.alias : r.zone_id == "Z0000000000000000000" && r.name == "api.example.com"])
    error_message = "A and AAAA alias records of the name must be in the hosted zone"
  }
}

run "rejects_a_name_that_is_not_a_dns_name" {
  command = plan

  variables {
    domain_name = "https://api.example.com/"
  }

  expect_failures = [var.domain_name]
}
