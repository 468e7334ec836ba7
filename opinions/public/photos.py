"""Photos sent with an opinion from the public page.

The public page has no user, and attachments.actions.attach_file needs one (the uploader,
a PROTECT foreign key, and its permission check). Until the attachments app offers an
anonymous entry point, `attach_public_photo(case, *, upload) -> Attachment`, the form does
not show the photo field: taking photos and then dropping them would mislead the person.
The field and its checks (forms.PhotosField: JPG/PNG by content, 5 MB each, at most 3)
are ready; once the function exists, photos are stored in the same transaction as the
opinion.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile

from cases.models import Case

ENTRY_POINT = "attach_public_photo"


def supported() -> bool:
    """Whether the attachments app can store a photo with no uploader."""
    from attachments import actions

    return callable(getattr(actions, ENTRY_POINT, None))


def store(case: Case, photos: Sequence[UploadedFile]) -> None:
    """Attach the checked photos to the new opinion's case (inside its transaction)."""
    if not photos:
        return
    from attachments import actions

    attach = getattr(actions, ENTRY_POINT)
    for upload in photos:
        attach(case, upload=upload)
