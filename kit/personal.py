"""Personal variants: a stable random seed per trainee, so each trainee's numbers differ from a neighbour's
but stay the same every time that trainee runs the lesson or exercise."""

from __future__ import annotations

import hashlib


def personal_seed(trainee_id: str, seed: int = 0) -> int:
    """A 32-bit seed from the trainee id and the course seed (SHA-256, so stable across machines and runs).

    >>> personal_seed("S001") == personal_seed("S001")
    True
    >>> personal_seed("S001") != personal_seed("S002") != personal_seed("S001", seed=1)
    True
    """
    digest = hashlib.sha256(f"{seed}:{trainee_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def personal_rng(trainee_id: str, seed: int = 0):
    """A numpy Generator seeded with :func:`personal_seed`."""
    import numpy as np

    return np.random.default_rng(personal_seed(trainee_id, seed))
