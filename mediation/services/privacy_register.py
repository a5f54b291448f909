"""The register of processing activities and the PIPL art. 55 impact assessment, kept by the
security administrator: versioned texts, each save an audit event, with a pre-filled Chinese
draft that describes what Tongxin does. May import models, audit and retention."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit
from ..models import PrivacyDocument, User
from .errors import field_error

BODY_MAX = 50_000


def _years(days: int) -> str:
    return f"{days} 天（约 {days / 365:.1f} 年）"


def draft(kind: str) -> str:
    """The pre-filled Chinese draft of the register or the assessment, with the retention
    periods in force."""
    days = settings.TONGXIN_RETENTION_DAYS
    grace = settings.TONGXIN_ERASURE_GRACE_DAYS
    retention = (
        f"身份与联系信息 {_years(days['identity'])}；家暴筛查答案 {_years(days['screening'])}；"
        f"辅导记录 {_years(days['notes'])}；附件扫描件 {_years(days['attachments'])}；"
        f"手写签名 {_years(days['signatures'])}（均自个案结案起算）；审计日志 "
        f"{_years(days['audit'])}（不少于六个月，网络安全法第二十一条）。撤回辅导同意后 {grace} "
        "天删除该当事人的个人信息（当事人另有表示的除外）。"
    )
    if kind == PrivacyDocument.Kind.REGISTER:
        return "\n".join(
            [
                "个人信息处理活动记录",
                "",
                "一、处理者：盘锦市民政局婚姻登记处婚姻家庭调解室（同心系统）。",
                "二、处理目的：婚姻家庭辅导与调解（MZ/T 084-2017）、离婚冷静期内的服务、"
                "回访、转介、匿名统计。",
                "三、个人信息类别：当事人姓名、身份证号码、电话、住址、性别、出生年份、"
                "文化程度、职业、婚姻状况；敏感个人信息：婚姻与家庭状况、家庭暴力筛查答案、"
                "心理辅导记录、手写签名。",
                "四、个人信息主体：到婚姻登记处办理结婚或离婚登记并自愿接受辅导的当事人。",
                "五、法律依据：当事人按目的分别作出的单独同意（个人信息保护法第十四条、"
                "第二十九条），同意文本留有版本。",
                "六、接收方：仅在当事人同意转介共享时，向妇联反家暴服务、法律援助、"
                "心理卫生机构提供转介函；统计用户（民政局、妇联）只见汇总数字，"
                "小于5的数字不显示。无境外提供。",
                f"七、保存期限：{retention}",
                "八、安全措施：敏感字段逐行独立数据密钥加密（AES-256-GCM 或 SM4-GCM），"
                "主密钥不存于数据库；身份证号以带密钥的盲索引检索；访问按岗位与分配限定，"
                "每次查看敏感信息均写入防篡改审计日志；三员分立；双因素登录。",
                "九、删除方式：到期或应当事人请求，销毁该行数据密钥（密码学删除），"
                "统计所需的类别字段保留，当事人显示为“已删除当事人”。",
            ]
        )
    return "\n".join(
        [
            "个人信息保护影响评估报告（个人信息保护法第五十五条、第五十六条）",
            "",
            "一、处理目的与方式是否合法、正当、必要：为提供婚姻家庭辅导所必需；"
            "不同意辅导的当事人不记录任何个人信息；敏感信息另行单独同意。",
            "二、对个人权益的影响：婚姻困难、家庭暴力与心理辅导信息一旦泄露，"
            "可能造成歧视、人身危险（施暴方获知求助情况）与名誉损害，影响程度高。",
            "三、安全风险：未授权查看、内部人员滥用、数据库或备份被窃、统计反推个人。",
            "四、保护措施及其有效性：逐行加密与密钥分离（被窃数据库无法解密）；"
            "按分配授权、督导不可阅读辅导记录正文；查看即留痕并可校验；"
            "统计小数抑制；阳性筛查阻止联合会谈与回访联系；"
            f"保存期满自动密码学删除；保存期限：{retention}",
            "五、个人权利的实现：当事人可经督导查询、复制（中文PDF与JSON）、更正、删除；"
            "法定保存或司法保全期间暂缓删除并记录理由。",
            "六、备份：备份不含密钥；删除前的备份在其保存期满前仍含已删除数据，"
            "备份保存期见运维文档。",
            "七、结论：在上述措施落实的前提下，处理风险可控。评估人：________  日期：________",
        ]
    )


def current(kind: str) -> PrivacyDocument | None:
    return PrivacyDocument.objects.filter(kind=kind).order_by("-version").first()


@transaction.atomic
def save_privacy_document(
    *, kind: str, body: str, saved_by: User, request: HttpRequest | None = None
) -> PrivacyDocument:
    """A new version of the register or the assessment, by the security administrator; the
    earlier versions stay. Codes: not_allowed, kind, body."""
    if not saved_by.has_perm("mediation.keep_privacy_register"):
        raise ValidationError(
            _("Only the security administrator keeps these documents."), code="not_allowed"
        )
    if kind not in PrivacyDocument.Kind.values:
        raise ValidationError(_("Unknown document."), code="kind")
    body = body.strip()
    if not body or len(body) > BODY_MAX:
        raise field_error("body", _("Write the document (at most 50,000 characters)."), "body")
    last = PrivacyDocument.objects.filter(kind=kind).aggregate(v=Max("version"))["v"] or 0
    document = PrivacyDocument.objects.create(
        kind=kind, version=last + 1, body=body, saved_by=saved_by, saved_at=timezone.now()
    )
    audit.record(
        actor=saved_by,
        action="privacy.document.save",
        request=request,
        details={"document": kind, "version": document.version},
    )
    return document
