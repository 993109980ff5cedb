"""Each service's REST API on 127.0.0.1: API Gateway's Lambda proxy integration, locally.

Routes and their authorization come from the REST API's OpenAPI body in the translated template
(localcloud.template): each method's Lambda proxy integration and its `security`, as the SAM
translator wrote them from the functions' `Api` events and the Api's `Auth` (after `Fn::If`, so
the `AuthMode` parameter decides):

- a Cognito user pool authorizer verifies the token in its identity header (RS256 signature
  against the pool's JWKS, which the emulator serves; issuer; audience = an app client of the
  pool; `token_use` = id; expiry) and hands the claims to the function as
  `requestContext.authorizer.claims`, every value a string as API Gateway does;
- `ApiKeyRequired` accepts an `x-api-key` that is an enabled key of a usage plan in the
  emulator, and puts its id in `requestContext.identity.apiKeyId`.

Refusals have API Gateway's bodies and status codes: 401 {"message": "Unauthorized"} for a missing
or invalid token, 403 {"message": "Forbidden"} for a missing or unknown API key, 403 {"message":
"Missing Authentication Token"} for a path or method no route has, 502 {"message": "Internal
server error"} when the function fails or answers with something that is not a proxy response.
Every service's API shares the one port under the service's name (/<service>/...), where API
Gateway's URL has the API's id and the stage: the function sees the path after it, and the stage
in the event; a path under no service's name gets 403 {"message": "Forbidden"}.
"""

from __future__ import annotations

import base64
import contextlib
import fnmatch
import json
import re
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from localcloud.emulator import ACCOUNT_ID
from localcloud.functions import LocalFunction, Outcome
from localcloud.template import RestApi, TemplateError

if TYPE_CHECKING:
    from mypy_boto3_apigateway.client import APIGatewayClient
    from mypy_boto3_cognito_idp.client import CognitoIdentityProviderClient

LOCAL_API_ID = "local"
CLAIM_TIME_FORMAT = "%a %b %d %H:%M:%S UTC %Y"  # how a REST API's Cognito authorizer writes exp and iat


class Refusal(Exception):  # a gateway response, not a program error
    """A request API Gateway answers itself, without calling the function."""

    def __init__(self, status: HTTPStatus, message: str, error_type: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_type = error_type

    def answer(self) -> tuple[int, dict[str, list[str]], bytes]:
        headers = {"Content-Type": ["application/json"], "x-amzn-ErrorType": [self.error_type]}
        return int(self.status), headers, json.dumps({"message": self.message}).encode()

    @classmethod
    def unauthorized(cls, message: str = "Unauthorized") -> Refusal:
        return cls(HTTPStatus.UNAUTHORIZED, message, "UnauthorizedException")

    @classmethod
    def forbidden(cls) -> Refusal:
        return cls(HTTPStatus.FORBIDDEN, "Forbidden", "ForbiddenException")

    @classmethod
    def no_route(cls) -> Refusal:
        return cls(
            HTTPStatus.FORBIDDEN, "Missing Authentication Token", "MissingAuthenticationTokenException"
        )

    @classmethod
    def function_failed(cls) -> Refusal:
        return cls(HTTPStatus.BAD_GATEWAY, "Internal server error", "InternalServerErrorException")


class CognitoAuthorizer:
    """A COGNITO_USER_POOLS authorizer of one pool: verifies ID tokens as API Gateway does."""

    def __init__(
        self, pool_arn: str, header: str, endpoint: str, cognito: CognitoIdentityProviderClient
    ) -> None:
        region, pool_id = pool_arn.split(":")[3], pool_arn.rsplit("/", 1)[1]
        self.header = header
        self.issuer = f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"
        self._jwks_url = f"{endpoint}/{pool_id}/.well-known/jwks.json"
        self._keys: KeySet | None = None
        self._clients = {
            c["ClientId"] for c in cognito.list_user_pool_clients(UserPoolId=pool_id)["UserPoolClients"]
        }
        if not self._clients:
            raise TemplateError(f"user pool {pool_id} has no app client: no token could be accepted")
        self._registry = jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": self.issuer},
            token_use={"essential": True, "value": "id"},
            aud={"essential": True, "values": sorted(self._clients)},
            exp={"essential": True},
        )

    def claims(self, headers: Message) -> dict[str, str]:
        token = (headers.get(self.header) or "").strip()
        token = token.removeprefix("Bearer ").strip()
        if not token:
            raise Refusal.unauthorized()
        try:
            claims = jwt.decode(token, self._key_set(), algorithms=["RS256"]).claims
        except (JoseError, ValueError):
            raise Refusal.unauthorized() from None
        try:
            self._registry.validate(claims)
        except JoseError as error:
            if error.error == "expired_token":
                raise Refusal.unauthorized("The incoming token has expired") from None
            raise Refusal.unauthorized() from None
        return {name: _claim_text(name, value) for name, value in claims.items()}

    def _key_set(self) -> KeySet:
        if self._keys is None:
            with urllib.request.urlopen(self._jwks_url, timeout=5) as response:  # noqa: S310  # the emulator
                self._keys = KeySet.import_key_set(json.load(response))
        return self._keys


