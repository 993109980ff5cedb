"""Where the local cloud's AWS is: the moto server on 127.0.0.1, its region and credentials."""

from __future__ import annotations

import os

import boto3

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"
DEFAULT_ENDPOINT = f"http://127.0.0.1:{os.environ.get('LOCAL_AWS_PORT', '5050')}"


def session() -> boto3.Session:
    """A session for the emulator; pass endpoint_url to its clients. The credentials are the
    emulator's: they keep a developer's real ones out of the way."""
    return boto3.Session(
        region_name=REGION,
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106  # the emulator's, not a secret
    )
