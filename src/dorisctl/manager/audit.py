"""Audit trail: every operation and remote command with who, when, what and the outcome, as a DB
row and a structured log line. Callers pass no secrets; ``scrub`` removes obvious ones anyway."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from .db import Store
from .models import AuditEvent

log = logging.getLogger("dorisctl.manager.audit")
_SECRET_KEYS = re.compile(r"(key|token|password|secret)", re.I)


def scrub(detail: dict[str, Any] | None) -> dict[str, Any] | None:
    if detail is None:
        return None
    return {k: ("***" if _SECRET_KEYS.search(k) else v) for k, v in detail.items()}


def record(
    store: Store, actor: str, action: str, target: str, outcome: str, detail: dict[str, Any] | None = None
) -> None:
    clean = scrub(detail)
    text = json.dumps(clean, default=str, sort_keys=True) if clean is not None else None
    with store.tx() as s:
        s.add(AuditEvent(actor=actor, action=action, target=target[:512], detail=text, outcome=outcome[:512]))
    log.info(
        "audit actor=%s action=%s target=%s outcome=%s detail=%s",
        actor,
        action,
        target,
        outcome,
        text or "{}",
    )
