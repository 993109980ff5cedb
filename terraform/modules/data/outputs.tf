output "table_name" {
  description = "Name of the main single table."
  value       = local.main_table.name
}

output "table_arn" {
  description = "ARN of the main single table."
  value       = local.main_table.arn
}

output "table_stream_arn" {
  description = "ARN of the main table's stream (NEW_AND_OLD_IMAGES)."
  value       = local.main_table.stream_arn
}

output "table_gsi1_name" {
  description = "Name of the main table's first global secondary index (keys gsi1pk/gsi1sk)."
  value       = local.gsi1_name
}

output "table_ttl_attribute" {
  description = "Attribute holding the expiry time (epoch seconds) of an item of the main table."
  value       = local.ttl_attribute
}

output "idempotency_table_name" {
  description = "Name of the Powertools idempotency table."
  value       = aws_dynamodb_table.idempotency.name
}

output "idempotency_table_arn" {
  description = "ARN of the Powertools idempotency table."
  value       = aws_dynamodb_table.idempotency.arn
}
