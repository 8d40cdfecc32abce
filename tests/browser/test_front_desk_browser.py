"""The front desk in Chromium at 1366x900: the right patient, no duplicates."""

import datetime

import pytest
from playwright.sync_api import expect

from clinic import roles
from intake.models import Intake, Patient, PatientMerge
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_intake_browser import serious_violations, sign_in
from tests.factories import PatientFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 900}
WALK_IN_TREATMENTS = [
    # (typed in the picker, chosen, class filled in, dose, outcome, weeks)
    ("propra", "propranolol", "beta_blocker", "80 mg twice daily", "ineffective", "16"),
    ("topira", "topiramate", "antiepileptic", "50 mg daily", "intolerable", "3"),
    (
        "aimovig",
        "erenumab (Aimovig",
        "cgrp_pathway",
        "140 mg monthly",
        "ineffective",
        "24",
    ),
    ("imitrex", "sumatriptan", "triptan", "", "ineffective", ""),
    ("amitrip", "amitriptyline", "antidepressant", "25 mg at night", "helped", "12"),
]


def no_sideways_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def search(page, term: str) -> None:
    page.locator("#searchbar").fill(term)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def pick(page, container, typed: str, chosen: str) -> None:
    """Choose in a Select2 picker as a person does: open it, type, click."""
    container.locator(".select2-selection").click()
    page.locator(".select2-search__field").fill(typed)
    page.locator(".select2-results__option", has_text=chosen).first.click()


@pytest.fixture
def desk(new_page):
    UserFactory(username="desk", role=roles.FRONT_DESK)
    page = new_page(LAPTOP)
    sign_in(page, "desk")
    return page


def test_front_desk_finds_elena_and_enters_a_walk_in_with_five_treatments(desk):
    page = desk
    elena = PatientFactory(
        first_name="Elena",
        last_name="Ramírez",
        date_of_birth=datetime.date(1979, 11, 2),
        mobile_phone="7045550102",
    )
    PatientFactory(first_name="Imani", last_name="Okonkwo", mobile_phone="7045550188")

    page.goto("/admin/intake/patient/")
    search(page, "ramirez")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1
    assert "Ramírez" in rows.inner_text() and "(704) 555-0102" in rows.inner_text()
    page.screenshot(path=SCREENSHOTS / "front-desk-search.png")
    assert serious_violations(page) == []

    page.goto("/admin/intake/intake/add/")
    patient_row = page.locator(".field-patient")
    patient_row.locator(".select2-selection").click()
    page.locator(".select2-search__field").fill("ramirez")
    option = page.locator(".select2-results__option", has_text="Ramírez, Elena")
    assert "born 1979-11-02" in option.inner_text()
    assert "phone …0102" in option.inner_text()
    page.screenshot(path=SCREENSHOTS / "front-desk-picker.png")
    option.click()

    assert (
        page.locator("#treatments-group tbody tr.form-row:not(.empty-form)").count()
        == 1
    )
    for index, (typed, chosen, treatment_class, dose, outcome, weeks) in enumerate(
        WALK_IN_TREATMENTS
    ):
        if index:
            page.get_by_text("Add another Treatment tried").click()
        row = page.locator(f"#treatments-{index}")
        pick(page, row.locator("td.field-drug"), typed, chosen)
        assert row.locator("select[name$='-treatment_class']").input_value() == (
            treatment_class
        )
        row.locator("input[name$='-dose']").fill(dose)
        row.locator("select[name$='-outcome']").select_option(outcome)
        row.locator("input[name$='-weeks']").fill(weeks)
    page.locator("#treatments-group").scroll_into_view_if_needed()
    assert no_sideways_scroll(page)
    page.screenshot(path=SCREENSHOTS / "front-desk-walk-in.png")
    # Every picker, the rows added by "Add another" too, is named for screen readers.
    assert serious_violations(page) == []
    page.get_by_role("button", name="Save as draft").click()

    intake = Intake.objects.get()
    assert intake.patient == elena
    stored = {
        row.drug.name: (row.treatment_class, row.dose)
        for row in intake.treatments.all()
    }
    assert stored == {
        "propranolol": ("beta_blocker", "80 mg twice daily"),
        "topiramate": ("antiepileptic", "50 mg daily"),
        "erenumab": ("cgrp_pathway", "140 mg monthly"),
        "sumatriptan": ("triptan", ""),
        "amitriptyline": ("antidepressant", "25 mg at night"),
    }
    assert no_sideways_scroll(page)


DUPLICATES = [
    ({"first_name": "Quintero", "last_name": "Rosa"}, "first and last names swapped"),
    ({"date_of_birth": "1985-03-06"}, "birth date one day apart"),
    ({"date_of_birth": "1985-05-03"}, "birth date with day and month swapped"),
    (
        {"first_name": "Ana", "last_name": "Lee", "mobile_phone": "704 555 0166"},
        "same phone",
    ),
]


