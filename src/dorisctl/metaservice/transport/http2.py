"""The server side of HTTP/2 (RFC 9113) that unary gRPC needs, on a connection the listener has
already accepted: frames, header blocks, streams and flow control. What it does not do (server
push, priorities, trailers from clients beyond ending a stream) no gRPC client asks of a server.

Header blocks are decoded with `hpack` (RFC 7541), behind a cache: a block made only of 1-byte
indexed fields (what a client sends once its dynamic table holds its headers) cannot change the
table, so the same bytes decode to the same headers until a block that can change it arrives.
Our own header blocks are constants (static-table references and literals that are never
indexed), so replies cost no encoding. Profiling the `h2` library showed ~300 us of framing and
HPACK per call, more than the operations themselves; this layer is a small fraction of that.

Flow control: we grant the largest windows (2^31-1) and top up the connection window after each
GiB received; outbound DATA respects the peer's connection and stream windows and frame size.
A connection that breaks the protocol gets GOAWAY and is closed; the server stays up.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass, field

import hpack
import hpack.exceptions

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, PRIORITY, RST_STREAM, SETTINGS, PUSH_PROMISE, PING, GOAWAY, WINDOW_UPDATE, CONTINUATION = range(10)
END_STREAM, ACK, END_HEADERS, PADDED, PRIORITY_FLAG = 0x1, 0x1, 0x4, 0x8, 0x20
# error codes
NO_ERROR, PROTOCOL_ERROR, FLOW_CONTROL_ERROR, FRAME_SIZE_ERROR = 0x0, 0x1, 0x3, 0x6
REFUSED_STREAM, CANCEL, COMPRESSION_ERROR = 0x7, 0x8, 0x9
# settings
HEADER_TABLE_SIZE, ENABLE_PUSH, MAX_CONCURRENT_STREAMS, INITIAL_WINDOW_SIZE = 0x1, 0x2, 0x3, 0x4
MAX_FRAME_SIZE, MAX_HEADER_LIST_SIZE = 0x5, 0x6

MAX_WINDOW = 2**31 - 1
OUR_MAX_FRAME = 1 << 20
OUR_MAX_STREAMS = 4096
OUR_MAX_HEADER_LIST = 1 << 16
_U32 = struct.Struct(">I")


class ProtocolError(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code


def frame(kind: int, flags: int, stream: int, payload: bytes = b"") -> bytes:
    return _U32.pack(len(payload))[1:] + bytes((kind, flags)) + _U32.pack(stream) + payload


def hpack_int(value: int, prefix_bits: int, first: int) -> bytes:
    """RFC 7541 5.1 integer with an N-bit prefix, `first` holding the representation's flag bits."""
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes((first | value,))
    out = bytearray((first | limit,))
    value -= limit
    while value >= 128:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def literal(name: bytes, value: bytes) -> bytes:
    """A header field literal never added to the table, with a new (literal) name, no Huffman."""
    return b"\x00" + hpack_int(len(name), 7, 0) + name + hpack_int(len(value), 7, 0) + value


def literal_indexed_name(index: int, value: bytes) -> bytes:
    return hpack_int(index, 4, 0) + hpack_int(len(value), 7, 0) + value


STATUS_200 = b"\x88"  # static table 8
CONTENT_TYPE_GRPC = literal_indexed_name(31, b"application/grpc")  # static table 31: content-type


class CachedDecoder:
    """hpack.Decoder with the cache described in the module docstring."""

    def __init__(self, max_header_list: int) -> None:
        self.decoder = hpack.Decoder(max_header_list_size=max_header_list)
        self.decoder.max_allowed_table_size = 4096
        self._cache: dict[bytes, dict[bytes, bytes]] = {}

    def decode(self, block: bytes) -> dict[bytes, bytes]:
        hit = self._cache.get(block)
        if hit is not None:
            return hit
        try:
            headers = {bytes(k): bytes(v) for k, v in self.decoder.decode(block, raw=True)}
        except (hpack.exceptions.HPACKError, ValueError, IndexError) as e:
            raise ProtocolError(COMPRESSION_ERROR, f"bad header block: {e}") from None
        if block and all(0x80 < b < 0xFF for b in block):
            if len(self._cache) > 256:
                self._cache.clear()
            self._cache[block] = headers
        else:
            self._cache.clear()  # the dynamic table may have changed
        return headers


@dataclass
class Stream:
    sid: int
    send_window: int
    headers: dict[bytes, bytes] = field(default_factory=dict)
    body: bytearray = field(default_factory=bytearray)
    too_large: bool = False
    ended: bool = False


