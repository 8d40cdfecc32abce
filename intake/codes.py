"""The clinical vocabulary of an intake: every code ROUTING.md names, with plain words.

Pure data, no Django. The intake app stores these codes and the routing engine (in
``referrals``) reads them, so both sides share one list. Entries are ``(code, label)``;
the health-screen entries carry the plain-words question a patient is asked.
"""

DIAGNOSES = [
    ("migraine_without_aura", "Migraine without aura"),
    ("migraine_with_aura", "Migraine with aura"),
    ("other_primary_headache", "Another kind of headache"),
    ("unknown", "I'm not sure"),
]
MIGRAINE_DIAGNOSES = frozenset({"migraine_without_aura", "migraine_with_aura"})

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

INTENTS = [("acute", "To stop an attack"), ("preventive", "To prevent attacks")]

OUTCOMES = [
    ("ineffective", "Did not work"),
    ("intolerable", "Side effects I could not tolerate"),
    ("contraindicated", "Not allowed for medical reasons"),
    ("helped", "Helped"),
    ("ongoing", "Still taking it"),
]

# Health screen: ROUTING.md section 6, asked in plain words.
CONDITIONS = [
    ("psychosis", "Has a doctor ever diagnosed you with psychosis or schizophrenia?"),
    ("bipolar", "Have you been diagnosed with bipolar disorder?"),
    (
        "substance_use_active",
        "Are you currently struggling with drug or alcohol dependence?",
    ),
    (
        "substance_use_remission",
        "Have you recovered from drug dependence, with no use for at least 12 months?",
    ),
    ("alcohol_misuse", "Do you regularly drink more alcohol than recommended?"),
    ("severe_hepatic", "Do you have severe liver disease, such as cirrhosis?"),
    ("moderate_hepatic", "Do you have mild or moderate liver disease?"),
    (
        "raised_icp",
        "Have you been told you have raised pressure around the brain "
        "(for example idiopathic intracranial hypertension)?",
    ),
    (
        "raised_iop",
        "Do you have uncontrolled glaucoma, or a recent eye injury?",
    ),
    ("glaucoma", "Do you have glaucoma that is controlled with treatment?"),
    (
        "cv_unstable",
        "Do you have unstable chest pain or heart failure, or have you had a heart "
        "attack or stroke in the last 6 months?",
    ),
    ("cv_stable", "Do you have a heart condition that is stable with treatment?"),
    (
        "hyperthyroid_untreated",
        "Do you have an overactive thyroid that is not treated?",
    ),
    (
        "bleeding_disorder",
        "Has a doctor ever told you that you have a bleeding disorder such as "
        "haemophilia?",
    ),
    ("low_platelets", "Have you been told your platelet count is low?"),
    ("dvt", "Do you have, or might you have, a blood clot in a leg (DVT)?"),
    ("fever_infection", "Do you have a fever or an infection right now?"),
    ("recent_surgery", "Have you had surgery in the last 6 weeks?"),
    ("fracture_osteoporosis", "Do you have a recent fracture or osteoporosis?"),
    (
        "skin_infection",
        "Do you have a skin infection, rash or open wound on your head, neck or back?",
    ),
    (
        "cancer",
        "Are you being treated for cancer, or have you been in the last 5 years?",
    ),
    ("retinal_detachment", "Have you had a detached retina?"),
    ("vertigo", "Do you have vertigo or frequent dizzy spells?"),
    ("cervical_spine", "Do you have a neck (cervical spine) problem or injury?"),
    (
        "neuromuscular",
        "Do you have a nerve or muscle disease such as myasthenia gravis, "
        "Lambert-Eaton syndrome or ALS?",
    ),
    (
        "immunosuppressed",
        "Is your immune system weakened by illness or medicine "
        "(for example chemotherapy or steroids)?",
    ),
    ("heart_valve", "Do you have an artificial heart valve or a heart-valve disease?"),
    ("needle_phobia", "Are you very afraid of needles?"),
    ("pacemaker", "Do you have a pacemaker or another implanted electrical device?"),
]

