variable "name_prefix" {
  description = "Prefix of the service's resource names, \"<app>-<env>-<service>\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,42}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-44 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "functions" {
  description = "The service's functions by key: the name its stack will create it under, and what invokes it (api, stream, schedule or queue)."
  type        = map(object({ name = string, trigger = string }))

  validation {
    condition     = alltrue([for f in values(var.functions) : contains(["api", "stream", "schedule", "queue"], f.trigger)])
    error_message = "A function's trigger must be api, stream, schedule or queue."
  }
}

variable "rest_api_name" {
  description = "Name of the service's REST API, which its stack creates, for the access log group and the API alarms; null when the service has no API."
  type        = string
  default     = null
}

variable "stage_name" {
  description = "Stage of the REST API, for the API Gateway alarms."
  type        = string
}

variable "table_name" {
  description = "The service's table, for the throttling alarm."
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

variable "alarm_topic_arn" {
  description = "The platform's SNS topic every alarm notifies."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}

variable "composite_rollback_alarms" {
  description = "One composite alarm per function as its rollback trigger. Off only where composite alarms do not exist (the local emulator); the trigger is then the function's errors alarm."
  type        = bool
  default     = true
}
