"""Notifications: the feed, settings, invitations, reminders and calendars (issue 19)."""
