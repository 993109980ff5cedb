mock_provider "aws" {}

variables {
  name_prefix = "demo-test-catalog"
}

run "protected_by_default" {
  command = plan

  assert {
    condition     = length(aws_dynamodb_table.main_protected) == 1 && length(aws_dynamodb_table.main) == 0
    error_message = "the main table must be the prevent_destroy one unless protect is turned off"
  }
  assert {
    condition     = aws_dynamodb_table.main_protected[0].deletion_protection_enabled && aws_dynamodb_table.idempotency.deletion_protection_enabled
    error_message = "both tables must have deletion protection when protected"
  }
}

run "main_table_shape" {
  command = plan

  assert {
    condition     = aws_dynamodb_table.main_protected[0].name == "demo-test-catalog-main" && aws_dynamodb_table.main_protected[0].hash_key == "pk" && aws_dynamodb_table.main_protected[0].range_key == "sk"
    error_message = "the main table must be <prefix>-main keyed pk/sk"
  }
  assert {
    condition     = one(aws_dynamodb_table.main_protected[0].global_secondary_index).name == "gsi1" && one(aws_dynamodb_table.main_protected[0].global_secondary_index).hash_key == "gsi1pk"
    error_message = "the main table must have gsi1 on gsi1pk/gsi1sk"
  }
  assert {
    condition     = aws_dynamodb_table.main_protected[0].stream_enabled && aws_dynamodb_table.main_protected[0].stream_view_type == "NEW_AND_OLD_IMAGES"
    error_message = "the stream must carry both images for the read model and the outbox"
  }
  assert {
    condition     = aws_dynamodb_table.main_protected[0].billing_mode == "PAY_PER_REQUEST" && one(aws_dynamodb_table.main_protected[0].ttl).attribute_name == "expires_at"
    error_message = "the main table must be on-demand with TTL on expires_at"
  }
}

run "secure_defaults_on_both_tables" {
  command = plan

  assert {
    condition = alltrue([
      for t in [aws_dynamodb_table.main_protected[0], aws_dynamodb_table.idempotency] :
      one(t.server_side_encryption).enabled && one(t.point_in_time_recovery).enabled
    ])
    error_message = "both tables must be encrypted with point-in-time recovery"
  }
}

run "idempotency_table_has_the_powertools_shape" {
  command = plan

  assert {
    condition     = aws_dynamodb_table.idempotency.hash_key == "id" && aws_dynamodb_table.idempotency.range_key == null && one(aws_dynamodb_table.idempotency.ttl).attribute_name == "expiration"
    error_message = "the idempotency table must be keyed by id with TTL on expiration"
  }
}

run "unprotected_for_throwaway_envs" {
  command = plan

  variables {
    protect = false
  }

  assert {
    condition     = length(aws_dynamodb_table.main) == 1 && length(aws_dynamodb_table.main_protected) == 0 && !aws_dynamodb_table.main[0].deletion_protection_enabled
    error_message = "protect = false must create the destroyable table"
  }
  assert {
    condition     = one(aws_dynamodb_table.main[0].server_side_encryption).enabled && one(aws_dynamodb_table.main[0].point_in_time_recovery).enabled
    error_message = "the unprotected table must keep encryption and PITR"
  }
}

run "rejects_a_non_kms_key" {
  command = plan

  variables {
    kms_key_arn = "alias/mine"
  }

  expect_failures = [var.kms_key_arn]
}
