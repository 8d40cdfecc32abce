"""The clinical vocabulary of an intake: the codes of docs/routing.md, in plain words.

Pure data. The intake app stores these codes and the routing engine (in ``referrals``)
reads them, so both sides share one list. Entries are ``(code, label)``; the
health-screen entries carry the plain-words question a patient is asked. Labels a
patient sees are marked for translation with ``gettext_noop``, which returns them
unchanged: staff pages and the engine read them in English, and the patient's pages
translate them as they show them.
"""

from django.utils.translation import gettext_noop

DIAGNOSES = [
    ("migraine_without_aura", gettext_noop("Migraine without aura")),
    ("migraine_with_aura", gettext_noop("Migraine with aura")),
    ("other_primary_headache", gettext_noop("Another kind of headache")),
    ("unknown", gettext_noop("I'm not sure")),
]
MIGRAINE_DIAGNOSES = frozenset({"migraine_without_aura", "migraine_with_aura"})
# The SNOMED CT concept of each migraine diagnosis a patient reports, for records sent
# elsewhere (the FHIR export's Condition, beside the ICD-10-CM code that
# referrals/icd10.py derives). SNOMED CT International Edition: 56097005 |Migraine
# without aura (disorder)|, 4473006 |Migraine with aura (disorder)|.
DIAGNOSIS_SNOMED = {
    "migraine_without_aura": ("56097005", "Migraine without aura"),
    "migraine_with_aura": ("4473006", "Migraine with aura"),
}

PREVENTIVE_CLASSES = [
    ("antidepressant", "Antidepressant (amitriptyline, nortriptyline, venlafaxine)"),
    ("antiepileptic", "Antiepileptic (topiramate, valproate)"),
    ("beta_blocker", "Beta blocker (propranolol, metoprolol, ...)"),
    (
        "calcium_channel_blocker",
        "Calcium-channel blocker (flunarizine, verapamil, ...)",
    ),
    ("cgrp_pathway", "CGRP medicine (erenumab, fremanezumab, atogepant, ...)"),
    ("ace_arb", "Blood-pressure medicine (candesartan, lisinopril)"),
    ("onabotulinumtoxina", "OnabotulinumtoxinA (Botox)"),
    ("other_preventive", "Other preventive medicine"),
]
ACUTE_CLASSES = [
    ("simple_analgesic", "Simple painkiller or NSAID (paracetamol, ibuprofen, ...)"),
    ("combination_analgesic", "Combination painkiller (e.g. with caffeine or codeine)"),
    ("triptan", "Triptan (sumatriptan, rizatriptan, ...)"),
    ("ergot", "Ergot (ergotamine, dihydroergotamine)"),
    ("opioid", "Opioid (codeine, tramadol, oxycodone, ...)"),
    ("ditan", "Ditan (lasmiditan)"),
    ("gepant", "Gepant (rimegepant, ubrogepant)"),
    ("antiemetic", "Anti-sickness medicine (metoclopramide, ondansetron, ...)"),
]
NON_DRUG_CLASS = (
    "non_drug",
    "Non-drug treatment (acupuncture, nerve block, therapy, ...)",
)
TREATMENT_CLASSES = PREVENTIVE_CLASSES + ACUTE_CLASSES + [NON_DRUG_CLASS]

INTENTS = [
    ("acute", gettext_noop("To stop an attack")),
    ("preventive", gettext_noop("To prevent attacks")),
]

OUTCOMES = [
    ("ineffective", gettext_noop("Did not work")),
    ("intolerable", gettext_noop("Side effects I could not tolerate")),
    ("contraindicated", gettext_noop("Not allowed for medical reasons")),
    ("helped", gettext_noop("Helped")),
    ("ongoing", gettext_noop("Still taking it")),
]
# The outcomes of a treatment without benefit: a triptan with any of them is a failed
# triptan (docs/routing.md, derived values); the referral letter marks them.
WITHOUT_BENEFIT_OUTCOMES = frozenset({"ineffective", "intolerable", "contraindicated"})

