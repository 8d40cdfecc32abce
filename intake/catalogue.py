"""The treatment catalogue's starting contents: every drug ROUTING.md names, and more.

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
