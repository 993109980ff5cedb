# The services of the app: one file each in services/, <service>.yaml (its functions, what each may
# do, its own metrics' alarms: terraform/modules/service/variables.tf), one instance of the service
# module each: its tables, its functions' roles, log groups, alarms, dashboard and its level of the
# contract under /<app>/<env>/<service>/. Its SAM application, sam/<service>/, creates the functions
# under the names published there. `make new-service` writes both.

locals {
  service_definitions = {
    for file in fileset("${path.module}/services", "*.yaml") :
    trimsuffix(file, ".yaml") => yamldecode(file("${path.module}/services/${file}"))
  }
}

module "service" {
  source   = "../modules/service"
  for_each = local.service_definitions

  app     = var.app
  env     = var.env
  service = each.key

  functions     = each.value.functions
  metric_alarms = try(each.value.metric_alarms, {})

  event_bus_arn                = module.events.bus_arn
  alarm_topic_arn              = module.observability.alarm_topic_arn
  protect_data                 = var.protect_data
  log_retention_days           = var.log_retention_days
  api_latency_p95_threshold_ms = var.api_latency_p95_threshold_ms
  metrics_namespace            = local.metrics_namespace
  composite_rollback_alarms    = var.composite_rollback_alarms
  tags                         = local.tags
}
