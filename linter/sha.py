"""SHA-256 without OpenSSL's start-up cost.

`hashlib` loads OpenSSL (about 2 ms, 1.5% of a one-file run) to hash a few short strings per run
(fingerprints). CPython's own SHA-256 module gives the same digests and loads in a tenth of that; it has
a private name that changed in 3.12, so `hashlib` stays the fallback for any interpreter without it.
"""
from __future__ import annotations

try:
    from _sha2 import sha256  # CPython 3.12 and later
except ImportError:
    try:
        from _sha256 import sha256  # CPython 3.10 and 3.11
    except ImportError:
        from hashlib import sha256

__all__ = ["sha256"]
