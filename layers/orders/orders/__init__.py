"""The orders sample service: domain, adapters and configuration, shipped as the shared layer."""
