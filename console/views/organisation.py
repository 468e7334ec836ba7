"""发文设置: the commission that issues the letters, its 代字 and numbering, 抄送, contacts."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render

from console.forms import OrganisationForm
from console.views.common import add_error, admin_required
from huiyin.types import AuthedRequest
from letters.actions import LetterSetupForbidden, configure_organisation
from letters.models import LetterCounter
from letters.setup import LetterSetupError, current, format_number, problems


@admin_required
def organisation(request: AuthedRequest) -> HttpResponse:
    setup = current()
    form = OrganisationForm(request.POST or None, initial=OrganisationForm.initial_for(setup))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changes = configure_organisation(
                by=request.user,
                name=data["name"],
                codes=form.codes(),
                copy_to=form.copy_to(),
                contact=data["contact"],
                phone=data["phone"],
            )
        except LetterSetupForbidden as exc:
            raise PermissionDenied(exc.message) from None
        except LetterSetupError as exc:
            add_error(form, exc)
        else:
            if changes:
                messages.success(
                    request,
                    "已保存发文设置。此后签发的答复函按新的设置编号和印制，已签发的文号不变。",
                )
            else:
                messages.info(request, "没有修改")
            return redirect("console:organisation")
    counters = [
        {
            "kind": counter.get_kind_display(),
            "year": counter.year,
            "last": counter.last,
            "next": format_number(
                setup.code(counter.kind) or "（代字）", counter.year, counter.last + 1
            ),
        }
        for counter in LetterCounter.objects.order_by("-year", "kind")[:6]
    ]
    return render(
        request,
        "console/organisation.html",
        {
            "form": form,
            "setup": setup,
            "problems": problems(setup),
            "counters": counters,
        },
        status=400 if request.method == "POST" else 200,
    )
