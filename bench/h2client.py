"""A minimal gRPC-over-h2c client for the benchmark: hand-built frames, headers from `hpack`'s
encoder (indexed once sent, as grpc-java and grpc-core clients do), many calls in flight on one
connection, so a call costs the load generator about what a raw
HTTP/1.1 or baidu_std call costs it (grpcio's Python layer costs several times more, and the load
generator shares the machine's two cores with the server being measured).

Correctness is still checked: every response message is parsed and its status read by the caller.
"""

from __future__ import annotations

import asyncio
import struct

import hpack

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, RST_STREAM, SETTINGS, PING, GOAWAY, WINDOW_UPDATE = 0, 1, 3, 4, 6, 7, 8
END_STREAM, END_HEADERS, ACK = 0x1, 0x4, 0x1
_FRAME = struct.Struct(">I B B I")  # 24-bit length packed with type into the first 4 bytes


def frame(kind: int, flags: int, stream: int, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload


class H2Client:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, authority: str) -> None:
        self.reader, self.writer, self.authority = reader, writer, authority
        self.next_stream = 1
        self.pending: dict[int, tuple[asyncio.Future[bytes], bytearray]] = {}
        self.encoder = hpack.Encoder()
        self.task = asyncio.create_task(self._read())

    @classmethod
    async def connect(cls, port: int) -> H2Client:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        # SETTINGS: INITIAL_WINDOW_SIZE (4) = 2^31-1; then open the connection window as far
        settings = struct.pack(">HI", 4, 2**31 - 1)
        writer.write(
            PREFACE + frame(SETTINGS, 0, 0, settings) + frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", 2**31 - 65536))
        )
        return cls(reader, writer, f"127.0.0.1:{port}")

    async def _read(self) -> None:
        try:
            while True:
                head = await self.reader.readexactly(9)
                length = int.from_bytes(head[:3], "big")
                kind, flags = head[3], head[4]
                stream = int.from_bytes(head[5:9], "big") & 0x7FFFFFFF
                payload = await self.reader.readexactly(length) if length else b""
                if kind == SETTINGS and not flags & ACK:
                    self.writer.write(frame(SETTINGS, ACK, 0, b""))
                elif kind == PING and not flags & ACK:
                    self.writer.write(frame(PING, ACK, 0, payload))
                elif kind == DATA and stream in self.pending:
                    self.pending[stream][1].extend(payload)
                if kind in (DATA, HEADERS) and flags & END_STREAM and stream in self.pending:
                    fut, body = self.pending.pop(stream)
                    if not fut.done():
                        fut.set_result(bytes(body))
                elif kind == RST_STREAM and stream in self.pending:
                    fut, _ = self.pending.pop(stream)
                    fut.set_exception(ConnectionError("stream reset"))
                elif kind == GOAWAY:
                    raise ConnectionError("GOAWAY")
        except (asyncio.IncompleteReadError, ConnectionError) as e:
            for fut, _ in self.pending.values():
                if not fut.done():
                    fut.set_exception(ConnectionError(str(e)))
            self.pending.clear()

    async def call(self, path: str, message: bytes) -> bytes:
        """The response message bytes (without the 5-byte gRPC prefix); b'' for a trailers-only error."""
        block = self.encoder.encode(
            [(":method", "POST"), (":scheme", "http"), (":path", path), (":authority", self.authority),
             ("content-type", "application/grpc"), ("te", "trailers")]
        )  # fmt: skip
        sid = self.next_stream
        self.next_stream += 2
        fut: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self.pending[sid] = (fut, bytearray())
        body = struct.pack(">BI", 0, len(message)) + message
        self.writer.write(frame(HEADERS, END_HEADERS, sid, block) + frame(DATA, END_STREAM, sid, body))
        data = await fut
        return data[5:]

    async def close(self) -> None:
        self.task.cancel()
        self.writer.close()
