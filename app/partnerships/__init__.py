"""Partnerships with stakeholder organisations; importing the package registers partners'
roles in plan import and export."""

from app.partnerships import roles as roles
