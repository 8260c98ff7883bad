"""Communication (M2 沟通): a reply linter, question types and talk ratio, with every rule as course data.

The word lists live in ``course/communication/rules-zh.yml`` and ``rules-en.yml`` (named with a hyphen,
not ``.zh.yml``: the two languages' lists differ in length and content, so they are not a text pair for
the zh/en parity test), the thresholds in ``course/communication/limits.yml``, each tagged with its seed.
Chinese is segmented with jieba (loaded on first use, its log silenced; the jargon terms are added to a
private dictionary so each counts as one word), English with a regex. A one-word phrase only matches a
whole word (对冲 does not fire inside 面对冲突), a longer phrase matches as written, and a phrase inside a
longer flagged one is not flagged again (可能 inside 不可能). Finding messages come from
``kit/locale/communication.<lang>.yml`` in the reply's language.

>>> [f.rule for f in lint_reply("Unfortunately that's the policy. Maybe next week.", "en")]
['negative', 'no_empathy', 'banned', 'hedge']
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from kit.errors import KitError
from kit.i18n import check_lang, t
from kit.text import data as course_data

# Finding rules in priority order: a phrase match inside a longer one, or on the same words as an earlier-listed
# rule's match, is dropped.
PHRASE_RULES = ("banned", "blame", "vague_promise", "negative", "hedge", "jargon")
RULES = (*PHRASE_RULES, "jargon_share", "long_sentence", "no_empathy")
REPLY_RULES = ("jargon_share", "no_empathy")  # findings on the reply as a whole, not on some of its words
QUESTION_TYPES = ("reflective", "hypothetical", "probing", "open", "closed")  # checked in this order
SPSB = ("situation", "problem", "solution", "benefit")  # [000] 情境→问题→解决方案→收益
EARS = ("encourage", "acknowledge", "reflect", "summarize")  # [000] 鼓励→确认→反映→总结
HAN = r"[\u3400-\u4dbf\u4e00-\u9fff]"
LATIN_WORD = r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*"
_UNIT = re.compile(f"{HAN}|{LATIN_WORD}")
_WORDLIKE = re.compile(r"\w")


@dataclass(frozen=True)
class Finding:
    """One linter finding: the rule, the ``(start, end)`` character span in the reply, what is wrong and
    what to say instead. Whole-reply findings span the reply (jargon share) or are empty at 0 (no empathy)."""

    rule: str
    span: tuple[int, int]
    message: str
    suggestion: str


@dataclass(frozen=True)
class QuestionType:
    """The type of one question and the cue that decided it (``kind`` "unclear" when no cue matched)."""

    kind: str
    cue: str | None = None
    span: tuple[int, int] | None = None


@dataclass(frozen=True)
class _Phrase:
    say: str
    instead: str | None
    whole_word: bool  # Chinese one-word phrases must start and end on jieba word boundaries
    pattern: re.Pattern
    unless_prev: re.Pattern | None
    unless_next: re.Pattern | None

    def excluded(self, text: str, start: int, end: int) -> bool:
        """True when the words just before or after the match turn it into something else (no problem …)."""
        return bool((self.unless_prev and self.unless_prev.search(text, 0, start))
                    or (self.unless_next and self.unless_next.match(text, end)))


@dataclass(frozen=True)
class _Lexicon:
    """One language's rules, compiled."""

    lang: str
    phrases: dict[str, tuple[_Phrase, ...]]
    empathy: tuple[_Phrase, ...]
    explain_after: re.Pattern
    explain_before: re.Pattern
    concrete_time: tuple[re.Pattern, ...]
    sentence_end: re.Pattern
    abbreviations: tuple[str, ...]
    questions: dict[str, tuple[re.Pattern, ...]]


# --- rules as data ------------------------------------------------------------------------------------


def rules(lang: str) -> dict:
    """The word lists of ``course/communication/rules-<lang>.yml`` as written."""
    return course_data(f"communication/rules-{check_lang(lang)}")


