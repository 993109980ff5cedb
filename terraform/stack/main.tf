data "aws_caller_identity" "current" {}

locals {
  name_prefix = "${var.app}-${var.env}"
  ssm_prefix  = "/${var.app}/${var.env}"
  tags        = merge({ Application = var.app, Environment = var.env, ManagedBy = "terraform" }, var.tags)

  # Every name the application uses is decided here, once, and published through the contract:
  # SAM creates these resources later under exactly these names.
  names = {
    functions = {
      api       = "${local.name_prefix}-api"
      processor = "${local.name_prefix}-processor"
      scheduled = "${local.name_prefix}-scheduled"
    }
    rest_api                = "${local.name_prefix}-api"
    layer                   = "${local.name_prefix}-shared"
    processor_failure_queue = "${local.name_prefix}-processor-failures"
    scheduled_dlq           = "${local.name_prefix}-scheduled-dlq"
    stack                   = local.name_prefix
    artifacts_bucket        = "${local.name_prefix}-sam-${data.aws_caller_identity.current.account_id}"
  }
}

module "network" {
  source = "../modules/network"

  name_prefix         = local.name_prefix
  vpc_cidr            = var.vpc_cidr
  availability_zones  = var.availability_zones
  nat_mode            = var.nat_mode
  interface_endpoints = var.interface_endpoints
  tags                = local.tags
}

module "data" {
  source = "../modules/data"

  name_prefix = local.name_prefix
  protect     = var.protect_data
  tags        = local.tags
}

module "storage" {
  source = "../modules/storage"

  bucket_name   = local.names.artifacts_bucket
  enforce_tls   = var.enforce_tls
  force_destroy = var.force_destroy_buckets
  tags          = local.tags
}

module "events" {
  source = "../modules/events"

  name_prefix            = local.name_prefix
  archive_retention_days = var.events_archive_retention_days
  tags                   = local.tags
}

module "auth" {
  source = "../modules/auth"
  count  = var.enable_auth ? 1 : 0

  name_prefix         = local.name_prefix
  deletion_protection = var.protect_data
  tags                = local.tags
}

module "monitoring" {
  source = "../modules/monitoring"

  name_prefix                  = local.name_prefix
  function_names               = local.names.functions
  rest_api_name                = local.names.rest_api
  stage_name                   = var.env
  table_name                   = module.data.table_name
  queue_names                  = { processor_failures = local.names.processor_failure_queue, scheduled_dlq = local.names.scheduled_dlq }
  log_retention_days           = var.log_retention_days
  api_latency_p99_threshold_ms = var.api_latency_p99_threshold_ms
  alarm_email                  = var.alarm_email
  manage_api_gateway_account   = var.manage_api_gateway_account
  composite_rollback_alarms    = var.composite_rollback_alarms
  tags                         = local.tags
}

module "iam" {
  source = "../modules/iam"

  name_prefix                  = local.name_prefix
  ssm_prefix                   = local.ssm_prefix
  function_names               = local.names.functions
  function_log_group_arns      = module.monitoring.function_log_group_arns
  table_arn                    = module.data.table_arn
  idempotency_table_arn        = module.data.idempotency_table_arn
  event_bus_arn                = module.events.bus_arn
  processor_failure_queue_name = local.names.processor_failure_queue
  scheduled_dlq_name           = local.names.scheduled_dlq
  stack_name                   = local.names.stack
  artifacts_bucket_arn         = module.storage.bucket_arn
  state_bucket_name            = var.state_bucket_name
  github_repository            = var.github_repository
  github_deploy_branch         = var.github_deploy_branch
  github_environment           = var.env
  create_github_oidc_provider  = var.create_github_oidc_provider
  deploy_role_policy_arns      = var.deploy_role_policy_arns
  tags                         = local.tags
}

module "contract" {
  source = "../modules/contract"

  ssm_prefix = local.ssm_prefix
  tags       = local.tags

  string_values = {
    "app/service-name"                = var.app
    "app/stage-name"                  = var.env
    "observability/metrics-namespace" = "${var.app}/${var.env}"
    "data/table-name"                 = module.data.table_name
    "data/table-arn"                  = module.data.table_arn
    "data/table-stream-arn"           = module.data.table_stream_arn
    "data/table-gsi1-name"            = module.data.table_gsi1_name
    "data/idempotency-table-name"     = module.data.idempotency_table_name
    "events/bus-name"                 = module.events.bus_name
    "events/bus-arn"                  = module.events.bus_arn
    "auth/user-pool-id"               = var.enable_auth ? module.auth[0].user_pool_id : "none"
    "auth/user-pool-arn"              = var.enable_auth ? module.auth[0].user_pool_arn : "none"
    "api/rollback-alarm-name"         = module.monitoring.rollback_alarm_names["api"]
    "processor/rollback-alarm-name"   = module.monitoring.rollback_alarm_names["processor"]
    "scheduled/rollback-alarm-name"   = module.monitoring.rollback_alarm_names["scheduled"]
    "auth/user-pool-client-id"        = var.enable_auth ? module.auth[0].user_pool_client_id : "none"
    "api/name"                        = local.names.rest_api
    "api/access-log-group-arn"        = module.monitoring.api_access_log_group_arn
    "api/function-name"               = local.names.functions.api
    "api/role-arn"                    = module.iam.function_role_arns["api"]
    "api/log-group-name"              = module.monitoring.function_log_group_names["api"]
    "processor/function-name"         = local.names.functions.processor
    "processor/role-arn"              = module.iam.function_role_arns["processor"]
    "processor/log-group-name"        = module.monitoring.function_log_group_names["processor"]
    "processor/failure-queue-name"    = local.names.processor_failure_queue
    "scheduled/function-name"         = local.names.functions.scheduled
    "scheduled/role-arn"              = module.iam.function_role_arns["scheduled"]
    "scheduled/log-group-name"        = module.monitoring.function_log_group_names["scheduled"]
    "scheduled/dlq-name"              = local.names.scheduled_dlq
    "scheduled/scheduler-role-arn"    = module.iam.scheduler_role_arn
    "layer/name"                      = local.names.layer
    "deploy/codedeploy-role-arn"      = module.iam.codedeploy_role_arn
    "deploy/stack-name"               = local.names.stack
    "deploy/artifacts-bucket"         = module.storage.bucket_name
    "deploy/cloudformation-role-arn"  = module.iam.cloudformation_role_arn
  }

  list_values = {
    "network/private-subnet-ids"        = module.network.private_subnet_ids
    "network/lambda-security-group-ids" = [module.network.lambda_security_group_id]
  }
}
