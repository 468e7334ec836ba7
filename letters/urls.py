from django.urls import path

from letters import views

urlpatterns = [
    path("cases/<int:pk>/reply.docx", views.reply_letter_view, name="reply-letter"),
    path("cases/<int:pk>/feedback-form.docx", views.feedback_form_view, name="feedback-form"),
    path("cases/<int:pk>/urge/<int:notice>.docx", views.urge_notice_view, name="urge-notice"),
]
