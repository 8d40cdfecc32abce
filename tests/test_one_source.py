"""Each clinical threshold, rule code and code list is written once, in its home.

The homes: ``referrals/routing.py`` (the rules: thresholds, reason codes, outcomes),
``intake/codes.py`` (the codes, and the thresholds the intake app applies too),
``intake/scoring.py`` (questionnaire bands), ``outcomes/definitions.py`` (what counts
as a response to a course) and the models' ``TextChoices`` (statuses
and the lists named beside them). These tests read the source of the apps and the
templates for the same facts written again anywhere else; each checker is tested on a
planted example first, so a checker that finds nothing has still been seen to work.
"""

import ast
import re
from pathlib import Path

import pytest
from django.db import models

from intake import codes
from outcomes import definitions
from referrals import models as referral_models
from referrals import routing
from tests.referrals.test_routing import baseline_facts, example1_facts

ROOT = Path(__file__).resolve().parent.parent
APPS = sorted(path.parent.name for path in ROOT.glob("*/apps.py"))  # bench too
HOMES = {
    "referrals/routing.py",
    "intake/codes.py",
    "intake/scoring.py",
    "outcomes/definitions.py",
}

# A reason code of the engine: G1_..., G2_..., G3_..., or <service>_<level>_...
RULE_CODE = re.compile(
    r"\b(?:G[1-9]_[A-Z0-9_]+|[KBAMY]_(?:NE|BLOCK|FLAG)_[A-Z0-9_]+)\b"
)
# What a facts record and its derived values call each fact.
FACT_NAMES = set(routing.validate_facts({})) | set(routing.derive(baseline_facts()))
FACT_NAMES |= {"phq9_item9", "phq9_total"}


def modules() -> list[Path]:
    return sorted(
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    )


def templates() -> list[Path]:
    return sorted(
        path for path in (ROOT / "templates").rglob("*") if path.is_file()
    ) + sorted((ROOT / "referrals").rglob("templates/**/*.html"))


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def outside_homes(paths: list[Path]) -> list[Path]:
    return [path for path in paths if relative(path) not in HOMES]


# Checkers: each returns what it found in one file's text.


def rule_codes(text: str) -> list[str]:
    """Reason codes spelled out."""
    return RULE_CODE.findall(text)


def _names_a_fact(node: ast.AST) -> str | None:
    """The fact an expression reads: ``onset_age``, ``x.onset_age`` or ``f["age"]``."""
    if isinstance(node, ast.Name):
        name = node.id
    elif isinstance(node, ast.Attribute):
        name = node.attr
    elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        name = node.slice.value
    else:
        return None
    return name if name in FACT_NAMES else None


def _is_number(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    )


def threshold_comparisons(text: str) -> list[str]:
    """Python comparisons of a fact with a number: a rule's threshold spelled out."""
    found = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(_is_number(o) for o in operands) and any(
                _names_a_fact(o) for o in operands
            ):
                found.append(ast.unparse(node))
    return found


def _words(name: str) -> list[str]:
    return name.lower().split("_")


def _contains_run(words: list[str], run: list[str]) -> bool:
    return any(words[i : i + len(run)] == run for i in range(len(words)))


def _facts_named(name: str) -> set[str]:
    return {fact for fact in FACT_NAMES if _contains_run(_words(name), _words(fact))}


# The thresholds in their homes: (name, value, the facts the name speaks of).
THRESHOLDS = [
    (name, value, _facts_named(name))
    for module in (routing, codes)
    for name, value in vars(module).items()
    if name.isupper() and isinstance(value, int) and not isinstance(value, bool)
]


def threshold_constants(text: str) -> list[str]:
    """Module constants with a home threshold's value, named after the same fact."""
    found = []
    for node in ast.parse(text).body:
        if isinstance(node, ast.Assign) and _is_number(node.value):
            for target in node.targets:
                if not isinstance(target, ast.Name):
                    continue
                facts = _facts_named(target.id)
                if any(
                    value == node.value.value and facts & home_facts
                    for _, value, home_facts in THRESHOLDS
                ):
                    found.append(target.id)
    return found


def _named_lists() -> dict[frozenset, str]:
    """Every list of codes or statuses that has a name in its home."""
    named = {
        frozenset(routing.REFERRAL_OUTCOMES): "routing.REFERRAL_OUTCOMES",
        frozenset(routing.NO_REFERRAL_OUTCOMES): "routing.NO_REFERRAL_OUTCOMES",
        frozenset(routing.TIERS): "routing.TIERS",
        frozenset(routing.SERVICE_CODES): "routing.SERVICE_CODES",
        frozenset(referral_models.OPEN_STATUSES): "referrals.models.OPEN_STATUSES",
        frozenset(referral_models.APPROVED_STATUSES): "APPROVED_STATUSES",
        frozenset(definitions.PREVENTIVE_SERVICES): "definitions.PREVENTIVE_SERVICES",
    }
    for name in dir(codes):
        value = getattr(codes, name)
        if isinstance(value, frozenset):
            named[value] = f"codes.{name}"
        elif isinstance(value, list) and name.isupper():
            named[codes.codes(value)] = f"codes.{name}"
    for module in (referral_models, __import__("intake.models").models):
        for name in dir(module):
            value = getattr(module, name)
            if isinstance(value, type) and issubclass(value, models.Choices):
                named[frozenset(value.values)] = f"{module.__name__}.{name}"
    return {key: value for key, value in named.items() if len(key) > 1}


