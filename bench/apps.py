from django.apps import AppConfig
from django.conf import settings


class BenchConfig(AppConfig):
    name = "bench"
    verbose_name = "Benchmark baselines"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        if getattr(settings, "BENCH_OLD_AUDIT_LOCK", False):
            from bench import old_trail

            old_trail.connect()
