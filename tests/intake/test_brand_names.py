"""Brand and Spanish names find the catalogue drug, stored as the generic drug."""

import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from intake import codes
from intake.catalogue import DRUGS, OTHER_NAMES
from intake.models import Drug, DrugName, Intake, fold_name
from intake.online import vocabulary
from tests.conftest import carrying, cookies_of, rolled_back_after
from tests.factories import ONLINE_STEP_ANSWERS

pytestmark = pytest.mark.django_db

# The brands the issue names, with the generic drug and class each is stored as.
BRANDS = [
    ("Aimovig", "erenumab", "cgrp_pathway"),
    ("Ajovy", "fremanezumab", "cgrp_pathway"),
    ("Emgality", "galcanezumab", "cgrp_pathway"),
    ("Vyepti", "eptinezumab", "cgrp_pathway"),
    ("Botox", "onabotulinumtoxinA", "onabotulinumtoxina"),
    ("Nurtec ODT", "rimegepant", "gepant"),
    ("Ubrelvy", "ubrogepant", "gepant"),
    ("Qulipta", "atogepant", "cgrp_pathway"),
    ("Topamax", "topiramate", "antiepileptic"),
    ("Depakote", "valproate", "antiepileptic"),
    ("Elavil", "amitriptyline", "antidepressant"),
    ("Inderal", "propranolol", "beta_blocker"),
    ("Imitrex", "sumatriptan", "triptan"),
    ("Maxalt", "rizatriptan", "triptan"),
    ("Zomig", "zolmitriptan", "triptan"),
    ("Relpax", "eletriptan", "triptan"),
    ("Reyvow", "lasmiditan", "ditan"),
    ("Cafergot", "ergotamine", "ergot"),
    ("Fioricet", "butalbital combination", "combination_analgesic"),
    ("Advil", "ibuprofen", "simple_analgesic"),
    ("Aleve", "naproxen", "simple_analgesic"),
    ("Tylenol", "acetaminophen", "simple_analgesic"),
    ("Excedrin", "acetaminophen/aspirin/caffeine", "combination_analgesic"),
]


def test_every_catalogue_drug_has_other_names():
    assert {name for name, *_ in DRUGS} == set(OTHER_NAMES)
    assert all(OTHER_NAMES.values())


def test_no_two_drugs_share_a_name_once_folded():
    names = [fold_name(name) for name, *_ in DRUGS]
    names += [fold_name(name) for others in OTHER_NAMES.values() for name in others]
    assert len(names) == len(set(names))


def test_the_migration_loaded_every_other_name():
    assert DrugName.objects.count() == sum(map(len, OTHER_NAMES.values()))
    assert DrugName.objects.get(folded="aimovig").drug.name == "erenumab"


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Nurtec ODT", "nurtec odt"),
        ("  NURTEC-odt ", "nurtec odt"),
        ("sumatriptán", "sumatriptan"),
        ("ÁCIDO VALPROICO", "acido valproico"),
        ("D.H.E. 45", "d h e 45"),
    ],
)
def test_names_fold_without_case_accents_or_punctuation(typed, folded):
    assert fold_name(typed) == folded


def post_treatments(client, *names):
    rows = {"treatments-TOTAL_FORMS": str(len(names)), "treatments-INITIAL_FORMS": "0"}
    for index, name in enumerate(names):
        rows |= {f"treatments-{index}-name": name}
        rows |= {f"treatments-{index}-outcome": "ineffective"}
    return client.post("/intake/treatments/", {**rows, "action": "next"})


@pytest.fixture(scope="class")
def started_session(django_db_setup, django_db_blocker):
    """The cookies of a browser past the first step, made once for a test class
    (each test's writes are rolled back); a test outside a class gets its own."""
    with rolled_back_after(django_db_blocker):
        browser = Client()
        browser.post("/intake/about-you/", {**ONLINE_STEP_ANSWERS["about-you"]})
        yield cookies_of(browser)


@pytest.fixture
def patient(db, client, started_session):
    return carrying(started_session, client)


def test_every_class_has_a_patient_label_and_kind():
    for code, _label in codes.TREATMENT_CLASSES:
        assert code in vocabulary.CLASS_LABELS and code in vocabulary.CLASS_KINDS
    assert set(vocabulary.ACUTE_CLASS_LABELS) == codes.codes(codes.ACUTE_CLASSES)


@pytest.mark.parametrize("term", ["aimovig", "AIMOVIG", "sumatriptán", "Imitrex"])
def test_staff_find_a_drug_by_any_name_in_the_catalogue(desk_client, term, settings):
    from clinic import roles
    from tests.factories import UserFactory

    manager = UserFactory(username="boss", role=roles.CLINIC_MANAGER)
    desk_client.force_login(manager)
    page = desk_client.get(reverse("admin:intake_drug_changelist"), {"q": term})
    rows = page.context["cl"].result_list
    expected = {"aimovig": "erenumab", "imitrex": "sumatriptan"}
    assert [drug.name for drug in rows] == [
        expected.get(term.casefold(), "sumatriptan")
    ]


def test_the_staff_drug_picker_finds_brands(desk_client):
    response = desk_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "intake",
            "model_name": "treatmenttrial",
            "field_name": "drug",
            "term": "aimovig",
        },
    )
    results = json.loads(response.content)["results"]
    erenumab = Drug.objects.get(name="erenumab")
    assert results == [
        {
            "id": str(erenumab.pk),
            "text": f"erenumab ({', '.join(n.name for n in erenumab.names.all())})",
            "treatment_class": "cgrp_pathway",
            "intent": "preventive",
        }
    ]
    assert "Aimovig" in results[0]["text"]


