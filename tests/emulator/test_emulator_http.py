"""The relay's HTTP surface: auth, headers, unknown routes, relay mode, models, billing, embeddings."""

from __future__ import annotations

import base64
import re
import struct
from collections.abc import Iterator

import httpx
import pytest

from tests.emulator.wire import AUTH
from xiaohu.emulator import serve

REQUEST_ID = re.compile(r"^\d{14}\d{9}[0-9a-f]{8}[A-Za-z0-9]{8}$")


@pytest.fixture(scope="module")
def locked_url() -> Iterator[str]:
    """An emulator that accepts only `sk-right`."""
    with serve(api_key="sk-right") as url:
        yield url


@pytest.fixture(scope="module")
def relay_url() -> Iterator[str]:
    """An emulator in `new-api` relay mode."""
    with serve(relay_mode="new-api") as url:
        yield url


# --- auth and headers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="missing"),
        pytest.param({"Authorization": "Bearer"}, id="empty"),
        pytest.param({"Authorization": "Basic abc"}, id="not-bearer"),
    ],
)
def test_missing_key_gets_the_relay_401(emulator_url: str, headers: dict[str, str]) -> None:
    response = httpx.get(f"{emulator_url}/models", headers=headers)
    assert response.status_code == 401
    request_id = response.headers["x-oneapi-request-id"]
    assert response.json() == {
        "error": {
            "message": f"Invalid token (request id: {request_id})",
            "type": "new_api_error",
            "code": "",
        }
    }


def test_any_key_is_accepted_by_default(emulator_url: str) -> None:
    response = httpx.get(f"{emulator_url}/models", headers={"Authorization": "Bearer whatever"})
    assert response.status_code == 200


def test_api_key_restricts_to_one_key(locked_url: str) -> None:
    wrong = httpx.get(
        f"{locked_url}/models",
        headers={"Authorization": "Bearer sk-wrong", "Accept-Language": "zh-CN"},
    )
    assert wrong.status_code == 401
    assert wrong.json()["error"]["message"].startswith("无效的令牌 (request id: ")
    right = httpx.get(f"{locked_url}/models", headers={"Authorization": "Bearer sk-right"})
    assert right.status_code == 200


def test_every_answer_carries_a_relay_request_id(client: httpx.Client) -> None:
    for response in (
        client.get("/models"),
        client.get("/nope"),
        client.post("/responses", json={"model": "gpt-4.1", "input": "hi", "stream": True}),
    ):
        assert REQUEST_ID.match(response.headers["x-oneapi-request-id"])
    first = client.get("/models").headers["x-oneapi-request-id"]
    assert first != client.get("/models").headers["x-oneapi-request-id"]


