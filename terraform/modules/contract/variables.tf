variable "ssm_prefix" {
  description = "SSM path of the environment's contract, \"/<app>/<env>\", without a trailing slash."
  type        = string

  validation {
    condition     = can(regex("^/[a-z0-9-]+/[a-z0-9-]+$", var.ssm_prefix))
    error_message = "ssm_prefix must look like /<app>/<env>, for example /orders/dev."
  }
}

variable "string_values" {
  description = "Value of every String key of parameters.json, by key."
  type        = map(string)

  validation {
    condition     = toset(keys(var.string_values)) == toset(local.string_keys)
    error_message = "string_values must set exactly the String keys of parameters.json. Missing: [${join(", ", setsubtract(local.string_keys, keys(var.string_values)))}]; not in the contract: [${join(", ", setsubtract(keys(var.string_values), local.string_keys))}]."
  }

  validation {
    condition     = alltrue([for v in values(var.string_values) : length(v) > 0])
    error_message = "Every contract value must be non-empty; write \"none\" for a value an environment does not have."
  }
}

variable "list_values" {
  description = "Items of every StringList key of parameters.json, by key."
  type        = map(list(string))

  validation {
    condition     = toset(keys(var.list_values)) == toset(local.list_keys)
    error_message = "list_values must set exactly the StringList keys of parameters.json. Missing: [${join(", ", setsubtract(local.list_keys, keys(var.list_values)))}]; not in the contract: [${join(", ", setsubtract(keys(var.list_values), local.list_keys))}]."
  }

  validation {
    condition     = alltrue([for l in values(var.list_values) : length(l) > 0 && alltrue([for i in l : length(i) > 0 && !strcontains(i, ",")])])
    error_message = "Every StringList must have at least one item, and no item may be empty or contain a comma."
  }
}

variable "tags" {
  description = "Tags added to every parameter."
  type        = map(string)
  default     = {}
}
