"""The JSON API (/api/v1/): token authentication, Chinese error messages."""

from typing import Any

from ninja import NinjaAPI
from ninja.errors import ValidationError, ValidationErrorContext
from ninja.params.models import PathModel

from api import errors
from api.auth import docs_login_required, token_auth
from api.views import auth, cases, lists, portal, similar, stats, units
from opinions import api_views as opinion_api


class HuiyinAPI(NinjaAPI):
    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext]
    ) -> ValidationError:
        """Describe invalid parameters with their Chinese titles, which only the model
        knows: ninja's default keeps just the locations. A path parameter that does not
        parse (`/cases/abc`) is not a malformed request but a path naming nothing: 404."""
        for context in error_contexts:
            if issubclass(context.model, PathModel):
                found = context.pydantic_validation_error.errors(include_url=False)
                return errors.PathInvalid([dict(e) for e in found])
        problems: list[dict[str, Any]] = []
        for context in error_contexts:
            model = context.model
            reverse = getattr(model, "__ninja_flatten_map_reverse__", {}) or {}
            single = getattr(model, "__read_from_single_attr__", None)
            for error in context.pydantic_validation_error.errors(include_url=False):
                loc = tuple(error["loc"])
                public = tuple(reverse.get(loc, loc))
                if single and public[:1] == (single,):
                    public = public[1:]  # the body is the parameter: its name is ours
                problems.append(errors.problem(dict(error), model, public))
        return errors.RequestInvalid(problems)


api = HuiyinAPI(
    title="回音 Huiyin API",
    version="1.0",
    description="议提案办理接口。先以用户名和密码获取令牌（POST /auth/token），"
    "其余请求带 `Authorization: Bearer <令牌>`；DELETE /auth/token 注销令牌。"
    "写操作（登记、办理操作）可带 `Idempotency-Key` 头（8到100个字符，建议用 UUID）："
    "同一个值再次提交时答复第一次的结果，不重复保存。",
    urls_namespace="api-v1",
    auth=token_auth,
    # The interface's description is for the commission's own people: login first.
    docs_decorator=docs_login_required,
)
errors.install(api)
api.add_router("/auth", auth.router)
api.add_router("/units", units.router)
# Before the cases' own router: /cases/similar is not a case id.
api.add_router("/cases", similar.router)
api.add_router("/cases", portal.router)
api.add_router("/cases", opinion_api.router)
api.add_router("/cases", cases.router)
api.add_router("/stats", stats.router)
api.add_router("/lists", lists.router)