def limits() -> dict:
    """The lesson's thresholds (``course/communication/limits.yml``), each with its ``source`` seed."""
    return course_data("communication/limits")


def glossary(lang: str) -> tuple[str, ...]:
    """The jargon terms the linter counts for ``lang`` (a customer-facing glossary should explain them)."""
    return tuple(_entry(item)["say"] for item in rules(lang)["jargon"])


@functools.cache
def _lexicon(lang: str) -> _Lexicon:
    data = rules(lang)
    flags = re.IGNORECASE

    def phrases(items) -> tuple[_Phrase, ...]:
        return tuple(_phrase(_entry(item), lang) for item in items)

    return _Lexicon(
        lang=lang,
        phrases={rule: phrases(data[rule]) for rule in PHRASE_RULES},
        empathy=phrases(data["empathy"]),
        explain_after=re.compile(rf"\s*[,，:：]?\s*(?:{_alternation(data['explain_after'])})", flags),
        explain_before=re.compile(rf"(?:{_alternation(data['explain_before'])})\s*$", flags),
        concrete_time=tuple(re.compile(p, flags) for p in data["concrete_time"]),
        sentence_end=re.compile(data["sentence_end"]),
        abbreviations=tuple(a.lower() for a in data.get("abbreviations", ())),
        questions={kind: tuple(re.compile(p, flags) for p in data["questions"][kind]) for kind in QUESTION_TYPES},
    )


def _entry(item) -> dict:
    """A list item as a mapping: a bare string is ``{"say": item}``."""
    return {"say": item} if isinstance(item, str) else item


def _phrase(entry: dict, lang: str) -> _Phrase:
    """Compile one phrase: whole words in English (apostrophes either way); in Chinese plain text, checked
    against the jieba word boundaries at match time when the phrase is itself one word."""
    edge_before, edge_after = (r"(?<!\w)", r"(?!\w)") if lang == "en" else ("", "")
    body = r"\s+".join(re.escape(word) for word in entry["say"].split()).replace("'", "['’]")
    prev, after = _alternation(entry.get("unless_prev")), _alternation(entry.get("unless_next"))
    return _Phrase(
        say=entry["say"],
        instead=entry.get("instead"),
        whole_word=lang == "zh" and len(_jieba().lcut(entry["say"])) == 1,
        pattern=re.compile(edge_before + body + edge_after, re.IGNORECASE),
        unless_prev=re.compile(f"{edge_before}(?:{prev})\\s*$", re.IGNORECASE) if prev else None,
        unless_next=re.compile(f"\\s*(?:{after}){edge_after}", re.IGNORECASE) if after else None,
    )


def _alternation(items) -> str:
    """A regex matching any of ``items`` literally ("" for none)."""
    return "|".join(re.escape(item) for item in items or ())


# --- segmentation -------------------------------------------------------------------------------------


@functools.cache
def _jieba():
    """A private jieba tokenizer that keeps each jargon term one word (its logging silenced)."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    for term in glossary("zh"):
        tokenizer.add_word(term)
    return tokenizer


def words(text: str, lang: str) -> list[tuple[str, int, int]]:
    """Word tokens with their offsets: jieba for Chinese (punctuation and spaces dropped), a regex for English.

    >>> words("Your RMA is pending.", "en")
    [('Your', 0, 4), ('RMA', 5, 8), ('is', 9, 11), ('pending', 12, 19)]
    """
    if check_lang(lang) == "zh":
        return [(w, s, e) for w, s, e in _jieba().tokenize(text) if _WORDLIKE.search(w)]
    return [(m.group(), m.start(), m.end()) for m in re.finditer(LATIN_WORD, text)]


def text_units(text: str) -> int:
    """Length as a reader feels it: each Han character counts one, and so does each Latin word or number.

    >>> text_units("订单号 7173720181 已经出库")
    8
    """
    return len(_UNIT.findall(text))


def sentence_spans(text: str, lang: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence, end punctuation included, surrounding spaces excluded. Chinese ends at
    。！？ and line breaks; English at . ! ? before a space (not after e.g., p.m. …) and at line breaks.

    >>> sentence_spans("Hi. We'll call by 5 p.m. today!", "en")
    [(0, 3), (4, 31)]
    """
    lex = _lexicon(check_lang(lang))
    spans, start = [], 0
    for m in lex.sentence_end.finditer(text):
        if lang == "en" and text[: m.end()].lower().endswith(lex.abbreviations) and m.end() < len(text):
            continue
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text)))
    return [_strip(text, s, e) for s, e in spans if text[s:e].strip()]


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    piece = text[start:end]
    return start + len(piece) - len(piece.lstrip()), end - len(piece) + len(piece.rstrip())


