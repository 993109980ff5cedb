"""The GitHub calls, against a local HTTP server that answers as the GitHub REST API does."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from scripts import github_api
from scripts.github_api import GitHub, GitHubError, post_plan_comments
from scripts.plan_comment import COMMENT_LIMIT

REPO = "example/splitstack"
TOKEN = "ghs_test-token"  # noqa: S105 (what the fake server accepts)
HEAD = "a" * 40


@dataclass
class FakeGitHub:
    """Issues, pull requests and comments of one repository, in memory."""

    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    issues: list[dict[str, Any]] = field(default_factory=list)
    pulls: dict[int, str] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    next_id: int = 1000

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def handle(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any, str]:  # noqa: PLR0911
        base = f"/repos/{REPO}/"
        if not path.startswith(base):
            return 404, {"message": "Not Found"}, ""
        route = path.removeprefix(base)
        if match := re.fullmatch(r"issues/(\d+)/comments", route):
            thread = self.comments.setdefault(int(match.group(1)), [])
            if method == "GET":
                return self.page(path, thread, query)
            comment = {"id": self.new_id(), "body": body["body"]}
            thread.append(comment)
            return 201, comment, ""
        if match := re.fullmatch(r"issues/comments/(\d+)", route):
            for thread in self.comments.values():
                for comment in thread:
                    if comment["id"] == int(match.group(1)):
                        comment["body"] = body["body"]
                        return 200, comment, ""
            return 404, {"message": "Not Found"}, ""
        if match := re.fullmatch(r"pulls/(\d+)", route):
            number = int(match.group(1))
            if number not in self.pulls:
                return 404, {"message": "Not Found"}, ""
            return 200, {"number": number, "head": {"sha": self.pulls[number]}}, ""
        if route == "issues" and method == "GET":
            label = query.get("labels")
            found = [
                i for i in self.issues if i["state"] == query.get("state", "open") and label in i["labels"]
            ]
            return self.page(path, found, query)
        if route == "issues" and method == "POST":
            issue = {"number": self.new_id(), "state": "open", "title": body["title"], "body": body["body"]}
            issue["labels"] = body.get("labels", [])
            self.issues.append(issue)
            return 201, issue, ""
        if match := re.fullmatch(r"issues/(\d+)", route):
            issue = next(i for i in self.issues if i["number"] == int(match.group(1)))
            issue.update(body)
            return 200, issue, ""
        return 404, {"message": "Not Found"}, ""

    @staticmethod
    def page(path: str, items: list[dict[str, Any]], query: dict[str, str]) -> tuple[int, Any, str]:
        per_page, page = int(query.get("per_page", "30")), int(query.get("page", "1"))
        chunk = items[(page - 1) * per_page : page * per_page]
        more = page * per_page < len(items)
        rest = "&".join(f"{k}={v}" for k, v in query.items() if k != "page")
        link = f'<http://127.0.0.1{path}?{rest}&page={page + 1}>; rel="next"' if more else ""
        return 200, chunk, link


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeGitHub, GitHub]]:
    fake = FakeGitHub()

    class Handler(BaseHTTPRequestHandler):
        def answer(self) -> None:
            url = urlsplit(self.path)
            query = {key: values[0] for key, values in parse_qs(url.query).items()}
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            fake.calls.append(f"{self.command} {url.path}")
            if self.headers["Authorization"] != f"Bearer {TOKEN}":
                status, payload, link = 401, {"message": "Bad credentials"}, ""
            elif self.headers["X-GitHub-Api-Version"] != "2022-11-28":
                status, payload, link = 400, {"message": "no API version"}, ""
            else:
                status, payload, link = fake.handle(self.command, url.path, query, body)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if link:
                self.send_header("Link", link.replace("http://127.0.0.1", f"http://127.0.0.1:{port}"))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = answer  # noqa: N815 (the names http.server calls)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    monkeypatch.setenv("GITHUB_API_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    try:
        yield fake, GitHub.from_environment(REPO)
    finally:
        server.shutdown()
        server.server_close()


def rendered(tmp_path: Path, number: str = "7", **comments: str) -> Path:
    directory = tmp_path / "comments"
    directory.mkdir(exist_ok=True)
    (directory / "pr-number").write_text(number)
    for env, body in comments.items():
        (directory / f"comment-{env}.md").write_text(f"<!-- splitstack:plan:{env} -->\n{body}")
    return directory


def test_the_api_base_comes_from_github_api_url(github: tuple[FakeGitHub, GitHub]) -> None:
    _, client = github
    assert client.api_url.startswith("http://127.0.0.1:")


def test_one_comment_per_environment_updated_in_place_on_the_next_push(
    github: tuple[FakeGitHub, GitHub], tmp_path: Path
) -> None:
    fake, client = github
    fake.pulls[7] = HEAD
    # Somebody else's comments first, more than a page of them: the marker is found on page 2.
    fake.comments[7] = [{"id": n, "body": f"looks good {n}"} for n in range(150)]

    first = post_plan_comments(client, rendered(tmp_path, dev="plan 1", prod="plan 1"), HEAD)
    fake.pulls[7] = "b" * 40
    second = post_plan_comments(client, rendered(tmp_path, dev="plan 2", prod="plan 2"), "b" * 40)

    assert first == ["dev: comment created on #7", "prod: comment created on #7"]
    assert second == ["dev: comment updated on #7", "prod: comment updated on #7"]
    ours = [c["body"] for c in fake.comments[7] if c["body"].startswith("<!-- splitstack:plan:")]
    assert ours == ["<!-- splitstack:plan:dev -->\nplan 2", "<!-- splitstack:plan:prod -->\nplan 2"]
    assert "GET /repos/example/splitstack/issues/7/comments" in fake.calls


def test_comments_of_an_older_commit_or_a_forged_environment_are_not_posted(
    github: tuple[FakeGitHub, GitHub], tmp_path: Path
) -> None:
    fake, client = github
    fake.pulls[7] = HEAD

    assert post_plan_comments(client, rendered(tmp_path, dev="x"), "c" * 40) == [
        f"#7 has moved on from {'c' * 12} to {'a' * 12}: its newer plan run posts"
    ]
    (tmp_path / "evil").mkdir()
    (tmp_path / "evil" / "pr-number").write_text("7")
    (tmp_path / "evil" / "comment-dev -->x.md").write_text("x")
    with pytest.raises(GitHubError, match="is not an environment name"):
        post_plan_comments(client, tmp_path / "evil", HEAD)
    with pytest.raises(GitHubError, match="does not hold a pull request number"):
        post_plan_comments(client, rendered(tmp_path, number="7; rm -rf /", dev="x"), HEAD)
    assert fake.comments.get(7, []) == []


def test_an_untrusted_body_gets_its_own_marker_and_fits(
    github: tuple[FakeGitHub, GitHub], tmp_path: Path
) -> None:
    fake, client = github
    fake.pulls[7] = HEAD
    directory = rendered(tmp_path)
    (directory / "comment-dev.md").write_text("<!-- splitstack:plan:prod -->\n" + "x" * 100_000)

    post_plan_comments(client, directory, HEAD)

    (body,) = [c["body"] for c in fake.comments[7]]
    assert body.startswith("<!-- splitstack:plan:dev -->\nxxx")
    assert len(body.encode()) <= COMMENT_LIMIT


def test_a_drift_issue_is_opened_updated_and_closed(github: tuple[FakeGitHub, GitHub]) -> None:
    fake, client = github
    fake.issues.append({"number": 1, "state": "open", "title": "other", "body": "x", "labels": ["drift"]})

    assert client.sync_drift_issue("dev", "2 resources drifted") == "opened #1001"
    assert client.sync_drift_issue("prod", "1 resource drifted") == "opened #1002"
    assert client.sync_drift_issue("dev", "3 resources drifted") == "updated #1001"
    assert client.sync_drift_issue("dev", None) == "closed #1001"
    assert client.sync_drift_issue("dev", None) == "no drift, no issue"

    dev = next(i for i in fake.issues if i["number"] == 1001)
    assert dev["state"] == "closed"
    assert dev["body"] == "<!-- splitstack:drift:dev -->\n3 resources drifted"
    assert dev["title"] == "Drift in dev"
    assert dev["labels"] == ["drift"]
    assert fake.comments[1001] == [{"id": 1003, "body": "No drift in dev any more: closing."}]
    assert next(i for i in fake.issues if i["number"] == 1002)["state"] == "open"


def test_refusals_name_the_status_and_the_permissions(
    github: tuple[FakeGitHub, GitHub],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "wrong")
    with pytest.raises(
        SystemExit, match=r"error: GET .*/pulls/7: 401 Bad credentials \(the job's token needs"
    ):
        github_api.main(
            ["--repo", REPO, "plan-comments", "--dir", str(rendered(tmp_path, dev="x")), "--head-sha", HEAD]
        )
    monkeypatch.delenv("GITHUB_TOKEN")
    with pytest.raises(SystemExit, match="GITHUB_TOKEN is not set"):
        github_api.main(["--repo", REPO, "drift-issue", "--env", "dev", "--resolved"])


def test_the_command_line_syncs_a_drift_issue_from_a_file(
    github: tuple[FakeGitHub, GitHub], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake, _ = github
    report = tmp_path / "drift.md"
    report.write_text("## Drift in dev\n")

    github_api.main(["--repo", REPO, "drift-issue", "--env", "dev", "--body", str(report)])

    assert capsys.readouterr().out == "opened #1001\n"
    assert fake.issues[0]["body"] == "<!-- splitstack:drift:dev -->\n## Drift in dev\n"
