variable "domain_name" {
  description = "The APIs' domain name, e.g. api.example.com (each service under /<service>)."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain_name))
    error_message = "domain_name must be a lowercase DNS name such as api.example.com."
  }
}

variable "hosted_zone_id" {
  description = "Route 53 hosted zone of the name: its certificate's validation records and its alias records go there."
  type        = string
}

variable "tags" {
  description = "Tags of every resource."
  type        = map(string)
  default     = {}
}
