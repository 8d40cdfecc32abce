"""The intake app's background tasks: thin, each calls a service."""

from django_tasks import task

from intake import services


@task()
def match_online_patient(patient_id: str) -> int:
    """Flag stored patients who may be this online patient; return how many."""
    return len(services.patient_flag_duplicates(patient_id=patient_id))
