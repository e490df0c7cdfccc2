"""Networks: the directory of collaborating groups and their hierarchy. The table is defined in
``app/auth/models.py`` (the network tree is the scope of every permission)."""

from app.auth.models import Network, NetworkLink

__all__ = ["Network", "NetworkLink"]
