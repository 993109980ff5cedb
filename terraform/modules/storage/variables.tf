variable "bucket_name" {
  description = "Globally unique name of the bucket."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be 3-63 lowercase letters, digits, dots or hyphens, starting and ending with a letter or digit."
  }
}

variable "enforce_tls" {
  description = "Attach a bucket policy that denies every request not made over TLS. Only the local emulator turns this off: it applies a Deny on principal \"*\" whatever its condition."
  type        = bool
  default     = true
}

variable "expire_old_objects" {
  description = "The lifecycle configuration that expires replaced versions and aborts unfinished uploads. Only the local emulator turns it off: nothing ages there, and the provider waits a minute after writing one (10 s, then ten equal reads 5 s apart), the longest wait of the local apply."
  type        = bool
  default     = true
}

variable "noncurrent_version_retention_days" {
  description = "Days a replaced or deleted object version is kept before it expires."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_retention_days >= 1
    error_message = "noncurrent_version_retention_days must be at least 1."
  }
}

variable "abort_incomplete_upload_days" {
  description = "Days after which an unfinished multipart upload is aborted and its parts deleted."
  type        = number
  default     = 7

  validation {
    condition     = var.abort_incomplete_upload_days >= 1
    error_message = "abort_incomplete_upload_days must be at least 1."
  }
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete a bucket that still holds objects. Keep false wherever the contents matter."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}
