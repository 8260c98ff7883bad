"""Pseudonymise customer identifiers before anything is shown: private by default.

A :class:`Pseudonymiser` replaces every customer identifier — customer id, name, phone, e-mail — with a
keyed hash (HMAC-SHA256, external: RFC 2104), truncated to 10 hex digits behind a readable,
language-neutral prefix: ``C-`` customer id, ``N-`` name, ``P-`` phone, ``E-`` e-mail (``P-3fa9c2d41b``).
Phones and e-mails written *inside* free text (complaint texts, comments, any other text column) are
found by pattern and replaced by the very same pseudonyms, so one phone reads the same everywhere in a
report. Phones are compared by their digits (``+86 139-1234-5678`` = ``13912345678``), e-mails in lower case.

The key decides the pseudonyms: ``key=`` when given, else the ``KIT_PSEUDONYM_KEY`` environment variable,
else a random key for this one :class:`Pseudonymiser` (one report run). Without the key, guessing a phone
and hashing it does not give its pseudonym, so pseudonyms cannot be reversed by trying numbers. Set
``KIT_PSEUDONYM_KEY`` (keep it secret) to get the same pseudonyms across reports, e.g. to follow one
customer from month to month.

What the text scrubber finds (external, the numbering plan of mainland China):

- mobiles ``1[3-9]`` + 9 digits, optionally led by ``+86`` / ``0086`` / ``86`` and split by spaces or dashes
  (``139 1234 5678``, ``+86-139-1234-5678``);
- landlines with their area code: ``0`` + 2–3 digits, optional brackets, then 7–8 digits
  (``010-62345678``, ``(0755) 8666 8888``, ``+86 21 6234 5678``);
- e-mail addresses, ``+tags`` included.

Digits directly before or after a match stop it, so order numbers and amounts stay. Local landline
numbers without an area code (``6234 5678``) cannot be told from other numbers and are left alone;
service hotlines (400/800) are company numbers, not customers', and are left alone too.

Work is done once per distinct value (``pd.factorize``), so a million-row table takes a second or two.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

ENV_KEY = "KIT_PSEUDONYM_KEY"
DIGITS = 10  # hex digits kept: 40 bits, so a million distinct values rarely collide (~0.5 pairs expected)
PREFIXES = {"id": "C", "name": "N", "phone": "P", "email": "E"}
"""Readable prefix of each kind of identifier."""
PII_COLUMNS = {"customer_id": "id", "customer_name": "name", "name": "name", "phone": "phone", "email": "email"}
"""Identifier columns of the kit's schemas (``pii=True``) and the kind of identifier each holds."""

EMAIL_RE = r"[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
_SEP = r"[ \-\u00a0]?"
_CC = r"(?:(?:\+|00)\s?86|86)"  # country code of mainland China
MOBILE_RE = rf"(?:\(?{_CC}\)?[ \-]?)?1[3-9]\d{_SEP}\d{{4}}{_SEP}\d{{4}}"
_AREA_BIG = r"(?:\(?0(?:10|2\d)\)|0(?:10|2\d)|\(?(?:\+|00)\s?86\)?[ \-]?\(?(?:10|2\d)\)?)"  # Beijing, 02x: 8-digit numbers
_AREA = r"(?:\(?0[3-9]\d{2}\)|0[3-9]\d{2}|\(?(?:\+|00)\s?86\)?[ \-]?\(?[3-9]\d{2}\)?)"  # other areas: 7–8 digits
LANDLINE_RE = (
    rf"(?:{_AREA_BIG}[ \-]?[2-9]\d{{3}}{_SEP}\d{{4}}|{_AREA}[ \-]?[2-9]\d{{2,3}}{_SEP}\d{{4}})"
)
PHONE_RE = rf"(?<![\d+])(?:(?P<mobile>{MOBILE_RE})|(?P<landline>{LANDLINE_RE}))(?!\d)"
TEXT_RE = re.compile(rf"(?P<email>{EMAIL_RE})|{PHONE_RE}")
_QUICK_RE = r"@|\d{3}"  # a value without either cannot hold a phone or an e-mail


