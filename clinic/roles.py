"""Staff roles and what each may do.

Groups are created and kept in step by migrations (see ``clinic/migrations``),
which call :func:`sync_roles`. A role sees only what its work needs.
"""

FRONT_DESK = "Front desk"
PHYSICIAN = "Physician"
CLINIC_MANAGER = "Clinic manager"
# Infusion nurses and therapists: record sessions' clinical fields and adverse events.
CLINICIAN = "Clinician"

# What physicians and clinicians both do in a treatment course: record its sessions'
# clinical fields, and end it (which completes its referral).
_CLINICAL_COURSE_WORK = {
    "outcomes.view_treatmentcourse",
    "outcomes.change_treatmentcourse",
    "referrals.complete_referral",
    "outcomes.view_treatmentsession",
    "outcomes.add_treatmentsession",
    "outcomes.change_treatmentsession",
    "outcomes.view_adverseevent",
    "outcomes.add_adverseevent",
    "outcomes.change_adverseevent",
    "outcomes.delete_adverseevent",
    "outcomes.record_clinical",
    "outcomes.view_followup",
    "outcomes.change_followup",
}

# role -> "app_label.codename" permissions.
ROLE_PERMISSIONS: dict[str, set[str]] = {
    FRONT_DESK: {
        "intake.add_patient",
        "intake.change_patient",
        "intake.view_patient",
        # The front desk registers patients and checks who they are at the desk,
        # so it merges two records of one person; every merge is kept (intake.
        # PatientMerge) for the manager to see, and none can be changed or deleted.
        "intake.merge_patient",
        "intake.view_patientmerge",
        "intake.add_intake",
        "intake.change_intake",
        "intake.view_intake",
        "intake.add_treatmenttrial",
        "intake.change_treatmenttrial",
        "intake.delete_treatmenttrial",
        "intake.view_treatmenttrial",
        "intake.view_drug",
        "referrals.view_service",
        "referrals.view_referral",
        "referrals.view_referralevent",
        "referrals.schedule_referral",
        "referrals.complete_referral",
        "referrals.view_letter",
        # Scheduling a referral opens its course; the front desk records attendance,
        # ends courses (which completes the referral), opens a course for a
        # referral scheduled before courses opened themselves, and takes follow-up
        # answers on the phone.
        "outcomes.view_treatmentcourse",
        "outcomes.add_treatmentcourse",
        "outcomes.change_treatmentcourse",
        "outcomes.view_treatmentsession",
        "outcomes.add_treatmentsession",
        "outcomes.change_treatmentsession",
        "outcomes.view_followup",
        "outcomes.change_followup",
        "reports.export_identified",
    },
    PHYSICIAN: {
        "intake.view_patient",
        "intake.view_intake",
        "intake.view_treatmenttrial",
        "intake.view_drug",
        "referrals.view_service",
        "referrals.view_referral",
        "referrals.view_referralevent",
        "referrals.view_routingdecision",
        "referrals.view_review_queue",
        "referrals.decide_referral",
        "referrals.clear_hold",
        "referrals.view_letter",
        *_CLINICAL_COURSE_WORK,
        "outcomes.view_outcomes",
        "reports.view_reports",
        # A patient's record as a FHIR Bundle, for another clinician's EHR.
        "fhir_export.download_patient_bundle",
    },
    CLINICIAN: _CLINICAL_COURSE_WORK,
    CLINIC_MANAGER: {
        "intake.view_patient",
        "intake.view_patientmerge",
        "intake.view_intake",
        "intake.view_treatmenttrial",
        "intake.add_drug",
        "intake.change_drug",
        "intake.delete_drug",
        "intake.view_drug",
        # A drug's brand and Spanish names, on its catalogue page.
        "intake.add_drugname",
        "intake.change_drugname",
        "intake.delete_drugname",
        "intake.view_drugname",
        # Staff accounts only through the clinic's own forms (staff/admin.py): no
        # role holds auth.* or otp_totp.* permissions, so none can grant superuser
        # status or raw permissions, set a password or read a second-factor secret.
        "staff.manage_staff",
        "clinic.view_auditentry",
        "clinic.view_outgoingmail",
        "clinic.resend_outgoingmail",
        "referrals.view_service",
        "referrals.change_service",
        "referrals.view_referral",
        "referrals.view_referralevent",
        "referrals.view_routingdecision",
        "referrals.view_review_queue",
        "referrals.view_letter",
        "outcomes.view_outcomes",
        "reports.view_reports",
    },
}


# Roles that sign in with a one-time password from an authenticator app as well:
# those who decide or record clinical care, and the one who runs staff accounts.
TWO_FACTOR_ROLES = (PHYSICIAN, CLINICIAN, CLINIC_MANAGER)


def requires_two_factor(user) -> bool:
    """Physicians, clinicians, managers and superusers give a one-time password too."""
    return user.is_superuser or user.groups.filter(name__in=TWO_FACTOR_ROLES).exists()


def sync_roles(apps, schema_editor) -> None:
    """Create the role groups and give each exactly its permissions.

    Permissions are normally created after all migrations run; they are created here
    first so a fresh database gets complete groups. A permission whose app is not
    migrated yet is skipped: a later migration calls this again.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    by_name = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    for role, wanted in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set([by_name[name] for name in wanted if name in by_name])