def test_unknown_routes_get_invalid_url_without_auth(emulator_url: str) -> None:
    for method, path in [("GET", "/v1/files"), ("GET", "/v1/responses"), ("PUT", "/v1/models")]:
        url = emulator_url.removesuffix("/v1") + path
        response = httpx.request(method, url)
        assert response.status_code == 404
        assert response.json() == {
            "error": {
                "message": f"Invalid URL ({method} {path})",
                "type": "invalid_request_error",
                "param": "",
                "code": "",
            }
        }


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        pytest.param(b"{not json", 400, "Invalid request: ", id="bad-json"),
        pytest.param(b'{"input": "hi"}', 400, "Model name not specified", id="no-model"),
        pytest.param(b'{"model": "gpt-4.1"}', 500, "input is required", id="no-input"),
    ],
)
def test_bad_bodies_get_relay_errors(
    client: httpx.Client, body: bytes, status: int, message: str
) -> None:
    response = client.post("/responses", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == status
    error = response.json()["error"]
    assert error["type"] == "new_api_error"
    assert error["message"].startswith(message)


# --- relay mode ----------------------------------------------------------------------------------


def test_new_api_mode_drops_background_and_lacks_response_routes(relay_url: str) -> None:
    with httpx.Client(base_url=relay_url, headers=AUTH) as c:
        created = c.post("/responses", json={"model": "gpt-4.1", "input": "hi", "background": True})
        body = created.json()
        assert body["status"] == "completed"
        assert body["background"] is False
        rid = body["id"]
        for method, path in [
            ("GET", f"/responses/{rid}"),
            ("DELETE", f"/responses/{rid}"),
            ("POST", f"/responses/{rid}/cancel"),
        ]:
            response = c.request(method, path)
            assert response.status_code == 404
            assert response.json()["error"]["message"] == f"Invalid URL ({method} /v1{path})"


# --- models and billing --------------------------------------------------------------------------


def test_models_in_the_relay_shape(client: httpx.Client) -> None:
    body = client.get("/models").json()
    assert body["success"] is True
    assert body["object"] == "list"
    by_id = {m["id"]: m for m in body["data"]}
    for name in (
        "gpt-5", "gpt-5-mini", "gpt-4.1", "o3", "o4-mini", "o3-deep-research",
        "o4-mini-deep-research", "gpt-5-pro",
    ):  # fmt: skip
        assert "openai-response" in by_id[name]["supported_endpoint_types"]
    for name in ("text-embedding-3-small", "text-embedding-3-large"):
        assert by_id[name]["supported_endpoint_types"] == ["embeddings"]
    assert "openai-response" not in by_id["deepseek-chat"]["supported_endpoint_types"]
    assert set(by_id["gpt-5"]) == {
        "id",
        "object",
        "created",
        "owned_by",
        "supported_endpoint_types",
    }


def test_single_model_and_unknown_model(client: httpx.Client) -> None:
    assert client.get("/models/gpt-5").json()["id"] == "gpt-5"
    unknown = client.get("/models/gpt-99")
    assert unknown.status_code == 200
    assert unknown.json()["error"]["code"] == "model_not_found"


def test_billing_endpoints_track_what_a_key_spends(emulator_url: str) -> None:
    headers = {"Authorization": "Bearer sk-billing-test-key"}
    with httpx.Client(base_url=emulator_url, headers=headers) as c:
        sub = c.get("/dashboard/billing/subscription").json()
        assert sub == {
            "object": "billing_subscription",
            "has_payment_method": True,
            "soft_limit_usd": 100.0,
            "hard_limit_usd": 100.0,
            "system_hard_limit_usd": 100.0,
            "access_until": 0,
        }
        assert c.get("/dashboard/billing/usage").json() == {"object": "list", "total_usage": 0.0}
        usage = c.post("/responses", json={"model": "gpt-4.1", "input": "hi"}).json()["usage"]
        spent = c.get("/dashboard/billing/usage").json()["total_usage"]
        assert spent == pytest.approx(usage["total_tokens"] / 500_000 * 100)
        token = httpx.get(
            emulator_url.removesuffix("/v1") + "/api/usage/token/", headers=headers
        ).json()
        assert token["code"] is True
        assert token["data"]["total_used"] == usage["total_tokens"]
        assert (
            token["data"]["total_available"]
            == token["data"]["total_granted"] - usage["total_tokens"]
        )


def test_token_usage_without_a_key(emulator_url: str) -> None:
    response = httpx.get(emulator_url.removesuffix("/v1") + "/api/usage/token/")
    assert response.status_code == 401
    assert response.json() == {"success": False, "message": "Token not provided"}


# --- embeddings ----------------------------------------------------------------------------------


def _cos(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def test_embeddings_are_unit_length_ordered_and_meaningful(client: httpx.Client) -> None:
    texts = ["the cat sat on the mat", "a cat sat on a mat", "quarterly tax filing deadlines"]
    body = client.post(
        "/embeddings", json={"model": "text-embedding-3-small", "input": texts}
    ).json()
    assert [d["index"] for d in body["data"]] == [0, 1, 2]
    vectors = [d["embedding"] for d in body["data"]]
    assert all(len(v) == 1536 for v in vectors)
    assert all(_cos(v, v) == pytest.approx(1.0) for v in vectors)
    assert _cos(vectors[0], vectors[1]) > 0.5 > _cos(vectors[0], vectors[2])
    assert body["usage"]["prompt_tokens"] == body["usage"]["total_tokens"] > 0
    again = client.post("/embeddings", json={"model": "text-embedding-3-small", "input": texts[0]})
    assert again.json()["data"][0]["embedding"] == vectors[0]


def test_embeddings_dimensions_and_base64(client: httpx.Client) -> None:
    floats = client.post(
        "/embeddings",
        json={"model": "text-embedding-3-large", "input": "hello", "dimensions": 256},
    ).json()["data"][0]["embedding"]
    assert len(floats) == 256
    encoded = client.post(
        "/embeddings",
        json={
            "model": "text-embedding-3-large",
            "input": "hello",
            "dimensions": 256,
            "encoding_format": "base64",
        },
    ).json()["data"][0]["embedding"]
    decoded = struct.unpack("<256f", base64.b64decode(encoded))
    assert decoded == pytest.approx(floats, abs=1e-6)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("", id="empty"),
        pytest.param(["ok", ""], id="empty-item"),
        pytest.param(["x"] * 2049, id="too-many"),
    ],
)
def test_embeddings_reject_bad_input(client: httpx.Client, value: object) -> None:
    response = client.post("/embeddings", json={"model": "text-embedding-3-small", "input": value})
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"


def test_embeddings_empty_string_message_matches_openai(client: httpx.Client) -> None:
    response = client.post("/embeddings", json={"model": "text-embedding-3-small", "input": ""})
    assert response.json()["error"]["message"].startswith("'$.input' is invalid.")


def test_embeddings_accept_2048_inputs(client: httpx.Client) -> None:
    response = client.post(
        "/embeddings",
        json={"model": "text-embedding-3-small", "input": ["x"] * 2048, "dimensions": 4},
    )
    assert len(response.json()["data"]) == 2048
