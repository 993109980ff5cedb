mock_provider "aws" {
  mock_resource "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::catalog-test-artifacts" }
  }
}

variables {
  bucket_name = "catalog-test-artifacts"
}

run "private_versioned_encrypted" {
  command = apply

  assert {
    condition = alltrue([
      aws_s3_bucket_public_access_block.this.block_public_acls,
      aws_s3_bucket_public_access_block.this.block_public_policy,
      aws_s3_bucket_public_access_block.this.ignore_public_acls,
      aws_s3_bucket_public_access_block.this.restrict_public_buckets,
    ])
    error_message = "all four public access blocks must be on"
  }
  assert {
    condition     = one(aws_s3_bucket_versioning.this.versioning_configuration).status == "Enabled"
    error_message = "versioning must be on"
  }
  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default).sse_algorithm == "AES256"
    error_message = "default encryption must be on"
  }
  assert {
    condition     = one(aws_s3_bucket_ownership_controls.this.rule).object_ownership == "BucketOwnerEnforced"
    error_message = "ACLs must be disabled"
  }
}

run "tls_only_policy_by_default" {
  command = apply

  assert {
    condition     = jsondecode(aws_s3_bucket_policy.tls_only[0].policy).Statement[0].Condition.Bool["aws:SecureTransport"] == "false"
    error_message = "the bucket policy must deny requests without TLS"
  }
  assert {
    condition     = jsondecode(aws_s3_bucket_policy.tls_only[0].policy).Statement[0].Effect == "Deny"
    error_message = "the TLS statement must be a Deny"
  }
}

run "tls_policy_can_be_switched_off_for_the_emulator" {
  command = plan

  variables {
    enforce_tls = false
  }

  assert {
    condition     = length(aws_s3_bucket_policy.tls_only) == 0
    error_message = "enforce_tls = false must attach no policy"
  }
}

run "lifecycle_cleans_old_versions_and_uploads" {
  command = plan

  variables {
    noncurrent_version_retention_days = 90
  }

  assert {
    condition     = [for r in aws_s3_bucket_lifecycle_configuration.this[0].rule : r.id] == ["expire-noncurrent-versions", "abort-incomplete-uploads"]
    error_message = "the lifecycle must expire old versions and abort incomplete uploads"
  }
  assert {
    condition     = one(aws_s3_bucket_lifecycle_configuration.this[0].rule[0].noncurrent_version_expiration).noncurrent_days == 90
    error_message = "noncurrent versions must expire after the configured days"
  }
}

run "the_local_emulator_may_leave_the_lifecycle_out" {
  command = plan

  variables {
    expire_old_objects = false
  }

  assert {
    condition     = length(aws_s3_bucket_lifecycle_configuration.this) == 0
    error_message = "expire_old_objects = false must write no lifecycle configuration"
  }
}

run "rejects_an_invalid_bucket_name" {
  command = plan

  variables {
    bucket_name = "Orders_Artifacts"
  }

  expect_failures = [var.bucket_name]
}
