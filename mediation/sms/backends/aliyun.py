"""Alibaba Cloud SMS (dysmsapi 2017-05-25) through its SDK, `alibabacloud-dysmsapi20170525`.

OPTIONS: access_key_id, access_key_secret, endpoint (default dysmsapi.aliyuncs.com). Our
idempotency key travels as OutId and comes back in the delivery report. Delivery reports
(SmsReport) and replies (SmsUp) are pushed by HTTP to /sms/callbacks/aliyun/<secret>/...
"""

import json
from typing import Any

from alibabacloud_dysmsapi20170525 import models
from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_tea_openapi import models as open_api_models
from alibabacloud_tea_openapi.exceptions import ClientException, ThrottlingException

from ..gateway import (
    DeliveryReport,
    OutgoingSms,
    PermanentSmsError,
    Reply,
    TransientSmsError,
    provider_template,
    signature,
)
from ._callbacks import items, local_time

# Provider codes worth a retry: its own flow control, and a busy system.
TRANSIENT_CODES = {"isv.BUSINESS_LIMIT_CONTROL", "isp.SYSTEM_ERROR", "isv.OUT_OF_SERVICE"}


def send_request(message: OutgoingSms) -> Any:
    """The SDK's SendSmsRequest for one message (no network)."""
    return models.SendSmsRequest(
        phone_numbers=message.phone,
        sign_name=signature(),
        template_code=provider_template(message.template),
        template_param=json.dumps(message.params, ensure_ascii=False) if message.params else None,
        out_id=message.idempotency_key,
    )


class AliyunBackend:
    name = "aliyun"

    def __init__(
        self,
        access_key_id: str = "",
        access_key_secret: str = "",
        endpoint: str = "dysmsapi.aliyuncs.com",
    ):
        self.access_key_id = access_key_id
        self.access_key_secret = access_key_secret
        self.endpoint = endpoint

    def _client(self) -> Any:
        return Client(
            open_api_models.Config(
                access_key_id=self.access_key_id,
                access_key_secret=self.access_key_secret,
                endpoint=self.endpoint,
            )
        )

    def send(self, message: OutgoingSms) -> str:
        try:
            response = self._client().send_sms(send_request(message))
        except ThrottlingException as error:
            raise TransientSmsError("throttled", str(error.code)) from None
        except ClientException as error:
            raise PermanentSmsError(str(error.code or "client")) from None
        except Exception as error:  # the SDK's network and server errors have many classes
            raise TransientSmsError("aliyun", type(error).__name__) from None
        body = response.body
        if body.code == "OK":
            return str(body.biz_id)
        if body.code in TRANSIENT_CODES:
            raise TransientSmsError(str(body.code))
        raise PermanentSmsError(str(body.code))

    def parse_reports(self, body: bytes) -> list[DeliveryReport]:
        return [
            DeliveryReport(
                provider_id=str(item.get("biz_id", "")),
                delivered=bool(item.get("success")),
                at=local_time(item.get("report_time")),
                code=str(item.get("err_code", "")),
            )
            for item in items(body)
            if item.get("biz_id")
        ]

    def parse_replies(self, body: bytes) -> list[Reply]:
        return [
            Reply(
                phone=str(item.get("phone_number", "")),
                text=str(item.get("content", "")),
                at=local_time(item.get("send_time")),
            )
            for item in items(body)
        ]
