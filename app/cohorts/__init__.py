"""Cohorts of a collaborative learning programme: enrolled schools, and matching them into
collaborative learning teams (communities, ``app/communities``)."""
