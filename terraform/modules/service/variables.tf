variable "app" {
  description = "Application name, the first segment of every name."
  type        = string
}

variable "env" {
  description = "Environment name."
  type        = string
}

variable "service" {
  description = "Service name: with app and env it names the service's resources (\"<app>-<env>-<service>-api\") and its SSM path (\"/<app>/<env>/<service>/\")."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,10}[a-z0-9]$", var.service))
    error_message = "service must be 2-12 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen."
  }
}

variable "functions" {
  description = <<-EOT
    The service's functions, by key (the key names the function, "<app>-<env>-<service>-<key>", and its contract keys):
    - trigger: what invokes it: "api" (the service's REST API; at most one such function), "stream" (the service's
      table stream, with an on-failure queue), "schedule" (EventBridge Scheduler, with a dead-letter queue) or
      "queue" (an SQS queue of its own, with a dead-letter queue, that its stack fills from the bus);
    - tables: DynamoDB actions it may take, by table: "main" (the table and its indexes) or "idempotency";
    - publishes_events: it may put events on the platform's bus;
    - timeout: seconds, as its template sets it (a test compares them), for the alarm on invocations near it.
    Its role gets exactly these rights, plus its own log group, its own SSM path and X-Ray.
  EOT
  type = map(object({
    description      = string
    trigger          = string
    tables           = optional(map(list(string)), {})
    publishes_events = optional(bool, false)
    timeout          = number
  }))

  validation {
    condition     = alltrue([for k in keys(var.functions) : can(regex("^[a-z][a-z0-9-]{0,10}[a-z0-9]$", k))])
    error_message = "A function's key must be 2-12 lowercase letters, digits or hyphens, starting with a letter."
  }

  validation {
    condition     = alltrue([for f in values(var.functions) : contains(["api", "stream", "schedule", "queue"], f.trigger)])
    error_message = "A function's trigger must be api, stream, schedule or queue."
  }

  validation {
    condition     = !contains(keys(var.functions), "pretraffic")
    error_message = "\"pretraffic\" is the service's deployment hook, which the module adds: name the function otherwise."
  }

  validation {
    condition     = alltrue([for f in values(var.functions) : f.timeout >= 1 && f.timeout <= 900])
    error_message = "A function's timeout must be 1-900 seconds, as Lambda allows."
  }

  validation {
    condition     = length([for f in values(var.functions) : f if f.trigger == "api"]) <= 1
    error_message = "A service has one REST API, served by at most one function with trigger \"api\"."
  }

  validation {
    condition     = alltrue(flatten([for f in values(var.functions) : [for t, actions in f.tables : contains(["main", "idempotency"], t) && alltrue([for a in actions : can(regex("^dynamodb:[A-Za-z]+$", a))])]]))
    error_message = "tables may name \"main\" and \"idempotency\", each with a list of dynamodb:<Action> without wildcards."
  }
}

variable "event_bus_arn" {
  description = "The platform's event bus, for functions that publish events."
  type        = string
}

variable "alarm_topic_arn" {
  description = "The platform's SNS topic every alarm notifies."
  type        = string
}

variable "protect_data" {
  description = "Deletion protection and prevent_destroy on the service's tables."
  type        = bool
  default     = true
}

variable "log_retention_days" {
  description = "Days the function and access log groups keep their events."
  type        = number
  default     = 30
}

variable "api_latency_p95_threshold_ms" {
  description = "API p95 latency (ms) above which, 5 minutes in a row, the latency alarm fires."
  type        = number
  default     = 500
}

variable "metrics_namespace" {
  description = "Namespace of the functions' own metrics (the platform's observability/metrics-namespace)."
  type        = string
}

variable "metric_alarms" {
  description = "Alarms on the service's own metrics (Powertools, dimension `service`), by key: the metric, and what a count above zero in a minute means."
  type        = map(object({ metric = string, description = string }))
  default     = {}
}

variable "composite_rollback_alarms" {
  description = "One composite alarm per function as its deployment's rollback trigger. Only the local emulator, which lacks composite alarms, turns this off."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
