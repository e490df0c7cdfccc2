"""Who is calling and what they may do. Importing the package hands ``CohesionRoute`` its
Idempotency-Key guard (a dependency that needs the principal), so every router that imports
the auth layer builds its POST routes with it."""

from app.auth.deps import idempotency_guard
from app.core import routing

routing.use_idempotency_guard(idempotency_guard)
