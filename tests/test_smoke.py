from tests.conftest import login


def test_health_answers_ok_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_advisor_sees_home_after_login(client, make_user):
    advisor = make_user("advisor", name="Arne Advisor")
    login(client, advisor)
    page = client.get("/").get_data(as_text=True)
    assert "My work" in page
    assert "Arne Advisor" in page
