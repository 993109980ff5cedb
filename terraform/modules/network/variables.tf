variable "name_prefix" {
  description = "Prefix of every resource name, \"<app>-<env>\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-32 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "vpc_cidr" {
  description = "CIDR block of the VPC; split into two public and two private subnets."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrnetmask(var.vpc_cidr)) && tonumber(split("/", var.vpc_cidr)[1]) <= 24
    error_message = "vpc_cidr must be an IPv4 CIDR block of size /24 or larger, such as 10.0.0.0/16."
  }
}

variable "availability_zones" {
  description = "Exactly two availability zones to spread the subnets over."
  type        = list(string)

  validation {
    condition     = length(var.availability_zones) == 2 && length(distinct(var.availability_zones)) == 2
    error_message = "availability_zones must name exactly two different zones, such as [\"eu-west-1a\", \"eu-west-1b\"]."
  }
}

variable "nat_mode" {
  description = "Outbound internet for private subnets: \"none\" (endpoints only), \"single\" (one NAT gateway, cheaper) or \"per_az\" (one per zone, survives a zone outage)."
  type        = string
  default     = "single"

  validation {
    condition     = contains(["none", "single", "per_az"], var.nat_mode)
    error_message = "nat_mode must be one of \"none\", \"single\" or \"per_az\"."
  }
}

variable "interface_endpoints" {
  description = "AWS services to reach through interface VPC endpoints from the private subnets, for example [\"events\", \"sqs\", \"ssm\"]. S3 and DynamoDB always get free gateway endpoints."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for s in var.interface_endpoints : can(regex("^[a-z0-9.-]+$", s))])
    error_message = "interface_endpoints entries are service short names such as \"events\" or \"logs\"."
  }
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}

variable "log_retention_days" {
  description = "Days the VPC flow log group keeps its events; must be a value CloudWatch Logs accepts."
  type        = number
  default     = 30
}
