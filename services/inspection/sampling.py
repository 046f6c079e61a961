"""Reproducible random samples (no I/O).

Method `sha256-rank-v1`: rank every institution id by the hex SHA-256 of
`<seed>:<id>` and take the `size` smallest. Any auditor with the seed and the
population recorded in `SampleDrawn` re-draws the same selection with any
language's SHA-256, without depending on a particular random generator."""
import hashlib
import secrets

METHOD = "sha256-rank-v1"


def rank_key(seed, institution_id):
    return hashlib.sha256(f"{seed}:{institution_id}".encode()).hexdigest()


def draw(population, size, seed):
    """The selected ids, in draw order."""
    ranked = sorted(set(population), key=lambda i: (rank_key(seed, i), i))
    return ranked[:size]


def digest(population):
    """What identifies the population: sha256 of the sorted ids joined by newlines."""
    return hashlib.sha256("\n".join(sorted(set(population))).encode()).hexdigest()


def new_seed():
    return secrets.token_hex(8)
