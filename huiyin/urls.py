from django.urls import include, path

from huiyin.health import healthz, livez

# No Django admin: every change of users, units, tokens and settings goes through the
# console's audited actions (/console/).
urlpatterns = [
    path("livez", livez, name="livez"),  # public, no query (huiyin/health.py)
    path("healthz", healthz, name="healthz"),  # public: database, worker, disk
    path("api/v1/", include("api.urls")),
    path("console/audit/", include("audit.urls")),  # the 审计管理员's trail
    path("security/", include("security.urls")),  # second factor, sessions
    path("console/", include("console.urls")),
    path("", include("letters.urls")),
    path("", include("attachments.urls")),
    path("transfer/", include("transfer.urls")),
    path("", include("reports.urls")),
    path("yijian/", include("opinions.public.urls")),  # the public page: no login
    path("opinions/", include("opinions.intake_urls")),
    path("opinions/", include("opinions.stats_urls")),
    path("supervision/", include("supervision.web_urls")),  # 督办一览, registration, 督办单
    path("supervision/", include("supervision.stats_urls")),  # ratings, stars, 通报
    path("lists/", include("lists.urls")),  # 清单化管理: lists, 挂图作战, evidence
    path("p/", include("portal.public_urls")),  # the proposer's link: no login
    path("portal/", include("portal.urls")),  # the office's side of the links
    path("disclosure/", include("disclosure.urls")),  # the public page: no login
    path("promises/", include("promises.urls")),  # 回头看
    path("similar/", include("similar.urls")),  # similar cases, 并案, routing
    path("", include("notify.urls")),  # notifications, own settings, /console/outbox/
    path("", include("web.urls")),
]

handler400 = "huiyin.views.bad_request"
handler404 = "huiyin.views.not_found"
