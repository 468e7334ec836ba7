from typing import Any

from django import forms
from django.conf import settings

from attachments.checks import extension_of, human_size
from huiyin.text import text_problem

LEDGER_EXTENSIONS = (".xlsx", ".xlsm", ".csv")
FILENAME_MAX = 200  # transfer.ImportJob.filename


class LedgerUploadForm(forms.Form):
    file = forms.FileField(
        label="台账文件",
        error_messages={"required": "请选择要导入的文件", "empty": "文件是空的"},
    )
    create_units = forms.BooleanField(
        label="自动创建未知单位",
        required=False,
        help_text="表中出现而系统中没有的承办处室、协办单位将自动创建；不勾选时列为错误。",
    )

    def __init__(self, *args: Any, may_create_units: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.may_create_units = may_create_units

    def clean_create_units(self) -> bool:
        wanted = bool(self.cleaned_data.get("create_units"))
        if wanted and not self.may_create_units:
            raise forms.ValidationError(
                "只有系统管理员可以自动创建单位；请不勾选，表中的新单位会列出，交系统管理员添加"
            )
        return wanted

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.HUIYIN_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"文件过大（{human_size(upload.size)}），一次最多导入{human_size(limit)}；请分批导入"
            )
        problem = text_problem(upload.name or "", max_length=FILENAME_MAX)
        if problem:
            raise forms.ValidationError(f"文件名{problem}，请改名后再导入")
        extension = extension_of(upload.name or "")
        if extension == ".xls":
            raise forms.ValidationError(
                "不支持旧版Excel文件（.xls），请在Excel中另存为.xlsx后再导入"
            )
        if extension not in LEDGER_EXTENSIONS:
            raise forms.ValidationError("仅支持导入.xlsx或.csv文件")
        return upload
