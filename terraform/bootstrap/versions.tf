terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }

  # The state bucket cannot hold its own creation's state: this stack keeps a local state.
  # Commit nothing of it; it only ever holds one bucket, which can be imported again.
}