NAMED_LISTS = _named_lists()


def code_lists(text: str) -> list[str]:
    """Literal lists, tuples or sets of strings equal to a named list of codes."""
    found = []
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.List | ast.Tuple | ast.Set):
            continue
        strings = [
            e.value
            for e in node.elts
            if isinstance(e, ast.Constant) and isinstance(e.value, str)
        ]
        if strings and len(strings) == len(node.elts) == len(set(strings)):
            name = NAMED_LISTS.get(frozenset(strings))
            if name:
                found.append(f"{ast.unparse(node)} is {name}")
    return found


TEMPLATE_TAG = re.compile(r"{%.*?%}", re.DOTALL)
TEMPLATE_COMPARISON = re.compile(r"([\w.|:\"]+)\s*(?:==|!=|<=|>=|<|>)\s*([\w.|:\"]+)")
OUTCOMES = {routing.HOLD, routing.BLOCK, routing.NE, routing.FLAG, routing.REC}


def template_rules(text: str) -> list[str]:
    """Template tags that decide by a clinical literal.

    A fact compared with a number, an engine outcome compared as a string, or a
    substring test against a space-separated list (``x in "a b"``, which is also true
    for ``""`` and for any part of a word).
    """
    found = []
    for tag in TEMPLATE_TAG.findall(text):
        for left, right in TEMPLATE_COMPARISON.findall(tag):
            for variable, literal in ((left, right), (right, left)):
                attribute = variable.split("|")[0].split(".")[-1]
                if literal.lstrip("-").isdigit() and attribute in FACT_NAMES:
                    found.append(tag)
                if literal.strip("\"'") in OUTCOMES and literal[0] in "\"'":
                    found.append(tag)
        if re.search(r"""\bin\s+(["'])[^"']*\s[^"']*\1""", tag):
            found.append(tag)
    return found


# The checkers work --------------------------------------------------------------------


def test_every_code_the_engine_gives_has_the_shape_searched_for():
    emitted = set()
    for facts in (
        baseline_facts(age=17, onset_age=60, red_flags=["thunderclap", "progressive"]),
        baseline_facts(phq9=[1] * 9, bp_systolic=190, new_or_changed_pattern=True),
        example1_facts(pregnant=True, conditions=["glaucoma", "dvt", "pacemaker"]),
        baseline_facts(diagnosis="unknown", allergies=["ketamine", "botulinum_toxin"]),
    ):
        decision = routing.route(facts)
        reasons = [*(decision["hold"] or {}).get("reasons", [])]
        for result in decision["services"].values():
            reasons += result["reasons"]
        emitted |= {reason["code"] for reason in reasons}
    assert len(emitted) > 30
    assert {code for code in emitted if not RULE_CODE.fullmatch(code)} == set()
    assert routing.SAFETY_HOLD_CODE in emitted


def test_each_checker_finds_what_it_is_for():
    assert rule_codes('if "G2_PHQ9_ITEM9" in codes or code == "K_FLAG_BP":') == [
        "G2_PHQ9_ITEM9",
        "K_FLAG_BP",
    ]
    assert rule_codes("GET_PARAMS = K_MEANS; HTTP_X = 1") == []
    assert threshold_comparisons(
        "a = facts['onset_age'] >= 50\nb = intake.bp_systolic > 179\nc = age < 18"
    ) == ["facts['onset_age'] >= 50", "intake.bp_systolic > 179", "age < 18"]
    assert threshold_comparisons("a = len(rows) > 1\nb = page_size == 50") == []
    assert threshold_constants(
        "REVIEW_ONSET_AGE = 50\nPAGE_SIZE = 50\nOLDEST_AGE = 120\nADULT_AGE = 18"
    ) == ["REVIEW_ONSET_AGE", "ADULT_AGE"]
    assert code_lists(
        'x = ("ineffective", "intolerable", "contraindicated")\n'
        'y = ["waitlisted", "pending_review", "approved", "scheduled"]\n'
        'z = ["ineffective", "intolerable"]'
    ) == [
        "('ineffective', 'intolerable', 'contraindicated') is "
        "codes.WITHOUT_BENEFIT_OUTCOMES",
        "['waitlisted', 'pending_review', 'approved', 'scheduled'] is "
        "referrals.models.OPEN_STATUSES",
    ]
    assert template_rules(
        '{% if facts.onset_age >= 50 %}{% if row.outcome == "HOLD" %}'
        '{% if row.outcome in "ineffective intolerable" %}'
        "{% if review.history|length > 1 %}{% if step.slug == 'review' %}"
    ) == [
        "{% if facts.onset_age >= 50 %}",
        '{% if row.outcome == "HOLD" %}',
        '{% if row.outcome in "ineffective intolerable" %}',
    ]


# The source ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", outside_homes(modules()) + templates(), ids=relative)
def test_no_rule_code_is_spelled_outside_the_routing_engine(path):
    assert rule_codes(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("path", outside_homes(modules()), ids=relative)
def test_no_module_spells_a_threshold_or_a_named_code_list(path):
    text = path.read_text(encoding="utf-8")
    assert threshold_comparisons(text) == []
    assert threshold_constants(text) == []
    assert code_lists(text) == []


@pytest.mark.parametrize("path", templates(), ids=relative)
def test_no_template_decides_by_a_clinical_literal(path):
    assert template_rules(path.read_text(encoding="utf-8")) == []


def test_hold_tiers_are_the_engines_in_its_order():
    assert referral_models.HoldTier.values == list(routing.TIERS)