class Http2Server:
    """Parses a byte stream from one client into stream events; queues frames to send.

    The owner calls `receive(data)`, which returns the streams whose request ended, and reads
    `take_output()` to write. Window changes wake senders through `on_window`.
    """

    def __init__(self, max_body: int, on_window: Callable[[], None]) -> None:
        self.max_body = max_body
        self.on_window = on_window
        self.buf = bytearray()
        self.preface_seen = False
        self.decoder = CachedDecoder(OUR_MAX_HEADER_LIST)
        self.streams: dict[int, Stream] = {}
        self.last_stream = 0
        self.peer_initial_window = 65535
        self.peer_max_frame = 16384
        self.send_window = 65535  # the connection's
        self.received_unacked = 0
        self.goaway_received = False
        self._headers: tuple[int, int, bytearray] | None = None  # a block awaiting CONTINUATION
        self.out: list[bytes] = [
            frame(
                SETTINGS,
                0,
                0,
                b"".join(
                    struct.pack(">HI", k, v)
                    for k, v in (
                        (MAX_CONCURRENT_STREAMS, OUR_MAX_STREAMS),
                        (INITIAL_WINDOW_SIZE, MAX_WINDOW),
                        (MAX_FRAME_SIZE, OUR_MAX_FRAME),
                        (MAX_HEADER_LIST_SIZE, OUR_MAX_HEADER_LIST),
                    )
                ),
            ),
            frame(WINDOW_UPDATE, 0, 0, _U32.pack(MAX_WINDOW - 65535)),
        ]

    def take_output(self) -> bytes:
        data, self.out = b"".join(self.out), []
        return data

    def goaway(self, code: int) -> None:
        self.out.append(frame(GOAWAY, 0, 0, _U32.pack(self.last_stream) + _U32.pack(code)))

    # -- input -----------------------------------------------------------------------------------

    def receive(self, data: bytes) -> list[Stream]:
        """Streams whose request is complete; raises ProtocolError (then GOAWAY and close)."""
        self.buf += data
        if not self.preface_seen:
            if len(self.buf) < len(PREFACE):
                return []
            if self.buf[: len(PREFACE)] != PREFACE:
                raise ProtocolError(PROTOCOL_ERROR, "no HTTP/2 client preface")
            del self.buf[: len(PREFACE)]
            self.preface_seen = True
        ended: list[Stream] = []
        buf = self.buf
        pos = 0
        while len(buf) - pos >= 9:
            length = int.from_bytes(buf[pos : pos + 3], "big")
            if length > OUR_MAX_FRAME:
                raise ProtocolError(FRAME_SIZE_ERROR, f"frame of {length} bytes")
            if len(buf) - pos < 9 + length:
                break
            kind, flags = buf[pos + 3], buf[pos + 4]
            sid = _U32.unpack_from(buf, pos + 5)[0] & 0x7FFFFFFF
            payload = bytes(buf[pos + 9 : pos + 9 + length])
            pos += 9 + length
            done = self._frame(kind, flags, sid, payload)
            if done is not None:
                ended.append(done)
        del buf[:pos]
        return ended

    def _frame(self, kind: int, flags: int, sid: int, payload: bytes) -> Stream | None:
        if self._headers is not None and kind != CONTINUATION:
            raise ProtocolError(PROTOCOL_ERROR, "header block interrupted")
        if kind == DATA:
            return self._data(flags, sid, payload)
        if kind == HEADERS:
            return self._header_frame(flags, sid, payload)
        if kind == CONTINUATION:
            if self._headers is None or self._headers[0] != sid:
                raise ProtocolError(PROTOCOL_ERROR, "CONTINUATION without HEADERS")
            self._headers[2].extend(payload)
            self._check_block_size(len(self._headers[2]))
            if flags & END_HEADERS:
                hsid, hflags, block = self._headers
                self._headers = None
                return self._header_block(hsid, hflags, bytes(block))
            return None
        if kind == SETTINGS:
            self._settings(flags, sid, payload)
        elif kind == WINDOW_UPDATE:
            self._window_update(sid, payload)
        elif kind == PING:
            if len(payload) != 8:
                raise ProtocolError(FRAME_SIZE_ERROR, "PING of the wrong size")
            if not flags & ACK:
                self.out.append(frame(PING, ACK, 0, payload))
        elif kind == RST_STREAM:
            self.streams.pop(sid, None)
        elif kind == GOAWAY:
            self.goaway_received = True
        elif kind == PUSH_PROMISE:
            raise ProtocolError(PROTOCOL_ERROR, "clients may not push")
        return None  # PRIORITY and unknown frame types are ignored, as the RFC says

    @staticmethod
    def _unpad(flags: int, payload: bytes) -> bytes:
        if not flags & PADDED:
            return payload
        if not payload or payload[0] >= len(payload):
            raise ProtocolError(PROTOCOL_ERROR, "bad padding")
        return payload[1 : len(payload) - payload[0]]

    def _data(self, flags: int, sid: int, payload: bytes) -> Stream | None:
        self.received_unacked += len(payload)
        if self.received_unacked >= 1 << 30:
            self.out.append(frame(WINDOW_UPDATE, 0, 0, _U32.pack(self.received_unacked)))
            self.received_unacked = 0
        s = self.streams.get(sid)
        if s is None or s.ended:
            if sid == 0 or sid > self.last_stream:
                raise ProtocolError(PROTOCOL_ERROR, "DATA on an idle stream")
            return None  # a stream we reset or finished: its frames still count for the connection
        data = self._unpad(flags, payload)
        if not s.too_large:
            if len(s.body) + len(data) > self.max_body:
                s.too_large = True
                s.body = bytearray()
            else:
                s.body += data
        if flags & END_STREAM:
            s.ended = True
            return s
        return None

    def _header_frame(self, flags: int, sid: int, payload: bytes) -> Stream | None:
        if sid == 0 or sid % 2 == 0:
            raise ProtocolError(PROTOCOL_ERROR, f"HEADERS on stream {sid}")
        block = self._unpad(flags, payload)
        if flags & PRIORITY_FLAG:
            block = block[5:]
        self._check_block_size(len(block))
        if not flags & END_HEADERS:
            self._headers = (sid, flags, bytearray(block))
            return None
        return self._header_block(sid, flags, block)

    @staticmethod
    def _check_block_size(size: int) -> None:
        """A field block is never buffered or decoded past SETTINGS_MAX_HEADER_LIST_SIZE: its encoded
        size is at most its decoded size (RFC 7541 counts 32 bytes a field on top of name and value),
        so a larger block is over the limit we advertised. We will not decompress it, and RFC 9113
        4.3 makes that a connection error of type COMPRESSION_ERROR: GOAWAY and close, at once, while
        the block (a HEADERS frame, or a flood of CONTINUATION frames) is still arriving."""
        if size > OUR_MAX_HEADER_LIST:
            limit = f"SETTINGS_MAX_HEADER_LIST_SIZE ({OUR_MAX_HEADER_LIST} bytes)"
            raise ProtocolError(COMPRESSION_ERROR, f"header block larger than {limit}")

    def _header_block(self, sid: int, flags: int, block: bytes) -> Stream | None:
        headers = self.decoder.decode(block)  # always decoded: it may change the HPACK table
        s = self.streams.get(sid)
        if s is None:
            if sid <= self.last_stream:
                return None  # trailers of a stream we already reset
            self.last_stream = sid
            if len(self.streams) >= OUR_MAX_STREAMS:
                self.out.append(frame(RST_STREAM, 0, sid, _U32.pack(REFUSED_STREAM)))
                return None
            s = self.streams[sid] = Stream(sid, self.peer_initial_window, headers)
        if flags & END_STREAM:
            s.ended = True
            return s
        return None

    def _settings(self, flags: int, sid: int, payload: bytes) -> None:
        if sid != 0 or len(payload) % 6:
            raise ProtocolError(PROTOCOL_ERROR, "bad SETTINGS frame")
        if flags & ACK:
            return
        for i in range(0, len(payload), 6):
            key, value = struct.unpack_from(">HI", payload, i)
            if key == INITIAL_WINDOW_SIZE:
                if value > MAX_WINDOW:
                    raise ProtocolError(FLOW_CONTROL_ERROR, "INITIAL_WINDOW_SIZE too large")
                delta = value - self.peer_initial_window
                self.peer_initial_window = value
                for s in self.streams.values():
                    s.send_window += delta
            elif key == MAX_FRAME_SIZE:
                if not 16384 <= value <= 16777215:
                    raise ProtocolError(PROTOCOL_ERROR, "bad MAX_FRAME_SIZE")
                self.peer_max_frame = value
        self.out.append(frame(SETTINGS, ACK, 0))
        self.on_window()

    def _window_update(self, sid: int, payload: bytes) -> None:
        if len(payload) != 4:
            raise ProtocolError(FRAME_SIZE_ERROR, "WINDOW_UPDATE of the wrong size")
        inc = _U32.unpack(payload)[0] & 0x7FFFFFFF
        if sid == 0:
            self.send_window += inc
        elif sid in self.streams:
            self.streams[sid].send_window += inc
        self.on_window()

    # -- output ----------------------------------------------------------------------------------

    def send_headers(self, sid: int, block: bytes, *, end_stream: bool) -> None:
        self.out.append(frame(HEADERS, END_HEADERS | (END_STREAM if end_stream else 0), sid, block))
        if end_stream:
            self.streams.pop(sid, None)

    def sendable(self, sid: int) -> int:
        """How many DATA bytes may go on stream `sid` now (0: wait for a WINDOW_UPDATE)."""
        s = self.streams.get(sid)
        if s is None:
            return 0
        return max(0, min(self.send_window, s.send_window, self.peer_max_frame))

    def send_data(self, sid: int, data: bytes) -> None:
        self.send_window -= len(data)
        self.streams[sid].send_window -= len(data)
        self.out.append(frame(DATA, 0, sid, data))
