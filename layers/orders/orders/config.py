"""Settings of each orders function, read from its environment once, at cold start
(splitstack.config.load_settings)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from splitstack.config import ApiGatewaySettings


class ApiSettings(ApiGatewaySettings):
    table_name: str = Field(alias="TABLE_NAME", min_length=1)
    gsi1_name: str = Field(alias="TABLE_GSI1_NAME", min_length=1)
    idempotency_table_name: str = Field(alias="IDEMPOTENCY_TABLE_NAME", min_length=1)
    idempotency_ttl_seconds: int = Field(alias="IDEMPOTENCY_TTL_SECONDS", default=86_400, ge=60)


class ProcessorSettings(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    table_name: str = Field(alias="TABLE_NAME", min_length=1)
    idempotency_table_name: str = Field(alias="IDEMPOTENCY_TABLE_NAME", min_length=1)
    event_bus_name: str = Field(alias="EVENT_BUS_NAME", min_length=1)
    # The CloudEvents `source` of every event, a URI reference such as /orders/prod.
    event_source: str = Field(alias="EVENT_SOURCE", min_length=1)


class ScheduledSettings(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    table_name: str = Field(alias="TABLE_NAME", min_length=1)
    gsi1_name: str = Field(alias="TABLE_GSI1_NAME", min_length=1)
    idempotency_table_name: str = Field(alias="IDEMPOTENCY_TABLE_NAME", min_length=1)
    # A draft untouched for this long is cancelled with reason "expired".
    draft_max_age_seconds: int = Field(alias="DRAFT_MAX_AGE_SECONDS", default=7 * 86_400, ge=60)
    # A tenant changed this recently is not compared with the read model: records may be in flight.
    settle_seconds: int = Field(alias="RECONCILE_SETTLE_SECONDS", default=900, ge=0)


class ShippingSettings(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    table_name: str = Field(alias="TABLE_NAME", min_length=1)
    gsi1_name: str = Field(alias="TABLE_GSI1_NAME", min_length=1)
    idempotency_table_name: str = Field(alias="IDEMPOTENCY_TABLE_NAME", min_length=1)
