variable "name_prefix" {
  description = "Prefix of the tables' names, \"<app>-<env>-<service>\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,42}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-44 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "protect" {
  description = "Protect the tables from deletion: DynamoDB deletion protection on both tables and Terraform prevent_destroy on the main one. Turn on for every environment whose data matters."
  type        = bool
  default     = true
}

variable "point_in_time_recovery" {
  description = "Continuous backups (35 days) on both tables."
  type        = bool
  default     = true
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key for table encryption; null uses the AWS-managed key (aws/dynamodb)."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:...) or null."
  }
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}
