"""Elliptic-curve arithmetic for PACE generic mapping.

PACE-GM needs point addition and multiplication on a *mapped* generator, which no high-level
library exposes; this is plain short-Weierstrass arithmetic in Jacobian coordinates.  Received
points are always validated (on the curve, not infinity) before use.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import AccessDeniedError


@dataclass(frozen=True)
class Curve:
    name: str
    p: int
    a: int
    b: int
    gx: int
    gy: int
    n: int

    @property
    def size(self) -> int:
        return (self.p.bit_length() + 7) // 8

    @property
    def g(self) -> tuple[int, int]:
        return (self.gx, self.gy)

    def on_curve(self, pt) -> bool:
        if pt is None:
            return False
        x, y = pt
        if not (0 <= x < self.p and 0 <= y < self.p):
            return False
        return (y * y - (x * x * x + self.a * x + self.b)) % self.p == 0

    # Jacobian (X, Y, Z); None = infinity
    def _double(self, P):
        if P is None:
            return None
        X, Y, Z = P
        p = self.p
        if Y == 0:
            return None
        YY = Y * Y % p
        S = 4 * X * YY % p
        ZZ = Z * Z % p
        M = (3 * X * X + self.a * ZZ * ZZ) % p
        X3 = (M * M - 2 * S) % p
        Y3 = (M * (S - X3) - 8 * YY * YY) % p
        Z3 = 2 * Y * Z % p
        return (X3, Y3, Z3)

    def _add(self, P, Q):
        if P is None:
            return Q
        if Q is None:
            return P
        p = self.p
        X1, Y1, Z1 = P
        X2, Y2, Z2 = Q
        Z1Z1 = Z1 * Z1 % p
        Z2Z2 = Z2 * Z2 % p
        U1 = X1 * Z2Z2 % p
        U2 = X2 * Z1Z1 % p
        S1 = Y1 * Z2 * Z2Z2 % p
        S2 = Y2 * Z1 * Z1Z1 % p
        if U1 == U2:
            if S1 != S2:
                return None
            return self._double(P)
        H = (U2 - U1) % p
        R = (S2 - S1) % p
        HH = H * H % p
        HHH = H * HH % p
        V = U1 * HH % p
        X3 = (R * R - HHH - 2 * V) % p
        Y3 = (R * (V - X3) - S1 * HHH) % p
        Z3 = H * Z1 * Z2 % p
        return (X3, Y3, Z3)

    def _affine(self, P):
        if P is None:
            return None
        X, Y, Z = P
        zi = pow(Z, -1, self.p)
        zi2 = zi * zi % self.p
        return (X * zi2 % self.p, Y * zi2 * zi % self.p)

    def mul(self, k: int, pt) -> tuple[int, int] | None:
        """k·pt with a 4-bit fixed window (fewer additions than double-and-add)."""
        k %= self.n
        if k == 0 or pt is None:
            return None
        table = [None, (pt[0], pt[1], 1)]
        for _ in range(14):
            table.append(self._add(table[-1], table[1]))
        R = None
        nibbles = k.to_bytes((k.bit_length() + 7) // 8, "big").hex()
        for ch in nibbles:
            if R is not None:
                R = self._double(self._double(self._double(self._double(R))))
            d = int(ch, 16)
            if d:
                R = self._add(R, table[d])
        return self._affine(R)

    def base_mul(self, k: int) -> tuple[int, int] | None:
        """k·G; uses the cryptography library (constant time, fast) when it knows the curve."""
        lib = _LIB_CURVES.get(self.name)
        k %= self.n
        if lib is None or k == 0:
            return self.mul(k, self.g)
        from cryptography.hazmat.primitives.asymmetric import ec as _ec

        nums = _ec.derive_private_key(k, getattr(_ec, lib)()).public_key().public_numbers()
        return (nums.x, nums.y)

    def add(self, p1, p2):
        a = None if p1 is None else (p1[0], p1[1], 1)
        b = None if p2 is None else (p2[0], p2[1], 1)
        return self._affine(self._add(a, b))

    def encode(self, pt) -> bytes:
        return b"\x04" + pt[0].to_bytes(self.size, "big") + pt[1].to_bytes(self.size, "big")

    def decode(self, raw: bytes) -> tuple[int, int]:
        if len(raw) != 1 + 2 * self.size or raw[0] != 0x04:
            raise AccessDeniedError("bad point encoding", message_key="card.protocol")
        pt = (int.from_bytes(raw[1 : 1 + self.size], "big"), int.from_bytes(raw[1 + self.size :], "big"))
        if not self.on_curve(pt):
            raise AccessDeniedError("point not on curve", message_key="card.protocol")
        return pt


BRAINPOOL_P256R1 = Curve(
    "brainpoolP256r1",
    p=0xA9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377,
    a=0x7D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9,
    b=0x26DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B6,
    gx=0x8BD2AEB9CB7E57CB2C4B482FFC81B7AFB9DE27E1E3BD23C23A4453BD9ACE3262,
    gy=0x547EF835C3DAC4FD97F8461A14611DC9C27745132DED8E545C1D54C72F046997,
    n=0xA9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7,
)

NIST_P256 = Curve(
    "secp256r1",
    p=0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF,
    a=0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFC,
    b=0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B,
    gx=0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
    gy=0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5,
    n=0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
)

_LIB_CURVES = {"brainpoolP256r1": "BrainpoolP256R1", "secp256r1": "SECP256R1"}

# ICAO 9303-11 / BSI TR-03110 standardized domain parameter ids
STANDARD_CURVES = {12: NIST_P256, 13: BRAINPOOL_P256R1}


def random_scalar(curve: Curve) -> int:
    import secrets

    return 1 + secrets.randbelow(curve.n - 1)
