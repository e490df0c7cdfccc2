"""Partnerships and programmes; importing the package registers its measure sources
(programme_participants, evaluation_score) and partners' roles in plan import and export."""

from app.partnerships import measures as measures
from app.partnerships import roles as roles
