"""The web experience: landing, intake, the four-tab dashboard, sign-in and settings (EN / 中文)."""
