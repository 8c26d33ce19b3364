"""Form widgets rendered in Python: the markup of Django's templates, without an included template
per option (the filter forms have about a hundred options, and every list page renders one).
Each text is escaped as the templates escape it (deals/markup.py)."""

from django import forms
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from .markup import escaped


def _attrs(attrs: dict) -> SafeString:
    """As django/forms/widgets/attrs.html: `name="value"`, a bare name for True, nothing for
    False; escaped."""
    return mark_safe(
        "".join(
            f" {escaped(name)}" if value is True else f' {escaped(name)}="{escaped(value)}"'
            for name, value in attrs.items()
            if value is not False
        )
    )


class PythonRenderedSelect:
    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], _attrs(widget["attrs"]))]
        for group, options, _ in widget["optgroups"]:
            if group:
                parts.append(format_html('<optgroup label="{}">', group))
            parts.extend(
                format_html(
                    '<option value="{}"{}>{}</option>',
                    option["value"],
                    _attrs(option["attrs"]),
                    option["label"],
                )
                for option in options
            )
            if group:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("\n".join(parts))


class Select(PythonRenderedSelect, forms.Select):
    pass


class SelectMultiple(PythonRenderedSelect, forms.SelectMultiple):
    pass


class CheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    """Checkboxes with the markup of Django's multiple_input.html and input_option.html, byte
    for byte, written here: Django includes two templates per option, and a list page's filter
    form has about seventy options (a seventh of an uncached `/deals/`)."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [
            format_html(
                "<div{}>",
                _attrs(
                    {
                        "id": widget["attrs"].get("id") or False,
                        "class": widget["attrs"].get("class") or False,
                    }
                ),
            )
        ]
        for group, options, _ in widget["optgroups"]:
            if group:
                parts.append(format_html("\n  <div><label>{}</label>", group))
            parts.extend(f"<div>\n    {_option(option)}\n</div>" for option in options)
            if group:
                parts.append("\n  </div>")
        parts.append("\n</div>")
        return mark_safe("".join(parts))


def _option(option: dict) -> str:
    """One option as input_option.html includes input.html (each file's last newline kept)."""
    value = "" if option["value"] is None else f' value="{escaped(option["value"])}"'
    tag = (
        f'<input type="{escaped(option["type"])}" name="{escaped(option["name"])}"{value}'
        f"{_attrs(option['attrs'])}>\n"
    )
    if not option["wrap_label"]:
        return tag
    label_id = option["attrs"].get("id")
    label_for = f' for="{escaped(label_id)}"' if label_id else ""
    return f"<label{label_for}>{tag} {escaped(option['label'])}</label>\n"
