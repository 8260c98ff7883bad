"""Pseudonymise personal data before anything is shown: private by default.

A :class:`Pseudonymiser` replaces every personal identifier with a keyed hash (HMAC-SHA256, external:
RFC 2104), truncated to 10 hex digits behind a readable, language-neutral prefix (:data:`PREFIXES`): ``C-``
customer id or account (WeChat, QQ, openid), ``N-`` name, ``P-`` phone, ``E-`` e-mail, ``I-`` resident ID
number, ``IP-`` IP address, ``L-`` address or map coordinates (``P-3fa9c2d41b``). Phones, e-mails and ID numbers
written *inside* free text (complaint texts, comments, any other text column) are found by pattern and replaced
by the very same pseudonyms, so one phone reads the same everywhere in a report. Phones are compared by their
digits (``+86 139-1234-5678`` = ``13912345678``), e-mails in lower case.

Which columns hold personal data (:func:`pii_columns`): the kit's own identifier columns, columns whose
header says so in Chinese or English (客户手机号, 联系电话, 邮箱, 身份证号, 姓名, 来自IP, 微信号, 详细地址,
E-mail, First Name …; :func:`header_kind`), and columns whose values mostly *are* phones, e-mails, ID numbers
or IPv4 addresses, whatever their header (:func:`content_kind`).

The key decides the pseudonyms: ``key=`` when given, else the ``KIT_PSEUDONYM_KEY`` environment variable,
else a random key for this one :class:`Pseudonymiser` (one report run). Without the key, guessing a phone
and hashing it does not give its pseudonym, so pseudonyms cannot be reversed by trying numbers. Set
``KIT_PSEUDONYM_KEY`` (keep it secret) to get the same pseudonyms across reports, e.g. to follow one
customer from month to month.

What the text scrubber finds (external: the numbering plan of mainland China; GB 11643-1999):

- mobiles ``1[3-9]`` + 9 digits, optionally led by ``+86`` / ``0086`` / ``86`` and split by spaces or dashes
  (``139 1234 5678``, ``+86-139-1234-5678``);
- landlines with their area code: ``0`` + 2–3 digits, optional brackets, then 7–8 digits
  (``010-62345678``, ``(0755) 8666 8888``, ``+86 21 6234 5678``);
- e-mail addresses, ``+tags`` included;
- 18-character resident ID numbers: area code, birth date ``YYYYMMDD``, sequence and a valid check character
  (:func:`id_card_valid`).

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
import unicodedata
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from kit.data.schemas import normalise_header
from kit.scores import fold_width

ENV_KEY = "KIT_PSEUDONYM_KEY"
DIGITS = 10  # hex digits kept: 40 bits, so a million distinct values rarely collide (~0.5 pairs expected)
PREFIXES = {"id": "C", "name": "N", "phone": "P", "email": "E", "id_card": "I", "ip": "IP", "location": "L"}
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
ID_CARD_RE = r"[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
"""Resident ID number (GB 11643-1999): 6-digit area code, birth date YYYYMMDD, 3-digit sequence, check character."""
ID_CARD_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # 2^(17−i) mod 11, GB 11643-1999
ID_CARD_CHECK = "10X98765432"  # check character for (Σ digit × weight) mod 11 = 0, 1, 2 …
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
IPV4_RE = rf"{_OCTET}(?:\.{_OCTET}){{3}}"
TEXT_RE = re.compile(rf"(?P<email>{EMAIL_RE})|(?<!\d)(?P<id_card>{ID_CARD_RE})(?!\d)|{PHONE_RE}")
_QUICK_RE = r"@|\d{3}"  # a value without either cannot hold a phone, an e-mail or an ID number

CONTENT_RES = {
    "email": EMAIL_RE,
    "phone": rf"{MOBILE_RE}|{LANDLINE_RE}|1[3-9]\d\*{{4}}\d{{4}}",  # masked mobiles (139****5678) too
    "id_card": ID_CARD_RE,
    "ip": rf"{IPV4_RE}(?:\s*\(.*\))?",  # 问卷星 writes 来自IP as "36.110.150.211(江苏-南京)"
}
"""What a whole cell of each kind looks like (after NFKC and trimming), for :func:`content_kind`."""
MOSTLY = 0.8
"""Share of a column's non-empty values that must look like one kind of identifier for :func:`content_kind`."""

_NUMBERING_RE = r"^(?:q?\d+[、.):\]_\s-]+|\(\d+\)|第\d+题)"  # "3、", "Q3.", "(3)", "第3题" before a question
_OWNER = (r"(?:请(?:留下|填写|输入|提供))?(?:[您你]的?)?"
          r"(?:本人|客户|顾客|用户|会员|买家|联系人?|收货人|收件人|投诉人|customer|contact|recipient|respondent|user|your)?")
