"""One pull-request comment per environment from a Terraform plan and the SAM change set.

    python -m scripts.plan_comment plan --env dev --plan-json plan.json --plan-text plan.txt \\
        [--change-set STACK=change-set.json ...] [--change-set-error STACK=sam.log ...] \\
        [--run-url URL] --out comment.md
    python -m scripts.plan_comment failed --env dev --log plan.log [--run-url URL] --out comment.md
    python -m scripts.plan_comment fork --env dev --out comment.md

The comment opens with a marker (`<!-- splitstack:plan:dev -->`) by which the next run finds it
and updates it, then a one-line verdict and the counts per action, destroys and replaces first.
It stays within GitHub's 65,536-character limit whatever the plan: the full plan text is cut
first, then the list of changes, and the comment says where the rest is (the job summary and the
`plan-<env>` artifact). `--limit` renders the same for another budget (the job summary's).

Every input is a file: a plan can be megabytes, past what an environment variable or an argument
list holds.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# GitHub rejects a comment body over 65,536 characters. Sizes are counted in UTF-8 bytes, which is
# never fewer than the characters GitHub counts, so a body within the limit in bytes is accepted.
COMMENT_LIMIT = 65_536
# A step's job summary holds up to 1 MiB.
SUMMARY_LIMIT = 1_000_000
# Under this much room the full plan text is left out rather than shown as a stub.
MIN_FULL_TEXT = 2_000
ERROR_TAIL_LINES = 80
ERROR_TAIL_CHARS = 20_000

# Order of the counts: what loses data first.
ACTIONS = ("destroy", "replace", "create", "update")
SYMBOLS = {"destroy": "-", "replace": "-/+", "create": "+", "update": "~", "forget": "⊘"}
DESTROY_REASONS = {
    "delete_because_no_resource_config": "removed from the configuration",
    "delete_because_no_module": "its module was removed",
    "delete_because_count_index": "count no longer reaches it",
    "delete_because_each_key": "for_each no longer has its key",
    "delete_because_wrong_repetition": "count and for_each were swapped",
    "delete_because_no_move_target": "its moved block has no target",
}
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def marker(env: str) -> str:
    """The hidden first line by which the comment of an environment is found again."""
    return f"<!-- splitstack:plan:{env} -->"


def size(text: str) -> int:
    return len(text.encode())


@dataclass(frozen=True)
class Change:
    address: str
    module: str
    action: str
    reason: str

    @property
    def local_address(self) -> str:
        """The address inside its module."""
        return self.address.removeprefix(f"{self.module}.") if self.module else self.address


def _action(actions: Sequence[str]) -> str | None:
    match list(actions):
        case ["create"]:
            return "create"
        case ["update"]:
            return "update"
        case ["delete"]:
            return "destroy"
        case ["delete", "create"] | ["create", "delete"]:
            return "replace"
        case ["forget"]:
            return "forget"
        case _:  # no-op, read
            return None


def _path(path: Sequence[Any]) -> str:
    return ".".join(str(step) for step in path)


REPLACE_REASONS = {
    "replace_because_tainted": "tainted",
    "replace_by_request": "replacement requested (-replace)",
    "replace_by_triggers": "replace_triggered_by",
}


def _reason(resource: dict[str, Any], action: str) -> str:
    reason = resource.get("action_reason", "")
    if action == "replace":
        paths = resource["change"].get("replace_paths") or []
        if reason not in REPLACE_REASONS and paths:
            return ", ".join(f"`{_path(path)}`" for path in paths) + " cannot change in place"
        return REPLACE_REASONS.get(reason, "")
    if action == "destroy":
        return DESTROY_REASONS.get(reason, "")
    if action == "forget":
        return "removed from the state, not destroyed"
    return ""


def changes(plan: dict[str, Any]) -> list[Change]:
    """The managed resources the plan changes, in the plan's order."""
    found = []
    for resource in plan.get("resource_changes", []):
        if resource.get("mode") == "data":
            continue
        action = _action(resource["change"]["actions"])
        if action is None:
            continue
        found.append(
            Change(
                address=resource["address"],
                module=resource.get("module_address", ""),
                action=action,
                reason=_reason(resource, action),
            )
        )
    return found


def changed_outside(plan: dict[str, Any]) -> list[str]:
    """Resources changed outside Terraform that the plan changes back. (resource_drift also holds
    changes to attributes the configuration does not set, which Terraform takes as they are.)"""
    planned = {change.address for change in changes(plan)}
    return [d["address"] for d in plan.get("resource_drift", []) if d["address"] in planned]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count:,} {word}s"


