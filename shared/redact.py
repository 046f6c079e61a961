"""The one detector of personal data in free text: Chinese mobile and landline numbers
(`phonenumbers`), resident ID numbers (`stdnum.cn.ric`), bank card numbers (Luhn),
e-mail addresses — also typed with spaces, dots, dashes, brackets or full-width
characters, as Chinese input methods produce. `mask` replaces what it finds and keeps
the text's own characters otherwise; `MaskedText` is the marshmallow field that masks
free text where it enters a service (docs/security.md)."""
import re

import phonenumbers
from marshmallow import fields
from stdnum import luhn
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

# Full-width ASCII (U+FF01…FF5E) and the ideographic space, one character for one, so
# that positions found in the folded text are positions in the original.
_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: ord(" ")}
_SEP = r"[\s.\-]?"
_PROVINCES = set("11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "
                 "61 62 63 64 65 71 81 82".split())
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+ *@ *[\w-]+( *\. *[\w-]+)+", re.ASCII)  # ASCII: \w would eat 汉字


def _numbers(pattern):
    """Matches at every start, overlapping: in `138 1234 5678 6222 0212 …` the card
    starts inside a longer run of digits that the phone number took first."""
    return re.compile(rf"(?<![\dA-Za-z])(?=({pattern})(?![\dA-Za-z]))")


_ID_NUMBER = _numbers(rf"\d{{6}}{_SEP}\d{{8}}{_SEP}\d{{3}}[\dXx]")
_CARD = _numbers(r"[3-6]\d{3}(?:[\s\-]?\d{1,4}){3,4}")
_MOBILE = _numbers(rf"(?:\+?86{_SEP})?1[3-9]\d{_SEP}\d{{3,4}}{_SEP}\d{{4}}")
# No valid phone number of any country has fewer digits (Austria's and Germany's shortest
# with their country code; tests/unit/test_redact.py checks it against phonenumbers' data):
# a text with fewer is not given to its matcher, the costliest detector (5 % of a registration).
_PHONE_DIGITS = 6


def _digits(text):
    return re.sub(r"[^\dXx]", "", text).upper()


def _is_resident_id(text):
    """A province code and a birth date make a resident ID number: a wrong check digit is
    a typing error in one, still naming a person (and a code's birth place may predate
    the district it names, so that is not checked)."""
    number = _digits(text)
    try:
        return number[:2] in _PROVINCES and 1900 <= ric.get_birth_date(number).year <= 2100
    except ValidationError:
        return False


def _is_card(text):
    return 16 <= len(_digits(text)) <= 19 and luhn.is_valid(_digits(text))


def _is_phone(match):
    """Landlines count when written as Chinese people dial them, with the trunk 0 or the
    country code: `2026-000123` is a case number, not Guangzhou 020-26000123."""
    if phonenumbers.number_type(match.number) == phonenumbers.PhoneNumberType.MOBILE:
        return True
    return re.sub(r"\D", "", match.raw_string).startswith(("0", "86"))


def _spans(folded):
    yield from (m.span() for m in _EMAIL.finditer(folded))
    yield from (m.span(1) for m in _ID_NUMBER.finditer(folded) if _is_resident_id(m.group(1)))
    yield from (m.span(1) for m in _CARD.finditer(folded) if _is_card(m.group(1)))
    yield from (m.span(1) for m in _MOBILE.finditer(folded))
    if sum(map(str.isdigit, folded)) >= _PHONE_DIGITS:
        matches = phonenumbers.PhoneNumberMatcher(folded, "CN", phonenumbers.Leniency.VALID)
        yield from ((m.start, m.end) for m in matches if _is_phone(m))


def _unbracketed(folded, start, stop):
    """A bracket opening a number belongs to it only when it closes inside it, as in
    `(0631)5212345`; in `王建国（139…）` it is the text's own punctuation and stays."""
    if folded[start] == "(" and ")" not in folded[start:stop]:
        return start + 1, stop
    return start, stop


def find(text):
    """The (start, stop) spans of personal data in `text`, left to right, not overlapping."""
    folded = (text or "").translate(_FOLD)
    spans, end = [], 0
    for start, stop in sorted(_unbracketed(folded, *span) for span in _spans(folded)):
        if start >= end:  # the first of overlapping matches wins
            spans.append((start, stop))
            end = stop
        elif stop > end:  # a longer overlapping match extends the previous one
            spans[-1] = (spans[-1][0], stop)
            end = stop
    return spans


def contains_personal_data(text):
    return bool(find(text))


def mask(text, replacement="***"):
    if not text:
        return text
    pieces, end = [], 0
    for start, stop in find(text):
        pieces += [text[end:start], replacement]
        end = stop
    return "".join(pieces + [text[end:]])


class MaskedText(fields.Str):
    """Free text that may be published: personal data in it is masked as it is loaded."""

    def _deserialize(self, value, attr, data, **kwargs):
        return mask(super()._deserialize(value, attr, data, **kwargs))
