"""People who use SixDegrees. Signing in is passwordless; only staff may have a password."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

from sixdegrees.lib.ids import ID_MAX_LENGTH, user_id


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        fields.setdefault("email_verified", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    class Language(models.TextChoices):
        ENGLISH = "en", "English"
        CHINESE = "zh-hans", "简体中文"

    id = models.CharField(primary_key=True, max_length=ID_MAX_LENGTH, default=user_id, editable=False)
    email = models.EmailField(unique=True, max_length=254)
    name = models.CharField(max_length=100, blank=True)
    # Kept equal to the sum of this user's credit_transactions (billing writes both together).
    credits_balance = models.IntegerField(default=0)
    plan = models.CharField(max_length=32, default="free")
    language = models.CharField(max_length=8, choices=Language.choices, default=Language.ENGLISH)
    email_verified = models.BooleanField(default=False)
    reminder_emails = models.BooleanField(default=True)
    share_network = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []  # passwordless: email is all createsuperuser asks

    class Meta:
        db_table = "users"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.email


class LoginCode(models.Model):
    """A one-time sign-in code (and link) sent to an address; proves the person owns it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_codes")
    # HMAC of the code, never the code itself, so a database leak does not leak live codes.
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "login_codes"
        indexes = [models.Index(fields=["user", "created_at"], name="login_codes_user_created")]

    def __str__(self) -> str:
        return f"code for {self.user_id} (expires {self.expires_at:%H:%M})"
