"""Where the local cloud's AWS is: the moto server on 127.0.0.1, its region and credentials."""

from __future__ import annotations

import ctypes
import json
import os
import signal
import socket
import sys
import urllib.request
from typing import Any

import boto3

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"
DEFAULT_ENDPOINT = f"http://127.0.0.1:{os.environ.get('LOCAL_AWS_PORT', '5050')}"
# Where the emulator says which services answer on an endpoint of their own (decision 0022).
ENDPOINTS_PATH = "/_localcloud/endpoints"
# How many requests of each operation the emulator answered since it started (both processes).
REQUESTS_PATH = "/_localcloud/requests"
PR_SET_PDEATHSIG = 1


def session() -> boto3.Session:
    """A session for the emulator; pass endpoint_url to its clients. The credentials are the
    emulator's: they keep a developer's real ones out of the way."""
    return boto3.Session(
        region_name=REGION,
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106  # the emulator's, not a secret
    )


def die_with_parent() -> None:
    """In a child, before exec: receive SIGTERM when this process dies, even by SIGKILL (Linux).
    The signal follows the thread that started the child: only the main thread starts them."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now, for a server of the local cloud."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def service_endpoints(endpoint: str) -> dict[str, str]:
    """The services the emulator answers on endpoints of their own, by signing name (dynamodb,
    dynamodbstreams): every service also answers on `endpoint`, but a client that sends a hot
    service's requests straight to its own saves the emulator a detour, as AWS has an endpoint
    per service. Empty for an emulator without the layer, or none."""
    try:
        found: dict[str, str] = _layer_answer(endpoint, ENDPOINTS_PATH)
    except OSError:  # an emulator without the layer (404), or none: the one endpoint
        return {}
    return found


def requests_answered(endpoint: str) -> dict[str, int]:
    """How many requests of each operation of a JSON-protocol service ("dynamodb:Query",
    "sqs:ReceiveMessage", ...) the emulator answered since it started: what a load cost it."""
    answered: dict[str, int] = _layer_answer(endpoint, REQUESTS_PATH)
    return answered


def _layer_answer(endpoint: str, path: str) -> Any:
    """The JSON answer of one of the emulator layer's own paths."""
    with urllib.request.urlopen(f"{endpoint}{path}", timeout=5) as response:  # noqa: S310  # loopback
        return json.load(response)


def sdk_endpoint_variables(endpoint: str) -> dict[str, str]:
    """AWS_ENDPOINT_URL and, for each service with an endpoint of its own, the SDKs'
    AWS_ENDPOINT_URL_<SERVICE ID> that takes precedence over it for that service."""
    names = {"dynamodb": "AWS_ENDPOINT_URL_DYNAMODB", "dynamodbstreams": "AWS_ENDPOINT_URL_DYNAMODB_STREAMS"}
    own = service_endpoints(endpoint)
    return {"AWS_ENDPOINT_URL": endpoint, **{names[s]: url for s, url in own.items() if s in names}}
