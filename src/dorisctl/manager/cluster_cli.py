"""``dorisctl cluster check|deploy|display|retry|list`` and the lifecycle commands (stop, start,
restart, reload, upgrade, rollback, scale-out, scale-in, destroy, cancel): a client of the
manager's REST API (so the web page shows the same processes). The topology file is read and
validated here first (errors name the line and field), the ssh key and meta-service token files
are read here and sent with it. Every command that starts a process follows it live (a redrawn
table on a terminal, one line per change otherwise) and exits non-zero naming the failed task and
the command to resume."""

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
NODE_HELP = "a node as ALTER SYSTEM names it: FE edit_log_port, BE heartbeat port, broker IPC port"
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


def follow(client: Client, name: str, out: TextIO, tty: bool, done: str = "deployed") -> int:
    """Until the process finishes (0) or stops on failed tasks with nothing else running (1)."""
    seen: dict[tuple[str, str, str], str] = {}
    drawn = 0
    while True:
        status, out_ = client.call("GET", f"/api/cluster/{name}")
        if status == 404 and done == "destroyed":  # only a finished destroy removes the cluster
            out.write(f"cluster {name} destroyed\n")
            return 0
        if out_.get("code") != 0:
            raise CliError(str(out_.get("msg")))
        view = out_.get("data") or {}
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
                out.write(f"cluster {name} {DONE.get(str(p.get('kind')), done)}\n")
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
    header = ["ID", "ROLE", "HOST", "PORTS", "AGENT", "PROCESS", "DORIS", "VERSION"]
    header += ["META-SERVICE"] if cloud else []
    rows = []
    for n in d["nodes"]:
        role = n["role"] + (f" ({n['feType'].lower()})" if n.get("feType") else "")
        row = [n["id"], role, n["host"], n["ports"], n["agent"], n["process"], n["doris"], n.get("version", "-")]
        rows.append(row + ([n.get("metaService", "-")] if cloud else []))
    mode = f"cloud, instance {d['instanceId']}" if cloud else "integrated"
    print(f"cluster {d['name']} ({mode}), package {d.get('packageUrl', '-')}")
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


# -- lifecycle operations ------------------------------------------------------------------------------
DONE = {
    "stop": "stopped",
    "start": "started",
    "restart": "restarted",
    "reload": "reloaded",
    "upgrade": "upgraded",
    "rollback": "rolled back",
    "scale-out": "scaled out",
    "scale-in": "scaled in",
    "destroy": "destroyed",
}


def _submit(args: argparse.Namespace, kind: str, body: dict[str, Any]) -> int:
    client = _client(args)
    _status, out = client.call("POST", f"/api/cluster/{args.name}/{kind}", body)
    if out.get("code") != 0:
        checks = (out.get("data") or {}).get("checks")
        if checks:
            print(checks_table(checks))
        print(f"{kind} refused: {out.get('msg')}", file=sys.stderr)
        return 1
    data = out["data"]
    if data.get("processId") is None:
        print(f"cluster {args.name}: nothing to {kind}")
        return 0
    extra = f" (conf changed on {', '.join(data['changed']) or 'no node'})" if kind == "reload" else ""
    print(f"cluster {args.name}: {kind} is process {data['processId']}{extra}")
    return follow(client, args.name, sys.stdout, sys.stdout.isatty(), DONE[kind])


def _filters(args: argparse.Namespace) -> dict[str, Any]:
    return {"role": args.role, "node": args.node}


def cmd_stop(args: argparse.Namespace) -> int:
    return _submit(args, "stop", _filters(args))


def cmd_start(args: argparse.Namespace) -> int:
    return _submit(args, "start", _filters(args))


def cmd_restart(args: argparse.Namespace) -> int:
    return _submit(args, "restart", _filters(args))


def cmd_reload(args: argparse.Namespace) -> int:
    return _submit(args, "reload", {"topology": read_topology(args.topology)})


def cmd_upgrade(args: argparse.Namespace) -> int:
    return _submit(args, "upgrade", {"packageUrl": args.package_url, "sha256": args.sha256})


def cmd_rollback(args: argparse.Namespace) -> int:
    return _submit(args, "rollback", {})


def cmd_scale_out(args: argparse.Namespace) -> int:
    try:
        text = Path(args.topology).read_text()
    except OSError as e:
        raise CliError(f"cannot read {args.topology}: {e.strerror}") from None
    data, _lines = load_yaml(text)  # the fragment is checked whole, with the cluster, by the manager
    return _submit(args, "scale-out", {"topology": data, "skipChecks": args.skip_check})


