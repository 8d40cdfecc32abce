"""The baseline changelist: a stock ModelAdmin over one table."""

from django.contrib import admin

from bench.models import ListRow

admin.site.register(ListRow)
