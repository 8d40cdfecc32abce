"""The patient's words for the codes whose staff labels are jargon.

Staff read ``intake.codes`` as written ("Ditan (lasmiditan)"); a patient is asked
about the medicines they know, by their brand names too. Every code of
``codes.TREATMENT_CLASSES`` and ``codes.ACUTE_CLASSES`` has its patient label here
(a test checks), and every catalogue drug a plain kind for the review page.
"""

from django.utils.translation import gettext_lazy as _

# The treatment step's "what kind of treatment" list, for names not in the catalogue.
CLASS_LABELS = {
    "antidepressant": _("Antidepressant (such as amitriptyline or venlafaxine)"),
    "antiepileptic": _("Anti-seizure medicine (such as topiramate or Depakote)"),
    "beta_blocker": _("Beta blocker (such as propranolol or metoprolol)"),
    "calcium_channel_blocker": _(
        "Calcium-channel blocker (such as verapamil or flunarizine)"
    ),
    "cgrp_pathway": _(
        "CGRP medicine to prevent attacks (such as Aimovig, Ajovy, Emgality or Qulipta)"
    ),
    "ace_arb": _("Blood-pressure medicine (such as candesartan or lisinopril)"),
    "onabotulinumtoxina": _("Botox injections for migraine"),
    "other_preventive": _("Another medicine to prevent attacks"),
    "simple_analgesic": _(
        "Painkiller or anti-inflammatory (such as Tylenol, Advil, Aleve or aspirin)"
    ),
    "combination_analgesic": _(
        "Combination painkiller (such as Excedrin, Fioricet or Tylenol with codeine)"
    ),
    "triptan": _("Triptan (such as Imitrex, Maxalt or Zomig)"),
    "ergot": _("Ergotamine or dihydroergotamine (such as Cafergot or Migranal)"),
    "opioid": _("Opioid painkiller (such as codeine, tramadol or oxycodone)"),
    "ditan": _("Lasmiditan (Reyvow)"),
    "gepant": _("CGRP tablet for attacks (Nurtec ODT, Ubrelvy or Zavzpret)"),
    "antiemetic": _("Anti-nausea medicine (such as Reglan or Zofran)"),
    "non_drug": _(
        "Treatment without medicine (such as acupuncture, a nerve block or therapy)"
    ),
}

# The medicines step: on how many days a month each kind is taken now.
ACUTE_CLASS_LABELS = {
    "simple_analgesic": _(
        "Painkillers or anti-inflammatories: Tylenol (acetaminophen), Advil or "
        "Motrin (ibuprofen), Aleve (naproxen), aspirin"
    ),
    "combination_analgesic": _(
        "Combination painkillers: Excedrin, Fioricet, Tylenol with codeine"
    ),
    "triptan": _(
        "Triptans: Imitrex (sumatriptan), Maxalt (rizatriptan), Zomig, Relpax and "
        "others"
    ),
    "ergot": _("Ergotamine medicines: Cafergot, Migranal, D.H.E. 45"),
    "opioid": _("Opioid painkillers: codeine, tramadol, oxycodone"),
    "ditan": _("Reyvow (lasmiditan)"),
    "gepant": _("CGRP tablets for attacks: Nurtec ODT, Ubrelvy"),
    "antiemetic": _("Anti-nausea medicines: Reglan (metoclopramide), Zofran"),
}

# What a treatment row is, in a word, on the review page: "erenumab (CGRP
# injection or infusion)". By class, and by drug where a class holds two kinds.
CLASS_KINDS = {
    "antidepressant": _("antidepressant"),
    "antiepileptic": _("anti-seizure medicine"),
    "beta_blocker": _("beta blocker"),
    "calcium_channel_blocker": _("calcium-channel blocker"),
    "cgrp_pathway": _("CGRP injection or infusion"),
    "ace_arb": _("blood-pressure medicine"),
    "onabotulinumtoxina": _("Botox injections"),
    "other_preventive": _("medicine to prevent attacks"),
    "simple_analgesic": _("painkiller or anti-inflammatory"),
    "combination_analgesic": _("combination painkiller"),
    "triptan": _("triptan"),
    "ergot": _("ergotamine medicine"),
    "opioid": _("opioid painkiller"),
    "ditan": _("lasmiditan medicine"),
    "gepant": _("CGRP tablet"),
    "antiemetic": _("anti-nausea medicine"),
    "non_drug": _("treatment without medicine"),
}
DRUG_KINDS = {
    "atogepant": _("CGRP tablet"),
    "rimegepant": _("CGRP tablet"),
}

# A service the patient may ask about that takes no referrals yet
# (settings.INTAKE_COMING_SOON_SERVICES).
COMING_SOON = _("%(service)s (coming soon)")


# The catalogue's therapies, by their catalogue names, as the patient reads them. Each
# Spanish name is one the catalogue matches to the same entry (OTHER_NAMES in
# intake/catalogue.py), so a row shown again and saved again stays that therapy.
# Drugs keep their international generic names.
THERAPY_NAMES = {
    "acupuncture": _("acupuncture"),
    "nerve block": _("nerve block"),
    "cognitive behavioural therapy": _("cognitive behavioural therapy"),
    "biofeedback": _("biofeedback"),
    "physical therapy": _("physical therapy"),
}


def shown_name(catalogue_name: str) -> str:
    """A catalogue drug's or therapy's name in the patient's language."""
    return str(THERAPY_NAMES.get(catalogue_name, catalogue_name))


def kind_of(drug_name: str | None, treatment_class: str) -> str:
    """The plain kind of a treatment row: its drug's, else its class's."""
    return DRUG_KINDS.get(drug_name or "") or CLASS_KINDS[treatment_class]
