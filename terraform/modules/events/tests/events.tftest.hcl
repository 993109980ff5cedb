mock_provider "aws" {
  mock_resource "aws_cloudwatch_event_bus" {
    defaults = { arn = "arn:aws:events:eu-west-1:123456789012:event-bus/catalog-test-events" }
  }
}

variables {
  name_prefix = "catalog-test"
}

run "bus_with_an_archive" {
  command = apply

  assert {
    condition     = aws_cloudwatch_event_bus.this.name == "catalog-test-events"
    error_message = "the bus must be named <prefix>-events"
  }
  assert {
    condition     = aws_cloudwatch_event_archive.this.event_source_arn == aws_cloudwatch_event_bus.this.arn && aws_cloudwatch_event_archive.this.retention_days == 30
    error_message = "the archive must record the bus, 30 days by default"
  }
}

run "rejects_negative_retention" {
  command = plan

  variables {
    archive_retention_days = -1
  }

  expect_failures = [var.archive_retention_days]
}