def _claim_text(name: str, value: Any) -> str:
    if name in ("exp", "iat") and isinstance(value, int):
        return datetime.fromtimestamp(value, UTC).strftime(CLAIM_TIME_FORMAT)
    return value if isinstance(value, str) else json.dumps(value)


class ApiKeys:
    """The API keys of the emulator's usage plans: an enabled key of any plan is accepted."""

    def __init__(self, apigateway: APIGatewayClient) -> None:
        self._apigateway = apigateway

    def key_id(self, value: str) -> str:
        if not value:
            raise Refusal.forbidden()
        for plan in self._apigateway.get_usage_plans()["items"]:
            for key in self._apigateway.get_usage_plan_keys(usagePlanId=plan["id"])["items"]:
                if key["value"] == value and self._enabled(key["id"]):
                    return key["id"]
        raise Refusal.forbidden()

    def _enabled(self, key_id: str) -> bool:
        return bool(self._apigateway.get_api_key(apiKey=key_id)["enabled"])


@dataclass(frozen=True)
class Route:
    method: str  # GET, POST, ... or ANY
    resource_path: str  # /items/{item_id}
    function: LocalFunction
    authorizer: CognitoAuthorizer | None
    api_key_required: bool
    pattern: re.Pattern[str] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        regex = ""
        for part in re.split(r"(\{[^}]+\})", self.resource_path):
            if part.startswith("{") and part.endswith("+}"):
                regex += f"(?P<{part[1:-2]}>.+)"
            elif part.startswith("{"):
                regex += f"(?P<{part[1:-1]}>[^/]+)"
            else:
                regex += re.escape(part)
        object.__setattr__(self, "pattern", re.compile(f"^{regex}/?$"))

    @property
    def specificity(self) -> tuple[int, int]:
        """API Gateway prefers literal segments to parameters, and parameters to greedy ones."""
        return (self.resource_path.count("+}"), self.resource_path.count("{"))