# SNNOOP10 red flags, asked in plain words.
RED_FLAGS = [
    (
        "thunderclap",
        "Have you had a sudden, severe headache that reached its worst within one "
        "minute?",
    ),
    (
        "neuro_deficit",
        "With your headaches, have you had weakness, numbness, slurred speech or loss "
        "of vision that did not go away?",
    ),
    (
        "reduced_consciousness",
        "Have you fainted, been confused or hard to wake with a headache?",
    ),
    ("seizure", "Have you had a seizure (fit) with a headache?"),
    ("fever_neck_stiffness", "Have you had a headache with fever and a stiff neck?"),
    (
        "systemic_symptoms",
        "Have you had unexplained weight loss, night sweats or a fever lasting weeks?",
    ),
    ("cancer_history", "Have you ever had cancer?"),
    (
        "papilledema",
        "Has an eye doctor told you there is swelling at the back of your eye?",
    ),
    (
        "positional",
        "Do your headaches get much worse when you stand up or when you lie down?",
    ),
    (
        "valsalva_triggered",
        "Are your headaches brought on by coughing, sneezing, straining or exercise?",
    ),
    (
        "progressive",
        "Have your headaches been getting steadily worse over weeks or months?",
    ),
    (
        "painful_eye_autonomic",
        "Do you have a painful red eye with your headaches, with tearing or a "
        "drooping lid?",
    ),
    ("post_trauma", "Did these headaches start after a head injury?"),
    (
        "immunocompromised",
        "Do you have HIV or another condition that weakens your immunity?",
    ),
    (
        "new_drug_at_onset",
        "Did these headaches start soon after you began a new medicine?",
    ),
]
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
    ("ketamine", "Ketamine"),
    ("botulinum_toxin", "Botulinum toxin (Botox)"),
]
MEDICATIONS = [
    ("anticoagulant", "A blood thinner (warfarin, apixaban, rivaroxaban, heparin ...)"),
    ("antiplatelet", "An antiplatelet medicine (aspirin every day, clopidogrel ...)"),
]

SERVICES = [
    ("ketamine", "Ketamine infusion"),
    ("botox", "Botox for migraine"),
    ("acupuncture", "Acupuncture"),
    ("massage", "Massage"),
    ("yoga", "Yoga"),
]

FEATURES = [
    ("one_sided", "On one side of the head"),
    ("pulsing", "Throbbing or pulsing"),
    ("worse_with_activity", "Worse with everyday activity, like walking or stairs"),
]
SYMPTOMS = [
    ("nausea", "Nausea"),
    ("vomiting", "Vomiting"),
    ("light_sensitivity", "Sensitivity to light"),
    ("sound_sensitivity", "Sensitivity to sound"),
    ("dizziness", "Dizziness or lightheadedness"),
    ("visual_disturbance", "Distorted or blurred vision"),
    ("irritability", "Irritability"),
    ("aura_visual", "Aura: flashing lights, zigzags or blind spots"),
    ("aura_sensory", "Aura: pins and needles or numbness"),
    ("aura_speech", "Aura: trouble finding or saying words"),
]
TRIGGERS = [
    ("stress", "Stress"),
    ("sleep", "Too little or too much sleep"),
    ("menstrual", "Menstrual cycle"),
    ("weather", "Weather changes"),
    ("alcohol", "Alcohol"),
    ("caffeine", "Caffeine, or missing your usual caffeine"),
    ("skipped_meals", "Skipped meals"),
    ("processed_foods", "Processed foods"),
    ("nitrates", "Foods with nitrates (cured or processed meats)"),
    ("chocolate", "Chocolate"),
    ("cheese", "Cheese"),
    ("dried_fruits", "Dried fruits"),
    ("cultured_dairy", "Cultured dairy (yoghurt, kefir, sour cream)"),
    ("msg", "MSG (monosodium glutamate)"),
]


def codes(choices: list[tuple[str, str]]) -> frozenset[str]:
    """Return the set of codes of a choices list."""
    return frozenset(code for code, _ in choices)