def cmd_scale_in(args: argparse.Namespace) -> int:
    return _submit(args, "scale-in", {"node": args.node, "force": args.force, "purgeData": args.purge_data})


def cmd_destroy(args: argparse.Namespace) -> int:
    if not args.yes:
        if not sys.stdin.isatty():
            raise CliError(f"destroy asks for the cluster's name on a terminal; pass --yes to destroy {args.name}")
        print(f"This stops every node of {args.name} and removes its installs", end="")
        print(" and data." if args.purge_data else " (data dirs are kept).")
        answer = input(f"Type the cluster's name ({args.name}) to go on: ").strip()
        if answer != args.name:
            print("destroy cancelled: the name did not match", file=sys.stderr)
            return 1
    body = {"confirm": args.name, "purgeData": args.purge_data, "dropInstance": args.drop_instance}
    return _submit(args, "destroy", body)


def cmd_cancel(args: argparse.Namespace) -> int:
    data = _client(args).ok("POST", f"/api/cluster/{args.name}/cancel")
    print(f"cluster {args.name}: process {data['processId']} cancelled (nothing on the hosts was undone)")
    return 0


def add_cluster_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("cluster", help="deploy, operate and inspect Doris clusters from a topology file")
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
    q = sub.add_parser("retry", help="retry the failed tasks of the cluster's process (deploy or operation)")
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

    def filters(q: argparse.ArgumentParser) -> None:
        q.add_argument("--role", choices=("fe", "be", "broker"), default=None, help="only the nodes of this role")
        q.add_argument("--node", default=None, metavar="HOST:PORT", help=NODE_HELP)

    for name, func, text in (
        ("stop", cmd_stop, "stop nodes: BEs, brokers, then FEs (the master last)"),
        ("start", cmd_start, "start nodes (the master FE first), each until Doris lists it alive"),
        ("restart", cmd_restart, "rolling restart, one node at a time, never two down"),
    ):
        q = sub.add_parser(name, help=text)
        q.add_argument("name")
        filters(q)
        common(q)
        q.set_defaults(cluster_func=func)
    q = sub.add_parser("reload", help="write changed config: values and restart only the nodes they change")
    q.add_argument("name")
    q.add_argument("topology")
    common(q)
    q.set_defaults(cluster_func=cmd_reload)
    q = sub.add_parser("upgrade", help="fetch a package on every host, then upgrade node by node")
    q.add_argument("name")
    q.add_argument("package_url")
    q.add_argument("--sha256", default=None, help="the package's sha256, checked on every host first")
    common(q)
    q.set_defaults(cluster_func=cmd_upgrade)
    q = sub.add_parser("rollback", help="put back the install the last upgrade replaced, node by node")
    q.add_argument("name")
    common(q)
    q.set_defaults(cluster_func=cmd_rollback)
    q = sub.add_parser("scale-out", help="add the nodes of a topology fragment (fe/be/broker lists)")
    q.add_argument("name")
    q.add_argument("topology")
    common(q)
    skip(q)
    q.set_defaults(cluster_func=cmd_scale_out)
    q = sub.add_parser("scale-in", help="remove a node (decommissioned / dropped first)")
    q.add_argument("name")
    q.add_argument("--node", required=True, metavar="HOST:PORT", help=NODE_HELP)
    q.add_argument("--force", action="store_true", help="also the master, the last FE or a group's last BE")
    q.add_argument("--purge-data", action="store_true", help="also delete its data dirs")
    common(q)
    q.set_defaults(cluster_func=cmd_scale_in)
    q = sub.add_parser("destroy", help="stop everything and remove every install (asks for the name)")
    q.add_argument("name")
    q.add_argument("--purge-data", action="store_true", help="also delete data dirs")
    q.add_argument("--drop-instance", action="store_true", help="cloud mode: also drop the meta-service instance")
    q.add_argument("--yes", action="store_true", help="do not ask (needed without a terminal)")
    common(q)
    q.set_defaults(cluster_func=cmd_destroy)
    q = sub.add_parser("cancel", help="end the cluster's unfinished process where it stands")
    q.add_argument("name")
    common(q)
    q.set_defaults(cluster_func=cmd_cancel)
    p.set_defaults(func=run_cluster)


def run_cluster(args: argparse.Namespace) -> int:
    try:
        rc: int = args.cluster_func(args)
        return rc
    except TopologyError as e:
        print(f"{getattr(args, 'topology', '')}: {e}", file=sys.stderr)
        return 2
    except CliError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