def _boundaries(text: str) -> set[int]:
    """Offsets where a jieba token (punctuation included) starts or ends."""
    return {offset for _, s, e in _jieba().tokenize(text) for offset in (s, e)}


def _matches(text: str, lex: _Lexicon, phrases: Sequence[_Phrase]) -> list[tuple[int, int, _Phrase]]:
    """Every occurrence of the phrases (one-word ones as whole words) not excluded by their context."""
    bounds = _boundaries(text) if lex.lang == "zh" else set()
    found = []
    for phrase in phrases:
        for m in phrase.pattern.finditer(text):
            s, e = m.span()
            if phrase.whole_word and not {s, e} <= bounds:
                continue
            if not phrase.excluded(text, s, e):
                found.append((s, e, phrase))
    return found


# --- measures -----------------------------------------------------------------------------------------


def jargon_uses(text: str, lang: str) -> list[tuple[int, int, str, bool]]:
    """Every jargon term used: ``(start, end, term, explained)``. A use is explained when a bracket or a cue
    such as 即 / 也就是 / i.e. / which means follows it, or it stands in brackets after the plain words.

    >>> jargon_uses("Your RMA (return authorisation) is with QC.", "en")
    [(5, 8, 'RMA', True), (40, 42, 'QC', False)]
    """
    lex = _lexicon(check_lang(lang))
    uses = []
    for s, e, phrase in sorted(_matches(text, lex, lex.phrases["jargon"]), key=lambda m: m[0]):
        explained = bool(lex.explain_after.match(text, e) or lex.explain_before.search(text, 0, s))
        uses.append((s, e, phrase.say, explained))
    return uses


def jargon_share(text: str, lang: str) -> float:
    """Jargon tokens ÷ word tokens. [000] keeps it at or under 5 % with non-expert clients.

    >>> jargon_share("Your RMA is pending QC.", "en")
    0.4
    >>> round(jargon_share("您的售后单已进入逆向物流环节。", "zh"), 2)  # 2 of 7 words
    0.29
    """
    tokens = words(text, lang)
    spans = [(s, e) for s, e, _, _ in jargon_uses(text, lang)]
    inside = sum(any(js <= s and e <= je for js, je in spans) for _, s, e in tokens)
    return inside / len(tokens) if tokens else 0.0


def talk_ratio(transcript, speaker: str = "agent") -> float:
    """Share of the talk by ``speaker`` (Han characters plus Latin words; bot turns left out). [000]'s
    80/20 rule: in a first meeting the consultant speaks at most 20 % of the time.

    >>> import pandas as pd
    >>> talk_ratio(pd.DataFrame({"speaker": ["customer", "agent"], "text": ["我的包裹等了三天还没到，怎么回事", "抱歉，我来查"]}))
    0.25
    """
    people = transcript[transcript["speaker"] != "bot"]
    units = _units(people["text"])
    mine = units[(people["speaker"] == speaker).to_numpy(dtype=bool, na_value=False)].sum()
    if units.sum() == 0 or mine == 0:
        raise KitError("communication_no_talk", speaker=speaker)
    return float(mine / units.sum())


