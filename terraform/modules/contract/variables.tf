variable "ssm_prefix" {
  description = "SSM path the keys are published under: \"/<app>/<env>\" for the platform, \"/<app>/<env>/<service>\" for a service; no trailing slash."
  type        = string

  validation {
    condition     = can(regex("^(/[a-z0-9-]+){2,3}$", var.ssm_prefix))
    error_message = "ssm_prefix must look like /<app>/<env> or /<app>/<env>/<service>, for example /demo/dev/catalog."
  }
}

variable "parameters" {
  description = "The keys to publish, as a contract file lists them (type, sam_type, consumer, description), by key."
  type        = map(object({ type = string, consumer = string, description = string }))

  validation {
    condition     = alltrue([for p in values(var.parameters) : contains(["String", "StringList"], p.type)])
    error_message = "Every key must be of type String or StringList."
  }
}

variable "string_values" {
  description = "Value of every String key of the parameters, by key."
  type        = map(string)

  validation {
    condition     = length(setsubtract(keys(var.string_values), local.string_keys)) + length(setsubtract(local.string_keys, keys(var.string_values))) == 0
    error_message = "string_values must set exactly the String keys of the contract. Missing: [${join(", ", setsubtract(local.string_keys, keys(var.string_values)))}]; not in the contract: [${join(", ", setsubtract(keys(var.string_values), local.string_keys))}]."
  }

  validation {
    condition     = alltrue([for v in values(var.string_values) : length(v) > 0])
    error_message = "Every contract value must be non-empty; write \"none\" for a value an environment does not have."
  }
}

variable "list_values" {
  description = "Items of every StringList key of the parameters, by key."
  type        = map(list(string))
  default     = {}

  validation {
    condition     = length(setsubtract(keys(var.list_values), local.list_keys)) + length(setsubtract(local.list_keys, keys(var.list_values))) == 0
    error_message = "list_values must set exactly the StringList keys of the contract. Missing: [${join(", ", setsubtract(local.list_keys, keys(var.list_values)))}]; not in the contract: [${join(", ", setsubtract(keys(var.list_values), local.list_keys))}]."
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
