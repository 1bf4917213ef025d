"""Whether a deployed node is up, as its own health endpoint says (FE /api/bootstrap, BE
/api/health, a broker's IPC port): what `display` shows and what lifecycle operations wait for."""

from __future__ import annotations

import json
import socket
import urllib.request

from .topology import Node

PROBE_TIMEOUT = 3.0


def probe(n: Node) -> str:
    """Up / Down, as the node's own health endpoint answers (FE /api/bootstrap, BE /api/health)."""
    try:
        if n.role == "BROKER":
            socket.create_connection((n.host, n.ports["broker_ipc_port"]), timeout=PROBE_TIMEOUT).close()
            return "Up"
        url = (
            f"http://{n.host}:{n.ports['http_port']}/api/bootstrap"
            if n.role == "FE"
            else f"http://{n.host}:{n.ports['webserver_port']}/api/health"
        )
        with urllib.request.urlopen(url, timeout=PROBE_TIMEOUT) as resp:
            body = json.loads(resp.read() or b"{}")
        ok = body.get("code", 0) == 0 if n.role == "FE" else str(body.get("status", "")).upper() == "OK"
        return "Up" if ok else "Unhealthy"
    except (OSError, ValueError):
        return "Down"
