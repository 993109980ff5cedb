# The services of the app, one module block each: its tables, its functions' roles (exactly what
# each function below needs), log groups, alarms, dashboard and its level of the contract under
# /<app>/<env>/<service>/. Its SAM application creates the functions under the names published there.

module "orders" {
  source = "../modules/service"

  app     = var.app
  env     = var.env
  service = "orders"

  functions = {
    api = {
      description = "the orders REST API"
      trigger     = "api"
      tables = {
        main        = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:ConditionCheckItem"]
        idempotency = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
      }
      timeout = 10
    }
    processor = {
      description      = "the read model and the outbox relay to the bus"
      trigger          = "stream"
      tables           = { main = ["dynamodb:UpdateItem"], idempotency = ["dynamodb:PutItem"] }
      publishes_events = true
      timeout          = 60
    }
    scheduled = {
      description = "expires stale drafts, checks the read model for drift"
      trigger     = "schedule"
      tables = {
        main        = ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:Scan"]
        idempotency = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
      }
      timeout = 300
    }
    shipping = {
      description = "the order of each dispatched shipment, SHIPPED"
      trigger     = "queue"
      tables      = { main = ["dynamodb:UpdateItem"] }
      timeout     = 20
    }
  }

  metric_alarms = {
    projection-drift = { metric = "ProjectionDrift", description = "The housekeeping job found tenants whose read model disagrees with their orders (docs/operations.md: rebuilding a read model)." }
    records-failed   = { metric = "RecordsFailed", description = "The processor reported stream records it could not project or publish; Lambda retries them, then sends them to its failure queue." }
  }

  event_bus_arn                = module.events.bus_arn
  alarm_topic_arn              = module.observability.alarm_topic_arn
  protect_data                 = var.protect_data
  log_retention_days           = var.log_retention_days
  api_latency_p95_threshold_ms = var.api_latency_p95_threshold_ms
  metrics_namespace            = local.metrics_namespace
  composite_rollback_alarms    = var.composite_rollback_alarms
  tags                         = local.tags
}

module "fulfilment" {
  source = "../modules/service"

  app     = var.app
  env     = var.env
  service = "fulfilment"

  functions = {
    api = {
      description = "the shipments REST API"
      trigger     = "api"
      tables      = { main = ["dynamodb:GetItem", "dynamodb:UpdateItem"] }
      timeout     = 10
    }
    consumer = {
      description = "a shipment for each placed order, cancelled with its order"
      trigger     = "queue"
      tables      = { main = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"] }
      timeout     = 20
    }
    relay = {
      description      = "the outbox relay: a dispatched shipment becomes an event on the bus"
      trigger          = "stream"
      publishes_events = true
      timeout          = 60
    }
  }

  metric_alarms = {
    records-failed = { metric = "RecordsFailed", description = "The relay reported stream records it could not publish; Lambda retries them, then sends them to its failure queue." }
  }

  event_bus_arn                = module.events.bus_arn
  alarm_topic_arn              = module.observability.alarm_topic_arn
  protect_data                 = var.protect_data
  log_retention_days           = var.log_retention_days
  api_latency_p95_threshold_ms = var.api_latency_p95_threshold_ms
  metrics_namespace            = local.metrics_namespace
  composite_rollback_alarms    = var.composite_rollback_alarms
  tags                         = local.tags
}

locals {
  # Every service above, for what the platform grants them together.
  services = { orders = module.orders, fulfilment = module.fulfilment }
}
