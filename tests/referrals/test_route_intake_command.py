"""`manage.py route_intake`: facts in, decision out, nothing saved."""

import io
import json

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError

from referrals.models import RoutingDecision
from tests.referrals.builders import example1_intake
from tests.referrals.test_routing import example1_facts, with_treatment


def run(tmp_path, facts) -> dict:
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(facts))
    out = io.StringIO()
    call_command("route_intake", str(path), stdout=out)
    return json.loads(out.getvalue())


def outcomes(decision) -> dict:
    return {code: s["outcome"] for code, s in decision["services"].items()}


def test_example_1_recommends_every_service(tmp_path):
    decision = run(tmp_path, example1_facts())

    assert decision["hold"] is None
    assert outcomes(decision) == dict.fromkeys(
        ["ketamine", "botox", "acupuncture", "massage", "yoga"], "REC"
    )


def test_example_2_short_trial_makes_ketamine_and_botox_not_eligible(tmp_path):
    decision = run(tmp_path, with_treatment(example1_facts(), "nortriptyline", weeks=4))

    assert outcomes(decision) == {
        "ketamine": "NE",
        "botox": "NE",
        "acupuncture": "REC",
        "massage": "REC",
        "yoga": "REC",
    }
    ketamine = [r["code"] for r in decision["services"]["ketamine"]["reasons"]]
    assert "K_NE_CLASSES" in ketamine and "K_FLAG_INADEQUATE_TRIAL" in ketamine
    botox = [r["code"] for r in decision["services"]["botox"]["reasons"]]
    assert botox == ["B_NE_PREVENTIVE_DRUGS", "B_FLAG_INADEQUATE_TRIAL"]


def test_example_3_item_9_holds_same_day_until_cleared(tmp_path):
    phq9 = [2, 2, 1, 1, 1, 1, 1, 1, 2]  # total 12, item 9 = 2
    held = run(tmp_path, example1_facts(phq9=phq9))
    cleared = run(tmp_path, example1_facts(phq9=phq9, safety_cleared=True))

    assert held["hold"]["tier"] == "same_day"
    assert [r["code"] for r in held["hold"]["reasons"]] == ["G2_PHQ9_ITEM9"]
    assert set(outcomes(held).values()) == {"HOLD"}
    assert cleared["hold"] is None
    assert outcomes(cleared)["ketamine"] == "FLAG"
    assert [r["code"] for r in cleared["services"]["ketamine"]["reasons"]] == [
        "K_FLAG_SAFETY_CLEARED"
    ]
    assert {k: v for k, v in outcomes(cleared).items() if k != "ketamine"} == (
        dict.fromkeys(["botox", "acupuncture", "massage", "yoga"], "REC")
    )


def test_standard_input_is_read_with_a_dash(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(example1_facts())))
    out = io.StringIO()
    call_command("route_intake", "-", stdout=out)
    assert json.loads(out.getvalue())["rules_version"] == "2026.1"


def test_invalid_facts_exit_non_zero_naming_each_bad_key(tmp_path, capsys):
    facts = example1_facts(age="38", headache_days_per_month=40)
    del facts["pregnant"]
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(facts))
    err = io.StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("route_intake", str(path), stderr=err)

    assert raised.value.returncode == 2
    lines = err.getvalue().splitlines()
    assert len(lines) == 3
    assert {line.split(":")[0] for line in lines} == {
        "age",
        "headache_days_per_month",
        "pregnant",
    }


def test_command_line_exit_status_is_non_zero_for_invalid_facts(tmp_path, capsys):
    """Through the path ``manage.py`` takes from the command line to the exit status.

    ``ManagementUtility.execute`` would also run ``django.setup()`` again, which
    reconfigures logging for the rest of the suite; the command's own
    ``run_from_argv`` is what it calls next.
    """
    path = tmp_path / "facts.json"
    path.write_text(json.dumps({"age": 38}))
    argv = ["manage.py", "route_intake", str(path)]

    with pytest.raises(SystemExit) as exited:
        ManagementUtility(argv).fetch_command("route_intake").run_from_argv(argv)

    assert exited.value.code != 0
    printed = capsys.readouterr()
    assert "pregnant:" in printed.err
    assert printed.out == ""


@pytest.mark.django_db
def test_intake_option_routes_the_stored_intake_without_saving():
    intake = example1_intake()
    out = io.StringIO()

    call_command("route_intake", intake=intake.patient.record_number, stdout=out)

    decision = json.loads(out.getvalue())
    assert decision["derived"]["resistant_migraine"] is True
    assert decision["services"]["ketamine"]["outcome"] == "REC"
    assert not RoutingDecision.objects.exists()


def test_deeply_nested_input_is_refused_with_a_message(monkeypatch):
    nested = "[" * 100_000 + "]" * 100_000
    monkeypatch.setattr("sys.stdin", io.StringIO(nested))

    with pytest.raises(CommandError, match="nested too deeply"):
        call_command("route_intake", "-")
