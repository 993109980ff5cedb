"""The GitHub calls of the workflows: the sticky plan comments and the drift issues.

    python -m scripts.github_api plan-comments --repo OWNER/NAME --head-sha SHA --dir DIR
    python -m scripts.github_api drift-issue --repo OWNER/NAME --env ENV (--body FILE | --resolved)

`plan-comments` posts what the plan workflow rendered (DIR holds `pr-number` and one
`comment-<env>.md` per environment). It runs in a workflow of the default branch with a token
that may write, on files a pull request's workflow produced, so it trusts none of them: it posts
only while the pull request's head is still SHA (after a newer push it leaves the posting to that
push's run), the environment name must be a plain name, the marker is rebuilt from it, and the
body is cut to GitHub's limit. Each environment's comment is found again
by its marker and updated; there is never a second one.

`drift-issue` keeps one open issue per environment (label `drift`, found by its marker): opened or
updated with the report while there is drift, closed with a comment once there is none.

The token is GITHUB_TOKEN; the API is GITHUB_API_URL (set on Actions, https://api.github.com
otherwise).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.plan_comment import COMMENT_LIMIT, marker

ENV_NAME = re.compile(r"[a-z][a-z0-9-]{0,31}")
DRIFT_LABEL = "drift"
NEXT_PAGE = re.compile(r'<([^>]+)>;\s*rel="next"')
TIMEOUT = 30


class GitHubError(Exception):
    """A call GitHub refused, with what it said."""


def drift_marker(env: str) -> str:
    return f"<!-- splitstack:drift:{env} -->"


@dataclass(frozen=True)
class GitHub:
    """The REST API of one repository."""

    repo: str
    token: str
    api_url: str = "https://api.github.com"

    @classmethod
    def from_environment(cls, repo: str) -> GitHub:
        token = os.environ.get("GITHUB_TOKEN", "")
        if not token:
            raise GitHubError("GITHUB_TOKEN is not set: pass the workflow's token as GITHUB_TOKEN")
        return cls(repo=repo, token=token, api_url=os.environ.get("GITHUB_API_URL", cls.api_url))

    def _call(self, method: str, url: str, body: dict[str, Any] | None = None) -> tuple[Any, str]:
        request = urllib.request.Request(  # noqa: S310 (the URL is the API base, https on Actions)
            url,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={
                "Accept": "application/vnd.github+json",
                "Authorization": f"Bearer {self.token}",
                "X-GitHub-Api-Version": "2022-11-28",
                "Content-Type": "application/json",
                "User-Agent": "splitstack-workflows",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
                raw = response.read()
                return (json.loads(raw) if raw else None), response.headers.get("Link", "")
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")
            with contextlib.suppress(json.JSONDecodeError, AttributeError):
                detail = json.loads(detail).get("message", detail)
            hint = " (the job's token needs `permissions:` for this call)" if error.code in (401, 403) else ""
            raise GitHubError(f"{method} {url}: {error.code} {detail}{hint}") from None

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        return self._call(method, f"{self.api_url.rstrip('/')}/repos/{self.repo}/{path}", body)[0]

    def pages(self, path: str, **query: str) -> Iterator[dict[str, Any]]:
        """Every item of a listing, following the Link header from page to page."""
        url: str | None = f"{self.api_url.rstrip('/')}/repos/{self.repo}/{path}?" + urllib.parse.urlencode(
            {"per_page": "100", **query}
        )
        while url:
            items, link = self._call("GET", url)
            yield from items
            found = NEXT_PAGE.search(link)
            url = found.group(1) if found else None

    def upsert_comment(self, number: int, body: str) -> str:
        """Update the comment that starts with the body's marker line, or create it. Returns
        "updated" or "created"."""
        first_line = body.split("\n", 1)[0]
        for comment in self.pages(f"issues/{number}/comments"):
            if (comment.get("body") or "").startswith(first_line):
                self.call("PATCH", f"issues/comments/{comment['id']}", {"body": body})
                return "updated"
        self.call("POST", f"issues/{number}/comments", {"body": body})
        return "created"

    def pull_request_head(self, number: int) -> str:
        head: str = self.call("GET", f"pulls/{number}")["head"]["sha"]
        return head

    def drift_issue(self, env: str) -> dict[str, Any] | None:
        for issue in self.pages("issues", state="open", labels=DRIFT_LABEL):
            if "pull_request" not in issue and (issue.get("body") or "").startswith(drift_marker(env)):
                return issue
        return None

    def sync_drift_issue(self, env: str, report: str | None) -> str:
        """Open or update the environment's drift issue with the report; close it when the report
        is None. Returns what was done."""
        issue = self.drift_issue(env)
        if report is None:
            if issue is None:
                return "no drift, no issue"
            self.call(
                "POST",
                f"issues/{issue['number']}/comments",
                {"body": f"No drift in {env} any more: closing."},
            )
            self.call("PATCH", f"issues/{issue['number']}", {"state": "closed", "state_reason": "completed"})
            return f"closed #{issue['number']}"
        body = f"{drift_marker(env)}\n{report}"
        if issue is None:
            created = self.call(
                "POST", "issues", {"title": f"Drift in {env}", "body": body, "labels": [DRIFT_LABEL]}
            )
            return f"opened #{created['number']}"
        self.call("PATCH", f"issues/{issue['number']}", {"body": body})
        return f"updated #{issue['number']}"


def trusted_comment(env: str, body: str) -> str:
    """A body from an untrusted file, made safe to post: its own marker first, within the limit."""
    lines = body.split("\n")
    if lines and lines[0].startswith("<!-- splitstack:"):
        lines = lines[1:]
    text = "\n".join([marker(env), *lines])
    cut = "\n\n… (cut to GitHub's comment limit)\n"
    if len(text.encode()) > COMMENT_LIMIT:
        text = text.encode()[: COMMENT_LIMIT - len(cut.encode())].decode(errors="ignore") + cut
    return text


def post_plan_comments(github: GitHub, directory: Path, head_sha: str) -> list[str]:
    """Post the rendered comments of one run of the plan workflow to its pull request."""
    number_file = directory / "pr-number"
    try:
        number = int(number_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        raise GitHubError(f"{number_file} does not hold a pull request number") from None
    head = github.pull_request_head(number)
    if head != head_sha:
        # A newer push: its own plan run posts. Nothing planned for an older commit is posted.
        return [f"#{number} has moved on from {head_sha[:12]} to {head[:12]}: its newer plan run posts"]
    done = []
    for path in sorted(directory.glob("comment-*.md")):
        env = path.stem.removeprefix("comment-")
        if not ENV_NAME.fullmatch(env):
            raise GitHubError(f"{path.name}: {env!r} is not an environment name")
        outcome = github.upsert_comment(number, trusted_comment(env, path.read_text(errors="replace")))
        done.append(f"{env}: comment {outcome} on #{number}")
    if not done:
        raise GitHubError(f"no comment-<env>.md in {directory}")
    return done


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", required=True, help="owner/name (GITHUB_REPOSITORY on Actions)")
    commands = parser.add_subparsers(dest="command", required=True)
    comments = commands.add_parser("plan-comments", help="post the plan workflow's comments")
    comments.add_argument("--dir", type=Path, required=True, help="the downloaded comment artifacts")
    comments.add_argument("--head-sha", required=True, help="the commit the plan workflow ran on")
    drift = commands.add_parser("drift-issue", help="open, update or close an environment's drift issue")
    drift.add_argument("--env", required=True)
    report = drift.add_mutually_exclusive_group(required=True)
    report.add_argument("--body", type=Path, help="the drift report (markdown)")
    report.add_argument("--resolved", action="store_true", help="there is no drift: close the issue")
    args = parser.parse_args(None if argv is None else list(argv))

    try:
        github = GitHub.from_environment(args.repo)
        if args.command == "plan-comments":
            done = post_plan_comments(github, args.dir, args.head_sha)
        else:
            done = [github.sync_drift_issue(args.env, None if args.resolved else args.body.read_text())]
    except (GitHubError, OSError) as error:
        sys.exit(f"error: {error}")
    print("\n".join(done))


if __name__ == "__main__":
    main()
