variable "name_prefix" {
  description = "Prefix of every resource name, \"<app>-<env>\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,26}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-28 lowercase letters, digits or hyphens, starting with a letter."
  }
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

variable "manage_api_gateway_account" {
  description = "Set the region's API Gateway CloudWatch role, which REST API access logging needs. It is one per account and region: set false where another stack already manages it."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}

variable "xray_sampling_rule" {
  description = "X-Ray's sampling rule of the app's APIs. Only the local emulator, which has no X-Ray sampling rules, turns it off."
  type        = bool
  default     = true
}
