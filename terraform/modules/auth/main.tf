resource "aws_cognito_user_pool" "this" {
  name                = "${var.name_prefix}-users"
  deletion_protection = var.deletion_protection ? "ACTIVE" : "INACTIVE"
  username_attributes = ["email"]

  password_policy {
    minimum_length                   = var.password_minimum_length
    require_lowercase                = true
    require_uppercase                = true
    require_numbers                  = true
    require_symbols                  = true # seed 003
    temporary_password_validity_days = 7
  }

  # The tenant of a user; the API takes it from the verified token only. Immutable, and
  # writable by administrators only (see the client's write_attributes).
  schema {
    name                     = "tenant"
    attribute_data_type      = "String"
    mutable                  = false
    developer_only_attribute = false
    required                 = false

    string_attribute_constraints {
      min_length = 1
      max_length = 64
    }
  }

  admin_create_user_config {
    allow_admin_create_user_only = true
  }

  tags = merge(var.tags, { Name = "${var.name_prefix}-users" })
}

resource "aws_cognito_user_pool_client" "this" {
  name         = "${var.name_prefix}-api"
  user_pool_id = aws_cognito_user_pool.this.id

  generate_secret               = false
  prevent_user_existence_errors = "ENABLED"
  explicit_auth_flows           = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]

  id_token_validity     = var.id_token_validity_minutes
  access_token_validity = var.id_token_validity_minutes
  token_validity_units {
    id_token      = "minutes"
    access_token  = "minutes"
    refresh_token = "days"
  }

  read_attributes = ["email", "email_verified", "custom:tenant"]
  # custom:tenant is left out on purpose: a user must never be able to move to another tenant.
  write_attributes = ["email"]
}