def counts_phrase(counts: Counter[str]) -> str:
    parts = [f"{counts[action]} to {action}" for action in (*ACTIONS, "forget") if counts[action]]
    return ", ".join(parts)


def verdict(env: str, found: Sequence[Change], drifted: int) -> str:
    counts = Counter(change.action for change in found)
    if not found:
        line = f":white_check_mark: **{env}: no changes.** The infrastructure matches the configuration."
    elif counts["destroy"] or counts["replace"]:
        lost = [
            f"{verb} {counts[action]}"
            for action, verb in (("destroy", "destroys"), ("replace", "replaces"))
            if counts[action]
        ]
        line = (
            f":no_entry: **{env}: this plan {' and '.join(lost)} of its resources.** Read them first, below."
        )
    else:
        line = f":green_circle: **{env}: {counts_phrase(counts)}.** Nothing is destroyed or replaced."
    if drifted:
        line += f" {_plural(drifted, 'resource')} changed outside Terraform since the last apply."
    return line


def counts_table(found: Sequence[Change]) -> list[str]:
    counts = Counter(change.action for change in found)
    columns = [*ACTIONS, *(["forget"] if counts["forget"] else [])]
    return [
        "| " + " | ".join(columns) + " |",
        "|" + "---:|" * len(columns),
        "| "
        + " | ".join(
            f"**{counts[a]}**" if counts[a] and a in ("destroy", "replace") else str(counts[a])
            for a in columns
        )
        + " |",
    ]


def _item(change: Change, address: str) -> str:
    reason = f" — {change.reason}" if change.reason else ""
    return f"- `{SYMBOLS[change.action]}` `{address}`{reason}"


def alert_lines(found: Sequence[Change]) -> list[str]:
    """Destroys and replaces, loudly, before anything else."""
    risky = [c for c in found if c.action in ("destroy", "replace")]
    risky.sort(key=lambda c: ACTIONS.index(c.action))
    return ["> [!CAUTION]", *(f"> {_item(change, change.address)}" for change in risky)] if risky else []


def module_lines(found: Sequence[Change]) -> list[str]:
    """The changes grouped by module, the root module first, each group in action order."""
    by_module: dict[str, list[Change]] = defaultdict(list)
    for change in found:
        by_module[change.module].append(change)
    lines: list[str] = []
    for module in sorted(by_module):
        group = sorted(by_module[module], key=lambda c: ((*ACTIONS, "forget").index(c.action), c.address))
        summary = counts_phrase(Counter(change.action for change in group))
        lines += ["", f"**`{module or 'root module'}`** — {summary}", ""]
        lines += [_item(change, change.local_address) for change in group]
    return lines


def change_set_lines(change_set: dict[str, Any] | None, error: str | None, stack: str) -> list[str]:
    """The SAM stack's change set: what CloudFormation would do, removals and replacements first."""
    title = f"#### SAM change set · `{stack}`"
    if error is not None:
        return [
            title,
            "",
            ":x: **`sam deploy --no-execute-changeset` failed.** The end of its output:",
            *_fenced(error),
        ]
    if change_set is None:
        return []
    resource_changes = [entry["ResourceChange"] for entry in change_set.get("Changes", [])]
    if not resource_changes:
        reason = change_set.get("StatusReason") or "the template and its parameters match the stack"
        return [title, "", f":white_check_mark: No changes to the stack: {reason}"]

    def weight(rc: dict[str, Any]) -> tuple[int, str]:
        order = 0 if rc.get("Action") == "Remove" else 1 if rc.get("Replacement") == "True" else 2
        return order, rc.get("LogicalResourceId", "")

    rows = []
    for rc in sorted(resource_changes, key=weight):
        replacement = rc.get("Replacement", "")
        loud = rc.get("Action") == "Remove" or replacement == "True"
        action = f"**{rc.get('Action', '')}**" if loud else rc.get("Action", "")
        logical_id, kind = rc.get("LogicalResourceId", ""), rc.get("ResourceType", "")
        rows.append(f"| {action} | `{logical_id}` | `{kind}` | {replacement or '—'} |")
    counts = Counter(rc.get("Action", "") for rc in resource_changes)
    summary = ", ".join(f"{n} {action.lower()}" for action, n in sorted(counts.items()))
    return [
        title,
        "",
        f"{_plural(len(rows), 'resource')} change ({summary}).",
        "",
        "| Action | Logical ID | Type | Replacement |",
        "|---|---|---|---|",
        *rows,
    ]


