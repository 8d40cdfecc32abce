"""The catalogue's starting contents: every drug docs/routing.md names, and more.

Loaded by a data migration; the clinic manager edits it in the admin after that.
Each entry: (name, class, usual use, class when used preventively if different).
"""

PREVENTIVE = "preventive"
ACUTE = "acute"

DRUGS: list[tuple[str, str, str, str]] = [
    *[
        (name, "antidepressant", PREVENTIVE, "")
        for name in ("amitriptyline", "nortriptyline", "venlafaxine")
    ],
    *[(name, "antiepileptic", PREVENTIVE, "") for name in ("topiramate", "valproate")],
    *[
        (name, "beta_blocker", PREVENTIVE, "")
        for name in ("propranolol", "metoprolol", "atenolol", "timolol", "bisoprolol")
    ],
    *[
        (name, "calcium_channel_blocker", PREVENTIVE, "")
        for name in ("flunarizine", "cinnarizine", "verapamil")
    ],
    *[
        (name, "cgrp_pathway", PREVENTIVE, "")
        for name in (
            "erenumab",
            "fremanezumab",
            "galcanezumab",
            "eptinezumab",
            "atogepant",
        )
    ],
    ("rimegepant", "gepant", ACUTE, "cgrp_pathway"),
    *[(name, "ace_arb", PREVENTIVE, "") for name in ("candesartan", "lisinopril")],
    ("onabotulinumtoxinA", "onabotulinumtoxina", PREVENTIVE, ""),
    *[
        (name, "simple_analgesic", ACUTE, "")
        for name in (
            "paracetamol",
            "acetaminophen",
            "aspirin",
            "ibuprofen",
            "naproxen",
            "diclofenac",
            "ketorolac",
            "celecoxib",
        )
    ],
    *[
        (name, "combination_analgesic", ACUTE, "")
        for name in (
            "acetaminophen/aspirin/caffeine",
            "butalbital combination",
            "paracetamol/codeine",
        )
    ],
    *[
        (name, "triptan", ACUTE, "")
        for name in (
            "sumatriptan",
            "rizatriptan",
            "zolmitriptan",
            "eletriptan",
            "naratriptan",
            "almotriptan",
            "frovatriptan",
        )
    ],
    *[(name, "ergot", ACUTE, "") for name in ("ergotamine", "dihydroergotamine")],
    *[(name, "opioid", ACUTE, "") for name in ("codeine", "tramadol", "oxycodone")],
    ("lasmiditan", "ditan", ACUTE, ""),
    *[(name, "gepant", ACUTE, "") for name in ("ubrogepant", "zavegepant")],
    *[
        (name, "antiemetic", ACUTE, "")
        for name in ("metoclopramide", "ondansetron", "prochlorperazine")
    ],
    *[
        (name, "non_drug", PREVENTIVE, "")
        for name in (
            "acupuncture",
            "nerve block",
            "cognitive behavioural therapy",
            "biofeedback",
            "physical therapy",
        )
    ],
]

# Other names each drug goes by, matched without regard to case or accents: US brand
# names (the catalogue's generic names are international nonproprietary names) and
# the Spanish generic names a Spanish-speaking patient may know. A name that differs
# only by accents in Spanish (sumatriptán) or not at all (propranolol) is matched
# as the generic name already.
OTHER_NAMES: dict[str, list[str]] = {
    "amitriptyline": ["Elavil", "amitriptilina"],
    "nortriptyline": ["Pamelor", "nortriptilina"],
    "venlafaxine": ["Effexor", "Effexor XR", "venlafaxina"],
    "topiramate": ["Topamax", "Trokendi XR", "Qudexy XR", "topiramato"],
    "valproate": [
        "Depakote",
        "Depakote ER",
        "Depakene",
        "divalproex",
        "valproic acid",
        "valproato",
        "ácido valproico",
    ],
    "propranolol": ["Inderal", "Inderal LA", "InnoPran XL"],
    "metoprolol": ["Lopressor", "Toprol XL"],
    "atenolol": ["Tenormin"],
    "timolol": ["Blocadren"],
    "bisoprolol": ["Zebeta"],
    "flunarizine": ["Sibelium", "flunarizina"],
    "cinnarizine": ["Stugeron", "cinarizina"],
    "verapamil": ["Calan", "Verelan", "Isoptin", "verapamilo"],
    "erenumab": ["Aimovig"],
    "fremanezumab": ["Ajovy"],
    "galcanezumab": ["Emgality"],
    "eptinezumab": ["Vyepti"],
    "atogepant": ["Qulipta"],
    "rimegepant": ["Nurtec ODT", "Nurtec"],
    "candesartan": ["Atacand"],
    "lisinopril": ["Zestril", "Prinivil"],
    "onabotulinumtoxinA": ["Botox", "botulinum toxin", "toxina botulínica"],
    "paracetamol": ["Panadol"],
    "acetaminophen": ["Tylenol", "acetaminofén", "acetaminofeno"],
    "aspirin": ["Bayer", "Ecotrin", "aspirina", "ácido acetilsalicílico"],
    "ibuprofen": ["Advil", "Motrin", "ibuprofeno"],
    "naproxen": ["Aleve", "Naprosyn", "Anaprox", "naproxeno"],
    "diclofenac": ["Cambia", "Voltaren", "Zipsor", "diclofenaco"],
    "ketorolac": ["Toradol", "Sprix", "ketorolaco"],
    "celecoxib": ["Celebrex", "Elyxyb"],
    "acetaminophen/aspirin/caffeine": ["Excedrin", "Excedrin Migraine"],
    "butalbital combination": ["Fioricet", "Fiorinal", "Esgic", "butalbital"],
    "paracetamol/codeine": ["Tylenol with Codeine", "Tylenol 3"],
    "sumatriptan": ["Imitrex", "Tosymra", "Zembrace", "Onzetra"],
    "rizatriptan": ["Maxalt", "Maxalt-MLT"],
    "zolmitriptan": ["Zomig", "Zomig-ZMT"],
    "eletriptan": ["Relpax"],
    "naratriptan": ["Amerge"],
    "almotriptan": ["Axert"],
    "frovatriptan": ["Frova"],
    "ergotamine": ["Cafergot", "Ergomar", "ergotamina"],
    "dihydroergotamine": ["D.H.E. 45", "Migranal", "Trudhesa", "dihidroergotamina"],
    "codeine": ["codeína"],
    "tramadol": ["Ultram", "ConZip"],
    "oxycodone": ["OxyContin", "Roxicodone", "oxicodona"],
    "lasmiditan": ["Reyvow"],
    "ubrogepant": ["Ubrelvy"],
    "zavegepant": ["Zavzpret"],
    "metoclopramide": ["Reglan", "metoclopramida"],
    "ondansetron": ["Zofran"],
    "prochlorperazine": ["Compazine", "Compro", "proclorperazina"],
    "acupuncture": ["acupressure", "acupuntura", "acupresión"],
    "nerve block": ["bloqueo nervioso", "bloqueo de nervios"],
    "cognitive behavioural therapy": [
        "cognitive behavioral therapy",
        "CBT",
        "terapia cognitivo-conductual",
    ],
    "biofeedback": ["biorretroalimentación"],
    "physical therapy": ["physiotherapy", "fisioterapia", "terapia física"],
}