def talk_ratios(transcripts, speaker: str = "agent"):
    """Per session: the session's language (zh when any turn has a Han character), ``speaker``'s units, the
    other people's units and ``share`` = speaker ÷ all (bots left out). One row per session, in file order.

    >>> import pandas as pd
    >>> talk_ratios(pd.DataFrame({"session_id": ["S1", "S1"], "speaker": ["customer", "agent"],
    ...                           "text": ["Where is my parcel?", "Sorry, checking now."]}))
               lang  speaker  others     share
    session_id
    S1           en        3       4  0.428571
    """
    import pandas as pd

    people = transcripts[transcripts["speaker"] != "bot"]
    units = _units(people["text"])
    is_speaker = (people["speaker"] == speaker).to_numpy(dtype=bool, na_value=False)
    frame = pd.DataFrame({
        "session_id": people["session_id"].to_numpy(),
        "han": people["text"].str.contains(HAN).to_numpy(dtype=bool, na_value=False),
        "speaker": units * is_speaker,
        "others": units * ~is_speaker,
    })
    table = frame.groupby("session_id", sort=False).agg(han=("han", "any"), speaker=("speaker", "sum"),
                                                        others=("others", "sum"))
    table.insert(0, "lang", table.pop("han").map({True: "zh", False: "en"}))
    table["share"] = table["speaker"] / (table["speaker"] + table["others"])
    return table


def _units(texts):
    """:func:`text_units` of each text, vectorised (a numpy int array; missing text counts 0)."""
    return texts.str.count(_UNIT.pattern).fillna(0).to_numpy(dtype=int)


# --- the linter ---------------------------------------------------------------------------------------


def lint_reply(text: str, lang: str) -> list[Finding]:
    """Check a service reply against the M2 rules; findings are sorted by position.

    - ``banned``: phrases on the banned list ([001] asks for a banned-word list with auto-alerts);
    - ``blame``: blame-shifting at the customer (但是您应该… / you should have…);
    - ``vague_promise``: 尽快 / as soon as possible with no concrete time in the same sentence ([002]
      de-escalation: a specific time commitment);
    - ``negative``: negative wording with a positive alternative ([002]: 问题→机会, 不能→可以);
    - ``hedge``: 可能 / 也许 / maybe / perhaps ([000] avoid vague wording);
    - ``jargon``: a jargon term not explained at first use; ``jargon_share``: jargon above 5 % of the words
      ([000]);
    - ``long_sentence``: over 20 characters in Chinese ([000]) or 25 words in English (the kit's choice);
    - ``no_empathy``: no acknowledgement or empathy marker at all ([002] empathy, [001] feelings first).

    >>> [(f.rule, f.span) for f in lint_reply("这不归我管，您可能要等几天。", "zh")]
    [('banned', (0, 5)), ('no_empathy', (0, 0)), ('hedge', (7, 9))]
    """
    if not text.strip():
        return []
    lex = _lexicon(check_lang(lang))
    sentences = sentence_spans(text, lang)
    findings = [
        *_phrase_findings(text, lex, sentences),
        *_share_finding(text, lang),
        *_long_sentences(text, lang, sentences),
        *_empathy_finding(text, lex),
    ]
    return sorted(findings, key=lambda f: (f.span[0], RULES.index(f.rule)))


def _finding(rule: str, span: tuple[int, int], lang: str, instead: str | None = None, **params) -> Finding:
    key = f"communication.findings.{rule}"
    return Finding(rule, span, t(f"{key}.message", lang, **params),
                   instead or t(f"{key}.suggestion", lang, **params))


