"""Masking what identifies a person in free text: e-mail addresses, ID-card numbers,
mobile and landline numbers, also when typed with full-width digits (as Chinese input
methods do), spaces or brackets. The text keeps its own characters otherwise."""
import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", re.ASCII)  # ASCII: \w would eat 汉字
_ID_CARD = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
_MOBILE = re.compile(r"(?<!\d)(\+?86[-\s]?)?1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)\(?0\d{2,3}\)?[-\s]?\d{7,8}(?!\d)")
# Full-width ASCII (U+FF01…FF5E) and the ideographic space, one character for one, so
# that positions found in the folded text are positions in the original.
_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: ord(" ")}


def mask(text, replacement="***"):
    if not text:
        return text
    folded = text.translate(_FOLD)
    spans = sorted(match.span() for pattern in (_EMAIL, _ID_CARD, _MOBILE, _LANDLINE)
                   for match in pattern.finditer(folded))
    pieces, end = [], 0
    for start, stop in spans:
        if start >= end:  # the first of overlapping matches wins
            pieces += [text[end:start], replacement]
            end = stop
    return "".join(pieces + [text[end:]])
