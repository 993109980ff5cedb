"""The pre-traffic function every service's stack deploys (functions/<service>/pretraffic): AWS glue
around splitstack.deploy_hook. CodeDeploy invokes it with the deployment's id; the deployment's
Lambda target names the function and its new version; PRETRAFFIC_CHECKS (set by the template)
says what kind each of the stack's functions is. Whatever happens, the hook reports a status:
a hook that never reports leaves the deployment waiting an hour before it fails."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any, Literal

import boto3
from aws_lambda_powertools import Logger

from splitstack.deploy_hook import Answer, Invoker, failures

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext
    from mypy_boto3_codedeploy.client import CodeDeployClient
    from mypy_boto3_lambda.client import LambdaClient

logger = Logger()


def version_invoker(client: LambdaClient, name: str, version: str) -> Invoker:
    def invoke(event: dict[str, Any]) -> Answer:
        response = client.invoke(FunctionName=name, Qualifier=version, Payload=json.dumps(event).encode())
        return Answer(response.get("FunctionError"), json.loads(response["Payload"].read() or b"null"))

    return invoke


def check_deployment(
    codedeploy: CodeDeployClient, lambda_client: LambdaClient, deployment_id: str, kinds: dict[str, str]
) -> list[str]:
    """What is wrong with the new versions of a deployment; empty when nothing is."""
    target_ids = codedeploy.list_deployment_targets(deploymentId=deployment_id)["targetIds"]
    targets = codedeploy.batch_get_deployment_targets(deploymentId=deployment_id, targetIds=target_ids)
    problems = []
    for target in targets["deploymentTargets"]:
        info = target["lambdaTarget"]["lambdaFunctionInfo"]
        name, version = info["functionName"], info["targetVersion"]
        if name not in kinds:
            problems.append(f"{name} has no pre-traffic check (PRETRAFFIC_CHECKS)")
            continue
        problems += [
            f"{name}:{version}: {reason}"
            for reason in failures(kinds[name], version_invoker(lambda_client, name, version))
        ]
    return problems


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    codedeploy = boto3.client("codedeploy")
    deployment_id = event["DeploymentId"]
    try:
        problems = check_deployment(
            codedeploy, boto3.client("lambda"), deployment_id, json.loads(os.environ["PRETRAFFIC_CHECKS"])
        )
    except Exception as error:  # any failure of the check is a failed check, reported
        logger.exception("the pre-traffic check could not run")
        problems = [f"the check could not run: {error!r}"]
    status: Literal["Failed", "Succeeded"] = "Failed" if problems else "Succeeded"
    logger.info(
        "pre-traffic check", extra={"deployment_id": deployment_id, "status": status, "problems": problems}
    )
    codedeploy.put_lifecycle_event_hook_execution_status(
        deploymentId=deployment_id,
        lifecycleEventHookExecutionId=event["LifecycleEventHookExecutionId"],
        status=status,
    )
    return {"status": status, "problems": problems}
