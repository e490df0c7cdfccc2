"""Partnerships and programmes; importing the package registers its measure sources
(programme_participants, evaluation_score)."""

from app.partnerships import measures as measures