# Health screen: docs/routing.md section 6, asked in plain words.
CONDITIONS = [
    (
        "psychosis",
        gettext_noop(
            "Has a doctor ever diagnosed you with psychosis or schizophrenia?"
        ),
    ),
    ("bipolar", gettext_noop("Have you been diagnosed with bipolar disorder?")),
    (
        "substance_use_active",
        gettext_noop("Are you currently struggling with drug or alcohol dependence?"),
    ),
    (
        "substance_use_remission",
        gettext_noop(
            "Have you recovered from drug dependence, with no use for at least "
            "12 months?"
        ),
    ),
    (
        "alcohol_misuse",
        gettext_noop("Do you regularly drink more alcohol than recommended?"),
    ),
    (
        "severe_hepatic",
        gettext_noop("Do you have severe liver disease, such as cirrhosis?"),
    ),
    ("moderate_hepatic", gettext_noop("Do you have mild or moderate liver disease?")),
    (
        "raised_icp",
        gettext_noop(
            "Have you been told you have raised pressure around the brain "
            "(for example idiopathic intracranial hypertension)?"
        ),
    ),
    (
        "raised_iop",
        gettext_noop("Do you have uncontrolled glaucoma, or a recent eye injury?"),
    ),
    (
        "glaucoma",
        gettext_noop("Do you have glaucoma that is controlled with treatment?"),
    ),
    (
        "cv_unstable",
        gettext_noop(
            "Do you have unstable chest pain or heart failure, or have you had a heart "
            "attack or stroke in the last 6 months?"
        ),
    ),
    (
        "cv_stable",
        gettext_noop("Do you have a heart condition that is stable with treatment?"),
    ),
    (
        "hyperthyroid_untreated",
        gettext_noop("Do you have an overactive thyroid that is not treated?"),
    ),
    (
        "bleeding_disorder",
        gettext_noop(
            "Has a doctor ever told you that you have a bleeding disorder such as "
            "haemophilia?"
        ),
    ),
    ("low_platelets", gettext_noop("Have you been told your platelet count is low?")),
    (
        "dvt",
        gettext_noop("Do you have, or might you have, a blood clot in a leg (DVT)?"),
    ),
    ("fever_infection", gettext_noop("Do you have a fever or an infection right now?")),
    ("recent_surgery", gettext_noop("Have you had surgery in the last 6 weeks?")),
    (
        "fracture_osteoporosis",
        gettext_noop("Do you have a recent fracture or osteoporosis?"),
    ),
    (
        "skin_infection",
        gettext_noop(
            "Do you have a skin infection, rash or open wound on your head, neck "
            "or back?"
        ),
    ),
    (
        "cancer",
        gettext_noop(
            "Are you being treated for cancer, or have you been in the last 5 years?"
        ),
    ),
    ("retinal_detachment", gettext_noop("Have you had a detached retina?")),
    ("vertigo", gettext_noop("Do you have vertigo or frequent dizzy spells?")),
    (
        "cervical_spine",
        gettext_noop("Do you have a neck (cervical spine) problem or injury?"),
    ),
    (
        "neuromuscular",
        gettext_noop(
            "Do you have a nerve or muscle disease such as myasthenia gravis, "
            "Lambert-Eaton syndrome or ALS?"
        ),
    ),
    (
        "immunosuppressed",
        gettext_noop(
            "Is your immune system weakened by illness or medicine "
            "(for example chemotherapy or steroids)?"
        ),
    ),
    (
        "heart_valve",
        gettext_noop("Do you have an artificial heart valve or a heart-valve disease?"),
    ),
    ("needle_phobia", gettext_noop("Are you very afraid of needles?")),
    (
        "pacemaker",
        gettext_noop("Do you have a pacemaker or another implanted electrical device?"),
    ),
]

