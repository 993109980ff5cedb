"""The test consumer: each message is an EventBridge event whose detail says what to do with it.

"ok" is recorded on the seen queue (its event id); "fail" is reported as a batch item failure.
"""

from __future__ import annotations

import json
import os
from typing import Any

import boto3

sqs = boto3.client("sqs")


def handler(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    failures = []
    for record in event["Records"]:
        message = json.loads(record["body"])
        if message["detail"]["do"] == "fail":
            failures.append({"itemIdentifier": record["messageId"]})
        else:
            sqs.send_message(QueueUrl=os.environ["SEEN_QUEUE_URL"], MessageBody=message["id"])
    return {"batchItemFailures": failures}
