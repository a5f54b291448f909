"""The roster endpoint of the REST API (acceptance: curl with a token for XLT gets the published
December roster; the same token for another office gets 404)."""

from http import HTTPStatus

from counselors.selectors import counselor_code
from mediation.services import api_clients


def token_for(sysadmin, *offices):
    return api_clients.create_client(
        name="兴隆台登记系统", offices=offices, scopes=["roster"], created_by=sysadmin
    ).token


def test_the_published_roster_of_an_office_for_a_month(client, upcoming, sysadmin, xlt):
    token = token_for(sysadmin, xlt)

    response = client.get(
        "/api/v1/offices/XLT/roster",
        {"month": "2026-12"},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )

    assert response.status_code == HTTPStatus.OK
    data = response.json()
    duties = upcoming.duties.filter(office=xlt)
    assert (data["office"], data["month"]) == ("XLT", "2026-12")
    assert len(data["duties"]) == duties.count() > 0
    first = duties.order_by("day", "half_day", "counselor_id").first()
    assert data["duties"][0] == {
        "day": first.day.isoformat(),
        "half_day": first.half_day,
        "starts": "08:30" if first.half_day == "AM" else "13:30",
        "ends": "12:00" if first.half_day == "AM" else "17:00",
        "counselor": counselor_code(first.counselor_id),
        "organisation": first.counselor.organisation.short_name,
        "role": first.counselor.role,
    }
    assert first.counselor.user.full_name not in response.text


def test_the_same_token_for_another_office_gets_404(client, upcoming, sysadmin, xlt):
    token = token_for(sysadmin, xlt)

    response = client.get(
        "/api/v1/offices/PS/roster", {"month": "2026-12"}, HTTP_AUTHORIZATION=f"Bearer {token}"
    )

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json() == {
        "code": "office_not_found",
        "message": "该访问令牌无权访问此登记处，或登记处不存在。",
    }


def test_statistics_through_the_api_carry_the_service_hours(client, published, sysadmin, xlt):
    token = api_clients.create_client(
        name="看板", offices=[xlt], scopes=["statistics"], created_by=sysadmin
    ).token

    response = client.get(
        "/api/v1/statistics",
        {"offices": "XLT", "first": "2026-10", "last": "2026-10"},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )

    assert response.status_code == HTTPStatus.OK
    hours = next(t for t in response.json()["tables"] if t["key"] == "service_hours")
    total = next(row for row in hours["rows"] if row["total"])
    assert any(isinstance(cell["value"], float) and cell["value"] > 0 for cell in total["cells"])
