"""`{% fast_result_list cl %}`: the admin's `{% result_list cl %}` with rows from compiled columns
(core/admin/fastlist.py). It renders the same `change_list_results.html`, per-model overrides included."""
from django import template
from django.contrib.admin.templatetags.base import InclusionAdminNode

from core.admin.fastlist import fast_result_list

register = template.Library()


@register.tag(name="fast_result_list")
def fast_result_list_tag(parser, token):
    return InclusionAdminNode(parser, token, func=fast_result_list, template_name="change_list_results.html",
                              takes_context=False)
