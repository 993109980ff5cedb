terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }

  # State stays on this machine; `make` passes -backend-config=path=... so that each emulator
  # run gets a fresh state beside it.
  backend "local" {}
}
