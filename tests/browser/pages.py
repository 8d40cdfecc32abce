"""How a patient answers the intake's questions in the browser."""

from playwright.sync_api import Page

from tests.factories import ONLINE_STEP_ANSWERS

# Seven treatments: a long history, catalogue names and free text.
LONG_HISTORY = [
    {
        "name": "propranolol",
        "dose": "80 mg twice daily",
        "weeks": "16",
        "outcome": "ineffective",
    },
    {"name": "topiramate", "weeks": "3", "outcome": "intolerable"},
    {"name": "amitriptyline", "weeks": "12", "outcome": "ineffective"},
    {"name": "erenumab", "weeks": "24", "outcome": "ineffective"},
    {"name": "sumatriptan", "outcome": "ineffective"},
    {"name": "rizatriptan", "outcome": "helped"},
    {
        "name": "Feverfew tea",
        "treatment_class": "Another medicine to prevent attacks",
        "intent": "preventive",
        "outcome": "ongoing",
    },
]
STEP_ANSWERS = {
    slug: {
        name: value
        for name, value in answers.items()
        if not name.startswith("treatments-")
    }
    for slug, answers in ONLINE_STEP_ANSWERS.items()
}


def active_matches(page: Page, selector: str) -> bool:
    return page.evaluate(
        "s => document.activeElement && document.activeElement.matches(s)",
        selector,
    )


def tab_to(page: Page, selector: str, limit: int = 250) -> None:
    """Press Tab until ``selector`` has focus, as a keyboard user would."""
    for _ in range(limit):
        if active_matches(page, selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def kind_of(page: Page, name: str) -> str:
    return page.eval_on_selector(
        f'[name="{name}"]', "element => element.type || element.tagName.toLowerCase()"
    )


def answer_by_keyboard(page: Page, name: str, value) -> None:
    kind = kind_of(page, name)
    if kind == "radio":
        tab_to(page, f'input[name="{name}"]')
        target = f'input[name="{name}"][value="{value}"]'
        for _ in range(20):
            if active_matches(page, target):
                break
            page.keyboard.press("ArrowDown")
        page.keyboard.press("Space")
        assert page.is_checked(target)
    elif kind == "checkbox":
        for each in value if isinstance(value, list) else [value]:
            box = (
                f'input[name="{name}"][value="{each}"]'
                if isinstance(value, list)
                else f'input[name="{name}"]'
            )
            tab_to(page, box)
            if not page.is_checked(box):
                page.keyboard.press("Space")
            assert page.is_checked(box)
    elif kind == "select-one":
        tab_to(page, f'[name="{name}"]')
        page.keyboard.type(value)
    else:
        tab_to(page, f'[name="{name}"]')
        page.keyboard.press("Control+A")
        if value:
            page.keyboard.type(value)
        else:
            page.keyboard.press("Delete")


def answer_directly(page: Page, name: str, value) -> None:
    kind = kind_of(page, name)
    if kind == "radio":
        page.check(f'input[name="{name}"][value="{value}"]')
    elif kind == "checkbox" and isinstance(value, list):
        for each in value:
            page.check(f'input[name="{name}"][value="{each}"]')
    elif kind == "checkbox":
        page.check(f'input[name="{name}"]')
    elif kind == "select-one":
        page.select_option(f'[name="{name}"]', label=value)
    else:
        page.fill(f'[name="{name}"]', value)


def press_button(page: Page, value: str, keyboard: bool) -> None:
    # The visible button, not the hidden default one Enter in a field presses.
    button = f'button[name="action"][value="{value}"]:not(.visually-hidden)'
    with page.expect_navigation():
        if keyboard:
            tab_to(page, button)
            page.keyboard.press("Enter")
        else:
            page.click(button)


def answer_step(page: Page, slug: str, keyboard: bool, treatments=LONG_HISTORY):
    """Answer one step's questions, then leave the buttons to the caller."""
    answer = answer_by_keyboard if keyboard else answer_directly
    if slug == "treatments":
        for index, row in enumerate(treatments):
            if index:
                press_button(page, "add", keyboard)
                assert page.locator(".error-summary").count() == 0, page.content()
            for field, value in row.items():
                answer(page, f"treatments-{index}-{field}", value)
        return
    for name, value in STEP_ANSWERS[slug].items():
        if value:
            answer(page, name, value)
