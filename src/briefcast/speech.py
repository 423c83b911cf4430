"""Text a voice can read aloud: numbers, citations, dates, money and abbreviations as words.

:func:`normalise` rewrites the written forms found in bill records into the words a
newsreader would say, so that no voice has to guess. It never leaves a digit behind
and is idempotent (normalising twice changes nothing). The readings, decided once:

============================  ==========================================================
written                       spoken
============================  ==========================================================
``H.R. 4350`` / ``S. 35``      ``H.R. forty-three fifty`` / ``S. thirty-five``
``H.J.Res. 45``               ``House Joint Resolution forty-five`` (likewise ``H.Res.``,
                              ``H.Con.Res.``, ``S.Res.``, ``S.J.Res.``, ``S.Con.Res.``)
bill and section numbers      identifiers: up to 99 plainly (``twenty-one``); 100–999 as
                              digit then pair (``one oh five``, ``four fifty``, round
                              hundreds ``two hundred``); 1000–9999 in pairs
                              (``twelve thirty-four``, ``ten oh five``, ``twelve hundred``,
                              ``two thousand``); larger ones as plain numbers
years                         in pairs (``twenty twenty-six``, ``nineteen oh five``),
                              but ``two thousand five`` for 2000–2009
``March 5, 2026``, ISO,       ``March fifth, twenty twenty-six``
``3/5/2026``
``$1.2 billion``, ``$2.50``   ``one point two billion dollars``, ``two dollars and fifty
                              cents``; ``$1,500,000`` → ``one point five million dollars``
``7.5%``                      ``seven point five percent``
``117th``                     ``one hundred seventeenth`` (no "and", as in US news)
``Sen.`` ``Rep.`` ``Del.``    ``Senator`` ``Representative`` ``Delegate`` (before a name)
``(D-VA)``, ``[R-TX-12]``     ``, a Democrat from Virginia,`` / ``a Republican from
                              Texas's twelfth district``
``42 U.S.C. 1983``            ``title forty-two of the U.S. Code, section nineteen
                              eighty-three``; ``U.S.`` stays as written
``Public Law 117-58``,        ``Public Law one seventeen dash fifty-eight``,
``H. Rept. 119-245``          ``House Report one nineteen dash two forty-five``
``FY2026-FY2030``             ``fiscal years twenty twenty-six through twenty thirty``
``Title XIX``, ``Rule XXII``  ``Title nineteen``, ``Rule twenty-two`` (a lone C or L is a
                              letter: ``Medicare Part C``)
``§``, ``e.g.``, ``i.e.``,    ``section``, ``for example``, ``that is``, ``et cetera``
``etc.``
============================  ==========================================================

A bare four-digit number from 1900 to 2099 is read as a year, since in bill text it
almost always is one. Other numbers are read as cardinals without "and".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import inflect

__all__ = [
    "PARTY_NAMES",
    "STATE_NAMES",
    "normalise",
    "party_phrase",
    "spoken_date",
    "spoken_identifier",
    "spoken_number",
    "spoken_ordinal",
    "spoken_year",
    "state_name",
    "tidy",
]

#: Two-letter postal codes of the states, DC and the territories that send a member.
STATE_NAMES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas",
    "CA": "California", "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho",
    "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
    "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi",
    "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
    "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina",
    "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah",
    "VT": "Vermont", "VA": "Virginia", "WA": "Washington", "WV": "West Virginia",
    "WI": "Wisconsin", "WY": "Wyoming",
    "DC": "the District of Columbia", "PR": "Puerto Rico", "GU": "Guam",
    "VI": "the U.S. Virgin Islands", "AS": "American Samoa",
    "MP": "the Northern Mariana Islands",
}  # fmt: skip

_NAMES_BY_FOLDED = {name.casefold().removeprefix("the "): name for name in STATE_NAMES.values()}

#: Party codes used in member records, with the noun a host would say.
PARTY_NAMES: dict[str, str] = {
    "D": "Democrat",
    "R": "Republican",
    "I": "Independent",
    "ID": "Independent Democrat",
    "L": "Libertarian",
}

_MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip
_MONTH_ABBREVIATIONS = {m[:3]: m for m in _MONTHS} | {"Sept": "September"}
_ENGINE = inflect.engine()
_SCALES = {"thousand": 3, "million": 6, "billion": 9, "trillion": 12}
_SCALE_SUFFIXES = {"k": "thousand", "m": "million", "mn": "million", "b": "billion"}
_SCALE_SUFFIXES |= {"bn": "billion", "t": "trillion", "tn": "trillion"}


# --- numbers -------------------------------------------------------------------------


def spoken_number(value: int) -> str:
    """A cardinal in words, without "and": ``1234`` → ``one thousand two hundred thirty-four``."""
    if value < 0:
        return "minus " + spoken_number(-value)
    if value >= 10**15:  # past quadrillions nobody says the number; read its digits
        return _digits(str(value))
    return str(_ENGINE.number_to_words(str(value), andword="", comma=""))


def spoken_ordinal(value: int) -> str:
    """An ordinal in words: ``117`` → ``one hundred seventeenth``."""
    return str(_ENGINE.ordinal(spoken_number(value)))


def spoken_identifier(value: int) -> str:
    """A bill or section number as a newsreader says it (see the module table)."""
    if value < 100 or value >= 10_000:
        return spoken_number(value)
    if value % 1000 == 0 or (value < 1000 and value % 100 == 0):
        return spoken_number(value)
    high, low = divmod(value, 100)
    if low == 0:
        return f"{spoken_number(high)} hundred"
    return f"{spoken_number(high)} {_pair(low)}"


def spoken_year(value: int) -> str:
    """A year in words: ``2026`` → ``twenty twenty-six``, ``2005`` → ``two thousand five``."""
    if 2000 <= value <= 2009 or not 1000 <= value <= 9999:
        return spoken_number(value)
    return spoken_identifier(value)


def spoken_date(day: date, *, with_year: bool = True) -> str:
    """``date(2026, 3, 5)`` → ``March fifth, twenty twenty-six``."""
    words = f"{_MONTHS[day.month - 1]} {spoken_ordinal(day.day)}"
    return f"{words}, {spoken_year(day.year)}" if with_year else words


def _pair(value: int) -> str:
    return f"oh {spoken_number(value)}" if value < 10 else spoken_number(value)


def _digits(text: str) -> str:
    return " ".join(spoken_number(int(ch)) for ch in text)


def _decimal(whole: str, fraction: str) -> str:
    return f"{_integer(whole)} point {_digits(fraction)}"


def _integer(text: str) -> str:
    """A written integer (maybe with thousands commas) in words; round millions shortened."""
    digits = text.replace(",", "")
    if len(digits) > 1 and digits.startswith("0"):
        return _digits(digits)
    value = int(digits)
    for scale, power in sorted(_SCALES.items(), key=lambda item: -item[1]):
        if power >= 6 and value >= 10**power and value % 10 ** (power - 2) == 0:
            whole, rest = divmod(value, 10**power)
            if rest == 0:
                return f"{spoken_number(whole)} {scale}"
            return (
                f"{spoken_number(whole)} point {_digits(f'{rest:0{power}d}'.rstrip('0'))} {scale}"
            )
    return spoken_number(value)


def _amount(whole: str, fraction: str | None) -> str:
    return _decimal(whole, fraction) if fraction else _integer(whole)


# --- places and parties --------------------------------------------------------------


def state_name(code_or_name: str | None) -> str | None:
    """``"VA"`` → ``"Virginia"``; a known name passes through; anything else gives None."""
    text = (code_or_name or "").strip()
    if text.upper() in STATE_NAMES:
        return STATE_NAMES[text.upper()]
    return _NAMES_BY_FOLDED.get(text.casefold())


def party_phrase(party: str | None, state: str | None, district: str | None = None) -> str | None:
    """``("D", "VA")`` → ``"a Democrat from Virginia"``; None when neither is known."""
    place = state_name(state)
    noun = PARTY_NAMES.get((party or "").strip().upper())
    if place and district is not None and district.strip():
        place = f"{place}'s {_district(district.strip())}"
    if noun and place:
        return f"{_article(noun)} {noun} from {place}"
    if noun:
        return f"{_article(noun)} {noun}"
    return f"from {place}" if place else None


def _district(text: str) -> str:
    if text.isdigit() and int(text) > 0:
        return f"{spoken_ordinal(int(text))} district"
    return "at-large district"


def _article(noun: str) -> str:
    return "an" if noun[0] in "AEIOU" else "a"


# --- rewriting rules -------------------------------------------------------------------

Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]

_NUM = r"\d{1,3}(?:,\d{3})+|\d+"
_MONTH_WORD = (
    r"(?:" + "|".join(_MONTHS) + r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)"
)
_CITATION_KINDS = {
    "hr": "H.R.",
    "s": "S.",
    "hres": "House Resolution",
    "hjres": "House Joint Resolution",
    "hconres": "House Concurrent Resolution",
    "sres": "Senate Resolution",
    "sjres": "Senate Joint Resolution",
    "sconres": "Senate Concurrent Resolution",
}
_DOTTED = r"H\.\s?R\.|H\.\s?(?:J\.\s?|Con\.\s?)?Res\.|S\.\s?(?:J\.\s?|Con\.\s?)?Res\.|S\."
_UNDOTTED = r"HR|H(?:J|CON)?RES|S(?:J|CON)?RES"


def _month(word: str) -> int:
    word = word.rstrip(".")
    name = _MONTH_ABBREVIATIONS.get(word, word)
    return _MONTHS.index(name) + 1


def _date_words(year: int | None, month: int, day: int, original: str) -> str:
    try:
        when = date(year or 2000, month, day)
    except ValueError:
        return original  # not a calendar date; the number rules will read its parts
    return spoken_date(when, with_year=year is not None)


def _iso_date(m: re.Match[str]) -> str:
    return _date_words(int(m["y"]), int(m["m"]), int(m["d"]), m[0])


def _us_date(m: re.Match[str]) -> str:
    year = int(m["y"]) + (2000 if len(m["y"]) == 2 else 0)
    return _date_words(year, int(m["m"]), int(m["d"]), m[0])


def _named_date(m: re.Match[str]) -> str:
    year = int(m["y"]) if m["y"] else None
    return _date_words(year, _month(m["mon"]), int(m["d"]), m[0])


def _month_year(m: re.Match[str]) -> str:
    return f"{_MONTHS[_month(m['mon']) - 1]} {spoken_year(int(m['y']))}"


def _citation(m: re.Match[str]) -> str:
    kind = re.sub(r"[.\s]", "", m["kind"]).lower()
    return f"{_CITATION_KINDS[kind]} {spoken_identifier(int(m['n']))}"


def _public_law(m: re.Match[str]) -> str:
    return f"Public Law {spoken_identifier(int(m['c']))} dash {spoken_identifier(int(m['n']))}"


def _usc(m: re.Match[str]) -> str:
    title = f"title {spoken_identifier(int(m['t']))} of the U.S. Code"
    return f"{title}, section {_section_number(m['s'], m['sub'] or '')}" if m["s"] else title


def _section_number(number: str, subsections: str) -> str:
    digits = re.match(r"\d+", number)
    assert digits is not None
    words = [spoken_identifier(int(digits[0])), number[digits.end() :]]
    for part in re.findall(r"\(([A-Za-z0-9]{1,4})\)", subsections):
        words.append(spoken_number(int(part)) if part.isdigit() else part)
    return " ".join(w for w in words if w)


def _section(m: re.Match[str]) -> str:
    return f"{m['word']} {_section_number(m['n'], m['sub'] or '')}"


def _keyword_section(m: re.Match[str]) -> str:
    word = "sections" if m["word"].lower() in ("secs.", "§§") else "section"
    return f"{word} {_section_number(m['n'], m['sub'] or '')}"


def _party_tag(m: re.Match[str]) -> str:
    if m["state"] not in STATE_NAMES:
        return m[0]
    district = m["district"]
    if district in ("AL", "At Large"):
        district = "0"
    phrase = party_phrase(m["party"], m["state"], district)
    return f", {phrase}," if m["open"] else phrase or m[0]


def _money(m: re.Match[str]) -> str:
    suffix = (m["scale"] or "").lower()
    scale = _SCALE_SUFFIXES.get(suffix, suffix)
    if scale:
        return f"{_amount(m['n'], m['f'])} {scale} dollars"
    if m["f"] and len(m["f"]) == 2:
        return _dollars_and_cents(m["n"], int(m["f"]))
    unit = "dollar" if m["n"] == "1" and not m["f"] else "dollars"
    return f"{_amount(m['n'], m['f'])} {unit}"


def _dollars_and_cents(whole: str, cents: int) -> str:
    dollars = int(whole.replace(",", ""))
    parts = []
    if dollars or not cents:
        parts.append(f"{_integer(whole)} {'dollar' if dollars == 1 else 'dollars'}")
    if cents:
        parts.append(f"{spoken_number(cents)} {'cent' if cents == 1 else 'cents'}")
    return " and ".join(parts)


def _range(m: re.Match[str]) -> str:
    first, second = int(m["a"].replace(",", "")), int(m["b"].replace(",", ""))
    if m["sp1"] or m["sp2"] or first < second:
        return f"{_quantity(m['a'])} to {_quantity(m['b'])}"
    return f"{_quantity(m['a'])} dash {_quantity(m['b'])}"


def _quantity(text: str) -> str:
    if "," not in text and len(text) == 4 and 1900 <= int(text) <= 2099:
        return spoken_year(int(text))
    return _integer(text)


def _time(m: re.Match[str]) -> str:
    hour, minute = spoken_number(int(m["h"])), int(m["min"])
    return hour if minute == 0 else f"{hour} {_pair(minute)}"


def _statute_number(m: re.Match[str]) -> str:
    return _section_number(m["n"], m["sub"])


def _plain(m: re.Match[str]) -> str:
    return _amount(m["n"], m["f"]) if m["f"] else _quantity(m["n"])


def _rule(pattern: str, replace: Callable[[re.Match[str]], str], flags: int = 0) -> Rule:
    return re.compile(pattern, flags), replace


def _fixed(words: str) -> Callable[[re.Match[str]], str]:
    return lambda _m: words


_SUB = r"(?P<sub>(?:\(\w{1,4}\))*)"
_FY = r"\bFY\s?(?P<y>\d{4}|\d{2})\b"
_FY_RANGE = r"\bFY\s?(?P<a>\d{4}|\d{2})\s?[-–]\s?(?:FY\s?)?(?P<b>\d{4}|\d{2})\b"
_REPORT = r"\b(?P<ch>[HS])\.\s?Rept\.\s?(?P<c>\d{1,3})[-–](?P<n>\d{1,4})\b"
_USC = (
    r"(?<!\w)(?P<t>\d+)\s+U\.S\.C\b\.?"
    r"(?:(?:\s*§+\s*|\s+)(?P<s>\d+[a-z]?)" + _SUB + ")?"
)
_PUBLIC_LAW = (
    r"\b(?:Public\s+Law|Pub\.\s?L\.|P\.\s?L\.)(?:\s+No\.)?\s*(?P<c>\d{1,3})[-–](?P<n>\d{1,4})\b"
)
_PARTY_TAG = (
    r"(?P<open>[\[(])?\b(?P<party>ID|D|R|I|L)-(?P<state>[A-Z]{2})"
    r"(?:-(?P<district>\d{1,2}|AL|At Large))?\b(?(open)[\])])"
)
_ISO_DATE = r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?:T[\d:.]+(?:Z|[+-]\d{2}:\d{2})?)?\b"
_YEAR_AFTER = r"(?:,?\s+(?P<y>\d{4})\b)?"
_MONEY = (
    rf"\$\s?(?P<n>{_NUM})(?:\.(?P<f>\d+))?"
    r"(?:[\s-]?(?P<scale>thousand|million|billion|trillion|[KMBT]n?|bn|mn)\b)?"
)
_SECTION_WORD = r"\b(?P<word>[Ss]ections?|[Tt]itle|[Cc]hapter|[Rr]ule)\s+(?P<n>\d+[a-z]?)" + _SUB
_RANGE = rf"(?<![\d.,])(?P<a>{_NUM})(?P<sp1>\s*)[-–—](?P<sp2>\s*)(?P<b>{_NUM})(?![\d.,]*\d)"


def _fiscal_year(m: re.Match[str]) -> str:
    return "fiscal year " + _short_year(m["y"])


def _fiscal_years(m: re.Match[str]) -> str:
    return f"fiscal years {_short_year(m['a'])} through {_short_year(m['b'])}"


def _short_year(text: str) -> str:
    return spoken_year(int(text) + (2000 if len(text) == 2 else 0))


def _report(m: re.Match[str]) -> str:
    chamber = "House" if m["ch"] == "H" else "Senate"
    return (
        f"{chamber} Report {spoken_identifier(int(m['c']))} dash {spoken_identifier(int(m['n']))}"
    )


# Rules that consume digits run first and leave none behind, so the abbreviation rules
# that follow can never meet a digit turned into a capitalised word on a second pass.
_DIGIT_RULES: tuple[Rule, ...] = (
    _rule(_USC, _usc),
    _rule(_PUBLIC_LAW, _public_law),
    _rule(_REPORT, _report),
    _rule(rf"(?<![\w.])(?P<kind>{_DOTTED}|{_UNDOTTED})\s?(?P<n>\d{{1,6}})\b", _citation),
    _rule(_PARTY_TAG, _party_tag),
    _rule(_ISO_DATE, _iso_date),
    _rule(r"\b(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4}|\d{2})\b", _us_date),
    _rule(
        rf"\b(?P<mon>{_MONTH_WORD})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b{_YEAR_AFTER}", _named_date
    ),
    _rule(rf"\b(?P<d>\d{{1,2}})\s+(?P<mon>{_MONTH_WORD}){_YEAR_AFTER}", _named_date),
    _rule(rf"\b(?P<mon>{_MONTH_WORD})\s+(?P<y>\d{{4}})\b", _month_year),
    _rule(_FY_RANGE, _fiscal_years),
    _rule(_FY, _fiscal_year),
    _rule(_MONEY, _money),
    _rule(rf"(?P<n>{_NUM})(?:\.(?P<f>\d+))?\s?%", lambda m: f"{_amount(m['n'], m['f'])} percent"),
    _rule(r"\b(?P<n>\d+)(?:st|nd|rd|th|ST|ND|RD|TH)\b", lambda m: spoken_ordinal(int(m["n"]))),
    _rule(r"(?P<word>§§|§|\bSecs\.|\bSec\.)\s*(?P<n>\d+[a-z]?)" + _SUB, _keyword_section),
    _rule(_SECTION_WORD, _section),
    _rule(r"\bNos?\.\s?(?=\d)", lambda m: "numbers " if m[0].startswith("Nos") else "number "),
    _rule(r"(?<![\d.])(?P<n>\d+)(?P<sub>(?:\([A-Za-z0-9]{1,4}\))+)", _statute_number),
    _rule(r"\b(?P<h>\d{1,2}):(?P<min>[0-5]\d)\b", _time),
    _rule(_RANGE, _range),
    _rule(rf"(?P<n>{_NUM})(?:\.(?P<f>\d+))?", _plain),
    _rule(r"\d", lambda m: spoken_number(int(m[0]))),  # anything still holding a digit
)

_TITLES = {
    "Sen": "Senator",
    "Sens": "Senators",
    "Rep": "Representative",
    "Reps": "Representatives",
    "Del": "Delegate",
    "Dels": "Delegates",
    "Gov": "Governor",
    "Govs": "Governors",
    "Dr": "Doctor",
    "Pres": "President",
}

_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_NUMERALS: tuple[tuple[int, str], ...] = (
    (100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"),
    (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
)  # fmt: skip
# A lone C or L is more often a lettered part ("Medicare Part C") than a numeral.
_ROMAN = (
    r"\b(?P<w>Title|Rule|Chapter|Part|Subtitle|Division|Article|Amendment|Clause)\s+"
    r"(?P<r>[IVX]|[IVXLC]{2,7})\b"
)


def _roman(m: re.Match[str]) -> str:
    values = [_ROMAN_VALUES[ch] for ch in m["r"]]
    total = sum(
        -v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values)
    )
    if _to_roman(total) != m["r"]:
        return m[0]  # not a well-formed numeral; leave the letters alone
    return f"{m['w']} {spoken_number(total)}"


def _to_roman(value: int) -> str:
    text = ""
    for amount, letters in _NUMERALS:
        count, value = divmod(value, amount)
        text += letters * count
    return text


_WORD_RULES: tuple[Rule, ...] = (
    _rule(_ROMAN, _roman),
    _rule(r"§§", _fixed("sections ")),
    _rule(r"§", _fixed("section ")),
    _rule(r"\bU\.S\.C\b\.?", _fixed("U.S. Code")),
    _rule(r"\b(?:Pub\.\s?L\.|P\.L\.)", _fixed("Public Law")),
    _rule(r"\bRes\.\s?Comm(?:r|\.)\.?\s+(?=[A-Z])", _fixed("Resident Commissioner ")),
    _rule(
        r"\b(?P<t>Sens?|Reps?|Dels?|Govs?|Dr|Pres)\.\s+(?=[A-Z])", lambda m: _TITLES[m["t"]] + " "
    ),
    _rule(r"\bSecs\.", _fixed("sections")),
    _rule(r"\bSec\.", _fixed("section")),
    _rule(r"\be\.\s?g\.(?=\s*,)", _fixed("for example")),
    _rule(r"\be\.\s?g\.", _fixed("for example,")),
    _rule(r"\bi\.\s?e\.(?=\s*,)", _fixed("that is")),
    _rule(r"\bi\.\s?e\.", _fixed("that is,")),
    _rule(r"\betc\.(?=\s+[a-z,;:])", _fixed("et cetera")),
    _rule(r"\betc\.", _fixed("et cetera.")),
    _rule(r"\bet al\.(?=\s+[a-z,;:])", _fixed("and others")),
    _rule(r"\bet al\.", _fixed("and others.")),
    _rule(r"\bvs?\.(?=\s+[A-Z])", _fixed("versus")),
    _rule(r"\bapprox\.", _fixed("approximately")),
    _rule(r"\bDept\.", _fixed("Department")),
    _rule(r"\bGovt\.", _fixed("government")),
    _rule(r"\bJr\.", _fixed("Junior")),
    _rule(r"\s*&\s*", _fixed(" and ")),
)


_MAX_PASSES = 6
_TIDY: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[ \t\r\f\v]+"), " "),
    (re.compile(r" ?\n ?"), "\n"),
    (re.compile(r" +([,.;:!?])"), r"\1"),
    (re.compile(r",(?:\s*,)+"), ","),
    (re.compile(r",([.;:!?])"), r"\1"),
    # "passed., note" loses its comma, but "e.g.," and "U.S.," keep theirs.
    (re.compile(r"([;:!?]|(?<=[A-Za-z]{2})\.),"), r"\1"),
    (re.compile(r"(?m)^,\s*"), ""),
    (re.compile(r"(?m)\s*,$"), ""),
)


def normalise(text: str) -> str:
    """Rewrite ``text`` into words a voice reads naturally. Idempotent; leaves no digits.

    The rules run until nothing changes: tidying punctuation can bring an abbreviation
    next to a capitalised word ("Sen. , Lee" becomes "Sen. Lee"), which a further pass
    then reads. Real text settles in two passes; the bound only guards against a loop.
    """
    for _ in range(_MAX_PASSES):
        rewritten = _rewrite(text)
        if rewritten == text:
            break
        text = rewritten
    return text


def _rewrite(text: str) -> str:
    for pattern, replace in _DIGIT_RULES:
        text = pattern.sub(replace, text)
    text = tidy(text)
    for pattern, replace in _WORD_RULES:
        text = pattern.sub(replace, text)
    return tidy(text)


def tidy(text: str) -> str:
    """Collapse runs of spaces and the stray commas that rewriting leaves behind."""
    previous = None
    while previous != text:
        previous = text
        for pattern, replacement in _TIDY:
            text = pattern.sub(replacement, text)
        text = text.strip()
    return text