# SNNOOP10 red flags, asked in plain words.
RED_FLAGS = [
    (
        "thunderclap",
        gettext_noop(
            "Have you had a sudden, severe headache that reached its worst within one "
            "minute?"
        ),
    ),
    (
        "neuro_deficit",
        gettext_noop(
            "With your headaches, have you had weakness, numbness, slurred speech "
            "or loss of vision that did not go away?"
        ),
    ),
    (
        "reduced_consciousness",
        gettext_noop(
            "Have you fainted, been confused or hard to wake with a headache?"
        ),
    ),
    ("seizure", gettext_noop("Have you had a seizure (fit) with a headache?")),
    (
        "fever_neck_stiffness",
        gettext_noop("Have you had a headache with fever and a stiff neck?"),
    ),
    (
        "systemic_symptoms",
        gettext_noop(
            "Have you had unexplained weight loss, night sweats or a fever lasting "
            "weeks?"
        ),
    ),
    ("cancer_history", gettext_noop("Have you ever had cancer?")),
    (
        "papilledema",
        gettext_noop(
            "Has an eye doctor told you there is swelling at the back of your eye?"
        ),
    ),
    (
        "positional",
        gettext_noop(
            "Do your headaches get much worse when you stand up or when you lie down?"
        ),
    ),
    (
        "valsalva_triggered",
        gettext_noop(
            "Are your headaches brought on by coughing, sneezing, straining or "
            "exercise?"
        ),
    ),
    (
        "progressive",
        gettext_noop(
            "Have your headaches been getting steadily worse over weeks or months?"
        ),
    ),
    (
        "painful_eye_autonomic",
        gettext_noop(
            "Do you have a painful red eye with your headaches, with tearing or a "
            "drooping lid?"
        ),
    ),
    ("post_trauma", gettext_noop("Did these headaches start after a head injury?")),
    (
        "immunocompromised",
        gettext_noop(
            "Do you have HIV or another condition that weakens your immunity?"
        ),
    ),
    (
        "new_drug_at_onset",
        gettext_noop("Did these headaches start soon after you began a new medicine?"),
    ),
]
# Clinic policy (docs/routing.md, rule G1 urgent): headaches that began at this age or
# later need a physician within 24 hours. The routing engine holds such an intake and
# the patient is told so when they send it (``intake.advice``).
URGENT_ONSET_AGE = 50

EMERGENCY_RED_FLAGS = frozenset(
    {
        "thunderclap",
        "neuro_deficit",
        "reduced_consciousness",
        "seizure",
        "fever_neck_stiffness",
    }
)

ALLERGIES = [
    ("ketamine", gettext_noop("Ketamine")),
    ("botulinum_toxin", gettext_noop("Botulinum toxin (Botox)")),
]
MEDICATIONS = [
    (
        "anticoagulant",
        gettext_noop("A blood thinner (warfarin, apixaban, rivaroxaban, heparin ...)"),
    ),
    (
        "antiplatelet",
        gettext_noop("An antiplatelet medicine (aspirin every day, clopidogrel ...)"),
    ),
]

BOTOX = "botox"  # the service whose letter is a prior authorisation
SERVICES = [
    ("ketamine", gettext_noop("Ketamine infusion")),
    (BOTOX, gettext_noop("Botox for migraine")),
    ("acupuncture", gettext_noop("Acupuncture")),
    ("massage", gettext_noop("Massage")),
    ("yoga", gettext_noop("Yoga")),
]

FEATURES = [
    ("one_sided", gettext_noop("On one side of the head")),
    ("pulsing", gettext_noop("Throbbing or pulsing")),
    (
        "worse_with_activity",
        gettext_noop("Worse with everyday activity, like walking or stairs"),
    ),
]
SYMPTOMS = [
    ("nausea", gettext_noop("Nausea")),
    ("vomiting", gettext_noop("Vomiting")),
    ("light_sensitivity", gettext_noop("Sensitivity to light")),
    ("sound_sensitivity", gettext_noop("Sensitivity to sound")),
    ("dizziness", gettext_noop("Dizziness or lightheadedness")),
    ("visual_disturbance", gettext_noop("Distorted or blurred vision")),
    ("irritability", gettext_noop("Irritability")),
    ("aura_visual", gettext_noop("Aura: flashing lights, zigzags or blind spots")),
    ("aura_sensory", gettext_noop("Aura: pins and needles or numbness")),
    ("aura_speech", gettext_noop("Aura: trouble finding or saying words")),
]
TRIGGERS = [
    ("stress", gettext_noop("Stress")),
    ("sleep", gettext_noop("Too little or too much sleep")),
    ("menstrual", gettext_noop("Menstrual cycle")),
    ("weather", gettext_noop("Weather changes")),
    ("alcohol", gettext_noop("Alcohol")),
    ("caffeine", gettext_noop("Caffeine, or missing your usual caffeine")),
    ("skipped_meals", gettext_noop("Skipped meals")),
    ("processed_foods", gettext_noop("Processed foods")),
    ("nitrates", gettext_noop("Foods with nitrates (cured or processed meats)")),
    ("chocolate", gettext_noop("Chocolate")),
    ("cheese", gettext_noop("Cheese")),
    ("dried_fruits", gettext_noop("Dried fruits")),
    ("cultured_dairy", gettext_noop("Cultured dairy (yoghurt, kefir, sour cream)")),
    ("msg", gettext_noop("MSG (monosodium glutamate)")),
]


def codes(choices: list[tuple[str, str]]) -> frozenset[str]:
    """Return the set of codes of a choices list."""
    return frozenset(code for code, _ in choices)
