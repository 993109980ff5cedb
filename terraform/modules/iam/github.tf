locals {
  github_enabled  = var.github_repository != null
  github_provider = "token.actions.githubusercontent.com"
  github_oidc_provider_arn = local.github_enabled ? (
    var.create_github_oidc_provider
    ? aws_iam_openid_connect_provider.github[0].arn
    : "arn:${local.partition}:iam::${local.account_id}:oidc-provider/${local.github_provider}"
  ) : null

  # Pull requests may plan, and so may the nightly drift check on the default branch; only the
  # deploy branch and the environment (with its reviewers) may deploy. Nothing else in the
  # repository can assume either role.
  github_plan_subjects = local.github_enabled ? [
    "repo:${var.github_repository}:pull_request",
    "repo:${var.github_repository}:ref:refs/heads/${var.github_default_branch}",
  ] : []
  github_deploy_subjects = local.github_enabled ? compact([
    "repo:${var.github_repository}:ref:refs/heads/${var.github_deploy_branch}",
    var.github_environment == null ? null : "repo:${var.github_repository}:environment:${var.github_environment}",
  ]) : []

  # What both roles may do to their stack: make, read and drop a change set, check for drift. Only
  # the deploy role adds executing one.
  change_set_actions = [
    "cloudformation:CreateChangeSet", "cloudformation:DescribeChangeSet", "cloudformation:DeleteChangeSet",
    "cloudformation:DescribeStacks", "cloudformation:GetTemplate", "cloudformation:DetectStackDrift",
    "cloudformation:DescribeStackResourceDrifts", "cloudformation:DescribeStackDriftDetectionStatus",
  ]

  # CreateChangeSet of a template with transforms is also checked against each transform (SAM CLI
  # issue #179): the templates run AWS::LanguageExtensions, then AWS::Serverless.
  transform_arns = [
    for t in ["Serverless-2016-10-31", "LanguageExtensions"] : "arn:${local.partition}:cloudformation:${local.region}:aws:transform/${t}"
  ]

  # What a plan must never read: the data in the resources, as opposed to their configuration.
  # AWS's ReadOnlyAccess allows all of it; these denies take it back from the plan role. Reads
  # of the state and of the artifacts `sam deploy` uploads stay, and parameters of the app's own
  # contract path (which Terraform refreshes) stay readable.
  data_plane_denies = [
    {
      Sid    = "NoTableItemsOrStreamRecords"
      Effect = "Deny"
      Action = [
        "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:PartiQLSelect",
        "dynamodb:ExecuteStatement", "dynamodb:BatchExecuteStatement", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
        "dynamodb:ExportTableToPointInTime",
      ]
      Resource = ["*"]
    },
    {
      Sid         = "NoObjectBodies"
      Effect      = "Deny"
      Action      = ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectAttributes", "s3:GetObjectTorrent"]
      NotResource = concat(local.state_object_arns, ["${var.artifacts_bucket_arn}/*"])
    },
    {
      Sid      = "NoLogEvents"
      Effect   = "Deny"
      Action   = ["logs:GetLogEvents", "logs:FilterLogEvents", "logs:StartQuery", "logs:GetQueryResults", "logs:StartLiveTail", "logs:GetLogRecord"]
      Resource = ["*"]
    },
    {
      Sid         = "NoParametersOutsideTheContract"
      Effect      = "Deny"
      Action      = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "ssm:GetParameterHistory"]
      NotResource = ["arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter${var.ssm_prefix}/*"]
    },
    {
      Sid      = "NoSecretsMessagesOrUsers"
      Effect   = "Deny"
      Action   = ["secretsmanager:GetSecretValue", "sqs:ReceiveMessage", "cognito-idp:ListUsers", "cognito-idp:AdminGetUser", "cognito-idp:ListUsersInGroup"]
      Resource = ["*"]
    },
  ]

  # What every `sam deploy` needs besides its stack, with or without executing the change set.
  sam_statements = [
    {
      # `sam deploy` validates the template before it names a stack: these take no resource.
      Sid      = "TemplateChecks"
      Effect   = "Allow"
      Action   = ["cloudformation:GetTemplateSummary", "cloudformation:ValidateTemplate"]
      Resource = ["*"]
    },
    {
      Sid       = "PassCloudFormationRole"
      Effect    = "Allow"
      Action    = ["iam:PassRole"]
      Resource  = [aws_iam_role.cloudformation.arn]
      Condition = { StringEquals = { "iam:PassedToService" = "cloudformation.amazonaws.com" } }
    },
    {
      Sid      = "UploadArtifacts"
      Effect   = "Allow"
      Action   = ["s3:PutObject", "s3:GetObject", "s3:ListBucket"]
      Resource = [var.artifacts_bucket_arn, "${var.artifacts_bucket_arn}/*"]
    },
  ]

  state_object_arns = var.state_bucket_name == null ? [] : ["arn:${local.partition}:s3:::${var.state_bucket_name}${var.ssm_prefix}/*"]
  state_statements = var.state_bucket_name == null ? [] : [
    {
      Sid      = "StateList"
      Effect   = "Allow"
      Action   = ["s3:ListBucket"]
      Resource = ["arn:${local.partition}:s3:::${var.state_bucket_name}"]
    },
    {
      # Reading and writing this app's state of this environment (<app>/<env>/terraform.tfstate,
      # make tf-init), and the lock file that `use_lockfile` keeps beside it; no other state.
      Sid      = "StateObjects"
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
      Resource = local.state_object_arns
    },
  ]
}

