"""Script validation: every rule, with the precise message a failing script produces."""

from __future__ import annotations

from dataclasses import replace

import pytest

from briefcast.errors import PermanentError, ScriptInvalid
from briefcast.scripts import Budget, Problem, Script, Segment, Turn, check, check_text, validate

HOSTS = ("Maya", "Theo")
ROOMY = Budget(max_words=1000)


def _script(*bill_turns: Turn, bill_id: str | None = "119-hr-1234") -> Script:
    """Intro, one bill segment with ``bill_turns``, outro — valid unless the turns aren't."""
    return Script(
        title="Daily brief",
        hosts=HOSTS,
        segments=(
            Segment("intro", "Welcome", (Turn("Maya", "Hi Priya, welcome to your brief."),)),
            Segment("bill", "H.R. 1234", bill_turns or (Turn("Theo", "A bill."),), bill_id),
            Segment("outro", "Bye", (Turn("Theo", "These are synthetic voices. Bye."),)),
        ),
    )


def _problems(script: Script, budget: Budget = ROOMY) -> list[str]:
    return [str(p) for p in check(script, budget)]


def _text_rules(text: str) -> list[str]:
    return [p.rule for p in check_text(text, HOSTS)]


def test_a_clean_script_passes() -> None:
    script = _script(
        Turn(
            "Maya", "Let's look at H.R. twelve thirty-four — the Clean Water Act, as it's called."
        ),
        Turn("Theo", "Note: it passed at ten thirty a.m. on March fifth. Isn't that quick?"),
        Turn("Maya", "Theo said it best; the U.S. Senate is next.\nWe'll see."),
    )
    assert check(script, ROOMY) == ()
    validate(script, ROOMY)  # does not raise


def test_validate_raises_script_invalid_listing_every_problem() -> None:
    script = _script(Turn("Narrator", "[nodding] See https://congress.gov"), Turn("Theo", " "))
    with pytest.raises(ScriptInvalid) as caught:
        validate(script, ROOMY)
    error = caught.value
    assert isinstance(error, PermanentError)
    assert error.code == "script_invalid"
    assert error.problems == (
        "segment 1 (bill 119-hr-1234), turn 0: unknown speaker 'Narrator' "
        "(hosts: 'Maya', 'Theo') [speaker]",
        "segment 1 (bill 119-hr-1234), turn 0: stage direction or markup '[nodding]' "
        "would be read aloud [markup]",
        "segment 1 (bill 119-hr-1234), turn 0: URL 'https://congress.gov' must not be read "
        "aloud [url]",
        "segment 1 (bill 119-hr-1234), turn 1: turn is empty [empty-turn]",
    )
    assert str(error).startswith("script failed validation with 4 problem(s): segment 1")


def test_long_problem_lists_are_summarised_in_the_message_but_kept_whole() -> None:
    script = _script(*(Turn("Nobody", f"Line {word}.") for word in "abcdefg"))
    with pytest.raises(ScriptInvalid) as caught:
        validate(script, ROOMY)
    assert len(caught.value.problems) == 7
    assert str(caught.value).endswith("; and 2 more")


def test_script_invalid_survives_pickling() -> None:
    import pickle

    error = ScriptInvalid("bad", ("one", "two"))
    copy = pickle.loads(pickle.dumps(error))
    assert copy.problems == ("one", "two")
    assert str(copy) == "bad"


# --- speakers and empty turns ------------------------------------------------------------


def test_unknown_speaker_is_named_with_its_place() -> None:
    assert _problems(_script(Turn("Theo", "Fine."), Turn("MAYA", "Hi."))) == [
        "segment 1 (bill 119-hr-1234), turn 1: unknown speaker 'MAYA' (hosts: 'Maya', 'Theo') "
        "[speaker]"
    ]


def test_empty_and_wordless_turns() -> None:
    assert _problems(_script(Turn("Theo", ""))) == [
        "segment 1 (bill 119-hr-1234), turn 0: turn is empty [empty-turn]"
    ]
    assert _problems(_script(Turn("Theo", " ... "))) == [
        "segment 1 (bill 119-hr-1234), turn 0: turn has no words to say [empty-turn]"
    ]


