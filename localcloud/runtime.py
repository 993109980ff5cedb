"""Every service's SAM application (sam/<service>/template.yaml), running on this machine against
the emulator.

Reads each template as CloudFormation would run it, translated by the SAM translator
(localcloud.template): SSM-typed parameters are resolved from the emulator (a missing key stops
start-up naming it), the resources the functions' event sources need are created (SQS queues,
EventBridge rules and queue policies), and what invokes the functions is served: each REST API by
the local API Gateway, each event source mapping of a DynamoDB stream or an SQS queue by a poller,
each EventBridge Scheduler schedule by a scheduler. An event source of another kind stops
start-up, rather than being silently ignored. Every
service's API is on the one port, under the service's name: http://127.0.0.1:3000/<service>/... is
that service's API, as https://<api-id>.execute-api.<region>.amazonaws.com/<stage>/... is on AWS (the
function sees the path after it, as it sees the path after the stage there).

    python -m localcloud.runtime [--endpoint URL] [--port 3000] [--parameter NAME=VALUE ...]

runs it against an emulator that holds the applied platform; `make local` (localcloud.up) starts
the emulator and applies the platform first.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Mapping
from http.server import ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any

from localcloud.apigateway import LocalApi, serve
from localcloud.emulator import DEFAULT_ENDPOINT, service_endpoints, session
from localcloud.faults import FaultSwitch
from localcloud.functions import CodeWatcher, LocalFunction, log_to_console
from localcloud.queues import QueueMapping, QueuePoller
from localcloud.scheduler import ScheduleRunner
from localcloud.streams import StreamMapping, StreamPoller
from localcloud.template import Template, TemplateError
from scripts.sam_template import SERVICES, template_path

DEFAULT_API_PORT = int(os.environ.get("LOCAL_API_PORT", "3000"))
QUEUE_ATTRIBUTES = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "SqsManagedSseEnabled",
    "VisibilityTimeout",
)


class ServiceRuntime:
    """What one service's template runs, created from the template and the emulator's SSM contract."""

    def __init__(
        self,
        service: str,
        endpoint: str,
        overrides: Mapping[str, str],
        switch: FaultSwitch,
        schedule_speedup: float,
        path: Path | None = None,
    ) -> None:
        aws = session()
        self.service = service
        self.sqs = aws.client("sqs", endpoint_url=endpoint)
        self.events = aws.client("events", endpoint_url=endpoint)
        self.template = Template(
            aws.client("ssm", endpoint_url=endpoint), path or template_path(service), overrides
        )
        self._create_queues()
        self._create_rules()
        definitions = self.template.functions()
        self.functions = {
            logical_id: LocalFunction(f, endpoint, faults=switch) for logical_id, f in definitions.items()
        }
        apis = self.template.rest_apis()
        if len(apis) > 1:
            raise TemplateError(f"{service}: one REST API per service runs locally, not {len(apis)}")
        self.api = (
            LocalApi(
                apis[0],
                self.functions,
                endpoint,
                aws.client("cognito-idp", endpoint_url=endpoint),
                aws.client("apigateway", endpoint_url=endpoint),
                log=log_to_console(f"[{service} api]"),
            )
            if apis
            else None
        )
        streams = aws.client(
            "dynamodbstreams", endpoint_url=service_endpoints(endpoint).get("dynamodbstreams", endpoint)
        )
        self.pollers: list[StreamPoller] = []
        self.queue_pollers: list[QueuePoller] = []
        for mapping in self.template.invokers("AWS::Lambda::EventSourceMapping"):
            function = self.functions[mapping.function]
            source = str(mapping.properties.get("EventSourceArn"))
            if ":dynamodb:" in source:
                stream = StreamMapping.from_mapping(function, mapping.properties)
                self.pollers.append(StreamPoller(stream, streams, self.sqs, function.log))
            elif ":sqs:" in source:
                queue = QueueMapping.from_mapping(function, mapping.properties)
                self.queue_pollers.append(QueuePoller(queue, self.sqs, function.log))
            else:
                raise TemplateError(
                    f"{service}: {mapping.logical_id}: only DynamoDB stream and SQS event sources run "
                    f"locally, not {source}"
                )
        invoke_configs = self.template.invoke_configs()
        self.schedules = [
            ScheduleRunner(
                str(schedule.properties.get("Name", schedule.logical_id)),
                self.functions[schedule.function],
                schedule.properties,
                schedule_speedup,
                self.functions[schedule.function].log,
                invoke_configs.get(schedule.function),
                self.sqs,
            )
            for schedule in self.template.invokers("AWS::Scheduler::Schedule")
        ]

    def _create_queues(self) -> None:
        """The template's SQS queues, as CloudFormation would create them; `Ref` and `Fn::GetAtt`
        of them resolve from then on. Redrive policies are set once every queue exists, since a
        queue's names its dead-letter queue by `Fn::GetAtt`."""
        for logical_id, properties in self.template.resources("AWS::SQS::Queue").items():
            name = str(properties.get("QueueName", f"{self.service}-{logical_id}"))
            attributes = {
                k: str(properties[k]).lower() if isinstance(properties[k], bool) else str(properties[k])
                for k in QUEUE_ATTRIBUTES
                if k in properties
            }
            url = self.sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]  # type: ignore[arg-type]
            arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
                "QueueArn"
            ]
            self.template.provide(logical_id, url, Arn=arn, QueueName=name, QueueUrl=url)
        for logical_id, properties in self.template.resources("AWS::SQS::Queue").items():
            if "RedrivePolicy" in properties:
                self.sqs.set_queue_attributes(
                    QueueUrl=self.template.provided[logical_id]["QueueUrl"],
                    Attributes={"RedrivePolicy": json.dumps(properties["RedrivePolicy"])},
                )

    def _create_rules(self) -> None:
        """The template's EventBridge rules with their targets, then its queue policies (which let a
        rule send to a queue, naming it by `Fn::GetAtt`), as CloudFormation would create them."""
        for logical_id, properties in self.template.resources("AWS::Events::Rule").items():
            name = str(properties.get("Name", f"{self.service}-{logical_id}"))
            if "EventPattern" not in properties:
                raise TemplateError(
                    f"{self.service}: {logical_id}: a rule without an event pattern (a schedule) does not "
                    "run locally: use a ScheduleV2 event"
                )
            bus = str(properties.get("EventBusName", "default"))
            arn = self.events.put_rule(
                Name=name,
                EventBusName=bus,
                EventPattern=json.dumps(properties["EventPattern"]),
                State=properties.get("State", "ENABLED"),
                Description=str(properties.get("Description", "")),
            )["RuleArn"]
            targets = [
                {
                    k: t[k]
                    for k in ("Id", "Arn", "DeadLetterConfig", "RetryPolicy", "Input", "InputPath")
                    if k in t
                }
                for t in properties.get("Targets", [])
            ]
            if any(":sqs:" not in t["Arn"] for t in targets):
                raise TemplateError(f"{self.service}: {logical_id}: only SQS targets are created locally")
            if targets:
                self.events.put_targets(Rule=name, EventBusName=bus, Targets=targets)  # type: ignore[arg-type]
            self.template.provide(logical_id, name, Arn=arn)
        for logical_id, properties in self.template.resources("AWS::SQS::QueuePolicy").items():
            for url in properties["Queues"]:
                self.sqs.set_queue_attributes(
                    QueueUrl=str(url), Attributes={"Policy": json.dumps(properties["PolicyDocument"])}
                )
            self.template.provide(logical_id, logical_id)

    @property
    def sources(self) -> list[ScheduleRunner | StreamPoller | QueuePoller]:
        return [*self.schedules, *self.pollers, *self.queue_pollers]

    def describe(self) -> list[str]:
        """What runs, one line each, for the start-up message."""
        lines = []
        if self.api is not None:
            for route in self.api.routes:
                path = f"/{self.service}{route.resource_path}"
                public = "" if route.authorizer or route.api_key_required else "  (public)"
                lines.append(f"{route.method:<7}{path:<44}-> {route.function.function.name}{public}")
        lines += [
            f"stream  {p.mapping.stream_arn.split('/')[1]:<43}-> {p.mapping.function.function.name}"
            for p in self.pollers
        ]
        lines += [
            f"queue   {q.mapping.queue_name:<43}-> {q.mapping.function.function.name}"
            for q in self.queue_pollers
        ]
        lines += [
            f"schedule {s.schedule.expression:<42}-> {s.function.function.name}" for s in self.schedules
        ]
        return lines


