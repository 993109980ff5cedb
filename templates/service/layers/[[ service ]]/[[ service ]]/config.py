"""Settings of each function of the service, read from its environment once, at cold start
(splitstack.config.load_settings)."""

from __future__ import annotations

from pydantic import Field

from splitstack.config import ApiGatewaySettings


class ApiSettings(ApiGatewaySettings):
    table_name: str = Field(alias="TABLE_NAME", min_length=1)
