mock_provider "aws" {}

variables {
  name_prefix = "catalog-test"
}

run "pool_carries_an_immutable_tenant" {
  command = plan

  assert {
    condition     = one([for s in aws_cognito_user_pool.this.schema : s if s.name == "tenant"]).mutable == false
    error_message = "the pool must have an immutable custom tenant attribute"
  }
  assert {
    condition     = !contains(aws_cognito_user_pool_client.this.write_attributes, "custom:tenant") && contains(aws_cognito_user_pool_client.this.read_attributes, "custom:tenant")
    error_message = "the client must read the tenant but never write it"
  }
}

run "password_policy_is_mixed_and_long_enough" {
  command = plan

  assert {
    condition = alltrue([
      one(aws_cognito_user_pool.this.password_policy).minimum_length >= 8,
      one(aws_cognito_user_pool.this.password_policy).require_lowercase,
      one(aws_cognito_user_pool.this.password_policy).require_uppercase,
      one(aws_cognito_user_pool.this.password_policy).require_numbers,
      one(aws_cognito_user_pool.this.password_policy).require_symbols,
    ])
    error_message = "passwords must be 8+ characters mixing cases, digits and symbols (seed 003)"
  }
  assert {
    condition     = aws_cognito_user_pool.this.deletion_protection == "ACTIVE" && one(aws_cognito_user_pool.this.admin_create_user_config).allow_admin_create_user_only
    error_message = "the pool must be deletion-protected and closed to self sign-up"
  }
}

run "public_client_without_secret" {
  command = plan

  assert {
    condition     = aws_cognito_user_pool_client.this.generate_secret == false && aws_cognito_user_pool_client.this.name == "catalog-test-api"
    error_message = "the API client must be a public client named <prefix>-api"
  }
}

run "rejects_short_passwords" {
  command = plan

  variables {
    password_minimum_length = 6
  }

  expect_failures = [var.password_minimum_length]
}
