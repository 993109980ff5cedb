"""The end-to-end suite's local cloud: the one the session started, calling the orders API."""

from __future__ import annotations

import pytest

from tests.cloud import LocalCloud, connect


@pytest.fixture(scope="session")
def local_cloud(pytestconfig: pytest.Config) -> LocalCloud:
    return connect(pytestconfig, "orders")
