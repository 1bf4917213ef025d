"""A long seeded campaign of bad input against a real meta-service process (issue 12, item 2).

Not a test: `tests/integration/metaservice/test_generated_input.py` runs the same generators
(tests/fixtures/badinput.py) for a few thousand inputs in `make test`; this runs as many as asked.
Input i is generated from `Random(f"{seed}:{i}")` alone, so any one is replayed with
`--seed S --only I` (on a freshly seeded server: an outcome that depended on what earlier inputs
of the campaign changed may need the inputs before it, `--count I+1`). Kinds: HTTP requests on
every route (mutated JSON, wrong types, huge values, other encodings and methods), mutated
protobuf payloads for every RPC over gRPC and over baidu_std, broken baidu_std frames, and
garbage after the HTTP/2 preface.

Every reply is judged as in the tests; a refused request must leave the store unchanged (the
SQLite file is read before and after); a server that stops answering, a timeout, or a traceback
in the server log is a defect. Prints counts by outcome and every defect with its reproducer.

    .venv/bin/python bench/fuzz.py [--seed 1] [--count 20000] [--only I] [--json out.json]

`--binary` runs the binary-protocol campaign instead (issue 17, tests/fixtures/binfuzz.py):
message-level inputs for all 74 MetaService methods over gRPC and baidu_std, and frame-level
abuse of HTTP/2 and baidu_std, with a sentinel instance that must never change and a
well-behaved client that must be answered within 1 s throughout (its slowest answer is printed).
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fixtures import badinput as bi  # noqa: E402
from tests.fixtures import binfuzz as bf  # noqa: E402
from tests.fixtures.metaservice import MetaServer, start_meta_server  # noqa: E402

KINDS = [("http", 50), ("grpc", 20), ("brpc", 20), ("frame", 7), ("h2garbage", 3)]


def pick_kind(rng: random.Random) -> str:
    return rng.choices([k for k, _ in KINDS], weights=[w for _, w in KINDS])[0]


class Campaign:
    def __init__(self, srv: MetaServer) -> None:
        self.srv = srv
        self.port = int(srv.url.rsplit(":", 1)[1])
        self.db = srv.data_dir / "meta-service.db"
        self.outcomes: Counter[str] = Counter()
        self.defects: list[dict[str, Any]] = []

    def run_one(self, seed: int, i: int) -> None:
        rng = random.Random(f"{seed}:{i}")
        kind = pick_kind(rng)
        before = bi.store_state(self.db)
        what = ""
        try:
            outcome, defect, what = getattr(self, f"_{kind}")(rng)
        except (TimeoutError, ConnectionError, OSError) as e:
            outcome, defect = f"{kind} {type(e).__name__}", f"{type(e).__name__}: {e}"
        self.outcomes[f"{kind}: {outcome}"] += 1
        if defect is None and outcome.startswith("refused") and bi.store_state(self.db) != before:
            defect = "refused, but the store changed"
        if defect is not None:
            self.defects.append({"index": i, "kind": kind, "defect": defect, "input": what[:600]})

    def _http(self, rng: random.Random) -> tuple[str, str | None, str]:
        inp = bi.http_input(rng)
        r = self.srv.client.request(
            inp.method,
            f"/MetaService/http/{inp.route}",
            params={"token": self.srv.token, **inp.query},
            content=inp.body,
            headers=inp.headers,
            timeout=10,
        )
        outcome, defect = bi.judge_http(inp.route, inp.method, r.status_code, r.headers.get("content-type", ""), r.text)
        return outcome, defect, inp.describe()

    def _grpc(self, rng: random.Random) -> tuple[str, str | None, str]:
        rpc = rng.choice(bi.RPC_NAMES)
        payload = bi.mutated_payload(rng, rpc)
        what = f"grpc {rpc} payload={payload.hex()}"
        conn = bi.GrpcConnection(self.port)
        try:
            headers, data = conn.call(f"/doris.cloud.MetaService/{rpc}", payload)
        finally:
            conn.close()
        status = headers.get("grpc-status", "")
        if status != "0":
            ok = status in bi.GRPC_ERRORS and headers.get("grpc-message")
            return f"refused: grpc-status {status}", None if ok else f"grpc-status {status} {headers}", what
        outcome, defect = bi.judge_response(rpc, data[5:])
        return outcome, defect, what

    def _brpc(self, rng: random.Random) -> tuple[str, str | None, str]:
        rpc = rng.choice(bi.RPC_NAMES)
        payload = bi.mutated_payload(rng, rpc)
        what = f"baidu_std {rpc} payload={payload.hex()}"
        conn = bi.BrpcConnection(self.port)
        try:
            meta, body = conn.call(rpc, payload)
        finally:
            conn.close()
        code = meta.response.error_code
        if code:
            ok = code in bi.BRPC_ERRORS and meta.response.error_text
            return f"refused: error_code {code}", None if ok else f"error_code {code} {meta}", what
        outcome, defect = bi.judge_response(rpc, body)
        return outcome, defect, what

    def _frame(self, rng: random.Random) -> tuple[str, str | None, str]:
        frame = bi.broken_frame(rng)
        what = f"baidu_std frame={frame.hex()}"
        conn = bi.BrpcConnection(self.port, timeout=5)
        marker = 2**62
        try:
            conn.send(frame)
            try:
                conn.send(bi.frame_for("get_cluster_status", bi.STATUS_REQ.SerializeToString(), correlation_id=marker))
            except ConnectionError:
                pass
            while True:
                try:
                    meta, _ = conn.read()
                except bi.NotBaiduStd as e:
                    ok = e.reply.startswith(b"HTTP/1.1 4")
                    return "refused: answered as HTTP", None if ok else f"reply {e.reply[:100]!r}", what
                except ConnectionError:
                    return "refused: connection closed", self._health(), what
                if meta.correlation_id == marker:
                    return "refused: dropped, connection went on", None, what
                code = meta.response.error_code
                if code not in bi.BRPC_ERRORS and code != 0:
                    return f"error_code {code}", f"error_code {code}", what
        finally:
            conn.close()

    def _h2garbage(self, rng: random.Random) -> tuple[str, str | None, str]:
        junk = rng.randbytes(rng.randrange(1, 200))
        what = f"h2 preface + {junk.hex()}"
        with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
            s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + junk)
            try:
                while s.recv(65536):
                    pass
                outcome = "refused: connection closed"
            except (TimeoutError, ConnectionResetError):
                outcome = "refused: waiting for the rest of a frame"
        return outcome, self._health(), what

    def _health(self) -> str | None:
        try:
            r = self.srv.client.get("/health", timeout=5)
        except Exception as e:
            return f"server not answering: {e}"
        return None if r.status_code == 200 else f"/health answered {r.status_code}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=20_000)
    ap.add_argument("--only", type=int, default=None, help="replay input I of the seed alone")
    ap.add_argument("--json", type=Path, default=None, help="write the summary here too")
    ap.add_argument("--binary", action="store_true", help="the binary-protocol campaign (gRPC, baidu_std, framing)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="dorisctl-fuzz-") as tmp:
        srv = start_meta_server(Path(tmp), extra_args=["--no-recycler", "--max-message-bytes", str(1 << 20)])
        try:
            bi.seed_server(srv)
            campaign: Campaign | bf.BinaryCampaign
            if args.binary:
                bf.seed_sentinel(srv)
                campaign = bf.BinaryCampaign(srv)
            else:
                campaign = Campaign(srv)
            started = time.monotonic()
            starts: list[tuple[float, int]] = []  # (when, input index): to name the inputs near a slow answer
            indexes = [args.only] if args.only is not None else range(args.count)
            with bf.Watchdog(int(srv.url.rsplit(":", 1)[1])) as dog:
                for n, i in enumerate(indexes, 1):
                    starts.append((time.monotonic(), i))
                    campaign.run_one(args.seed, i)
                    if n % 2000 == 0:
                        took = time.monotonic() - started
                        print(f"  {n} inputs, {len(campaign.defects)} defects, {took:.0f} s", flush=True)
            elapsed = time.monotonic() - started
            log = srv.log_text()
        finally:
            rc = srv.stop()
    print(f"well-behaved client: {dog.answered} calls, slowest {dog.slowest * 1000:.0f} ms")
    if dog.problem() is not None:
        for when, took in dog.slow:
            during = [i for t, i in starts if when - bf.REPLY_TIMEOUT_S <= t <= when + took]
            what = f"inputs started in the {bf.REPLY_TIMEOUT_S:.0f} s before and during it: {during}"
            slow = {"index": None, "kind": "watchdog", "defect": f"waited {took:.2f} s", "input": what}
            campaign.defects.append(slow)
    tracebacks = log.count("Traceback")
    if tracebacks:
        campaign.defects.append({"index": None, "kind": "log", "defect": f"{tracebacks} tracebacks in the log"})
    if rc != 0:
        campaign.defects.append({"index": None, "kind": "exit", "defect": f"server exited with {rc}"})
    total = sum(campaign.outcomes.values())
    print(f"seed {args.seed}: {total} inputs in {elapsed:.0f} s, {len(campaign.defects)} defects")
    for outcome, n in sorted(campaign.outcomes.items()):
        print(f"  {n:7d}  {outcome}")
    for d in campaign.defects[:50]:
        mode = " --binary" if args.binary else ""
        replay = f"bench/fuzz.py{mode} --seed {args.seed} --only {d['index']}" if d["index"] is not None else ""
        print(f"DEFECT [{d['kind']}] {d['defect']}\n    input: {d.get('input', '')}\n    replay: {replay}")
    if args.json is not None:
        summary = {"seed": args.seed, "inputs": total, "outcomes": campaign.outcomes, "defects": campaign.defects}
        args.json.write_text(json.dumps(summary, indent=2))
    return 1 if campaign.defects else 0


if __name__ == "__main__":
    sys.exit(main())