def test_segment_without_turns() -> None:
    script = _script()
    script = replace(
        script,
        segments=(script.segments[0], replace(script.segments[1], turns=()), script.segments[2]),
    )
    assert _problems(script) == [
        "segment 1 (bill 119-hr-1234): segment has no turns [empty-segment]"
    ]


# --- markup and stage directions -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "snippet"),
    [
        ("[nodding] Right.", "[nodding]"),
        ("Right (laughs) okay.", "(laughs)"),
        ("Well *sighs* fine.", "*sighs*"),
        ("That's **huge** news.", "**huge**"),
        ("It's _really_ big.", "_really_"),
        ('<break time="1s"/> Next.', '<break time="1s"/>'),
        ("<speak>Hello</speak>", "<speak>"),
        ("Use `code` here.", "`code`"),
        ("## Heading", "#"),
        ("A {pause} here.", "{pause}"),
        ("One | two.", "|"),
        ("About ~5.", "~"),
    ],
)
def test_markup_is_rejected_with_its_snippet(text: str, snippet: str) -> None:
    problems = check_text(text, HOSTS)
    assert (
        Problem("markup", f"stage direction or markup {snippet!r} would be read aloud") in problems
    )


@pytest.mark.parametrize(
    "text", ["- first point", "Intro.\n* second point", "1. numbered", "> quoted"]
)
def test_markdown_list_and_quote_markers_at_line_start(text: str) -> None:
    assert "markup" in _text_rules(text)


@pytest.mark.parametrize(
    "text",
    [
        "Well — that's a first-rate, twenty-one-point plan.",
        "It's 'quoted' and \"double quoted\"; fine!",
        "Ten percent, and five dollars.",
        "Costs rose - sharply.",
    ],
)
def test_ordinary_punctuation_is_fine(text: str) -> None:
    assert check_text(text, HOSTS) == ()


# --- addresses ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rule", "snippet"),
    [
        (
            "Read it at https://www.congress.gov/bill/119",
            "url",
            "https://www.congress.gov/bill/119",
        ),
        ("See www.example.org today.", "url", "www.example.org"),
        ("It's on congress.gov now.", "url", "congress.gov"),
        ("Write to press@senate.gov please.", "email", "press@senate.gov"),
        ("Follow @SenLee for more.", "email", "@SenLee"),
    ],
)
def test_urls_emails_and_handles(text: str, rule: str, snippet: str) -> None:
    problems = check_text(text, HOSTS)
    assert any(p.rule == rule and repr(snippet) in p.detail for p in problems), problems


def test_an_email_is_reported_once_not_also_as_a_handle() -> None:
    assert _text_rules("Write to press@senate.gov.") == ["url", "email"]


def test_the_us_is_not_a_url() -> None:
    assert check_text("The U.S. Senate and the U.S.A. agree.", HOSTS) == ()


# --- speaker labels ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("MAYA: Hello.", "MAYA:"),
        ("Theo: Right.", "Theo:"),
        ("Sure.\nTheo: Right.", "Theo:"),
        ("Okay.\n  maya: hi", "maya:"),
        ("HOST: Welcome.", "HOST:"),
        ("Speaker 2: Yes.", "Speaker 2:"),
        ("Narrator: Once.", "Narrator:"),
    ],
)
def test_speaker_labels_at_line_starts(text: str, label: str) -> None:
    assert Problem("speaker-label", f"speaker label {label!r} inside the text") in check_text(
        text, HOSTS
    )


@pytest.mark.parametrize(
    "text",
    [
        "Here's the thing: it passed.",
        "Theo said: it passed.",
        "As Maya: no, that's not a label mid-line.",
        "It starts at ten thirty: sharp.",
        "Note: the vote was close.",
    ],
)
def test_colons_that_are_not_labels(text: str) -> None:
    assert "speaker-label" not in _text_rules(text)


# --- characters -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Great news 🎉", "U+1F389"),
        ("Thumbs up 👍🏽", "U+1F44D"),
        ("Bell\x07 rings", "U+0007"),
        ("Zero\u200bwidth", "U+200B"),
        ("Tab\tinside", "U+0009"),
        ("Star ★ rating", "U+2605"),
        ("Heart ❤️", "U+FE0F"),
        ("Two + two", "U+002B"),
        ("Trademark™", "U+2122"),
    ],
)
def test_characters_a_voice_reads_oddly(text: str, code: str) -> None:
    problems = check_text(text, HOSTS)
    assert any(p.rule == "character" and code in p.detail for p in problems), problems


