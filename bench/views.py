"""The bare baseline view: validate a ten-field form, insert one row, redirect."""

from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.views.decorators.http import require_POST

from bench.forms import TenFieldForm


@require_POST
def bare_submit(request):
    form = TenFieldForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("invalid")
    form.save()
    return HttpResponseRedirect("/bench/done/")
