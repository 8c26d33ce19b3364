"""The one helper that turns a template name into an email.

Each email is three templates in templates/emails/: <name>-subject.txt, <name>-body-text.txt and
<name>-body-html.html. The subject is squeezed to one line so nothing can add a header. The HTML
parts extend emails/base.html, whose stylesheet is inlined into style attributes (css-inline),
since many mail clients drop <style> blocks.
"""

from __future__ import annotations

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from .digest import one_line

# Nothing is fetched: the only stylesheet is the one in the template.
INLINER = css_inline.CSSInliner(load_remote_stylesheets=False)


def email_make(
    name: str, context: dict, *, to: str, headers: dict[str, str] | None = None
) -> EmailMultiAlternatives:
    context = {"site_url": settings.SITE_URL, **context}
    subject = one_line(render_to_string(f"emails/{name}-subject.txt", context))
    text = render_to_string(f"emails/{name}-body-text.txt", context)
    html = INLINER.inline(render_to_string(f"emails/{name}-body-html.html", context))
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers or {},
    )
    message.attach_alternative(html, "text/html")
    return message