def test_odd_characters_are_reported_once_each() -> None:
    details = [p.detail for p in check_text("🎉 and 🎉 again", HOSTS)]
    assert details == ["character U+1F389 (PARTY POPPER) reads oddly"]


def test_accents_and_other_scripts_are_fine() -> None:
    assert check_text("José Peña met Zoë in Nuñez — naïve café talk.", HOSTS) == ()


# --- structure and bill ids ---------------------------------------------------------------


def test_intro_and_outro_are_required_in_place() -> None:
    script = _script()
    intro, bill, outro = script.segments
    assert _problems(replace(script, segments=(bill, outro))) == [
        "script: the script must open with an intro segment [structure]"
    ]
    assert _problems(replace(script, segments=(intro, bill))) == [
        "script: the script must close with an outro segment [structure]"
    ]
    assert _problems(replace(script, segments=())) == [
        "script: the script must open with an intro segment [structure]",
        "script: the script must close with an outro segment [structure]",
    ]


def test_only_one_intro_and_one_outro() -> None:
    script = _script()
    intro, bill, outro = script.segments
    problems = _problems(replace(script, segments=(intro, intro, bill, outro, outro)))
    assert problems == [
        "script: the script has 2 intro segments; one is allowed [structure]",
        "script: the script has 2 outro segments; one is allowed [structure]",
    ]


def test_bill_segment_needs_a_valid_bill_id() -> None:
    assert _problems(_script(bill_id=None)) == [
        "segment 1 (bill): a bill segment must name its bill id [bill-id]"
    ]
    [problem] = _problems(_script(bill_id="119-xx-1"))
    assert problem.startswith("segment 1 (bill 119-xx-1): unknown bill type 'xx'")
    assert problem.endswith("[bill-id]")


def test_intro_and_outro_carry_no_bill_id() -> None:
    script = _script()
    intro, bill, outro = script.segments
    tagged = replace(script, segments=(replace(intro, bill_id="119-hr-1"), bill, outro))
    assert _problems(tagged) == [
        "segment 0 (intro 119-hr-1): an intro segment must not carry a bill id [bill-id]"
    ]


def test_a_bill_is_covered_once() -> None:
    script = _script()
    intro, bill, outro = script.segments
    assert _problems(replace(script, segments=(intro, bill, bill, outro))) == [
        "segment 2 (bill 119-hr-1234): bill 119-hr-1234 is covered again (first in segment 1) "
        "[bill-id]"
    ]


def test_unknown_segment_kind() -> None:
    script = _script()
    intro, bill, outro = script.segments
    odd = Segment("ad", "Sponsor message", (Turn("Maya", "Buy things."),))  # type: ignore[arg-type]
    assert _problems(replace(script, segments=(intro, odd, bill, outro))) == [
        "segment 1 (ad): unknown segment kind 'ad' [structure]"
    ]


# --- length ---------------------------------------------------------------------------------


def test_length_budget_both_ways() -> None:
    script = _script(Turn("Theo", "one two three four five"))
    words = script.words
    assert words == 6 + 5 + 5  # intro, bill, outro counted by hand
    assert _problems(script, Budget(max_words=16, min_words=16)) == []
    assert _problems(script, Budget(max_words=15)) == [
        "script: script has 16 words; the budget allows at most 15 [length]"
    ]
    assert _problems(script, Budget(max_words=100, min_words=17)) == [
        "script: script has 16 words; the budget needs at least 17 [length]"
    ]


def test_budget_for_a_duration() -> None:
    budget = Budget.for_duration(300, 165)  # 825 words, plus 20 %
    assert budget == Budget(max_words=990, min_words=0)
    assert Budget.for_duration(900, 165, tolerance=0.1).max_words == 2723  # 2475 × 1.1, rounded up


def test_budget_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="bad word budget"):
        Budget(max_words=10, min_words=20)
    with pytest.raises(ValueError, match="bad word budget"):
        Budget(max_words=10, min_words=-1)


def test_json_round_trip_keeps_a_valid_script_valid() -> None:
    script = _script(Turn("Theo", "A bill."), Turn("Maya", "Indeed."))
    assert Script.from_json(script.to_json()) == script
    validate(Script.from_json(script.to_json()), ROOMY)
