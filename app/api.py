"""The /api/v1 router: every domain router, in one place."""

from fastapi import APIRouter

from app.audit.router import router as audit_router
from app.auth.router import auth_router, roles_router, service_accounts_router, users_router
from app.badges.router import router as badges_router
from app.cohorts.router import router as cohorts_router
from app.communities.router import router as communities_router
from app.mobility.router import router as mobility_router
from app.networks.router import links_router as network_links_router
from app.networks.router import router as networks_router
from app.notifications.router import router as notifications_router
from app.organisations.router import members_router
from app.organisations.router import router as organisations_router
from app.partnerships.router import router as partnerships_router
from app.plans.life_router import router as plan_life_router
from app.plans.router import router as plans_router
from app.programmes.router import router as programmes_router
from app.reports.router import router as reports_router
from app.webhooks.router import router as webhooks_router

api_router = APIRouter(prefix="/api/v1")
api_router.include_router(auth_router)
api_router.include_router(users_router)
api_router.include_router(networks_router)
api_router.include_router(network_links_router)
api_router.include_router(roles_router)
api_router.include_router(service_accounts_router)
api_router.include_router(organisations_router)
api_router.include_router(members_router)
api_router.include_router(plans_router)
api_router.include_router(plan_life_router)
api_router.include_router(reports_router)
api_router.include_router(communities_router)
api_router.include_router(cohorts_router)
api_router.include_router(mobility_router)
api_router.include_router(partnerships_router)
api_router.include_router(programmes_router)
api_router.include_router(webhooks_router)
api_router.include_router(badges_router)
api_router.include_router(audit_router)
api_router.include_router(notifications_router)
