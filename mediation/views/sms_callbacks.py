"""What the SMS provider pushes to us: delivery reports and replies (回复TD). Public by design
(the provider cannot sign in), so the URL carries a secret from the settings; anything else is a
404. May import services."""

import hmac

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ..services import reminders
from ..sms import gateway


@login_not_required
@csrf_exempt
@require_POST
def sms_callback(request: HttpRequest, backend: str, secret: str, kind: str) -> JsonResponse:
    expected = str(gateway.config().get("CALLBACK_SECRET") or "")
    if not expected or not hmac.compare_digest(secret, expected):
        raise Http404
    if backend != gateway.gateway().name or kind not in ("reports", "replies"):
        raise Http404
    if kind == "reports":
        reminders.record_reports(backend=backend, body=request.body)
    else:
        reminders.record_replies(backend=backend, body=request.body)
    # Alibaba Cloud reads code/msg, Tencent Cloud result/errmsg.
    return JsonResponse({"code": 0, "msg": "成功", "result": 0, "errmsg": "OK"})
