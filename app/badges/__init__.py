"""Open Badge networks; importing the package registers its measure sources (badge_awards,
badge_earners)."""

from app.badges import measures as measures
