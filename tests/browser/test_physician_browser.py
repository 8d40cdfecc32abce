"""A physician works the queue in Chromium at 1366x900, never going back to it."""

import pytest

from clinic import roles
from referrals import services
from referrals.models import QueueEntry, Referral
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_front_desk_browser import no_sideways_scroll
from tests.browser.test_intake_browser import serious_violations, sign_in
from tests.factories import UserFactory
from tests.referrals.builders import submitted_example1

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 900}


def in_view(page, selector: str) -> bool:
    """Whether the element is on screen, not scrolled off it."""
    return page.eval_on_selector(
        selector,
        "e => { const r = e.getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0; }",
    )


def test_a_physician_works_five_intakes_from_the_queue_using_next(new_page):
    UserFactory(
        username="doctor", first_name="Ada", last_name="Lind", role=roles.PHYSICIAN
    )
    intakes = [submitted_example1() for _ in range(5)]
    records = [intake.patient.record_number for intake in intakes]

    page = new_page(LAPTOP)
    sign_in(page, "doctor")
    page.goto("/admin/referrals/queueentry/")
    page.locator("tr", has_text=records[0]).get_by_role("link", name="Review").click()

    seen = []
    for number in range(5):
        heading = page.locator("h1.rq-h1").inner_text()
        record = heading.split(" ")[0]
        seen.append(record)
        if number == 1:
            # One referral declined on its own, far down the page: the confirmation
            # stays in view.
            yoga = page.locator("#service-yoga")
            yoga.get_by_label("Note").fill("Recent disc surgery: not yet.")
            yoga.get_by_role("button", name="Decline").click()
            assert in_view(page, "#review-bar .messagelist li.success")
            assert "Yoga referral declined" in page.locator("#review-bar").inner_text()
            page.screenshot(path=SCREENSHOTS / "physician-declined-one.png")
        box = page.locator("#approve-all")
        box.get_by_label("Note").fill(f"Reviewed, intake {number + 1} of 5.")
        if number == 0:
            page.screenshot(path=SCREENSHOTS / "physician-review.png")
        box.get_by_role("button", name="Approve all").click()
        assert in_view(page, "#review-bar .messagelist li.success")
        assert "Approved:" in page.locator("#review-bar").inner_text()
        if number == 0:
            page.screenshot(path=SCREENSHOTS / "physician-approved.png")
        assert in_view(page, "#review-bar >> text=Next in queue")
        page.get_by_role("link", name="Next in queue").click()

    assert sorted(seen) == sorted(records)
    assert page.url.endswith("/admin/referrals/queueentry/")
    assert "Nothing else is waiting" in page.content()
    assert not QueueEntry.objects.exists()
    decided = Referral.objects.filter(decided_by__username="doctor")
    assert decided.filter(status=Referral.Status.DECLINED).count() == 1
    assert decided.filter(status=Referral.Status.APPROVED).count() == 4 * 5 - 1

    # The full intake, read-only for a physician, answers in words.
    page.goto(f"/admin/intake/intake/{intakes[0].pk}/change/")
    assert page.locator(".field-red_flags .readonly").inner_text() == "none"
    assert page.locator(".fieldBox.field-pregnant .readonly").inner_text() == "no"
    page.screenshot(path=SCREENSHOTS / "physician-full-intake.png", full_page=True)


def test_a_physician_beaten_to_a_decision_keeps_the_note_beside_the_winners(
    new_page,
):
    UserFactory(username="doctor", role=roles.PHYSICIAN)
    winner = UserFactory(
        username="doctor2", first_name="Sam", last_name="Okafor", role=roles.PHYSICIAN
    )
    intake = submitted_example1()
    page = new_page(LAPTOP)
    sign_in(page, "doctor")
    page.goto(f"/admin/referrals/queueentry/intake/{intake.pk}/")
    massage = page.locator("#service-massage")
    massage.get_by_label("Note").fill("Neck surgery next month: not now.")

    # Meanwhile, another physician approves it.
    services.referral_approve(
        referral=intake.referrals.get(service__code="massage"),
        user=winner,
        note="Booked with Ana.",
    )
    massage.get_by_role("button", name="Decline").click()

    massage = page.locator("#service-massage")
    assert "already approved (by Sam Okafor" in massage.inner_text()
    assert "Booked with Ana." in massage.inner_text()
    kept = massage.locator("textarea[readonly]")
    assert kept.input_value() == "Neck surgery next month: not now."
    assert in_view(page, "#review-bar .messagelist li.error")
    # The kept note has the focus, so the page opens where it is.
    assert in_view(page, "#id_lost_massage")
    page.screenshot(path=SCREENSHOTS / "physician-lost-race.png")


def test_the_review_page_fits_a_phone(new_page):
    """Every part of a review, the services' forms too, fits a phone's width; the
    treatment table, widest of all, scrolls sideways inside its own box."""
    UserFactory(username="doctor", role=roles.PHYSICIAN)
    intake = submitted_example1()
    page = new_page({"width": 390, "height": 844})
    sign_in(page, "doctor")
    page.goto(f"/admin/referrals/queueentry/intake/{intake.pk}/")
    assert no_sideways_scroll(page)
    assert "DOSE" in page.locator("table.rq-tx thead").inner_text()  # uppercased
    assert serious_violations(page) == []
    page.locator("#service-ketamine").scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / "physician-review-phone.png")
