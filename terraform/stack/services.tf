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
    }
    processor = {
      description      = "the read model and the outbox relay to the bus"
      trigger          = "stream"
      tables           = { main = ["dynamodb:UpdateItem"], idempotency = ["dynamodb:PutItem"] }
      publishes_events = true
    }
    scheduled = {
      description = "expires stale drafts, checks the read model for drift"
      trigger     = "schedule"
      tables = {
        main        = ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:Scan"]
        idempotency = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
      }
    }
    shipping = {
      description = "the order of each dispatched shipment, SHIPPED"
      trigger     = "queue"
      tables      = { main = ["dynamodb:UpdateItem"] }
    }
  }

  event_bus_arn                = module.events.bus_arn
  alarm_topic_arn              = module.observability.alarm_topic_arn
  protect_data                 = var.protect_data
  log_retention_days           = var.log_retention_days
  api_latency_p99_threshold_ms = var.api_latency_p99_threshold_ms
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
    }
    consumer = {
      description = "a shipment for each placed order, cancelled with its order"
      trigger     = "queue"
      tables      = { main = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"] }
    }
    relay = {
      description      = "the outbox relay: a dispatched shipment becomes an event on the bus"
      trigger          = "stream"
      publishes_events = true
    }
  }

  event_bus_arn                = module.events.bus_arn
  alarm_topic_arn              = module.observability.alarm_topic_arn
  protect_data                 = var.protect_data
  log_retention_days           = var.log_retention_days
  api_latency_p99_threshold_ms = var.api_latency_p99_threshold_ms
  composite_rollback_alarms    = var.composite_rollback_alarms
  tags                         = local.tags
}

locals {
  # Every service above, for what the platform grants them together.
  services = { orders = module.orders, fulfilment = module.fulfilment }
}
