locals {
  main_table_name        = "${var.name_prefix}-main"
  idempotency_table_name = "${var.name_prefix}-idempotency"
  gsi1_name              = "gsi1"
  ttl_attribute          = "expires_at"
  main_table             = var.protect ? aws_dynamodb_table.main_protected[0] : aws_dynamodb_table.main[0]
}

# The single table of the service: every item is keyed pk/sk, prefixed by its tenant, and
# gsi1 serves the second access pattern of each entity. Its stream feeds the read model and
# the outbox relay, so it carries both images.
#
# prevent_destroy cannot take a variable, so the table exists in two forms and `protect`
# chooses one; the bodies must stay identical (docs/decisions/0004-protected-table.md).
resource "aws_dynamodb_table" "main" {
  count = var.protect ? 0 : 1

  name                        = local.main_table_name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "pk"
  range_key                   = "sk"
  stream_enabled              = true
  stream_view_type            = "NEW_AND_OLD_IMAGES"
  deletion_protection_enabled = false

  attribute {
    name = "pk"
    type = "S"
  }
  attribute {
    name = "sk"
    type = "S"
  }
  attribute {
    name = "gsi1pk"
    type = "S"
  }
  attribute {
    name = "gsi1sk"
    type = "S"
  }

  global_secondary_index {
    name            = local.gsi1_name
    hash_key        = "gsi1pk"
    range_key       = "gsi1sk"
    projection_type = "ALL"
  }

  ttl {
    attribute_name = local.ttl_attribute
    enabled        = true
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  tags = merge(var.tags, { Name = local.main_table_name })
}

resource "aws_dynamodb_table" "main_protected" {
  count = var.protect ? 1 : 0

  name                        = local.main_table_name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "pk"
  range_key                   = "sk"
  stream_enabled              = true
  stream_view_type            = "NEW_AND_OLD_IMAGES"
  deletion_protection_enabled = true

  attribute {
    name = "pk"
    type = "S"
  }
  attribute {
    name = "sk"
    type = "S"
  }
  attribute {
    name = "gsi1pk"
    type = "S"
  }
  attribute {
    name = "gsi1sk"
    type = "S"
  }

  global_secondary_index {
    name            = local.gsi1_name
    hash_key        = "gsi1pk"
    range_key       = "gsi1sk"
    projection_type = "ALL"
  }

  ttl {
    attribute_name = local.ttl_attribute
    enabled        = true
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  tags = merge(var.tags, { Name = local.main_table_name })

  lifecycle {
    prevent_destroy = true
  }
}

# The Powertools idempotency table: partition key `id`, TTL on `expiration`.
resource "aws_dynamodb_table" "idempotency" {
  name                        = local.idempotency_table_name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "id"
  deletion_protection_enabled = var.protect

  attribute {
    name = "id"
    type = "S"
  }

  ttl {
    attribute_name = "expiration"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  tags = merge(var.tags, { Name = local.idempotency_table_name })
}
