"""Communities; importing the package registers its measure sources (communities,
community_min_members)."""

from app.communities import measures as measures