HEADER_RES = {
    "id_card": r"(?:身份证|证件)(?:号码?)?|(?:身份证件|有效证件)号码?|idcard(?:number|no)?|nationalid(?:number|no)?",
    "phone": r"(?:手机|电话|移动电话|座机|固话)(?:号码?)?|(?:来电|主叫)号码|(?:mobile|cell)?phone(?:number|no)?"
             r"|mobile(?:number|no)?|tel(?:ephone)?(?:number|no)?",
    "email": r"(?:电子)?(?:邮箱|邮件)(?:地址)?|e?mail(?:address)?",
    "ip": r"(?:来自|来源|登录|提交)?ip(?:地址|address)?",
    "location": r"(?:详细|家庭|通讯|收货|居住)?(?:地址|住址)|(?:home|street|postal|mailing|shipping)?address"
                r"|(?:location)?(?:latitude|longitude)|经度|纬度",
    "name": r"姓名|名字|联系人|(?:客户|顾客)名称|(?:full|first|last|given|family|sur)?name",
    "id": r"(?:客户|会员|用户)(?:编号|id|号|卡号)|微信(?:号|id)|wechat(?:id)?|qq(?:号码?)?|openid|unionid"
          r"|(?:customer|member|user)(?:id|number|no)",
}
"""Headers of each kind (Chinese and English), matched whole after :func:`fold_header`, optionally led by whose
it is (客户, 联系, 您的, Recipient …): 客户手机号, 联系邮箱, 请留下您的手机号码, RecipientFirstName."""
_HEADER_RE = re.compile(rf"{_OWNER}(?:{'|'.join(f'(?P<{kind}>{p})' for kind, p in HEADER_RES.items())})")


def resolve_key(key=None) -> tuple[bytes, str]:
    """The HMAC key and where it came from: ``"parameter"``, ``"environment"`` (``KIT_PSEUDONYM_KEY``)
    or ``"random"`` (a fresh 32-byte key, good for this report run only)."""
    if key is not None and key != "":
        return (key if isinstance(key, bytes) else str(key).encode("utf-8")), "parameter"
    env = os.environ.get(ENV_KEY, "")
    if env:
        return env.encode("utf-8"), "environment"
    return secrets.token_bytes(32), "random"


def id_card_valid(number) -> bool:
    """Whether an 18-character resident ID number ends in its check character (GB 11643-1999): the first 17
    digits times the weights 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 (2^(17−i) mod 11), summed,
    mod 11, pick the character from ``"10X98765432"``.

    >>> id_card_valid("11010519491231002X"), id_card_valid("110105194912310021")
    (True, False)
    """
    number = str(number).strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", number):
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], ID_CARD_WEIGHTS, strict=True))
    return ID_CARD_CHECK[total % 11] == number[17]


def fold_header(header) -> str:
    """A header folded for :data:`HEADER_RES`: NFKC, case, a question number (``3、``, ``Q3.``) and what
    :func:`kit.data.schemas.normalise_header` drops (spaces, ``_-./:``, a trailing bracket).

    >>> fold_header("3、 您的手机号码（必填）"), fold_header("E-mail"), fold_header("IP Address")
    ('您的手机号码', 'email', 'ipaddress')
    """
    text = unicodedata.normalize("NFKC", str(header)).strip().casefold()
    return normalise_header(re.sub(_NUMBERING_RE, "", text))


def header_kind(header) -> str | None:
    """The kind of identifier a column holds by its header: the kit's own columns (:data:`PII_COLUMNS`), else
    the wording of :data:`HEADER_RES`; None when the header does not say.

    >>> [header_kind(h) for h in ("客户手机号", "联系邮箱", "身份证号", "来自IP", "RecipientFirstName", "满意度")]
    ['phone', 'email', 'id_card', 'ip', 'name', None]
    """
    if header in PII_COLUMNS:
        return PII_COLUMNS[header]
    match = _HEADER_RE.fullmatch(fold_header(header))
    return match.lastgroup if match else None


