"""Settings of each function, read from its environment once, at cold start.

A missing or malformed variable fails the first invocation with one line naming it, instead of
the hundredth with a KeyError.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator


class ConfigurationError(RuntimeError):
    """The function's environment is missing or has a bad value."""


class AuthMode(StrEnum):
    COGNITO = "COGNITO"
    IAM = "IAM"
    API_KEY = "API_KEY"


class ApiAuthSettings(BaseModel):
    """How an API function tells the caller's tenant (splitstack.api.tenancy)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    auth_mode: AuthMode = Field(alias="AUTH_MODE", default=AuthMode.COGNITO)
    # IAM and API_KEY modes: which tenant a principal ARN or an API key id acts for, as JSON.
    tenant_principals: dict[str, str] = Field(alias="TENANT_PRINCIPALS", default_factory=dict)

    @field_validator("tenant_principals", mode="before")
    @classmethod
    def _parse_json(cls, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value


class ApiGatewaySettings(ApiAuthSettings):
    """An API function's settings: how it tells the tenant, and where the API is published."""

    # The app's custom domain ("none" without one: the template passes the contract's value) and
    # this API's base path on it (splitstack.api.app.ServiceResolver).
    custom_domain: str | None = Field(alias="API_DOMAIN_NAME", default=None)
    base_path: str = Field(alias="API_BASE_PATH", default="", pattern=r"^[A-Za-z0-9._-]*$")

    @field_validator("custom_domain", mode="before")
    @classmethod
    def _none(cls, value: Any) -> Any:
        return None if value in ("", "none") else value


Settings = TypeVar("Settings", bound=BaseModel)


def load_settings(model: type[Settings], environ: Mapping[str, str]) -> Settings:
    try:
        return model.model_validate(dict(environ))
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors())
        raise ConfigurationError(f"{model.__name__} cannot start, fix the environment: {problems}") from None
