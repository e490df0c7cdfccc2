"""Partnerships and programmes; importing the package registers its measure sources
(programme_participants, evaluation_score), partners' roles in plan import and export, and
evaluations as milestone evidence."""

from app.partnerships import evidence as evidence
from app.partnerships import measures as measures
from app.partnerships import roles as roles
