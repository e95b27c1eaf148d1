"""`{% once_token %}`: the hidden one-time token of a form that creates something (groups.once)."""

from django import template
from django.utils.html import format_html

from groups import once

register = template.Library()


@register.simple_tag(takes_context=True)
def once_token(context) -> str:
    return format_html('<input type="hidden" name="{}" value="{}">', once.FIELD, once.token_for(context["request"]))
