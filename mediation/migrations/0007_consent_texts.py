"""The first versions of the two MZ/T 084-2017 agreements that consent is recorded against."""

import datetime

from django.db import migrations

CONFIDENTIALITY = """婚姻家庭辅导保密协议

一、辅导人员对当事人在婚姻家庭辅导过程中提供的个人信息、谈话内容和辅导记录予以保密，未经当事人书面同意，不向任何单位和个人披露。
二、下列情形除外：当事人或他人的人身安全面临危险的；涉及家庭暴力、虐待、遗弃等违法行为，依法需要报告或转介的；法律法规另有规定的。
三、辅导记录由婚姻登记机关加密保存，仅经指派的辅导人员可以查阅，每一次查阅均有记录。
四、当事人自愿接受辅导，可以随时终止辅导，终止不影响其依法办理婚姻登记。"""

PRIVACY = """个人信息保护协议

一、为提供婚姻家庭辅导服务，需要处理您的姓名、身份证件号码、联系方式、婚姻家庭状况等个人信息，其中婚姻家庭和心理健康信息属于敏感个人信息，我们将单独征得您的同意。
二、您可以分别同意或拒绝：（一）处理敏感个人信息；（二）辅导结束后的回访联系；（三）以去除身份信息的方式用于统计。拒绝其中任何一项，不影响其他服务。
三、您可以随时撤回同意，撤回与同意同样便捷；撤回后我们将停止相应的处理。
四、您有权查阅、复制您的个人信息，并要求更正或删除；个人信息保存期限为实现服务目的所必需的最短时间。
五、统计数据仅以汇总形式提供给民政部门和妇联，不包含任何姓名、证件号码或谈话内容。"""


def forwards(apps, schema_editor):
    ConsentText = apps.get_model("mediation", "ConsentText")
    ConsentText.objects.update_or_create(
        version="BM-2021.1",
        defaults={
            "title": "婚姻家庭辅导保密协议",
            "body": CONFIDENTIALITY,
            "effective_from": datetime.date(2021, 3, 1),
        },
    )
    ConsentText.objects.update_or_create(
        version="YS-2021.1",
        defaults={
            "title": "个人信息保护协议",
            "body": PRIVACY,
            "effective_from": datetime.date(2021, 3, 1),
        },
    )


class Migration(migrations.Migration):
    dependencies = [("mediation", "0006_audit_append_only")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