def test_front_desk_is_stopped_by_each_duplicate_then_merges_two_records(desk):
    page = desk
    rosa = PatientFactory(
        first_name="Rosa",
        last_name="Quintero",
        date_of_birth=datetime.date(1985, 3, 5),
        mobile_phone="7045550166",
    )
    for changes, reason in DUPLICATES:
        page.goto("/admin/intake/patient/add/")
        answers = {
            "first_name": "Rosa",
            "last_name": "Quintero",
            "date_of_birth": "1985-03-05",
            **changes,
        }
        for name, value in answers.items():
            page.locator(f"#id_{name}").fill(value)
        page.locator("#id_sex").select_option("female")
        page.get_by_role("button", name="Save", exact=True).click()
        warning = page.locator(".errornote, .errorlist").filter(
            has_text="may be a patient already on file"
        )
        assert reason in warning.first.inner_text()
        link = warning.get_by_role("link", name=rosa.record_number)
        assert link.get_attribute("href") == rosa.get_absolute_url()
        assert "<a href" not in warning.first.inner_text()
        if reason == "same phone":
            page.screenshot(path=SCREENSHOTS / "front-desk-duplicate.png")
    assert Patient.objects.count() == 1

    # The second record is saved after all ("a different person"), then found to
    # be Rosa and merged into hers.
    page.get_by_label("This is a different person").check()
    page.get_by_role("button", name="Save", exact=True).click()
    extra = Patient.objects.exclude(pk=rosa.pk).get()

    page.goto("/admin/intake/patient/")
    for patient in (rosa, extra):
        page.locator("tr", has_text=patient.record_number).locator(
            "input.action-select"
        ).check()
    page.locator("select[name=action]").select_option("merge_records")
    page.locator("button[name=index]").click()
    page.get_by_label(f"{rosa.record_number}").check()
    page.get_by_label("Why they are the same person").fill("Same person: ID checked")
    page.get_by_label("I checked: both records are this one person").check()
    assert no_sideways_scroll(page)
    page.screenshot(path=SCREENSHOTS / "front-desk-merge.png")
    page.get_by_role("button", name="Merge the records").click()
    expect(page.locator("ul.messagelist")).to_contain_text(
        f"{extra.record_number} merged into {rosa.record_number}"
    )
    assert PatientMerge.objects.get().merged_record_number == extra.record_number

    page.goto("/admin/intake/patient/")
    search(page, extra.record_number)
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1
    assert rosa.record_number in rows.inner_text()


def test_rows_typed_by_name_come_back_with_their_errors_and_every_input_named(desk):
    """A brand typed in a row is saved as its drug; a row the desk did not finish
    comes back with its message beside it, as typed, and the page shown again (its
    files cached) names every picker and delete box for screen readers."""
    page = desk
    elena = PatientFactory(first_name="Elena", last_name="Ramírez")
    page.goto("/admin/intake/intake/add/")
    pick(page, page.locator(".field-patient"), "ramirez", "Ramírez, Elena")
    for index, typed in enumerate(["Topamax", "Feverfew tea", "AIMOVIG"]):
        if index:
            page.get_by_text("Add another Treatment tried").click()
        row = page.locator(f"#treatments-{index}")
        row.locator("input[name$='-drug_name']").fill(typed)
        row.locator("select[name$='-outcome']").select_option("ineffective")
    with page.expect_navigation():
        page.get_by_role("button", name="Save as draft").click()

    feverfew = page.locator("#treatments-1")
    assert "Choose what kind of treatment this was." in feverfew.inner_text()
    typed_name = feverfew.locator("input[name$='-drug_name']")
    assert typed_name.input_value() == "Feverfew tea"
    # The whole name shows in its box on a laptop, not "Feverfe".
    assert typed_name.evaluate("input => input.scrollWidth <= input.clientWidth")
    assert serious_violations(page) == []
    feverfew.locator("select[name$='-treatment_class']").select_option(
        "other_preventive"
    )
    feverfew.locator("select[name$='-intent']").select_option("preventive")
    with page.expect_navigation():
        page.get_by_role("button", name="Save as draft").click()

    intake = Intake.objects.get(patient=elena)
    assert sorted(
        (row.drug.name if row.drug else row.drug_name, row.treatment_class)
        for row in intake.treatments.select_related("drug")
    ) == [
        ("Feverfew tea", "other_preventive"),
        ("erenumab", "cgrp_pathway"),
        ("topiramate", "antiepileptic"),
    ]
    page.goto(f"/admin/intake/intake/{intake.pk}/change/")
    assert serious_violations(page) == []
    # On a phone the rows keep their widths and scroll sideways inside their box;
    # the page itself does not.
    page.set_viewport_size({"width": 390, "height": 844})
    table_box = page.locator("#treatments-group .tabular")
    assert table_box.evaluate("box => box.scrollWidth > box.clientWidth")
    assert no_sideways_scroll(page)
    table_box.scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / "front-desk-treatments-phone.png")
