mock_provider "aws" {
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/vpc/catalog-test/flow-logs" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/catalog-test-flow-logs" }
  }
}

variables {
  name_prefix        = "catalog-test"
  availability_zones = ["eu-west-1a", "eu-west-1b"]
}

run "two_public_and_two_private_subnets_over_two_zones" {
  command = plan

  assert {
    condition     = [for s in aws_subnet.public : s.availability_zone] == ["eu-west-1a", "eu-west-1b"]
    error_message = "public subnets must cover both zones in order"
  }
  assert {
    condition     = [for s in aws_subnet.private : s.cidr_block] == ["10.0.128.0/20", "10.0.144.0/20"]
    error_message = "private subnets must be the upper half of the VPC"
  }
  assert {
    condition     = length(setintersection([for s in aws_subnet.public : s.cidr_block], [for s in aws_subnet.private : s.cidr_block])) == 0
    error_message = "public and private subnets must not overlap"
  }
}

run "single_nat_serves_both_private_route_tables" {
  command = plan

  assert {
    condition     = length(aws_nat_gateway.this) == 1 && length(aws_route.private_nat) == 2
    error_message = "nat_mode single must create one NAT gateway and a default route in each private table"
  }
}

run "per_az_nat_gives_each_zone_its_own_gateway" {
  command = apply

  variables {
    nat_mode = "per_az"
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 2 && [for n in aws_nat_gateway.this : n.subnet_id] == [for s in aws_subnet.public : s.id]
    error_message = "nat_mode per_az must place one NAT gateway in each public subnet"
  }
  assert {
    condition     = [for r in aws_route.private_nat : r.nat_gateway_id] == [for n in aws_nat_gateway.this : n.id]
    error_message = "each zone's private subnet must leave through its own zone's NAT gateway"
  }
}

run "no_nat_means_no_default_route" {
  command = plan

  variables {
    nat_mode = "none"
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 0 && length(aws_route.private_nat) == 0 && length(aws_eip.nat) == 0
    error_message = "nat_mode none must create no NAT gateway, EIP or default route"
  }
}

run "gateway_endpoints_for_s3_and_dynamodb_always" {
  command = plan

  assert {
    condition     = aws_vpc_endpoint.gateway["s3"].service_name == "com.amazonaws.eu-west-1.s3" && aws_vpc_endpoint.gateway["dynamodb"].vpc_endpoint_type == "Gateway"
    error_message = "S3 and DynamoDB must have gateway endpoints"
  }
  assert {
    condition     = length(aws_vpc_endpoint.interface) == 0 && length(aws_security_group.endpoints) == 0
    error_message = "no interface endpoint unless asked for"
  }
}

run "interface_endpoints_on_request" {
  command = plan

  variables {
    interface_endpoints = ["events", "sqs"]
  }

  assert {
    condition     = aws_vpc_endpoint.interface["events"].private_dns_enabled && aws_vpc_endpoint.interface["sqs"].vpc_endpoint_type == "Interface"
    error_message = "requested interface endpoints must be created with private DNS"
  }
  assert {
    condition     = aws_vpc_security_group_ingress_rule.endpoints_from_lambda[0].from_port == 443
    error_message = "endpoints must accept HTTPS from the Lambda security group"
  }
}

run "lambda_security_group_is_egress_only_https" {
  command = plan

  assert {
    condition     = aws_vpc_security_group_egress_rule.lambda_https.from_port == 443 && aws_vpc_security_group_egress_rule.lambda_https.to_port == 443
    error_message = "the Lambda security group must allow HTTPS out and nothing else"
  }
}

run "rejects_unknown_nat_mode" {
  command = plan

  variables {
    nat_mode = "two"
  }

  expect_failures = [var.nat_mode]
}

run "rejects_one_zone" {
  command = plan

  variables {
    availability_zones = ["eu-west-1a"]
  }

  expect_failures = [var.availability_zones]
}

run "rejects_bad_cidr" {
  command = plan

  variables {
    vpc_cidr = "10.0.0.0/28"
  }

  expect_failures = [var.vpc_cidr]
}

run "every_flow_is_logged_and_the_default_group_denies_all" {
  command = apply

  assert {
    condition     = aws_flow_log.this.traffic_type == "ALL" && aws_flow_log.this.log_destination == aws_cloudwatch_log_group.flow_logs.arn
    error_message = "the VPC must log every flow, accepted and rejected, to its flow log group"
  }
  assert {
    condition     = jsondecode(aws_iam_role_policy.flow_logs.policy).Statement[0].Resource == "${aws_cloudwatch_log_group.flow_logs.arn}:*"
    error_message = "the flow log role may write to its own log group only"
  }
  assert {
    condition     = length(aws_default_security_group.this.ingress) == 0 && length(aws_default_security_group.this.egress) == 0
    error_message = "the default security group must keep no rule"
  }
}
