"""Synthetic face pictures for the virtual card (drawn with Pillow: no real person)."""

from __future__ import annotations

import io


def draw_face(seed: int = 0, size: tuple[int, int] = (360, 480)):
    from PIL import Image, ImageDraw, ImageFilter

    w, h = size
    skin = [(224, 180, 150), (200, 160, 120), (235, 200, 170)][seed % 3]
    hair = [(30, 25, 20), (60, 50, 45), (200, 200, 200)][seed % 3]
    img = Image.new("RGB", size, (225, 232, 245))
    d = ImageDraw.Draw(img)
    d.rectangle([0, int(h * 0.82), w, h], fill=(40, 60, 110))  # shoulders
    d.ellipse([w * 0.12, h * 0.72, w * 0.88, h * 1.2], fill=(40, 60, 110))
    d.rectangle([w * 0.42, h * 0.6, w * 0.58, h * 0.8], fill=skin)  # neck
    d.ellipse([w * 0.2, h * 0.1, w * 0.8, h * 0.45], fill=hair)
    d.ellipse([w * 0.24, h * 0.16, w * 0.76, h * 0.68], fill=skin)
    for ex in (0.38, 0.62):
        d.ellipse([w * (ex - 0.06), h * 0.36, w * (ex + 0.06), h * 0.41], fill=(250, 250, 250))
        d.ellipse([w * (ex - 0.025), h * 0.365, w * (ex + 0.025), h * 0.405], fill=(50, 35, 25))
        d.line([w * (ex - 0.07), h * 0.33, w * (ex + 0.07), h * 0.325], fill=hair, width=4)
    d.polygon([(w * 0.5, h * 0.42), (w * 0.46, h * 0.52), (w * 0.54, h * 0.52)], fill=tuple(c - 25 for c in skin))
    d.arc([w * 0.4, h * 0.52, w * 0.6, h * 0.6], 10, 170, fill=(150, 60, 60), width=5)
    # a little texture so the JPEG has realistic size
    import random

    rnd = random.Random(seed)
    px = img.load()
    for _ in range(w * h // 6):
        x, y = rnd.randrange(w), rnd.randrange(h)
        r, g, b = px[x, y]
        n = rnd.randint(-12, 12)
        px[x, y] = (max(0, min(255, r + n)), max(0, min(255, g + n)), max(0, min(255, b + n)))
    return img.filter(ImageFilter.SMOOTH)


def encode(img, fmt: str = "JPEG", target_bytes: int = 15000) -> bytes:
    """JPEG close to ``target_bytes`` (DG2 on a CCCD is ~15 KB), or JPEG 2000."""
    if fmt.upper() in ("JPEG2000", "JP2"):
        out = io.BytesIO()
        rate = max(1, img.width * img.height * 3 // target_bytes)  # compression ratio for about target_bytes
        img.save(out, "JPEG2000", quality_mode="rates", quality_layers=[rate])
        return out.getvalue()
    best = b""
    for q in range(95, 10, -5):
        out = io.BytesIO()
        img.save(out, "JPEG", quality=q)
        best = out.getvalue()
        if len(best) <= target_bytes:
            break
    return best


if __name__ == "__main__":  # regenerate the sample faces in assets/cards
    from pathlib import Path

    assets = Path(__file__).resolve().parents[4] / "assets" / "cards"
    (assets / "face-minh-khai.jpg").write_bytes(encode(draw_face(0), "JPEG", 15000))
    (assets / "face-van-hung.jp2").write_bytes(encode(draw_face(2), "JPEG2000", 15000))
    print("written to", assets)
