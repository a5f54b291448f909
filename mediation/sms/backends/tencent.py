"""Tencent Cloud SMS (2021-01-11) through its SDK. We install the SMS product's own package of
the SDK (`tencentcloud-sdk-python-sms` with `-common`, 1.4 MB; same import path) rather than
`tencentcloud-sdk-python`, which bundles every Tencent Cloud product (374 MB installed).

OPTIONS: secret_id, secret_key, sms_sdk_app_id, region (default ap-guangzhou). Our idempotency
key travels as SessionContext. Status reports and replies are pushed to
/sms/callbacks/tencent/<secret>/...
"""

from typing import Any

from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
    TencentCloudSDKException,
)
from tencentcloud.sms.v20210111 import models, sms_client

from ..gateway import (
    DeliveryReport,
    OutgoingSms,
    PermanentSmsError,
    Reply,
    TransientSmsError,
    provider_template,
    signature,
)
from ..templates import TEMPLATES
from ._callbacks import items, local_time

TRANSIENT_PREFIXES = (
    "LimitExceeded",
    "InternalError",
    "RequestLimitExceeded",
    "ClientNetworkError",
)


def send_request(message: OutgoingSms, sms_sdk_app_id: str) -> Any:
    """The SDK's SendSmsRequest for one message (no network). Tencent's template parameters
    are positional, in the template's order."""
    request = models.SendSmsRequest()
    request.PhoneNumberSet = ["+86" + message.phone]
    request.SmsSdkAppId = sms_sdk_app_id
    request.SignName = signature()
    request.TemplateId = provider_template(message.template)
    request.TemplateParamSet = [
        message.params[name] for name in TEMPLATES[message.template].parameters
    ]
    request.SessionContext = message.idempotency_key
    return request


def _transient(code: str) -> bool:
    return code.startswith(TRANSIENT_PREFIXES)


class TencentBackend:
    name = "tencent"

    def __init__(
        self,
        secret_id: str = "",
        secret_key: str = "",
        sms_sdk_app_id: str = "",
        region: str = "ap-guangzhou",
    ):
        self.secret_id, self.secret_key = secret_id, secret_key
        self.sms_sdk_app_id, self.region = sms_sdk_app_id, region

    def send(self, message: OutgoingSms) -> str:
        try:
            client = sms_client.SmsClient(
                credential.Credential(self.secret_id, self.secret_key), self.region
            )
            response = client.SendSms(send_request(message, self.sms_sdk_app_id))
        except TencentCloudSDKException as error:
            code = str(error.get_code() or "")
            if _transient(code):
                raise TransientSmsError(code) from None
            raise PermanentSmsError(code or "tencent") from None
        status = response.SendStatusSet[0] if response.SendStatusSet else None
        if status is None:
            raise TransientSmsError("no_status")
        if status.Code == "Ok":
            return str(status.SerialNo)
        if _transient(str(status.Code)):
            raise TransientSmsError(str(status.Code))
        raise PermanentSmsError(str(status.Code))

    def parse_reports(self, body: bytes) -> list[DeliveryReport]:
        return [
            DeliveryReport(
                provider_id=str(item.get("sid", "")),
                delivered=item.get("report_status") == "SUCCESS",
                at=local_time(item.get("user_receive_time")),
                code=str(item.get("errmsg", "")),
            )
            for item in items(body)
            if item.get("sid")
        ]

    def parse_replies(self, body: bytes) -> list[Reply]:
        return [
            Reply(
                phone=str(item.get("mobile", "")),
                text=str(item.get("text", "")),
                at=local_time(item.get("time")),
            )
            for item in items(body)
        ]
