"""A public opinion's own fields in the API's case answers (api.serialize adds them to
the detail of a `public_opinion` case). The phone and the e-mail are masked for everyone,
as on the page: those who answer the person get them in full from
`POST /cases/{id}/reveal` (opinions.api_views), which records the reveal. Numbers the
person wrote into the text are masked for whoever does not answer them (opinions.privacy)."""

from typing import Any

from cases.models import Case
from huiyin.types import User
from opinions.models import Opinion
from opinions.privacy import mask_email, mask_phone, sees_code, shown_text


def opinion_fields(case: Case, user: User) -> dict[str, Any]:
    opinion: Opinion = case.opinion
    merged = list(case.merged_opinions.values_list("case_id", flat=True))
    return {
        # Numbers the person wrote into the text, as their phone, only for those who answer.
        "content": shown_text(user, case, case.content),
        "channel": opinion.channel,
        "suggested_area": opinion.suggested_area,
        "area": opinion.area or None,
        "opinion": {
            "code": opinion.code if sees_code(user) else None,
            "received_at": opinion.received_at,
            "requester": opinion.requester,
            "phone": mask_phone(opinion.phone),
            "email": mask_email(opinion.email),
            "campaign": opinion.campaign_id,
            "forward_target": opinion.forward_target,
            "forwarded_on": opinion.forwarded_on,
            "result": opinion.result or None,
            "answer": opinion.answer,
            "fix": opinion.fix,
            "fix_due": opinion.fix_due,
            "answered_on": opinion.answered_on,
            "merged_into": opinion.merged_into_id,
            "merged": merged,
        },
    }