class LocalApi:
    """A REST API of the translated template, its routes and authorizers, ready to serve."""

    def __init__(
        self,
        api: RestApi,
        functions: dict[str, LocalFunction],
        endpoint: str,
        cognito: CognitoIdentityProviderClient,
        apigateway: APIGatewayClient,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.stage = api.stage
        self.name = api.name
        self.binary_media_types = api.binary_media_types
        self.access_log_format = api.access_log_format
        self.log = log
        self.api_keys = ApiKeys(apigateway)
        authorizers: dict[str, CognitoAuthorizer] = {}
        self.routes: list[Route] = []
        for method in api.methods:
            authorizer, api_key_required = None, False
            for requirement in (name for entry in method.security for name in entry):
                if requirement == "NONE":
                    continue
                scheme = api.security_definitions.get(requirement, {})
                kind = scheme.get("x-amazon-apigateway-authtype", scheme.get("type"))
                where = f"{api.logical_id} {method.method} {method.path}"
                if kind == "cognito_user_pools":
                    if requirement not in authorizers:
                        authorizers[requirement] = self._authorizer(requirement, scheme, endpoint, cognito)
                    authorizer = authorizers[requirement]
                elif kind == "apiKey" and scheme.get("name") == "x-api-key":
                    api_key_required = True
                elif kind == "awsSigv4":
                    raise TemplateError(
                        f"{where} uses AWS_IAM authorization, which the local API cannot check (it would "
                        "need the callers' secret keys): run the local cloud with AuthMode=COGNITO or API_KEY"
                    )
                else:
                    raise TemplateError(
                        f"{where}: its authorization {requirement} ({kind}) does not run locally"
                    )
            self.routes.append(
                Route(
                    method=method.method,
                    resource_path=method.path,
                    function=functions[method.function],
                    authorizer=authorizer,
                    api_key_required=api_key_required,
                )
            )
        self.routes.sort(key=lambda r: r.specificity)

    @staticmethod
    def _authorizer(
        name: str, scheme: dict[str, Any], endpoint: str, cognito: CognitoIdentityProviderClient
    ) -> CognitoAuthorizer:
        pools = scheme.get("x-amazon-apigateway-authorizer", {}).get("providerARNs", [])
        if len(pools) != 1:
            raise TemplateError(f"authorizer {name}: one user pool runs locally, not {pools}")
        return CognitoAuthorizer(str(pools[0]), str(scheme.get("name", "Authorization")), endpoint, cognito)

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        for route in self.routes:
            found = route.pattern.match(path)
            if found and route.method in (method, "ANY"):
                return route, {k: urllib.parse.unquote(v) for k, v in found.groupdict().items()}
        raise Refusal.no_route()

    def handle(self, request: Request) -> tuple[int, dict[str, list[str]], bytes]:
        """Answer one request as API Gateway would: a refusal, or the function's proxy response."""
        request_id = str(uuid.uuid4())
        headers: dict[str, list[str]]
        resource_path = ""
        try:
            route, path_parameters = self.match(request.method, request.path)
            resource_path = route.resource_path
            claims = route.authorizer.claims(request.headers) if route.authorizer else None
            api_key = request.headers.get("x-api-key", "")
            api_key_id = self.api_keys.key_id(api_key) if route.api_key_required else None
            event = self.event(request, route, path_parameters, request_id, claims, api_key_id, api_key)
            status, headers, body = self.response(route.function.invoke(event))
        except Refusal as refusal:
            status, headers, body = refusal.answer()
        headers.setdefault("x-amzn-RequestId", [request_id])
        self._access_log(request, request_id, resource_path, status, len(body))
        return status, headers, body

    def event(  # one argument per part of the proxy event
        self,
        request: Request,
        route: Route,
        path_parameters: dict[str, str],
        request_id: str,
        claims: dict[str, str] | None,
        api_key_id: str | None,
        api_key: str,
    ) -> dict[str, Any]:
        """The Lambda proxy integration's event (payload format 1.0)."""
        multi_headers: dict[str, list[str]] = {}
        for name, value in request.headers.items():
            multi_headers.setdefault(name, []).append(value)
        multi_query: dict[str, list[str]] = {}
        for name, value in urllib.parse.parse_qsl(request.query, keep_blank_values=True):
            multi_query.setdefault(name, []).append(value)
        binary = self._is_binary(request.headers.get("Content-Type", ""))
        body: str | None = None
        if request.body:
            body = (
                base64.b64encode(request.body).decode() if binary else request.body.decode(errors="replace")
            )
        now = time.time()
        request_context: dict[str, Any] = {
            "accountId": ACCOUNT_ID,
            "apiId": LOCAL_API_ID,
            "domainName": request.headers.get("Host", "127.0.0.1"),
            "domainPrefix": LOCAL_API_ID,
            "extendedRequestId": request_id,
            "httpMethod": request.method,
            "identity": {
                "accessKey": None,
                "accountId": None,
                "apiKey": api_key if api_key_id else None,
                "apiKeyId": api_key_id,
                "caller": None,
                "cognitoAuthenticationProvider": None,
                "cognitoAuthenticationType": None,
                "cognitoIdentityId": None,
                "cognitoIdentityPoolId": None,
                "principalOrgId": None,
                "sourceIp": request.client_ip,
                "user": None,
                "userAgent": request.headers.get("User-Agent"),
                "userArn": None,
            },
            "path": f"/{self.stage}{request.path}",
            "protocol": request.protocol,
            "requestId": request_id,
            "requestTime": datetime.fromtimestamp(now, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "requestTimeEpoch": int(now * 1000),
            "resourceId": route.resource_path,
            "resourcePath": route.resource_path,
            "stage": self.stage,
        }
        if claims is not None:
            request_context["authorizer"] = {"claims": claims}
        return {
            "resource": route.resource_path,
            "path": request.path,
            "httpMethod": request.method,
            "headers": {name: values[-1] for name, values in multi_headers.items()} or None,
            "multiValueHeaders": multi_headers or None,
            "queryStringParameters": {name: values[-1] for name, values in multi_query.items()} or None,
            "multiValueQueryStringParameters": multi_query or None,
            "pathParameters": path_parameters or None,
            "stageVariables": None,
            "requestContext": request_context,
            "body": body,
            "isBase64Encoded": binary and body is not None,
        }

    def _is_binary(self, content_type: str) -> bool:
        media_type = content_type.split(";", maxsplit=1)[0].strip()
        return any(fnmatch.fnmatch(media_type, pattern) for pattern in self.binary_media_types)

    def response(self, outcome: Outcome) -> tuple[int, dict[str, list[str]], bytes]:
        """The function's proxy response as HTTP; 502 when it failed or is malformed."""
        if outcome.failed:
            raise Refusal.function_failed()
        try:
            return proxy_response(outcome.result)
        except (TypeError, ValueError) as error:
            if self.log is not None:
                reason = f"Malformed Lambda proxy response ({error})"
                self.log(f"Execution failed due to configuration error: {reason}\n")
            raise Refusal.function_failed() from None

    def _access_log(
        self, request: Request, request_id: str, resource_path: str, status: int, length: int
    ) -> None:
        if self.log is None or not self.access_log_format:
            return
        values = {
            "requestId": request_id,
            "identity.sourceIp": request.client_ip,
            "identity.caller": "-",
            "identity.apiKeyId": "-",
            "requestTime": datetime.now(UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "httpMethod": request.method,
            "resourcePath": resource_path or "-",
            "status": str(status),
            "protocol": request.protocol,
            "responseLength": str(length),
            "integrationLatency": "-",
        }
        line = re.sub(
            r"\$context\.([A-Za-z.]+)", lambda m: values.get(m.group(1), "-"), self.access_log_format
        )
        self.log(line.replace("\n", "") + "\n")


def proxy_response(result: Any) -> tuple[int, dict[str, list[str]], bytes]:
    """A Lambda proxy integration response as status, headers and body; ValueError or TypeError
    names what is wrong with it."""
    if not isinstance(result, dict) or not isinstance(result.get("statusCode"), int):
        raise TypeError("no integer statusCode")
    headers: dict[str, list[str]] = {
        name: [str(v) for v in values] for name, values in (result.get("multiValueHeaders") or {}).items()
    }
    for name, value in (result.get("headers") or {}).items():
        headers[name] = [str(value)]
    body = result.get("body") or ""
    if not isinstance(body, str):
        raise TypeError(f"body is {type(body).__name__}, not a string")
    raw = base64.b64decode(body, validate=True) if result.get("isBase64Encoded") else body.encode()
    return result["statusCode"], headers, raw


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: str
    headers: Message
    body: bytes
    client_ip: str
    protocol: str


def base_path(path: str) -> tuple[str, str]:
    """The service a request is for and the path its API sees: /billing/items/1 -> billing, /items/1."""
    service, _, rest = path.removeprefix("/").partition("/")
    return service, f"/{rest}"


def serve(apis: Mapping[str, LocalApi], port: int) -> ThreadingHTTPServer:
    """Start every service's API on 127.0.0.1:port, each under its service's name, in a thread;
    shut it down with .shutdown(). A path under no service's name gets API Gateway's 403."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body leave in two writes: on a kept-alive connection, Nagle's algorithm would
        # hold the body back until the client's delayed ACK, some 40 ms.
        disable_nagle_algorithm = True

        def _handle(self) -> None:
            target = urllib.parse.urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            service, path = base_path(urllib.parse.unquote(target.path))
            request = Request(
                method=self.command,
                path=path,
                query=target.query,
                headers=self.headers,
                body=self.rfile.read(length) if length else b"",
                client_ip=self.client_address[0],
                protocol=self.request_version,
            )
            api = apis.get(service)
            status, headers, body = api.handle(request) if api else Refusal.forbidden().answer()
            self.send_response(status)
            for name, values in headers.items():
                for value in values:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                # A client that hung up before its answer (a load generator stopping) gets none.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

        def __getattr__(self, name: str) -> Any:
            # Every method reaches the API, as on API Gateway: one no route has gets its 403, not
            # http.server's HTML 501.
            if name.startswith("do_"):
                return self._handle
            raise AttributeError(name)

        def log_message(self, format: str, *args: Any) -> None:  # the base class's name
            """The access log above replaces http.server's."""

    class Server(ThreadingHTTPServer):
        # socketserver listens with a backlog of 5: a burst of concurrent clients would be reset.
        request_queue_size = 1024

    server = Server(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="local-api", daemon=True).start()
    return server
