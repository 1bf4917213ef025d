"""``dorisctl cluster check|deploy|display|retry|list``: a client of the manager's REST API (so the
web page shows the same processes). The topology file is read and validated here first (errors
name the line and field), the ssh key and meta-service token files are read here and sent with
it. ``deploy`` and ``retry`` follow the process live (a redrawn table on a terminal, one line per
change otherwise) and exit non-zero naming the failed task and the command to resume."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, TextIO

from .preflight import CHECKS
from .topology import TopologyError, load_yaml, parse

POLL_S = 0.5
MARK = {"pass": "ok", "warn": "WARN", "fail": "FAIL", "skipped": "skipped"}


class CliError(Exception):
    pass


class Client:
    def __init__(self, url: str, token: str) -> None:
        self.url = url.rstrip("/")
        self.token = token

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, dict[str, Any]]:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Authorization", f"Bearer {self.token}")
        req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=600) as resp:
                return resp.status, json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as e:
            try:
                return e.code, json.loads(e.read() or b"{}")
            except ValueError:
                raise CliError(f"manager answered HTTP {e.code} for {path}") from None
        except (urllib.error.URLError, OSError) as e:
            raise CliError(f"cannot reach the manager at {self.url}: {getattr(e, 'reason', e)}") from None

    def ok(self, method: str, path: str, body: Any = None) -> Any:
        _status, out = self.call(method, path, body)
        if out.get("code") != 0:
            raise CliError(str(out.get("msg")))
        return out.get("data")


def read_topology(path: str) -> dict[str, Any]:
    """The topology file as the JSON document the REST API takes, with the key and token inlined."""
    try:
        text = Path(path).read_text()
    except OSError as e:
        raise CliError(f"cannot read {path}: {e.strerror}") from None
    data, lines = load_yaml(text)
    parse(data, lines)  # every problem, with its line, before anything is sent
    g = data["global"]
    if g.get("ssh_key_file") and not g.get("ssh_key"):
        key = Path(str(g["ssh_key_file"])).expanduser()
        try:
            g["ssh_key"] = key.read_text()
        except OSError as e:
            raise CliError(f"global.ssh_key_file: cannot read {key}: {e.strerror}") from None
    ms = data.get("meta_service")
    if isinstance(ms, dict) and ms.get("token_file") and not ms.get("token"):
        tf = Path(str(ms["token_file"])).expanduser()
        try:
            ms["token"] = tf.read_text().strip()
        except OSError as e:
            raise CliError(f"meta_service.token_file: cannot read {tf}: {e.strerror}") from None
    return dict(data)


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines)


def checks_table(checks: list[dict[str, Any]]) -> str:
    rows = [
        [c["host"], c["check"], MARK.get(c["status"], c["status"]), c["detail"], c.get("fix") or ""] for c in checks
    ]
    return table(rows, ["HOST", "CHECK", "RESULT", "DETAIL", "FIX"])


# -- live progress -------------------------------------------------------------------------------------
def _task_rows(view: dict[str, Any]) -> list[list[str]]:
    rows = []
    for step in (view.get("process") or {}).get("steps", []):
        for t in step["tasks"]:
            state = "SKIPPED" if t.get("skip") == "YES" else t["status"]
            rows.append([step["step"], t["taskType"], t["host"], state, (t.get("result") or "")[:80]])
    return rows


def follow(client: Client, name: str, out: TextIO, tty: bool) -> int:
    """Until the process finishes (0) or stops on failed tasks with nothing else running (1)."""
    seen: dict[tuple[str, str, str], str] = {}
    drawn = 0
    while True:
        view = client.ok("GET", f"/api/cluster/{name}")
        p = view.get("process") or {}
        rows = _task_rows(view)
        if tty:
            if drawn:
                out.write(f"\x1b[{drawn}F\x1b[J")
            text = (
                table(rows, ["STEP", "TASK", "HOST", "STATE", "RESULT"])
                + f"\nprocess {p.get('id')}: {p.get('processType')}\n"
            )
            out.write(text)
            drawn = text.count("\n")
        else:
            for r in rows:
                key = (r[0], r[1], r[2])
                if seen.get(key) != r[3]:
                    seen[key] = r[3]
                    out.write(f"{r[0]:<15} {r[1]:<18} {r[2]:<16} {r[3]}{'  ' + r[4] if r[4] else ''}\n")
        out.flush()
        if p.get("finish") == "YES":
            if p.get("status") == "SUCCESS":
                out.write(f"cluster {name} deployed\n")
                return 0
            out.write(f"process {p.get('id')} of cluster {name} ended {p.get('status')}\n")
            return 1
        current = [r for r in rows if r[0] == p.get("processType")]
        failed = [r for r in current if r[3] == "FAILURE"]
        if failed and not any(r[3] in ("SUBMITTED", "RUNNING") for r in current):
            for r in failed:
                out.write(f"FAILED: {r[1]} on {r[2]}: {r[4]}\n")
            out.write(f"fix the cause, then resume with: dorisctl cluster retry {name}\n")
            return 1
        time.sleep(POLL_S)


# -- commands --------------------------------------------------------------------------------------------
def _client(args: argparse.Namespace) -> Client:
    token = args.token or os.environ.get("DORISCTL_MANAGER_TOKEN")
    if not token:
        path = Path(args.data_dir) / "manager-token"
        try:
            token = path.read_text().strip()
        except OSError:
            raise CliError(f"no manager token: pass --token, set DORISCTL_MANAGER_TOKEN or keep {path}") from None
    return Client(args.manager, token)


def cmd_check(args: argparse.Namespace) -> int:
    doc = read_topology(args.topology)
    client = _client(args)
    data = client.ok("POST", "/api/cluster/check", {"topology": doc, "skipChecks": args.skip_check})
    print(checks_table(data["checks"]))
    bad = [c for c in data["checks"] if c["status"] == "fail"]
    print(f"\n{len(bad)} check(s) failed" if bad else "\nall checks passed")
    return 1 if bad else 0


def cmd_deploy(args: argparse.Namespace) -> int:
    doc = read_topology(args.topology)
    client = _client(args)
    _status, out = client.call(
        "POST", "/api/cluster/deploy", {"name": args.name, "topology": doc, "skipChecks": args.skip_check}
    )
    if out.get("code") != 0:
        checks = (out.get("data") or {}).get("checks")
        if checks:
            print(checks_table(checks))
        print(f"deploy refused: {out.get('msg')}", file=sys.stderr)
        return 1
    print(f"cluster {args.name}: process {out['data']['processId']} started")
    return follow(client, args.name, sys.stdout, sys.stdout.isatty())


def cmd_retry(args: argparse.Namespace) -> int:
    client = _client(args)
    data = client.ok("POST", f"/api/cluster/{args.name}/retry")
    print(f"cluster {args.name}: retrying {len(data['retried'])} task(s) of process {data['processId']}")
    return follow(client, args.name, sys.stdout, sys.stdout.isatty())


def cmd_display(args: argparse.Namespace) -> int:
    d = _client(args).ok("GET", f"/api/cluster/{args.name}/display")
    cloud = d["deployMode"] == "cloud"
    header = ["ID", "ROLE", "HOST", "PORTS", "AGENT", "PROCESS", "DORIS"] + (["META-SERVICE"] if cloud else [])
    rows = []
    for n in d["nodes"]:
        role = n["role"] + (f" ({n['feType'].lower()})" if n.get("feType") else "")
        row = [n["id"], role, n["host"], n["ports"], n["agent"], n["process"], n["doris"]]
        rows.append(row + ([n.get("metaService", "-")] if cloud else []))
    mode = f"cloud, instance {d['instanceId']}" if cloud else "integrated"
    print(f"cluster {d['name']} ({mode})")
    print(table(rows, header))
    for key in ("dorisError", "metaServiceError"):
        if d.get(key):
            print(f"note: {d[key]}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    rows = [
        [c["name"], c["deployMode"], str(c["processId"]), c["processType"] or "-", c["status"] or "-"]
        for c in _client(args).ok("GET", "/api/cluster")
    ]
    print(table(rows, ["NAME", "MODE", "PROCESS", "STEP", "STATUS"]))
    return 0


def add_cluster_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("cluster", help="deploy and inspect Doris clusters from a topology file")
    sub = p.add_subparsers(dest="cluster_command", required=True)

    def common(q: argparse.ArgumentParser) -> None:
        q.add_argument("--manager", default="http://127.0.0.1:9601", help="manager URL (default the local one)")
        q.add_argument("--token", default=None, help="manager token (default DORISCTL_MANAGER_TOKEN, data dir)")
        q.add_argument("--data-dir", default="./data", help="where manager-token is (default ./data)")

    def skip(q: argparse.ArgumentParser) -> None:
        q.add_argument(
            "--skip-check",
            action="append",
            default=[],
            choices=CHECKS,
            metavar="NAME",
            help=f"turn a failing check into a warning (repeatable): {', '.join(CHECKS)}",
        )

    q = sub.add_parser("check", help="run the preflight checks of a topology")
    q.add_argument("topology")
    common(q)
    skip(q)
    q.set_defaults(cluster_func=cmd_check)
    q = sub.add_parser("deploy", help="check, then deploy a cluster and follow its progress")
    q.add_argument("name")
    q.add_argument("topology")
    common(q)
    skip(q)
    q.set_defaults(cluster_func=cmd_deploy)
    q = sub.add_parser("retry", help="retry the failed tasks of a deploy and follow it again")
    q.add_argument("name")
    common(q)
    q.set_defaults(cluster_func=cmd_retry)
    q = sub.add_parser("display", help="every node of a cluster and its state")
    q.add_argument("name")
    common(q)
    q.set_defaults(cluster_func=cmd_display)
    q = sub.add_parser("list", help="the clusters this manager deployed")
    common(q)
    q.set_defaults(cluster_func=cmd_list)
    p.set_defaults(func=run_cluster)


def run_cluster(args: argparse.Namespace) -> int:
    try:
        rc: int = args.cluster_func(args)
        return rc
    except TopologyError as e:
        print(f"{args.topology}: {e}", file=sys.stderr)
        return 2
    except CliError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
