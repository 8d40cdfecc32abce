"""The ICD-10-CM code of a patient's migraine, derived from the routing facts.

Pure: no database, no clock. One function, :func:`migraine_code`, used by the letters.

Source: ICD-10-CM Tabular List of Diseases, FY2026 (CMS and NCHS,
https://www.cms.gov/medicare/coding-billing/icd-10-codes), category G43 Migraine.
G43.E- (chronic migraine with aura) exists since FY2023 (codes valid from 1 October
2022).

How the code is derived:

- **Type** (4th character): the intake's diagnosis says with or without aura; chronic
  migraine is ``chronic_migraine`` as the routing engine derives it (ICHD-3 1.3,
  docs/routing.md section 2). Chronic without aura G43.7-, chronic with aura G43.E-;
  otherwise (episodic) without aura G43.0-, with aura G43.1-.
- **Intractable** (5th character 1, else 0): ICD-10-CM does not define it; its note
  under G43 treats pharmacoresistant, treatment resistant, refractory and poorly
  controlled as equivalent. The clinic reads it as resistant migraine,
  ``resistant_migraine`` (European Headache Federation 2020, docs/routing.md).
- **Status migrainosus** (6th character): the intake does not record an attack of more
  than 72 hours under way, so always 9, "without status migrainosus".
- A diagnosis that is not migraine has no code here: the physician codes it.
"""

from dataclasses import dataclass

from intake import codes

WITH_AURA = "migraine_with_aura"

# (chronic, with aura) -> (category, its title in the Tabular List)
_CATEGORIES = {
    (False, False): ("G43.0", "Migraine without aura"),
    (False, True): ("G43.1", "Migraine with aura"),
    (True, False): ("G43.7", "Chronic migraine without aura"),
    (True, True): ("G43.E", "Chronic migraine with aura"),
}
WITHOUT_STATUS_MIGRAINOSUS = "9"


@dataclass(frozen=True)
class Icd10Code:
    code: str  # e.g. "G43.719"
    title: str  # the Tabular List's title
    basis: str  # how it was derived from the facts, in words


def migraine_code(
    *, diagnosis: str | None, chronic: bool, intractable: bool
) -> Icd10Code | None:
    """The ICD-10-CM code of a migraine, or None for a diagnosis that is not migraine.

    ``chronic`` and ``intractable`` are the engine's ``chronic_migraine`` and
    ``resistant_migraine`` for the same facts.
    """
    if diagnosis not in codes.MIGRAINE_DIAGNOSES:
        return None
    aura = diagnosis == WITH_AURA
    category, title = _CATEGORIES[(chronic, aura)]
    fifth = "1" if intractable else "0"
    code = f"{category}{fifth}{WITHOUT_STATUS_MIGRAINOSUS}"
    title += ", intractable" if intractable else ", not intractable"
    title += ", without status migrainosus"
    basis = "; ".join(
        [
            "migraine with aura" if aura else "migraine without aura",
            "chronic migraine (ICHD-3 1.3 criteria met)"
            if chronic
            else "episodic: ICHD-3 chronic migraine criteria not met",
            "intractable: resistant migraine (European Headache Federation 2020 "
            "criteria met)"
            if intractable
            else "not intractable: resistant migraine criteria not met",
            "no status migrainosus recorded",
        ]
    )
    return Icd10Code(code=code, title=title, basis=basis)
