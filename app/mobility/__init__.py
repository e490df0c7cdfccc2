"""The mobility register; importing it registers the ``mobility_sum`` measure source."""

from app.mobility import measures as measures
