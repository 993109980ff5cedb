"""Plain-Python domain of the orders service: no AWS SDK here, only ports."""