def resolve_key(key=None) -> tuple[bytes, str]:
    """The HMAC key and where it came from: ``"parameter"``, ``"environment"`` (``KIT_PSEUDONYM_KEY``)
    or ``"random"`` (a fresh 32-byte key, good for this report run only)."""
    if key is not None and key != "":
        return (key if isinstance(key, bytes) else str(key).encode("utf-8")), "parameter"
    env = os.environ.get(ENV_KEY, "")
    if env:
        return env.encode("utf-8"), "environment"
    return secrets.token_bytes(32), "random"


def normalise(value, kind: str) -> str:
    """The form of an identifier that is hashed: phones as digits without the country code (landlines keep
    their leading 0), e-mails in lower case, ids and names trimmed.

    >>> normalise("+86 139-1234-5678", "phone"), normalise("(010) 6234 5678", "phone")
    ('13912345678', '01062345678')
    >>> normalise(" Li.Na+shop@Example.COM ", "email")
    'li.na+shop@example.com'
    """
    text = str(value).strip()
    if kind == "phone":
        digits = re.sub(r"\D", "", text)
        international = text.lstrip("(").startswith(("+", "00"))
        if digits.startswith("0086"):
            digits, international = digits[4:], True
        elif digits.startswith("86") and (international or len(digits) == 13):
            digits, international = digits[2:], True
        if international and not re.fullmatch(r"1[3-9]\d{9}", digits) and not digits.startswith("0"):
            digits = "0" + digits
        return digits or text
    if kind == "email":
        return text.casefold()
    return text


def _normalise_many(text: pd.Series, kind: str) -> list[str]:
    """:func:`normalise` over distinct values, vectorised for the common cases (plain ids, names, e-mails,
    11-digit mobiles); anything else goes through :func:`normalise` one by one."""
    text = text.str.strip()
    if kind == "email":
        return text.str.casefold().tolist()
    if kind != "phone":
        return text.tolist()
    out = text.to_numpy(dtype=object)
    plain = text.str.fullmatch(r"1[3-9]\d{9}").to_numpy(dtype=bool)
    out[~plain] = [normalise(v, "phone") for v in out[~plain]]
    return out.tolist()


