"""The orders REST API: one router per resource group, one error shape."""