def _as_text(values: pd.Series) -> pd.Series:
    """Values as text; whole numbers without ``.0`` (a phone typed as a number in Excel reads 13912345678.0)."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return values.map("{:.15g}".format).astype("string")
    return values.astype("string")


def content_kind(values) -> str | None:
    """The kind of identifier (email, phone, id_card, ip) that at least :data:`MOSTLY` of a column's non-empty
    values are, as whole cells (:data:`CONTENT_RES`; ID numbers with a valid check character), or None. Only
    text and number columns are read; 11-digit numbers that are no mobile (``1[3-9]`` + 9 digits), scores,
    dates and ticket ids are none of these.

    >>> content_kind(["13912345678", "+86 150 1234 5678", None]), content_kind(["12345678901", "20250301001"])
    ('phone', None)
    """
    values = pd.Series(values)
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype) or not (_holds_text(values) or pd.api.types.is_numeric_dtype(dtype)):
        return None
    codes, uniques = pd.factorize(values)
    distinct = fold_width(_as_text(pd.Series(uniques)).str.strip())
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques)) * distinct.ne("").to_numpy(dtype=bool)
    if not counts.sum():
        return None
    for kind, pattern in CONTENT_RES.items():
        hit = distinct.str.fullmatch(pattern).to_numpy(dtype=bool)
        if kind == "id_card":
            hit[hit] = [id_card_valid(v) for v in distinct[hit]]
        if counts[hit].sum() >= MOSTLY * counts.sum():
            return kind
    return None


def pii_columns(df: pd.DataFrame) -> dict[str, str]:
    """The columns of ``df`` that hold personal data and the kind of each: by header (:func:`header_kind`), else
    by content (:func:`content_kind`).

    >>> pii_columns(pd.DataFrame({"客户手机号": ["139****5678"], "来自IP": ["36.110.150.211(江苏-南京)"],
    ...                           "col7": ["11010519491231002X"], "nps": [9]}))
    {'客户手机号': 'phone', '来自IP': 'ip', 'col7': 'id_card'}
    """
    found = {column: header_kind(column) or content_kind(df[column]) for column in df.columns}
    return {column: kind for column, kind in found.items() if kind}


def normalise(value, kind: str) -> str:
    """The form of an identifier that is hashed: phones as digits without the country code (landlines keep
    their leading 0), e-mails in lower case, ID numbers in upper case, IP addresses without what follows them,
    the rest trimmed.

    >>> normalise("+86 139-1234-5678", "phone"), normalise("(010) 6234 5678", "phone")
    ('13912345678', '01062345678')
    >>> normalise(" Li.Na+shop@Example.COM ", "email"), normalise("36.110.150.211(江苏-南京)", "ip")
    ('li.na+shop@example.com', '36.110.150.211')
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
    if kind == "id_card":
        return text.upper()
    if kind == "ip":
        address = re.match(IPV4_RE, text)
        return address.group(0) if address else text
    return text


NORMAL_FORMS = {"phone": r"1[3-9]\d{9}", "email": r"[a-z0-9._%+\-@]*", "id_card": r"\d{17}[\dX]", "ip": IPV4_RE}
"""Values already in the form :func:`normalise` gives them (trimmed), so that they can skip it."""


def _normalise_many(text: pd.Series, kind: str) -> list[str]:
    """:func:`normalise` over distinct values, vectorised for the common cases (plain ids, names, e-mails,
    11-digit mobiles, IPs); anything else goes through :func:`normalise` one by one."""
    text = text.str.strip()
    if kind not in NORMAL_FORMS:
        return text.tolist()
    out = text.to_numpy(dtype=object)
    odd = ~text.str.fullmatch(NORMAL_FORMS[kind]).to_numpy(dtype=bool)
    out[odd] = [normalise(v, kind) for v in out[odd]]
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
        """The pseudonym of one identifier of ``kind`` (a key of :data:`PREFIXES`); missing stays missing."""
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
        norms = _normalise_many(_as_text(pd.Series(uniques)), kind)
        hashed = np.array([self._hash(v, kind) for v in norms] + [pd.NA], dtype=object)
        return pd.Series(hashed[codes], index=values.index, name=values.name, dtype="string")

    def _replace(self, match: re.Match) -> str:
        if match.group("email"):
            return self.value(match.group("email"), "email")
        if match.group("id_card"):
            number = match.group("id_card")
            return self.value(number, "id_card") if id_card_valid(number) else number
        return self.value(match.group(0), "phone")

    def scrub(self, text):
        """``text`` with every phone number, e-mail address and resident ID number in it replaced by its
        pseudonym."""
        if text is None or (not isinstance(text, str) and pd.isna(text)):
            return text
        return TEXT_RE.sub(self._replace, str(text))

    def scrub_series(self, texts) -> pd.Series:
        """:meth:`scrub` over a column: once per distinct value, and only values that could hold a phone, an
        e-mail or an ID number go through the full pattern."""
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
        """A copy of ``df`` safe to show: identifier columns pseudonymised and phones / e-mails / ID numbers
        scrubbed out of every other text column.

        ``columns`` maps identifier column → kind (default :func:`pii_columns`: found by header and by
        content); ``text`` names the columns to scrub (default: every other column holding text)."""
        columns = {c: k for c, k in (pii_columns(df) if columns is None else columns).items() if c in df.columns}
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
    """Phones, e-mails and ID numbers in ``texts`` (one string or a column) replaced by their pseudonyms."""
    p = Pseudonymiser(key)
    return p.scrub(texts) if isinstance(texts, str) else p.scrub_series(texts)


def safe_report(report, pseudonymiser: Pseudonymiser | None):
    """A :class:`kit.data.io.LoadReport` safe to show: the example values it quotes for identifier columns
    (:func:`header_kind`) are pseudonymised (names cannot be found in text by pattern), phones / e-mails / ID
    numbers elsewhere scrubbed. ``None`` (privacy switched off) returns the report as it is."""
    from dataclasses import replace

    if pseudonymiser is None:
        return report
    coercions = []
    for c in report.coercions:
        kind = header_kind(c.column)
        if kind:
            examples = tuple(" → ".join(pseudonymiser.value(part.strip(), kind) for part in e.split(" → "))
                             for e in c.examples)
        else:
            examples = tuple(pseudonymiser.scrub(e) for e in c.examples)
        coercions.append(replace(c, examples=examples))
    return replace(report, coercions=tuple(coercions))
