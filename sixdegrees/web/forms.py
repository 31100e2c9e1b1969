"""Forms for sign-in and the Settings tab."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sixdegrees.accounts.models import User
from sixdegrees.lib.addresses import validate_sendable_email


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email"),
        max_length=254,
        validators=[validate_sendable_email],
        widget=forms.EmailInput(attrs={"autocomplete": "email", "placeholder": _("you@example.com")}),
        error_messages={
            "required": _("Please enter your email address."),
            "invalid": _("Please enter a valid email address, like name@example.com."),
        },
    )


class CodeForm(forms.Form):
    email = forms.EmailField(widget=forms.HiddenInput, validators=[validate_sendable_email])
    code = forms.CharField(
        label=_("Sign-in code"),
        max_length=12,
        help_text=_("The 6-digit code from the email we sent you."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*", "class": "code-input"}
        ),
        error_messages={"required": _("Please enter the code from the email.")},
    )


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["name", "language", "reminder_emails", "share_network"]
        labels = {
            "name": _("Your name"),
            "language": _("Language"),
            "reminder_emails": _("Reminder emails"),
            "share_network": _("Share my network"),
        }
        help_texts = {
            "name": _("Shown at the end of your emails."),
            "language": _("For these pages and for the emails we send you."),
            "reminder_emails": _("We email you when someone replies or when a draft waits for you."),
            "share_network": _(
                "Let path finding use the people you know to help other members (never their addresses)."
            ),
        }
        widgets = {"name": forms.TextInput(attrs={"autocomplete": "name", "maxlength": 100})}


class MailboxForm(forms.Form):
    address = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        validators=[validate_sendable_email],
        error_messages={"invalid": _("Please enter a valid email address, like name@example.com.")},
    )
    password = forms.CharField(
        label=_("App password"),
        max_length=256,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "For Gmail, create an app password in your Google account (2-step verification must be on). "
            "It is stored encrypted."
        ),
    )
    smtp_host = forms.CharField(label=_("Outgoing server (SMTP)"), max_length=255, initial="smtp.gmail.com")
    smtp_port = forms.IntegerField(label=_("SMTP port"), min_value=1, max_value=65535, initial=587)
    smtp_security = forms.ChoiceField(
        label=_("Connection security"),
        choices=[("starttls", "STARTTLS"), ("ssl", "SSL/TLS")],
        initial="starttls",
    )
    imap_host = forms.CharField(
        label=_("Incoming server (IMAP)"),
        max_length=255,
        required=False,
        initial="imap.gmail.com",
        help_text=_("Used to notice replies. Leave it empty to skip reply tracking."),
    )
    imap_port = forms.IntegerField(label=_("IMAP port"), min_value=1, max_value=65535, initial=993)
    username = forms.CharField(
        label=_("Username"),
        max_length=254,
        required=False,
        help_text=_("Leave it empty if it is the email address."),
    )


class DeleteAccountForm(forms.Form):
    confirm = forms.CharField(
        label=_("Type your email address to confirm"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_confirm(self) -> str:
        value = self.cleaned_data["confirm"].strip()
        if value.lower() != self.user.email.lower():
            raise forms.ValidationError(_("That is not the email address of this account."))
        return value
