data "aws_caller_identity" "current" {}

locals {
  name_prefix = "${var.app}-${var.env}"
  ssm_prefix  = "/${var.app}/${var.env}"
  # Where the functions put their own metrics (Powertools), and where the alarms read them.
  metrics_namespace = "${var.app}/${var.env}"
  tags              = merge({ Application = var.app, Environment = var.env, ManagedBy = "terraform" }, var.tags)
  # Bucket names are global: the account makes it unique.
  artifacts_bucket = "${local.name_prefix}-sam-${data.aws_caller_identity.current.account_id}"
}

# The platform: what every service of the app shares in an environment (network, artifacts bucket,
# event bus, identity, alarm topic, deploy roles) and its level of the contract. The services are
# in services.tf.

module "network" {
  source = "../modules/network"

  name_prefix         = local.name_prefix
  vpc_cidr            = var.vpc_cidr
  availability_zones  = var.availability_zones
  nat_mode            = var.nat_mode
  interface_endpoints = var.interface_endpoints
  log_retention_days  = var.log_retention_days
  tags                = local.tags
}

module "storage" {
  source = "../modules/storage"

  bucket_name        = local.artifacts_bucket
  enforce_tls        = var.enforce_tls
  expire_old_objects = var.expire_old_artifacts
  force_destroy      = var.force_destroy_buckets
  tags               = local.tags
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

module "domain" {
  source = "../modules/domain"
  count  = var.custom_domain != null ? 1 : 0

  domain_name    = var.custom_domain.name
  hosted_zone_id = var.custom_domain.hosted_zone_id
  tags           = local.tags
}

module "observability" {
  source = "../modules/observability"

  name_prefix                = local.name_prefix
  alarm_email                = var.alarm_email
  manage_api_gateway_account = var.manage_api_gateway_account
  xray_sampling_rule         = var.xray_sampling_rule
  tags                       = local.tags
}

module "deployment" {
  source = "../modules/deployment"

  name_prefix = local.name_prefix
  traffic     = var.deployment_traffic
}

module "iam" {
  source = "../modules/iam"

  name_prefix                 = local.name_prefix
  ssm_prefix                  = local.ssm_prefix
  passable_role_arns          = flatten([for service in values(module.service) : service.passable_role_arns])
  event_bus_name              = module.events.bus_name
  api_domain_name             = var.custom_domain != null ? module.domain[0].domain_name : null
  artifacts_bucket_arn        = module.storage.bucket_arn
  state_bucket_name           = var.state_bucket_name
  github_repository           = var.github_repository
  github_deploy_branch        = var.github_deploy_branch
  github_environment          = var.env
  create_github_oidc_provider = var.create_github_oidc_provider
  deploy_role_policy_arns     = var.deploy_role_policy_arns
  tags                        = local.tags
}

module "contract" {
  source = "../modules/contract"

  ssm_prefix = local.ssm_prefix
  tags       = local.tags

  parameters = jsondecode(file("${path.module}/../modules/contract/platform.json")).parameters
  string_values = {
    "app/name"                        = var.app
    "app/stage-name"                  = var.env
    "observability/metrics-namespace" = local.metrics_namespace
    "events/bus-name"                 = module.events.bus_name
    "events/bus-arn"                  = module.events.bus_arn
    "auth/user-pool-id"               = var.enable_auth ? module.auth[0].user_pool_id : "none"
    "auth/user-pool-arn"              = var.enable_auth ? module.auth[0].user_pool_arn : "none"
    "auth/user-pool-client-id"        = var.enable_auth ? module.auth[0].user_pool_client_id : "none"
    "api/domain-name"                 = var.custom_domain != null ? module.domain[0].domain_name : "none"
    "deploy/codedeploy-role-arn"      = module.iam.codedeploy_role_arn
    "deploy/artifacts-bucket"         = module.storage.bucket_name
    "deploy/cloudformation-role-arn"  = module.iam.cloudformation_role_arn
    "deploy/deployment-config-name"   = module.deployment.config_name
  }

  list_values = {
    "network/private-subnet-ids"        = module.network.private_subnet_ids
    "network/lambda-security-group-ids" = [module.network.lambda_security_group_id]
  }
}
