# The bus the outbox relay publishes the service's domain events (CloudEvents) to.
resource "aws_cloudwatch_event_bus" "this" {
  name = "${var.name_prefix}-events"

  tags = merge(var.tags, { Name = "${var.name_prefix}-events" })
}

# Every event published to the bus is archived, so consumers can be replayed after an outage.
resource "aws_cloudwatch_event_archive" "this" {
  name             = "${var.name_prefix}-events"
  description      = "Every domain event of ${var.name_prefix}, for replay"
  event_source_arn = aws_cloudwatch_event_bus.this.arn
  retention_days   = var.archive_retention_days
}
