"""Tortoise models, one module per domain. ``MODEL_MODULES`` is the app's model list."""

MODEL_MODULES = [
    "models.org",
    "models.people",
    "models.family_accounts",
    "models.access",
    "models.kiosk",
    "models.pins",
    "models.notifications",
    "models.attendance",
    "models.audit",
    "models.signatures",
    "models.sync",
    "models.messaging",
    "models.activities",
    "models.waitlist",
    "models.reports",
    "models.files",
    "models.documents",
    "models.moments",
    "models.subsidy",
]
