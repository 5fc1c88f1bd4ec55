import pytest

from app.auth.safety import DEFAULT_LANDING, safe_next


@pytest.mark.parametrize(
    "target",
    [
        "//elsewhere.example",
        "//elsewhere.example/analytics/",
        "https://elsewhere.example/",
        "/\\elsewhere.example",
        "javascript:alert(1)",
        "analytics/dashboard/",
        "",
        None,
        "/analytics/\r\nLocation: x",
    ],
)
def test_next_never_leaves_the_site(target):
    assert safe_next(target) == DEFAULT_LANDING


def test_local_paths_with_query_are_kept():
    assert safe_next("/analytics/customers/?days=30") == "/analytics/customers/?days=30"
