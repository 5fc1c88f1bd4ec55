def test_health_reports_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_health_reports_503_when_the_database_is_unreachable(make_app):
    # A PostgreSQL port where nothing listens: a real refused connection, not a mock.
    app = make_app(url="postgresql+psycopg://nobody@127.0.0.1:9/none")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    assert response.headers["Retry-After"] == "30"  # when to ask again, as the README says