def test_a_name_another_drug_goes_by_is_refused():
    name = DrugName(drug=Drug.objects.get(name="ibuprofen"), name="AIMOVIG")
    with pytest.raises(ValidationError, match="already goes by this name"):
        name.full_clean()
    generic = DrugName(drug=Drug.objects.get(name="ibuprofen"), name="Sumatriptan")
    with pytest.raises(ValidationError, match="already goes by this name"):
        generic.full_clean()


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("Topiramate", "The catalogue already has topiramate."),
        ("SUMATRIPTÁN", "The catalogue already has sumatriptan."),
        ("Imitrex", "Imitrex is another name of sumatriptan."),
        ("acupuntura", "acupuntura is another name of acupuncture."),
        ("- -", "Enter a name with letters or digits."),
        ("Newdrugumab", None),
    ],
)
def test_a_new_catalogue_drug_cannot_take_a_name_the_catalogue_knows(name, problem):
    drug = Drug(name=name, treatment_class="cgrp_pathway", default_intent="preventive")
    if problem is None:
        drug.full_clean()
        return
    with pytest.raises(ValidationError) as refused:
        drug.full_clean()
    assert refused.value.message_dict == {"name": [problem]}


def test_a_drug_keeps_its_own_name_and_brands_when_changed():
    drug = Drug.objects.get(name="erenumab")
    drug.rxnorm_ingredient = "1990002"
    drug.full_clean()  # its own name, and "Aimovig" its own brand


def test_the_drug_pages_other_name_inputs_are_named_for_screen_readers(
    manager_client,
):
    page = manager_client.get(reverse("admin:intake_drug_add")).content.decode()
    field = re.search(r'<input[^>]*name="names-0-name"[^>]*>', page).group(0)
    assert 'aria-label="Other name"' in field


def test_the_manager_adds_a_new_drugs_brand_names_on_its_page(manager_client):
    response = manager_client.post(
        reverse("admin:intake_drug_add"),
        {
            "name": "Newdrugumab",
            "treatment_class": "cgrp_pathway",
            "default_intent": "preventive",
            "preventive_class": "",
            "rxnorm_ingredient": "",
            "names-TOTAL_FORMS": "1",
            "names-INITIAL_FORMS": "0",
            "names-MIN_NUM_FORMS": "0",
            "names-MAX_NUM_FORMS": "1000",
            "names-0-name": "Newbrand",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Drug.objects.get(names__folded="newbrand").name == "Newdrugumab"


@pytest.mark.parametrize("typed", ["aimovig", "AIMOVIG", "Aimovig"])
def test_staff_typing_a_brand_in_a_treatment_row_store_the_generic_drug(typed):
    from intake.forms import TreatmentTrialForm
    from intake.models import TreatmentTrial
    from intake.selectors import drug_catalogue
    from tests.factories import IntakeFactory

    form = TreatmentTrialForm(
        data={"drug_name": typed, "outcome": "ineffective", "weeks": ""},
        instance=TreatmentTrial(intake=IntakeFactory()),
        catalogue=drug_catalogue(),
    )

    assert form.is_valid(), form.errors
    trial = form.save(commit=False)
    assert (trial.drug.name, trial.drug_name) == ("erenumab", "")
    assert (trial.treatment_class, trial.intent) == ("cgrp_pathway", "preventive")


def test_staff_free_text_that_is_no_catalogue_name_stays_free_text():
    from intake.forms import TreatmentTrialForm
    from intake.models import TreatmentTrial
    from intake.selectors import drug_catalogue
    from tests.factories import IntakeFactory

    form = TreatmentTrialForm(
        data={
            "drug_name": "Feverfew tea",
            "treatment_class": "other_preventive",
            "intent": "preventive",
            "outcome": "helped",
        },
        instance=TreatmentTrial(intake=IntakeFactory()),
        catalogue=drug_catalogue(),
    )
    assert form.is_valid(), form.errors
    assert form.save(commit=False).drug is None


class TestAPatientPastTheFirstStep:
    """Tests typing treatments into the same started draft, made once for them."""

    @pytest.mark.parametrize(("brand", "generic", "treatment_class"), BRANDS)
    def test_the_patient_form_stores_a_brand_as_its_generic_drug_and_class(
        self, patient, brand, generic, treatment_class
    ):
        response = post_treatments(patient, brand)

        assert response.status_code == 302, response.content.decode()
        (trial,) = Intake.objects.get().treatments.select_related("drug")
        assert (trial.drug.name, trial.treatment_class) == (generic, treatment_class)
        assert trial.drug_name == ""

    @pytest.mark.parametrize(
        "typed", ["aimovig", "AIMOVIG", " Aimovig ", "topiramato", "Ácido valproico"]
    )
    def test_the_patient_form_matches_without_case_or_accents(self, patient, typed):
        assert post_treatments(patient, typed).status_code == 302
        assert Intake.objects.get().treatments.get().drug_id is not None

    def test_the_review_page_shows_the_generic_drug_and_its_kind(self, patient):
        post_treatments(patient, "Aimovig", "Qulipta")
        page = patient.get("/intake/review/").content.decode()
        assert "erenumab (CGRP injection or infusion)" in page
        assert "atogepant (CGRP tablet)" in page

    def test_the_name_field_suggests_brands_with_their_generic_name(self, patient):
        page = patient.get("/intake/treatments/").content.decode()
        assert '<option value="Aimovig" label="erenumab">' in page
        assert '<option value="sumatriptan">' in page
