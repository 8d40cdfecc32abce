"""``{% quick_result_list cl %}``: Django's ``{% result_list cl %}`` with each row's
cells written by ``clinic.admin_utils.quick_results``."""

from django import template
from django.contrib.admin.templatetags.admin_list import (
    result_headers,
    result_hidden_fields,
)

from clinic.admin_utils import quick_results

register = template.Library()


@register.inclusion_tag("admin/change_list_results.html")
def quick_result_list(cl) -> dict:
    headers = list(result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": list(result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(
            1 for header in headers if header["sortable"] and header["sorted"]
        ),
        "results": list(quick_results(cl)),
    }
