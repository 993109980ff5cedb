data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name
  account_id = data.aws_caller_identity.current.account_id

  name_prefix = "${var.app}-${var.env}-${var.service}"
  ssm_prefix  = "/${var.app}/${var.env}/${var.service}"
  tags        = merge(var.tags, { Service = var.service })

  # Every name of the service's stack is decided here and published through the contract: SAM
  # creates these resources later under exactly these names.
  function_names = { for key, f in var.functions : key => "${local.name_prefix}-${key}" }
  api_functions  = [for key, f in var.functions : key if f.trigger == "api"]
  rest_api_name  = length(local.api_functions) > 0 ? "${local.name_prefix}-api" : null
  failure_queues = { for key, f in var.functions : key => "${local.name_prefix}-${key}-failures" if f.trigger == "stream" }
  schedule_dlqs  = { for key, f in var.functions : key => "${local.name_prefix}-${key}-dlq" if f.trigger == "schedule" }
  # A scheduled run that fails inside the function: Lambda's asynchronous retries, then this queue.
  on_failure_queues = { for key, f in var.functions : key => "${local.name_prefix}-${key}-on-failure" if f.trigger == "schedule" }
  consumed          = { for key, f in var.functions : key => "${local.name_prefix}-${key}-queue" if f.trigger == "queue" }

  # The service level of the contract: its file's keys, "{function}" expanded for each function
  # whose trigger the key is for.
  contract = jsondecode(file("${path.module}/contract.json")).parameters
  parameters = merge(
    { for key, p in local.contract : key => p if p.scope == "service" || (p.scope == "api" && local.rest_api_name != null) },
    merge([for fn, f in var.functions : {
      for key, p in local.contract : replace(key, "{function}", fn) => p if contains(["function", f.trigger], p.scope)
    }]...),
  )
}

module "data" {
  source = "../data"

  name_prefix = local.name_prefix
  protect     = var.protect_data
  tags        = local.tags
}

module "monitoring" {
  source = "../monitoring"

  name_prefix   = local.name_prefix
  functions     = { for key, f in var.functions : key => { name = local.function_names[key], trigger = f.trigger, timeout = f.timeout } }
  rest_api_name = local.rest_api_name
  stage_name    = var.env
  table_name    = module.data.table_name
  queue_names = merge(
    { for key, queue in local.failure_queues : "${key}-failures" => queue },
    { for key, queue in local.schedule_dlqs : "${key}-dlq" => queue },
    { for key, queue in local.on_failure_queues : "${key}-on-failure" => queue },
    { for key, queue in local.consumed : "${key}-queue-dlq" => "${queue}-dlq" },
  )
  consumer_queue_names         = local.consumed
  service                      = var.service
  metrics_namespace            = var.metrics_namespace
  custom_metric_alarms         = var.metric_alarms
  alarm_topic_arn              = var.alarm_topic_arn
  log_retention_days           = var.log_retention_days
  api_latency_p95_threshold_ms = var.api_latency_p95_threshold_ms
  composite_rollback_alarms    = var.composite_rollback_alarms
  tags                         = local.tags
}

module "contract" {
  source = "../contract"

  ssm_prefix = local.ssm_prefix
  parameters = local.parameters
  tags       = local.tags

  string_values = merge(
    {
      "app/service-name"            = var.service
      "data/table-name"             = module.data.table_name
      "data/table-arn"              = module.data.table_arn
      "data/table-stream-arn"       = module.data.table_stream_arn
      "data/table-gsi1-name"        = module.data.table_gsi1_name
      "data/idempotency-table-name" = module.data.idempotency_table_name
      "layer/name"                  = "${local.name_prefix}-shared"
      "deploy/stack-name"           = local.name_prefix
      "pretraffic/function-name"    = local.pretraffic_name
      "pretraffic/role-arn"         = aws_iam_role.function[local.pretraffic].arn
      "pretraffic/log-group-name"   = aws_cloudwatch_log_group.pretraffic.name
    },
    { for name in compact([local.rest_api_name]) : "api/name" => name },
    { for arn in compact([module.monitoring.api_access_log_group_arn]) : "api/access-log-group-arn" => arn },
    merge([for fn, f in var.functions : {
      "${fn}/function-name"       = local.function_names[fn]
      "${fn}/role-arn"            = aws_iam_role.function[fn].arn
      "${fn}/log-group-name"      = module.monitoring.function_log_group_names[fn]
      "${fn}/rollback-alarm-name" = module.monitoring.rollback_alarm_names[fn]
    }]...),
    { for fn, queue in local.failure_queues : "${fn}/failure-queue-name" => queue },
    { for fn, queue in local.schedule_dlqs : "${fn}/dlq-name" => queue },
    { for fn, queue in local.on_failure_queues : "${fn}/on-failure-queue-name" => queue },
    { for fn, role in aws_iam_role.scheduler : "${fn}/scheduler-role-arn" => role.arn },
    { for fn, queue in local.consumed : "${fn}/queue-name" => queue },
    { for fn, queue in local.consumed : "${fn}/queue-dlq-name" => "${queue}-dlq" },
  )
}
