# The local event tap: every event on the bus also lands in this queue, so a person can watch
# the outbox work (`make events`) and the end-to-end tests can check what was published.
# Local only: in AWS, consumers subscribe with their own rules.

locals {
  event_tap_name = "${module.stack.name_prefix}-event-tap"
}

data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

# The queue's policy is one of its attributes, not an aws_sqs_queue_policy: the provider waits
# some 25 s after each write to a queue's attributes until it reads them back the same, and two
# writes one after the other were the second-longest wait of the local apply (decision 0023).
resource "aws_sqs_queue" "event_tap" {
  name                      = local.event_tap_name
  sqs_managed_sse_enabled   = true
  message_retention_seconds = 3600
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "FromTheBusRule"
      Effect    = "Allow"
      Principal = { Service = "events.amazonaws.com" }
      Action    = "sqs:SendMessage"
      Resource  = "arn:aws:sqs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:${local.event_tap_name}"
      Condition = { ArnEquals = { "aws:SourceArn" = aws_cloudwatch_event_rule.event_tap.arn } }
    }]
  })
}

resource "aws_cloudwatch_event_rule" "event_tap" {
  name           = local.event_tap_name
  description    = "Every event of the bus, to the local event tap."
  event_bus_name = module.stack.event_bus_name
  event_pattern  = jsonencode({ source = [{ prefix = "" }] })
}

resource "aws_cloudwatch_event_target" "event_tap" {
  rule           = aws_cloudwatch_event_rule.event_tap.name
  event_bus_name = module.stack.event_bus_name
  target_id      = "event-tap"
  arn            = aws_sqs_queue.event_tap.arn
}

output "event_tap_queue_url" {
  description = "The local event tap: every event of the bus (`make events`)."
  value       = aws_sqs_queue.event_tap.id
}