resource "aws_iam_openid_connect_provider" "github" {
  count = local.github_enabled && var.create_github_oidc_provider ? 1 : 0

  url            = "https://${local.github_provider}"
  client_id_list = ["sts.amazonaws.com"]
  # GitHub's certificate chain; IAM no longer checks it for this provider, but the API wants one.
  thumbprint_list = ["6938fd4d98bab03faadb97b34396831e3780aea1", "1c58a3a8518e8759bf075b76b750d4d2df264fcd"]

  tags = var.tags
}

resource "aws_iam_role" "github" {
  for_each = local.github_enabled ? {
    plan   = local.github_plan_subjects
    deploy = local.github_deploy_subjects
  } : {}

  name                 = "${var.name_prefix}-github-${each.key}"
  description          = "GitHub Actions ${each.key} role of ${var.name_prefix} for ${var.github_repository}"
  max_session_duration = 3600
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = local.github_oidc_provider_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = { "${local.github_provider}:aud" = "sts.amazonaws.com" }
        StringLike   = { "${local.github_provider}:sub" = each.value }
      }
    }]
  })

  tags = var.tags
}

# Plans read everything Terraform refreshes; ReadOnlyAccess is AWS's list of those reads.
resource "aws_iam_role_policy_attachment" "github_plan_read_only" {
  count = local.github_enabled ? 1 : 0

  role       = aws_iam_role.github["plan"].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/ReadOnlyAccess"
}

# The plan workflow shows the SAM change set next to the Terraform plan: `sam deploy
# --no-execute-changeset` uploads the artifacts and creates a change set it then deletes. Nothing
# here executes one (decision 0010).
resource "aws_iam_role_policy" "github_plan_change_set" {
  count = local.github_enabled ? 1 : 0

  name = "sam-change-set"
  role = aws_iam_role.github["plan"].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat([
      {
        Sid      = "ChangeSetAndDrift"
        Effect   = "Allow"
        Action   = local.change_set_actions
        Resource = [local.stack_arn]
      },
      {
        Sid      = "Transforms"
        Effect   = "Allow"
        Action   = ["cloudformation:CreateChangeSet"]
        Resource = local.transform_arns
      },
    ], local.sam_statements)
  })
}

# A plan reads configuration, never data: a branch that edits the plan workflow must not be able
# to dump a tenant's data with this role (docs/ci-cd.md).
resource "aws_iam_role_policy" "github_plan_no_data" {
  count = local.github_enabled ? 1 : 0

  name   = "no-data-plane-reads"
  role   = aws_iam_role.github["plan"].id
  policy = jsonencode({ Version = "2012-10-17", Statement = local.data_plane_denies })
}

resource "aws_iam_role_policy" "github_plan" {
  count = local.github_enabled && var.state_bucket_name != null ? 1 : 0

  name   = "terraform-state"
  role   = aws_iam_role.github["plan"].id
  policy = jsonencode({ Version = "2012-10-17", Statement = local.state_statements })
}

resource "aws_iam_role_policy" "github_deploy" {
  count = local.github_enabled ? 1 : 0

  name = "sam-deploy"
  role = aws_iam_role.github["deploy"].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(local.state_statements, [
      {
        Sid    = "Stack"
        Effect = "Allow"
        Action = concat(local.change_set_actions, [
          "cloudformation:ExecuteChangeSet", "cloudformation:DescribeStackEvents", "cloudformation:DescribeStackResources",
        ])
        Resource = [local.stack_arn]
      },
      {
        Sid      = "Transforms"
        Effect   = "Allow"
        Action   = ["cloudformation:CreateChangeSet"]
        Resource = local.transform_arns
      },
      {
        Sid      = "ReadContract"
        Effect   = "Allow"
        Action   = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"]
        Resource = ["arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter${var.ssm_prefix}/*"]
      },
    ], local.sam_statements)
  })
}

resource "aws_iam_role_policy_attachment" "github_deploy_extra" {
  for_each = local.github_enabled ? toset(var.deploy_role_policy_arns) : toset([])

  role       = aws_iam_role.github["deploy"].name
  policy_arn = each.value
}
