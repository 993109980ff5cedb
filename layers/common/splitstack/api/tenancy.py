"""Which tenant a request acts for, from what API Gateway verified and nothing the caller wrote.

- COGNITO: the `custom:tenant` claim of the ID token the authorizer verified.
- IAM: the caller's ARN (requestContext.identity.userArn), mapped by TENANT_PRINCIPALS.
- API_KEY: the API key id (requestContext.identity.apiKeyId), mapped by TENANT_PRINCIPALS.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from http import HTTPStatus

from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from splitstack.api.problems import ApiProblem
from splitstack.config import AuthMode

TENANT_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def tenant_of(event: APIGatewayProxyEvent, mode: AuthMode, principals: Mapping[str, str]) -> str:
    context = event.request_context
    if mode is AuthMode.COGNITO:
        claims = context.authorizer.claims or {}
        tenant = claims.get("custom:tenant")
    else:
        principal = context.identity.user_arn if mode is AuthMode.IAM else context.identity.api_key_id
        tenant = principals.get(principal or "")
    if not isinstance(tenant, str) or not TENANT_PATTERN.match(tenant):
        raise ApiProblem(HTTPStatus.FORBIDDEN, "no_tenant", "the caller is not bound to a tenant")
    return tenant
