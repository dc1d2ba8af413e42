"""Build ``core/tremplin/data/breached-passwords.txt.xz``, the offline list of breached passwords.

The source is the RockYou leak (32 million accounts, 2009) as shipped, in frequency order, by
the PyPI package ``password-strength-checker-pro`` (MIT; ``password_strength_checker/data/
rockyou.txt.gz``). Tremplin refuses passwords under 14 characters anyway, so only the most
frequent leaked passwords of 14 to 64 characters are kept, lower-cased (the check is
case-insensitive), merged with the hand-kept ``common-passwords.txt``, sorted and xz-compressed.

Run once, offline, from the repository root::

    pip download --no-deps password-strength-checker-pro -d /tmp/pw
    python tools/build_breached_passwords.py /tmp/pw/password_strength_checker_pro-*.whl
"""

from __future__ import annotations

import gzip
import io
import lzma
import sys
import zipfile
from pathlib import Path

KEEP = 150_000
DATA = Path(__file__).resolve().parent.parent / "core" / "tremplin" / "data"


def leaked(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        raw = archive.read("password_strength_checker/data/rockyou.txt.gz")
    seen: set[str] = set()
    kept: list[str] = []
    with gzip.open(io.BytesIO(raw), "rb") as lines:
        for line in lines:
            try:
                text = line.rstrip(b"\r\n").decode("utf-8").lower()
            except UnicodeDecodeError:
                continue
            if 14 <= len(text) <= 64 and text.isprintable() and text not in seen:
                seen.add(text)
                kept.append(text)
                if len(kept) == KEEP:
                    break
    return kept


def main(wheel: str) -> None:
    words = set(leaked(Path(wheel)))
    common = (DATA / "common-passwords.txt").read_text(encoding="utf-8").splitlines()
    words.update(w.strip().lower() for w in common if w and not w.startswith("#"))
    payload = "\n".join(sorted(words)).encode("utf-8")
    (DATA / "breached-passwords.txt.xz").write_bytes(lzma.compress(payload, preset=9))
    print(f"{len(words)} passwords")


if __name__ == "__main__":
    main(sys.argv[1])
