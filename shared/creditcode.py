"""Unified social credit codes (统一社会信用代码, GB 32100-2015) and their check digit."""

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_char(first17):
    total = sum(CHARSET.index(c) * w for c, w in zip(first17, WEIGHTS))
    return CHARSET[(31 - total % 31) % 31]


def problem(code):
    """Why `code` is not a valid credit code, or None when it is."""
    if not isinstance(code, str) or len(code) != 18:
        return "must be 18 characters"
    bad = sorted({c for c in code if c not in CHARSET})
    if bad:
        return f"contains characters not allowed in a credit code: {''.join(bad)}"
    if not code[2:8].isdigit():
        return "characters 3-8 must be the administrative division code"
    if check_char(code[:17]) != code[17]:
        return f"check digit should be {check_char(code[:17])}"
    return None


def complete(first17):
    """The full code for 17 characters (for generating test and demo data)."""
    return first17 + check_char(first17)
