"""Messaging; importing the package installs its invitations as the keeper behind
``app/auth/invitations.py`` (so any domain may invite by e-mail)."""

from app.notifications import invitations as invitations
