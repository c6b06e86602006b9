"""Content hashes of files, shared by the model builders and the corpus store."""

from __future__ import annotations

import hashlib
from pathlib import Path

#: Bytes read at a time when hashing a file.
HASH_CHUNK = 1 << 22


def file_sha256(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
