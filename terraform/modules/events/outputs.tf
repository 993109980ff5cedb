output "bus_name" {
  description = "Name of the domain event bus."
  value       = aws_cloudwatch_event_bus.this.name
}

output "bus_arn" {
  description = "ARN of the domain event bus."
  value       = aws_cloudwatch_event_bus.this.arn
}

output "archive_name" {
  description = "Name of the archive of the bus, for replays."
  value       = aws_cloudwatch_event_archive.this.name
}
