variable "name_prefix" {
  description = "Prefix of the service's resource names, \"<app>-<env>-<service>\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,42}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-44 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "functions" {
  description = "The service's functions by key: the name its stack will create it under, what invokes it (api, stream, schedule or queue) and its timeout in seconds (the template's, which a test compares)."
  type        = map(object({ name = string, trigger = string, timeout = number }))

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

variable "service" {
  description = "The service's name: the `service` dimension of its own metrics (Powertools)."
  type        = string
}

variable "metrics_namespace" {
  description = "Namespace of the service's own metrics (observability/metrics-namespace of the contract)."
  type        = string
}

variable "custom_metric_alarms" {
  description = "Alarms on the service's own metrics, by key: the metric, and what a count above zero in a minute means."
  type        = map(object({ metric = string, description = string }))
  default     = {}
}

variable "consumer_queue_names" {
  description = "The queue each queue-triggered function consumes, by function, for the age of its oldest message."
  type        = map(string)
  default     = {}
}

variable "api_latency_p95_threshold_ms" {
  description = "API Gateway p95 latency (ms) above which, 5 minutes in a row, the latency alarm fires (seed 003: 500)."
  type        = number
  default     = 500
}

variable "error_rate_threshold_percent" {
  description = "Share of failed invocations (each function) or 5xx answers (the API), in %, above which, 5 minutes in a row, the error-rate alarms fire (seed 003: 1)."
  type        = number
  default     = 1
}

variable "duration_timeout_percent" {
  description = "Share of its timeout, in %, above which one invocation of a function raises its duration alarm."
  type        = number
  default     = 80

  validation {
    condition     = var.duration_timeout_percent > 0 && var.duration_timeout_percent < 100
    error_message = "duration_timeout_percent must be between 0 and 100."
  }
}

variable "concurrency_threshold" {
  description = "Concurrent executions of one function above which its concurrency alarm fires (the default is 80 % of an account's default limit of 1000)."
  type        = number
  default     = 800
}

variable "event_age_threshold_seconds" {
  description = "Age (s) of the oldest message a queue consumer has not taken, or of the oldest asynchronous invocation waiting, above which, 5 minutes in a row, its alarm fires."
  type        = number
  default     = 300
}

variable "consumed_capacity_threshold" {
  description = "Read or write capacity units per second the table may consume, 5 minutes in a row, before its capacity alarm fires."
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
