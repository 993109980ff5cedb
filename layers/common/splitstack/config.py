"""Settings of each function, read from its environment once, at cold start.

A missing or malformed variable fails the first invocation with one line naming it, instead of
the hundredth with a KeyError.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

from pydantic import BaseModel, ValidationError


class ConfigurationError(RuntimeError):
    """The function's environment is missing or has a bad value."""


class AuthMode(StrEnum):
    COGNITO = "COGNITO"
    IAM = "IAM"
    API_KEY = "API_KEY"


Settings = TypeVar("Settings", bound=BaseModel)


def load_settings(model: type[Settings], environ: Mapping[str, str]) -> Settings:
    try:
        return model.model_validate(dict(environ))
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors())
        raise ConfigurationError(f"{model.__name__} cannot start, fix the environment: {problems}") from None