class Pseudonymiser:
    """Keyed pseudonyms for one report: the same identifier always gets the same pseudonym.

    >>> p = Pseudonymiser(key="course-demo")
    >>> p.value("13912345678", "phone") == p.value("+86 139 1234 5678", "phone")
    True
    >>> p.value("13912345678", "phone")
    'P-bd86c3e5a0'
    >>> p.scrub("请回电 139-1234-5678 或发邮件到 li@example.com，订单号 202501131234567890，退款 138.50 元")
    '请回电 P-bd86c3e5a0 或发邮件到 E-9885803ceb，订单号 202501131234567890，退款 138.50 元'
    """

    def __init__(self, key=None):
        self._key, self.key_source = resolve_key(key)
        block = (hashlib.sha256(self._key).digest() if len(self._key) > 64 else self._key).ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))
        self._cache: dict[tuple[str, str], str] = {}

    def __repr__(self) -> str:
        return f"Pseudonymiser(key_source={self.key_source!r})"  # never the key itself

    def _hash(self, norm: str, kind: str) -> str:
        """HMAC-SHA256 (RFC 2104) from the two precomputed key states: copying a hash state is far cheaper
        than setting up a new HMAC per value."""
        inner = self._inner.copy()
        inner.update(f"{kind}\x00{norm}".encode())
        outer = self._outer.copy()
        outer.update(inner.digest())
        return f"{PREFIXES[kind]}-{outer.hexdigest()[:DIGITS]}"

    def value(self, value, kind: str = "id"):
        """The pseudonym of one identifier of ``kind`` (id, name, phone, email); missing stays missing."""
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return value
        norm = normalise(value, kind)
        cached = self._cache.get((kind, norm))
        if cached is None:
            cached = self._cache[(kind, norm)] = self._hash(norm, kind)
        return cached

    def series(self, values, kind: str = "id") -> pd.Series:
        """Pseudonyms of a column, hashed once per distinct value; missing values stay missing."""
        values = pd.Series(values)
        codes, uniques = pd.factorize(values)
        norms = _normalise_many(pd.Series(uniques).astype(str), kind)
        hashed = np.array([self._hash(v, kind) for v in norms] + [pd.NA], dtype=object)
        return pd.Series(hashed[codes], index=values.index, name=values.name, dtype="string")

    def _replace(self, match: re.Match) -> str:
        if match.group("email"):
            return self.value(match.group("email"), "email")
        return self.value(match.group(0), "phone")

    def scrub(self, text):
        """``text`` with every phone number and e-mail address in it replaced by its pseudonym."""
        if text is None or (not isinstance(text, str) and pd.isna(text)):
            return text
        return TEXT_RE.sub(self._replace, str(text))

    def scrub_series(self, texts) -> pd.Series:
        """:meth:`scrub` over a column: once per distinct value, and only values that could hold a phone or
        an e-mail go through the full pattern."""
        texts = pd.Series(texts)
        codes, uniques = pd.factorize(texts)
        if not len(uniques):
            return texts
        distinct = pd.Series(uniques).astype("string")
        suspect = distinct.str.contains(_QUICK_RE, regex=True).fillna(False).to_numpy(dtype=bool)
        if not suspect.any():
            return texts
        fixed = distinct.to_numpy(dtype=object)
        fixed[suspect] = [self.scrub(v) for v in fixed[suspect]]
        out = np.append(fixed, pd.NA)[codes]
        dtype = texts.dtype if isinstance(texts.dtype, pd.StringDtype) else object
        return pd.Series(out, index=texts.index, name=texts.name, dtype=dtype)

    def frame(self, df: pd.DataFrame, columns: Mapping[str, str] | None = None,
              text: Iterable[str] | None = None) -> pd.DataFrame:
        """A copy of ``df`` safe to show: identifier columns pseudonymised and phones / e-mails scrubbed out
        of every other text column.

        ``columns`` maps identifier column → kind (default :data:`PII_COLUMNS`, those present); ``text``
        names the columns to scrub (default: every other column holding text)."""
        columns = {c: k for c, k in (PII_COLUMNS if columns is None else columns).items() if c in df.columns}
        out = df.copy()
        for column, kind in columns.items():
            out[column] = self.series(df[column], kind)
        if text is None:
            text = [c for c in df.columns if c not in columns and _holds_text(df[c])]
        for column in text:
            out[column] = self.scrub_series(df[column])
        return out


def _holds_text(column: pd.Series) -> bool:
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return not pd.api.types.is_numeric_dtype(dtype.categories.dtype)
    return pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype)


def pseudonymise(df: pd.DataFrame, key=None, *, columns: Mapping[str, str] | None = None,
                 text: Iterable[str] | None = None) -> pd.DataFrame:
    """``df`` with identifiers pseudonymised and free text scrubbed (see :meth:`Pseudonymiser.frame`).
    Use one :class:`Pseudonymiser` for several tables of the same report when the key is random."""
    return Pseudonymiser(key).frame(df, columns=columns, text=text)


def scrub_text(texts, key=None):
    """Phones and e-mails in ``texts`` (one string or a column) replaced by their pseudonyms."""
    p = Pseudonymiser(key)
    return p.scrub(texts) if isinstance(texts, str) else p.scrub_series(texts)


def safe_report(report, pseudonymiser: Pseudonymiser | None):
    """A :class:`kit.data.io.LoadReport` safe to show: the example values it quotes for identifier columns
    are pseudonymised (names cannot be found in text by pattern), phones / e-mails elsewhere scrubbed.
    ``None`` (privacy switched off) returns the report as it is."""
    from dataclasses import replace

    if pseudonymiser is None:
        return report
    coercions = []
    for c in report.coercions:
        kind = PII_COLUMNS.get(c.column)
        if kind:
            examples = tuple(" → ".join(pseudonymiser.value(part.strip(), kind) for part in e.split(" → "))
                             for e in c.examples)
        else:
            examples = tuple(pseudonymiser.scrub(e) for e in c.examples)
        coercions.append(replace(c, examples=examples))
    return replace(report, coercions=tuple(coercions))
