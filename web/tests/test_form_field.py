"""web.rows.form_field: one form field's markup (label, input, error, help), every value
escaped, the choices marked as the field's value says."""

from web.forms import Choice, FormField
from web.rows import form_field


def field(widget: str, **kw) -> FormField:
    f = FormField(name=kw.pop("name", "note"), label="说明<b>", widget=widget, **kw)
    f.choices = [Choice("a", "甲<i>"), Choice("b", "乙")]
    return f


def test_a_text_field_is_labelled_and_escaped() -> None:
    html = str(form_field(field("text", value='x"><script>', required=True), "reply", "col-6"))
    assert html.startswith('<div class="col-6 hy-field hy-field-text">')
    assert '<label class="form-label" for="f-reply-note">说明&lt;b&gt;' in html
    assert 'title="必填"' in html
    assert 'value="x&quot;&gt;&lt;script&gt;"' in html and "<script>" not in html


def test_a_select_marks_its_value_and_offers_none_when_optional() -> None:
    html = str(form_field(field("select", value="b")))
    assert '<option value="">不指定</option>' in html
    assert '<option value="b" selected>乙</option>' in html
    assert '<option value="a">甲&lt;i&gt;</option>' in html
    assert 'id="f--note"' in html  # no prefix given


def test_group_widgets_have_no_label_for_and_mark_checked_choices() -> None:
    html = str(form_field(field("multiselect", value=["a"]), "p"))
    assert '<label class="form-label">' in html
    assert 'value="a" id="f-p-note-a" checked>' in html and 'id="f-p-note-b">' in html
    assert html.startswith('<div class="col-12 ')  # wide


def test_an_error_and_a_help_text_are_shown() -> None:
    html = str(form_field(field("textarea", name="text", error="太长<", help="最多2000字")))
    assert 'class="form-control is-invalid"' in html and 'rows="6"' in html
    assert '<div class="invalid-feedback d-block">太长&lt;</div>' in html
    assert '<div class="form-text">最多2000字</div>' in html


def test_commitment_rows_are_numbered() -> None:
    rows = [{"what": "建设<站>", "due": "2027-06-30"}, {"what": "", "due": ""}]
    html = str(form_field(field("commitments", name="commitments", value=rows)))
    assert 'name="commitments-0-what" value="建设&lt;站&gt;"' in html
    assert 'name="commitments-1-due" value=""' in html and 'aria-label="第2项承诺事项"' in html