def _fence(text: str) -> str:
    """A code fence longer than any run of backticks in the text, so the text cannot close it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _fenced(text: str, language: str = "text") -> list[str]:
    fence = _fence(text)
    return [f"{fence}{language}", text.rstrip("\n"), fence]


def fit_lines(lines: Sequence[str], budget: int, more: str) -> list[str]:
    """As many leading lines as fit in the budget, then a line saying how many were left out."""
    if size("\n".join(lines)) <= budget:
        return list(lines)
    kept: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        note = f"- … {len(lines) - index} more lines of this list: {more}"
        if used + size(line) + 1 + size(note) > budget:
            return [*kept, note] if size(note) <= budget else []
        kept.append(line)
        used += size(line) + 1
    return kept


def full_text_block(text: str, budget: int, where: str) -> list[str]:
    """The plan text in a collapsed block; when it does not fit, its head and where the rest is."""
    text = ANSI.sub("", text).rstrip("\n")
    lines = text.splitlines()
    fence = _fence(text)
    total = _plural(len(lines), "line")

    def block(shown: list[str], summary: str, *after: str) -> list[str]:
        return [
            f"<details><summary>{summary}</summary>",
            "",
            f"{fence}text",
            *shown,
            *after,
            fence,
            "</details>",
        ]

    whole = block(lines, f"Full plan ({total})")
    if size("\n".join(whole)) <= budget:
        return whole
    notice = [f"The full plan ({total}, {size(text):,} bytes) does not fit: {where}.", ""]
    # The frame with the longest numbers it can hold, so that what is kept fits with it.
    frame = [
        *notice,
        *block([], f"Full plan (first {len(lines):,} of {total})", f"… {len(lines):,} more lines: {where}."),
    ]
    room = budget - size("\n".join(frame)) - 1
    if room < MIN_FULL_TEXT:
        return notice[:1]
    kept: list[str] = []
    used = 0
    for line in lines:
        if used + size(line) + 1 > room:
            break
        kept.append(line)
        used += size(line) + 1
    summary = f"Full plan (first {len(kept):,} of {total})"
    return [*notice, *block(kept, summary, f"… {len(lines) - len(kept):,} more lines: {where}.")]


@dataclass(frozen=True)
class Where:
    """Where the parts left out of a comment are, and what the comment footer links."""

    env: str
    run_url: str | None = None
    commit: str | None = None

    @property
    def rest(self) -> str:
        summary = f"[the job summary]({self.run_url})" if self.run_url else "the job summary"
        return f"see {summary} and the artifact `plan-{self.env}`"

    def footer(self) -> list[str]:
        parts = [
            f"commit `{self.commit[:12]}`" if self.commit else "",
            f"[workflow run]({self.run_url})" if self.run_url else "",
        ]
        shown = " · ".join(part for part in parts if part)
        return [f"<sub>{shown}</sub>"] if shown else []


def join(*sections: Sequence[str]) -> str:
    """Sections of lines, a blank line between two sections."""
    return "\n\n".join("\n".join(section) for section in sections if section) + "\n"


def render_plan(
    env: str,
    plan: dict[str, Any],
    plan_text: str,
    *,
    stack_section: list[str],
    where: Where,
    limit: int = COMMENT_LIMIT,
) -> str:
    """The comment for a plan, within `limit` bytes: cuts the full text, then the lists."""
    found = changes(plan)
    drifted = len(changed_outside(plan))
    head = [marker(env), f"### Terraform plan · {env}", "", verdict(env, found, drifted)]
    if found:
        head += ["", *counts_table(found)]
    lists = {
        "alerts": alert_lines(found),
        "stack": stack_section,
        "modules": ["#### Changes by module", *module_lines(found)] if found else [],
    }
    footer = where.footer()
    # join() of n sections is at most the sum of each one's join() plus n - 1 bytes.
    fixed = size(join(head)) + size(join(footer)) + 5
    full = full_text_block(plan_text, limit - fixed - size(join(*lists.values())) - 3, where.rest)
    room = limit - fixed - size(join(full)) - 3
    # The lists give way in this order once the full text is gone: by module, the SAM table, the alerts.
    for name in ("modules", "stack", "alerts"):
        over = size(join(*lists.values())) - room
        if over <= 0:
            break
        lists[name] = fit_lines(lists[name], max(0, size(join(lists[name])) - over), where.rest)
    return join(head, lists["alerts"], lists["stack"], lists["modules"], full, footer)


def render_failed(env: str, log: str, where: Where) -> str:
    """The comment for a plan that did not finish: the end of its output."""
    lines = ANSI.sub("", log).rstrip("\n").splitlines()[-ERROR_TAIL_LINES:]
    tail = "\n".join(lines)[-ERROR_TAIL_CHARS:]
    body = [
        marker(env),
        f"### Terraform plan · {env}",
        "",
        f":x: **{env}: the plan failed.** Nothing was planned. The end of its output follows; {where.rest}.",
        "",
        *_fenced(tail),
    ]
    return join(body, where.footer())


def render_fork(env: str) -> str:
    """The comment for a pull request from a fork, which gets no AWS credentials."""
    body = [
        marker(env),
        f"### Terraform plan · {env}",
        "",
        f":information_source: **{env}: no plan for a pull request from a fork.** GitHub gives the workflows "
        "of fork pull requests no OIDC token, so they cannot reach AWS; this is not a failure of the change.",
        "",
        "A maintainer who has read the change can push its branch to this repository; "
        "the plan then appears here in place of this note.",
    ]
    return "\n".join(body) + "\n"


def _read_json(path: Path) -> dict[str, Any]:
    try:
        document: dict[str, Any] = json.loads(path.read_text())
    except FileNotFoundError:
        sys.exit(f"{path} not found: pass the output of `terraform show -json` / `describe-change-set`")
    except json.JSONDecodeError as error:
        sys.exit(
            f"{path} is not JSON ({error}): pass the output of `terraform show -json` / `describe-change-set`"
        )
    return document


def _read_text(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except FileNotFoundError:
        sys.exit(f"{path} not found")


def _stack_and_file(argument: str) -> tuple[str, Path]:
    stack, separator, path = argument.partition("=")
    if not separator or not stack or not path:
        sys.exit(
            f"{argument!r}: name the stack and the file, STACK=FILE"
            " (e.g. <app>-dev-<service>=change-set.json)"
        )
    return stack, Path(path)


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    plan = commands.add_parser("plan", help="a plan that finished")
    plan.add_argument("--plan-json", type=Path, required=True, help="terraform show -json of the plan")
    plan.add_argument("--plan-text", type=Path, required=True, help="terraform show -no-color of the plan")
    plan.add_argument(
        "--change-set",
        action="append",
        default=[],
        metavar="STACK=FILE",
        help="a service stack's `aws cloudformation describe-change-set` output; once per service",
    )
    plan.add_argument(
        "--change-set-error",
        action="append",
        default=[],
        metavar="STACK=FILE",
        help="the output of a service's `sam deploy` that failed; once per service",
    )
    plan.add_argument("--limit", type=int, default=COMMENT_LIMIT, help="size budget in bytes")
    failed = commands.add_parser("failed", help="a plan that failed")
    failed.add_argument("--log", type=Path, required=True, help="the output of terraform plan")
    commands.add_parser("fork", help="a pull request from a fork")
    for command in (plan, failed, commands.choices["fork"]):
        command.add_argument("--env", required=True, help="the environment planned")
        command.add_argument("--out", type=Path, required=True, help="where to write the comment")
        command.add_argument("--run-url", help="the workflow run, linked from the comment")
        command.add_argument("--commit", help="the commit planned")
    args = parser.parse_args(None if argv is None else list(argv))
    where = Where(env=args.env, run_url=args.run_url, commit=args.commit)

    if args.command == "plan":
        sections: dict[str, list[str]] = {}
        for stack, path in map(_stack_and_file, args.change_set):
            sections[stack] = change_set_lines(_read_json(path), None, stack)
        for stack, path in map(_stack_and_file, args.change_set_error):
            sections[stack] = change_set_lines(None, _read_text(path), stack)
        stack_section = [line for stack in sorted(sections) for line in ["", *sections[stack]]][1:]
        body = render_plan(
            args.env,
            _read_json(args.plan_json),
            _read_text(args.plan_text),
            stack_section=stack_section,
            where=where,
            limit=args.limit,
        )
    elif args.command == "failed":
        body = render_failed(args.env, _read_text(args.log), where)
    else:
        body = render_fork(args.env)
    args.out.write_text(body)


if __name__ == "__main__":
    main()