# RxNorm ingredient concepts (term type IN) of catalogue drugs, by RXCUI, as carried by
# the catalogue (``Drug.rxnorm_ingredient``) into records sent elsewhere (the FHIR
# export's MedicationStatement). Source: RxNorm (US National Library of Medicine), as
# stated in public sources, RxNav being out of reach when this was written:
# - CPIC's drug table (cpicpgx/cpic-schema, drug.sql) for the first codes, except
#   acetaminophen (161) and ibuprofen (5640), checked against public FHIR value sets
#   that list them;
# - atenolol, bisoprolol, candesartan and lisinopril: the NLM VSAC eCQM value sets
#   "Beta Blocker Therapy Ingredient" (OID 2.16.840.1.113883.3.526.3.1493) and "ACE
#   Inhibitor or ARB or ARNI Ingredient" (OID 2.16.840.1.113883.3.526.3.1489),
#   expansion "eCQM Update 2025-05-08", as published in canvas-medical/canvas-plugins
#   (canvas_sdk/value_set/v2026/allergy.py), which give metoprolol, propranolol and
#   timolol the codes below too;
# - the triptans, ergots, topiramate, ubrogepant, rimegepant, atogepant, lasmiditan,
#   fremanezumab, galcanezumab and eptinezumab: the RxNorm Ingredient concepts of
#   OHDSI's "Antimigraine_approved and off-label" concept set (OHDSI/PhenotypeLibrary,
#   inst/cohorts/856.json); verapamil from OHDSI/Legend's concept sets and naproxen
#   from OHDSI/StudyProtocols' (CelecoxibVsNsNSAIDs). PharmGKB's drug list gives each
#   drug the same code (drugs.tsv of 2022-01-06, or its 2025 release for the drugs
#   approved since, which lists a second code beside it for ubrogepant and
#   eptinezumab);
# - flunarizine, cinnarizine, ketorolac and prochlorperazine: PharmGKB's drug list
#   alone (both releases), whose 2022 release gives every drug above that it lists
#   the same code as the other sources.
# A drug whose RXCUI could not be checked in such a source is left uncoded (the export
# sends its name as text): erenumab (OHDSI and PharmGKB give different codes),
# zavegepant, onabotulinumtoxinA (the sources name only "botulinum toxin type A") and
# the combination products. Paracetamol is acetaminophen's international name.
RXNORM_INGREDIENTS: dict[str, str] = {
    "acetaminophen": "161",
    "paracetamol": "161",
    "almotriptan": "279645",
    "amitriptyline": "704",
    "aspirin": "1191",
    "atenolol": "1202",
    "atogepant": "2571813",
    "bisoprolol": "19484",
    "candesartan": "214354",
    "celecoxib": "140587",
    "cinnarizine": "2549",
    "codeine": "2670",
    "diclofenac": "3355",
    "dihydroergotamine": "3418",
    "eletriptan": "231049",
    "eptinezumab": "2282660",
    "ergotamine": "4025",
    "flunarizine": "4459",
    "fremanezumab": "2056691",
    "frovatriptan": "228783",
    "galcanezumab": "2058846",
    "ibuprofen": "5640",
    "ketorolac": "35827",
    "lasmiditan": "2256930",
    "lisinopril": "29046",
    "metoclopramide": "6915",
    "metoprolol": "6918",
    "naproxen": "7258",
    "naratriptan": "141366",
    "nortriptyline": "7531",
    "ondansetron": "26225",
    "oxycodone": "7804",
    "prochlorperazine": "8704",
    "propranolol": "8787",
    "rimegepant": "2282307",
    "rizatriptan": "88014",
    "sumatriptan": "37418",
    "timolol": "10600",
    "topiramate": "38404",
    "tramadol": "10689",
    "ubrogepant": "2268216",
    "valproate": "11118",
    "venlafaxine": "39786",
    "verapamil": "11170",
    "zolmitriptan": "135775",
}
