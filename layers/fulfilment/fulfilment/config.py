"""Settings of each fulfilment function, read from its environment once, at cold start
(splitstack.config.load_settings)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from splitstack.config import ApiGatewaySettings


class ApiSettings(ApiGatewaySettings):
    table_name: str = Field(alias="TABLE_NAME", min_length=1)


class ConsumerSettings(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    table_name: str = Field(alias="TABLE_NAME", min_length=1)
    # How long the id of a consumed event is kept to drop its redeliveries: the queue's retention.
    seen_event_ttl_seconds: int = Field(alias="SEEN_EVENT_TTL_SECONDS", default=14 * 86_400, ge=60)


class RelaySettings(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    event_bus_name: str = Field(alias="EVENT_BUS_NAME", min_length=1)
    # The CloudEvents `source` of every event, a URI reference such as /shop/prod/fulfilment.
    event_source: str = Field(alias="EVENT_SOURCE", min_length=1)