class LocalRuntime:
    """Every service's template running: one ServiceRuntime each, their APIs on one port."""

    def __init__(
        self,
        endpoint: str,
        api_port: int,
        overrides: Mapping[str, str] | None = None,
        schedule_speedup: float = 1.0,
        services: tuple[str, ...] = SERVICES,
        positions_file: Path | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.api_port = api_port
        # Where each stream mapping's checkpoint is kept between runs on one emulator (make local
        # keeps the emulator for a warm restart): an event source mapping resumes where it was.
        self.positions_file = positions_file
        overrides = dict(overrides or {})
        parameters = {service: set(Template.declared(template_path(service))) for service in services}
        unknown = sorted(set(overrides) - set().union(*parameters.values()))
        if unknown:
            raise TemplateError(f"no service's template has a parameter {', '.join(unknown)}")
        switch = FaultSwitch(endpoint)
        self.services = {
            service: ServiceRuntime(
                service,
                endpoint,
                {k: v for k, v in overrides.items() if k in parameters[service]},
                switch,
                schedule_speedup,
            )
            for service in services
        }
        self._server: ThreadingHTTPServer | None = None
        self._watcher = CodeWatcher(list(self.functions.values()))

    @property
    def functions(self) -> dict[str, LocalFunction]:
        """Every service's functions, by function name."""
        return {f.function.name: f for s in self.services.values() for f in s.functions.values()}

    @property
    def pollers(self) -> dict[str, StreamPoller]:
        """Every stream mapping, by "<function name> <stream ARN>"."""
        return {
            f"{p.mapping.function.function.name} {p.mapping.stream_arn}": p
            for s in self.services.values()
            for p in s.pollers
        }

    def start(self) -> None:
        if self.positions_file is not None and self.positions_file.exists():
            saved = json.loads(self.positions_file.read_text())
            for key, poller in self.pollers.items():
                poller.resume_after = dict(saved.get(key, {}))
        apis = {name: s.api for name, s in self.services.items() if s.api is not None}
        self._server = serve(apis, self.api_port)
        for service in self.services.values():
            for source in service.sources:
                source.start()
        self._watcher.start()

    def stop(self) -> None:
        """Stop the event sources, kill every function's process and close the port."""
        self._watcher.stop()
        sources = [source for service in self.services.values() for source in service.sources]
        for source in sources:
            source.stopping.set()
        for function in self.functions.values():
            function.stop()
        for source in sources:
            source.stop()
        if self.positions_file is not None:
            positions = {key: poller.positions for key, poller in self.pollers.items()}
            self.positions_file.write_text(json.dumps(positions, indent=2, sort_keys=True) + "\n")
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def first_call(self) -> str | None:
        """A call to try first: a GET behind the API's authorizer that takes no path parameter."""
        for name, service in self.services.items():
            for route in service.api.routes if service.api is not None else []:
                needs_caller = route.authorizer or route.api_key_required
                if route.method.upper() == "GET" and "{" not in route.resource_path and needs_caller:
                    return f"http://127.0.0.1:{self.api_port}/{name}{route.resource_path}"
        return None

    def describe(self) -> list[str]:
        """What runs, by service, for the start-up message."""
        lines = []
        for name, service in self.services.items():
            url = f"  http://127.0.0.1:{self.api_port}/{name}" if service.api is not None else ""
            lines += [f"{name}{url}", *(f"  {line}" for line in service.describe())]
        return lines


def parse_overrides(pairs: list[str]) -> dict[str, str]:
    overrides = {}
    for pair in pairs:
        name, separator, value = pair.partition("=")
        if not separator:
            raise TemplateError(f"--parameter {pair}: write NAME=VALUE")
        overrides[name] = value
    return overrides


def wait_for_signal() -> None:
    """Block until SIGINT or SIGTERM."""
    stop = threading.Event()

    def handle(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)
    stop.wait()


def arguments(description: str | None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_API_PORT, help="the API's port (default %(default)s)"
    )
    parser.add_argument(
        "--parameter", action="append", default=[], metavar="NAME=VALUE", help="template parameter override"
    )
    parser.add_argument(
        "--schedule-speedup",
        type=float,
        default=float(os.environ.get("LOCAL_SCHEDULE_SPEEDUP", "1")),
        help="schedule time runs this many times faster (default LOCAL_SCHEDULE_SPEEDUP or 1)",
    )
    return parser


def run(endpoint: str, args: Any, started: float | None = None, positions_file: Path | None = None) -> None:
    """Start the runtime, print READY, serve until a signal, then stop everything."""
    runtime = LocalRuntime(
        endpoint,
        args.port,
        parse_overrides(args.parameter),
        args.schedule_speedup,
        positions_file=positions_file,
    )
    runtime.start()
    try:
        print("\n".join(f"  {line}" for line in runtime.describe()))
        print(f"READY http://127.0.0.1:{args.port}", flush=True)
        if started is not None:
            print(f"  up in {time.monotonic() - started:.0f} s")
        print("  a token:      make token TENANT=acme")
        if first_call := runtime.first_call():
            print(f'  a first call: curl -H "Authorization: $(make -s token TENANT=acme)" {first_call}')
        print("  the events:   make events          stop: Ctrl-C", flush=True)
        wait_for_signal()
    finally:
        runtime.stop()
        print("stopped", flush=True)


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--endpoint", default=DEFAULT_ENDPOINT, help="the emulator (default %(default)s)")
    args = parser.parse_args()
    try:
        run(args.endpoint, args)
    except TemplateError as error:
        sys.exit(str(error))
    except OSError as error:
        sys.exit(f"cannot start the local runtime: {error}")


if __name__ == "__main__":
    main()
