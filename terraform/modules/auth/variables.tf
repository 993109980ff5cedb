variable "name_prefix" {
  description = "Prefix of every resource name, \"<app>-<env>\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-32 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "password_minimum_length" {
  description = "Minimum password length; upper case, lower case, digits and symbols are always required."
  type        = number
  default     = 12

  validation {
    condition     = var.password_minimum_length >= 8 && var.password_minimum_length <= 99
    error_message = "password_minimum_length must be between 8 and 99."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the user pool while this is on."
  type        = bool
  default     = true
}

variable "id_token_validity_minutes" {
  description = "Lifetime of ID and access tokens, in minutes."
  type        = number
  default     = 60

  validation {
    condition     = var.id_token_validity_minutes >= 5 && var.id_token_validity_minutes <= 1440
    error_message = "id_token_validity_minutes must be between 5 and 1440."
  }
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}
