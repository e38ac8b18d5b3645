"""A minimal Kafka wire-protocol Metadata probe: proof that a broker really serves clients."""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass

from deploy.local._process import LOCALHOST

_METADATA_API_KEY = 3
# v4 is the newest non-flexible version (no compact strings or tagged fields to parse), and
# Kafka 4.x still serves 0-13; it also lets us ask for "no topics" with an empty array.
_METADATA_VERSION = 4
_CLIENT_ID = b"cppcc-local-probe"


@dataclass(frozen=True)
class ClusterView:
    """What one broker says about the cluster."""

    cluster_id: str | None
    broker_ids: frozenset[int]


class _Reader:
    """Big-endian cursor over a response body."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._at = 0

    def take(self, fmt: str) -> int:
        (value,) = struct.unpack_from(fmt, self._data, self._at)
        self._at += struct.calcsize(fmt)
        return int(value)

    def string(self) -> str | None:
        length = self.take(">h")
        if length < 0:
            return None
        value = self._data[self._at : self._at + length].decode()
        self._at += length
        return value


def _metadata_request() -> bytes:
    header = struct.pack(">hhih", _METADATA_API_KEY, _METADATA_VERSION, 1, len(_CLIENT_ID))
    # An empty topic array means "no topics", so the answer stays small; no auto-creation.
    body = struct.pack(">ib", 0, 0)
    payload = header + _CLIENT_ID + body
    return struct.pack(">i", len(payload)) + payload


def _read_exactly(sock: socket.socket, size: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = sock.recv(size - len(chunks))
        if not chunk:
            raise ConnectionError("broker closed the connection mid-response")
        chunks += chunk
    return bytes(chunks)


def _parse_metadata(body: bytes) -> ClusterView:
    reader = _Reader(body)
    reader.take(">i")  # correlation id
    reader.take(">i")  # throttle time
    broker_ids = set()
    for _ in range(reader.take(">i")):
        broker_ids.add(reader.take(">i"))
        reader.string()  # host
        reader.take(">i")  # port
        reader.string()  # rack
    return ClusterView(cluster_id=reader.string(), broker_ids=frozenset(broker_ids))


def describe_cluster(port: int, timeout: float = 3.0) -> ClusterView:
    """Send one Metadata request to 127.0.0.1:port; raises OSError/ValueError on failure."""
    with socket.create_connection((LOCALHOST, port), timeout=timeout) as sock:
        sock.sendall(_metadata_request())
        (size,) = struct.unpack(">i", _read_exactly(sock, 4))
        body = _read_exactly(sock, size)
    try:
        return _parse_metadata(body)
    except struct.error as exc:
        raise ValueError(f"malformed Metadata response from port {port}") from exc
