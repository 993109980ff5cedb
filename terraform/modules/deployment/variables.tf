variable "name_prefix" {
  description = "Prefix of the configuration's name, \"<app>-<env>\"."
  type        = string
}

variable "traffic" {
  description = <<-EOT
    How a new version takes the traffic: "all_at_once"; "canary" (percentage for interval_minutes, then
    the rest); or "linear" (percentage more every interval_minutes).
  EOT
  type = object({
    type             = string
    percentage       = optional(number)
    interval_minutes = optional(number)
  })
  default = { type = "all_at_once" }

  validation {
    condition     = contains(["all_at_once", "canary", "linear"], var.traffic.type)
    error_message = "traffic.type must be all_at_once, canary or linear."
  }

  validation {
    condition = var.traffic.type == "all_at_once" || (
      coalesce(var.traffic.percentage, 0) >= 1 && coalesce(var.traffic.percentage, 0) <= 99 &&
      coalesce(var.traffic.interval_minutes, 0) >= 1 && coalesce(var.traffic.interval_minutes, 0) <= 2880
    )
    error_message = "canary and linear need a percentage of 1-99 and interval_minutes of 1-2880."
  }
}
