"""Professional learning programmes, delivered by partnerships; importing the package
registers their measure sources (programme_participants, evaluation_score) and evaluations as
milestone evidence."""

from app.programmes import evidence as evidence
from app.programmes import measures as measures
