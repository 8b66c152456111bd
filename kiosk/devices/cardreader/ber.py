"""A small, strict BER-TLV parser and DER encoder.

Every parse error is a ``BerError`` (a ``CardDataError``): malformed lengths, truncation,
absurd sizes or nesting never escape as IndexError/RecursionError and never hang.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import CardDataError

MAX_LENGTH = 1 << 20  # 1 MiB: no file on an ID card is larger
MAX_DEPTH = 32


class BerError(CardDataError):
    message_key = "card.bad-data"


@dataclass(frozen=True)
class Tlv:
    tag: int  # the tag bytes as an integer, e.g. 0x5F1F, 0x7F61, 0x30
    value: bytes
    raw: bytes  # the whole encoding (tag + length + value)

    @property
    def constructed(self) -> bool:
        first = self.tag
        while first > 0xFF:
            first >>= 8
        return bool(first & 0x20)

    def children(self, depth: int = 0) -> list[Tlv]:
        if depth > MAX_DEPTH:
            raise BerError("nesting too deep")
        return parse_all(self.value)

    def find(self, tag: int) -> Tlv | None:
        for child in self.children():
            if child.tag == tag:
                return child
        return None

    def need(self, tag: int) -> Tlv:
        child = self.find(tag)
        if child is None:
            raise BerError(f"missing tag {tag:X}")
        return child


def _read_tag(data: bytes, pos: int) -> tuple[int, int]:
    if pos >= len(data):
        raise BerError("truncated tag")
    first = data[pos]
    tag = first
    pos += 1
    if first & 0x1F == 0x1F:
        count = 0
        while True:
            if pos >= len(data):
                raise BerError("truncated tag")
            b = data[pos]
            tag = (tag << 8) | b
            pos += 1
            count += 1
            if count > 3:
                raise BerError("tag too long")
            if not b & 0x80:
                break
    return tag, pos


def _read_length(data: bytes, pos: int) -> tuple[int, int]:
    if pos >= len(data):
        raise BerError("truncated length")
    first = data[pos]
    pos += 1
    if first < 0x80:
        return first, pos
    if first == 0x80:
        raise BerError("indefinite length not allowed")
    n = first & 0x7F
    if n > 4:
        raise BerError("length field too long")
    if pos + n > len(data):
        raise BerError("truncated length")
    length = int.from_bytes(data[pos : pos + n], "big")
    if length > MAX_LENGTH:
        raise BerError("absurd length")
    return length, pos + n


def parse_one(data: bytes, pos: int = 0) -> tuple[Tlv, int]:
    """The TLV at ``pos`` and the position after it."""
    start = pos
    tag, pos = _read_tag(data, pos)
    length, pos = _read_length(data, pos)
    end = pos + length
    if end > len(data):
        raise BerError("value runs past the end")
    return Tlv(tag, bytes(data[pos:end]), bytes(data[start:end])), end


def parse(data: bytes) -> Tlv:
    """Exactly one TLV (trailing bytes are allowed: card files are often padded)."""
    tlv, _ = parse_one(bytes(data), 0)
    return tlv


def parse_all(data: bytes) -> list[Tlv]:
    out: list[Tlv] = []
    pos = 0
    data = bytes(data)
    while pos < len(data):
        tlv, pos = parse_one(data, pos)
        out.append(tlv)
    return out


def header_length(data: bytes) -> tuple[int, int]:
    """(header size, value length) from the first bytes of a file: how much there is to read."""
    _, pos = _read_tag(data, 0)
    length, pos = _read_length(data, pos)
    return pos, length


# ---------------------------------------------------------------- DER encoding

def enc_len(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def enc_tag(tag: int) -> bytes:
    return tag.to_bytes(max(1, (tag.bit_length() + 7) // 8), "big")


def tlv(tag: int, value: bytes) -> bytes:
    return enc_tag(tag) + enc_len(len(value)) + bytes(value)


def seq(*items: bytes) -> bytes:
    return tlv(0x30, b"".join(items))


def set_of(*items: bytes, sort: bool = True) -> bytes:
    items = tuple(sorted(items)) if sort else items
    return tlv(0x31, b"".join(items))


def integer(n: int) -> bytes:
    if n == 0:
        return tlv(0x02, b"\x00")
    body = n.to_bytes((n.bit_length() + 8) // 8, "big", signed=True)
    return tlv(0x02, body)


def decode_int(value: bytes) -> int:
    if not value:
        raise BerError("empty INTEGER")
    return int.from_bytes(value, "big", signed=True)


def oid(dotted: str) -> bytes:
    return tlv(0x06, oid_body(dotted))


def oid_body(dotted: str) -> bytes:
    parts = [int(p) for p in dotted.split(".")]
    out = bytearray()
    first = parts[0] * 40 + parts[1]
    for n in [first] + parts[2:]:
        chunk = [n & 0x7F]
        n >>= 7
        while n:
            chunk.append(0x80 | (n & 0x7F))
            n >>= 7
        out += bytes(reversed(chunk))
    return bytes(out)


def decode_oid(value: bytes) -> str:
    if not value or len(value) > 64:
        raise BerError("bad OID")
    nums: list[int] = []
    n = 0
    for b in value:
        n = (n << 7) | (b & 0x7F)
        if not b & 0x80:
            nums.append(n)
            n = 0
    if value[-1] & 0x80:
        raise BerError("bad OID")
    first = nums[0]
    head = [min(first // 40, 2), first - 40 * min(first // 40, 2)]
    return ".".join(str(x) for x in head + nums[1:])


def octet_string(b: bytes) -> bytes:
    return tlv(0x04, b)


def utf8(s: str) -> bytes:
    return tlv(0x0C, s.encode("utf-8"))


def printable(s: str) -> bytes:
    return tlv(0x13, s.encode("ascii"))