def _phrase_findings(text: str, lex: _Lexicon, sentences) -> list[Finding]:
    """Findings of the phrase rules (jargon: first uses left unexplained), a match inside a longer flagged one
    (or on the same words as a higher-priority one) dropped."""
    candidates = []
    for rule in PHRASE_RULES[:-1]:
        for s, e, phrase in _matches(text, lex, lex.phrases[rule]):
            if rule != "vague_promise" or not _has_concrete_time(text[slice(*_around(sentences, s))], lex):
                candidates.append((rule, s, e, phrase.instead))
    first_uses: dict[str, tuple] = {}
    for s, e, term, explained in jargon_uses(text, lex.lang):
        first_uses.setdefault(term, (s, e, explained))
    candidates += [("jargon", s, e, None) for s, e, explained in first_uses.values() if not explained]
    kept = [c for c in candidates if not any(_covers(other, c) for other in candidates if other is not c)]
    return [_finding(rule, (s, e), lex.lang, instead, phrase=text[s:e]) for rule, s, e, instead in kept]


def _covers(a, b) -> bool:
    """Does match ``a`` make match ``b`` redundant: longer and around it, or the same span and higher priority?"""
    (rule_a, sa, ea, *_), (rule_b, sb, eb, *_) = a, b
    if (sa, ea) == (sb, eb):
        return PHRASE_RULES.index(rule_a) < PHRASE_RULES.index(rule_b)
    return sa <= sb and eb <= ea


def _around(sentences, offset: int) -> tuple[int, int]:
    """The span of the sentence holding ``offset``."""
    return next(((s, e) for s, e in sentences if s <= offset < e), (offset, offset))


def _has_concrete_time(sentence: str, lex: _Lexicon) -> bool:
    return any(p.search(sentence) for p in lex.concrete_time)


def _share_finding(text: str, lang: str) -> list[Finding]:
    share, limit = jargon_share(text, lang), limits()["jargon_share"]["max"]
    if share <= limit:
        return []
    return [_finding("jargon_share", (0, len(text)), lang, share=share, limit=limit, words=len(words(text, lang)))]


def _long_sentences(text: str, lang: str, sentences) -> list[Finding]:
    limit = limits()["sentence"][lang]["max"]
    found = []
    for s, e in sentences:
        n = text_units(text[s:e]) if lang == "zh" else len(words(text[s:e], lang))
        if n > limit:
            found.append(_finding("long_sentence", (s, e), lang, n=n, limit=limit))
    return found


def _empathy_finding(text: str, lex: _Lexicon) -> list[Finding]:
    if _matches(text, lex, lex.empathy) or not words(text, lex.lang):
        return []
    return [_finding("no_empathy", (0, 0), lex.lang)]


# --- questions and sequences --------------------------------------------------------------------------


def classify_question(text: str, lang: str) -> QuestionType:
    """Open, closed, probing, reflective or hypothetical, from cue words checked in :data:`QUESTION_TYPES`
    order. [000] names open, closed, reflective and hypothetical questions; [001] fact-finding, closed, open
    and guiding. "Probing" (追问: 具体 / 例如 / tell me more) is the kit's own class for follow-ups.

    >>> classify_question("您是否尝试过重启设备？", "zh")
    QuestionType(kind='closed', cue='是否', span=(1, 3))
    >>> classify_question("Could you tell me more about the delay?", "en").kind
    'probing'
    """
    lex = _lexicon(check_lang(lang))
    for kind in QUESTION_TYPES:
        for pattern in lex.questions[kind]:
            m = pattern.search(text)
            if m:
                return QuestionType(kind, m.group().strip(), m.span())
    return QuestionType("unclear")


def sequence_check(chosen: Sequence, steps: Sequence[str]) -> tuple[bool, ...]:
    """Per position, whether the chosen step is the model's step there (for SPSB and EARS drills).

    >>> sequence_check(["situation", "solution", "problem", "benefit"], SPSB)
    (True, False, False, True)
    """
    return tuple(given == step for given, step in zip(chosen, steps, strict=True))
