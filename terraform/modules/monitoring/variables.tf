variable "name_prefix" {
  description = "Prefix of every resource name, \"<app>-<env>\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-32 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "function_names" {
  description = "Lambda function names by role (api, processor, scheduled), decided by the root stack; SAM creates the functions under these names later."
  type        = map(string)

  validation {
    condition     = alltrue([for k in ["api", "processor", "scheduled"] : contains(keys(var.function_names), k)])
    error_message = "function_names must name the api, processor and scheduled functions."
  }
}

variable "rest_api_name" {
  description = "Name of the REST API that SAM creates, for the API Gateway alarms."
  type        = string
}

variable "stage_name" {
  description = "Stage of the REST API, for the API Gateway alarms."
  type        = string
}

variable "table_name" {
  description = "Main DynamoDB table, for the throttling alarm."
  type        = string
}

variable "queue_names" {
  description = "Dead-letter and on-failure SQS queues whose depth raises an alarm, by role."
  type        = map(string)
}

variable "log_retention_days" {
  description = "Days every log group keeps its events; must be a value CloudWatch Logs accepts."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "api_latency_p99_threshold_ms" {
  description = "API Gateway p99 latency (ms) above which the latency alarm fires."
  type        = number
  default     = 1000
}

variable "iterator_age_threshold_ms" {
  description = "Age (ms) of the oldest stream record not yet processed above which the alarm fires."
  type        = number
  default     = 60000
}

variable "alarm_email" {
  description = "Address subscribed to the alarm topic; null subscribes nobody."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_email == null || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alarm_email))
    error_message = "alarm_email must be an e-mail address or null."
  }
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}

variable "manage_api_gateway_account" {
  description = "Set the region's API Gateway CloudWatch role, which REST API access logging needs. It is one per account and region: set false where another stack already manages it."
  type        = bool
  default     = true
}

variable "composite_rollback_alarms" {
  description = "One composite alarm per function as its rollback trigger. Off only where composite alarms do not exist (the local emulator); the trigger is then the function's errors alarm."
  type        = bool
  default     = true
}
