"""The request path against a fake transport: verbs, paging, auth, retries, create safety."""

from __future__ import annotations

import asyncio
import base64
import logging

import pytest

from ddisync.wapi import (
    AuthenticationError,
    BatchOp,
    CircuitOpenError,
    ConflictError,
    NotFoundError,
    OutcomeUnknownError,
    UnavailableError,
    WapiError,
)
from ddisync.wapi.transport import RawResponse, TransportError

from .conftest import PASSWORD, FakeTime, MakeClient, RecordingObserver, Sent, answer, wapi_error

COOKIE = (
    'ibapauth="ip=127.0.0.1,client=API,group=admin-group,ctime=1,timeout=600,mtime=1,'
    'su=1,auth=LOCAL,user=admin,SIGNATURE"'
)
SET_COOKIE = f"{COOKIE}; httponly; Path=/"
A_REF = "record:a/ZG5zLmJpbmRfYSQuX2RlZmF1bHQ:web.example.com/default"
A_OBJ = {"_ref": A_REF, "name": "web.example.com", "ipv4addr": "10.0.0.5", "view": "default"}
CONFLICT = ("Client.Ibap.Data.Conflict", "The record 'web.example.com' already exists.")


def ok(body: object = None, status: int = 200) -> RawResponse:
    return answer(status, body, cookies=(SET_COOKIE,))


# --- reads ---------------------------------------------------------------------------------


async def test_get_follows_every_page_and_never_sends_an_unpaged_search(
    make_client: MakeClient,
) -> None:
    pages = {None: ([A_OBJ], "p2"), "p2": ([A_OBJ], "p3"), "p3": ([A_OBJ], None)}

    def grid(sent: Sent) -> RawResponse:
        result, nxt = pages[sent.arg("_page_id")]
        return ok({"result": result, **({"next_page_id": nxt} if nxt else {})})

    client, transport = make_client(grid)
    found = await client.get("record:a", {"name~": "web"}, return_fields=["ttl", "extattrs"])
    assert len(found) == 3
    for sent in transport.sent:
        assert sent.arg("_paging") == "1" and sent.arg("_return_as_object") == "1"
        assert sent.arg("_max_results") == "1000"
        assert sent.arg("name~") == "web"
        assert sent.arg("_return_fields+") == "ttl,extattrs"
    assert [s.arg("_page_id") for s in transport.sent] == [None, "p2", "p3"]


async def test_a_repeated_page_id_stops_instead_of_looping(make_client: MakeClient) -> None:
    client, _ = make_client(lambda s: ok({"result": [A_OBJ], "next_page_id": "same"}))
    with pytest.raises(WapiError, match="repeated a page id"):
        await client.get("record:a")


async def test_get_ref_of_a_missing_object_is_not_found(make_client: MakeClient) -> None:
    client, transport = make_client(
        lambda s: wapi_error(404, "Client.Ibap.Data.NotFound", f"Reference {A_REF} not found")
    )
    with pytest.raises(NotFoundError) as info:
        await client.get_ref(A_REF)
    assert info.value.status == 404
    assert len(transport.sent) == 1  # not retried
    assert transport.sent[0].path == A_REF


# --- writes --------------------------------------------------------------------------------


async def test_create_asks_for_the_object_back(make_client: MakeClient) -> None:
    client, transport = make_client(lambda s: ok(A_OBJ, 201))
    created = await client.create("record:a", {"name": "web.example.com", "ipv4addr": "10.0.0.5"})
    assert created == A_OBJ
    sent = transport.sent[0]
    assert (sent.method, sent.path) == ("POST", "record:a")
    assert sent.arg("_return_fields+") == ""
    assert sent.body == {"name": "web.example.com", "ipv4addr": "10.0.0.5"}


async def test_a_bare_ref_answer_is_read_back(make_client: MakeClient) -> None:
    client, transport = make_client(lambda s: ok(A_REF, 201) if s.method == "POST" else ok(A_OBJ))
    assert await client.create("record:a", {"name": "x"}) == A_OBJ
    assert [s.method for s in transport.sent] == ["POST", "GET"]


async def test_update_and_delete_return_what_the_grid_says(make_client: MakeClient) -> None:
    client, transport = make_client(lambda s: ok(A_OBJ if s.method == "PUT" else A_REF))
    assert await client.update(A_REF, {"comment": "x"}, return_fields=["comment"]) == A_OBJ
    assert await client.delete(A_REF) == A_REF
    assert transport.sent[0].arg("_return_fields+") == "comment"
    assert transport.sent[1].method == "DELETE"


async def test_conflicts_are_typed_and_not_retried(make_client: MakeClient) -> None:
    client, transport = make_client(lambda s: wapi_error(400, *CONFLICT))
    with pytest.raises(ConflictError, match="already exists"):
        await client.create("record:a", {"name": "web.example.com"})
    assert len(transport.sent) == 1


async def test_call_function_posts_the_function_and_its_arguments(make_client: MakeClient) -> None:
    client, transport = make_client(lambda s: ok({"ips": ["10.0.0.7"]}))
    result = await client.call_function(
        "network/abc:10.0.0.0/24/default", "next_available_ip", {"num": 1}
    )
    assert result == {"ips": ["10.0.0.7"]}
    assert transport.sent[0].arg("_function") == "next_available_ip"
    assert transport.sent[0].body == {"num": 1}


# --- sessions --------------------------------------------------------------------------------


def basic_header() -> str:
    return "Basic " + base64.b64encode(f"admin:{PASSWORD}".encode()).decode()


async def test_basic_once_then_only_the_cookie(make_client: MakeClient) -> None:
    client, transport = make_client(lambda s: ok({"result": []}))
    for _ in range(3):
        await client.get("network")
    first, *rest = transport.sent
    assert first.headers["Authorization"] == basic_header()
    assert "Cookie" not in first.headers
    for sent in rest:
        assert "Authorization" not in sent.headers
        assert sent.headers["Cookie"] == COOKIE


async def test_concurrent_first_requests_log_in_once(make_client: MakeClient) -> None:
    async def grid(sent: Sent) -> RawResponse:
        await asyncio.sleep(0.01)
        return ok({"result": []})

    client, transport = make_client(grid)
    await asyncio.gather(*(client.get("network") for _ in range(8)))
    assert sum("Authorization" in s.headers for s in transport.sent) == 1


async def test_requests_waiting_for_the_login_then_run_in_parallel(
    make_client: MakeClient,
) -> None:
    in_flight, peak = 0, 0

    async def grid(sent: Sent) -> RawResponse:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        return ok({"result": []})

    client, _ = make_client(grid, max_in_flight=8)
    await asyncio.gather(*(client.get("network") for _ in range(17)))
    assert peak == 8


async def test_an_expired_cookie_is_replaced_by_one_basic_login(make_client: MakeClient) -> None:
    state = {"expired": False}

    def grid(sent: Sent) -> RawResponse:
        if "Cookie" in sent.headers and state["expired"]:
            return answer(401, raw=b"<html>401 Authorization Required</html>")
        if "Authorization" in sent.headers:
            state["expired"] = False
            return ok({"result": []})
        return answer(200, {"result": []})

    client, transport = make_client(grid)
    await client.get("network")
    state["expired"] = True
    await client.get("network")
    assert [("Authorization" in s.headers, "Cookie" in s.headers) for s in transport.sent] == [
        (True, False),
        (False, True),
        (True, False),
    ]


async def test_an_idle_cookie_is_dropped_before_the_grid_refuses_it(
    make_client: MakeClient, fake_time: FakeTime
) -> None:
    client, transport = make_client(lambda s: ok({"result": []}))
    await client.get("network")
    fake_time.now += 600
    await client.get("network")
    assert "Authorization" in transport.sent[1].headers


async def test_wrong_credentials_fail_once_and_then_fast(
    make_client: MakeClient, fake_time: FakeTime
) -> None:
    client, transport = make_client(
        lambda s: answer(401, raw=b"<html>401 Authorization Required</html>")
    )
    results = await asyncio.gather(
        *(client.get("network") for _ in range(10)), return_exceptions=True
    )
    assert all(isinstance(r, AuthenticationError) for r in results)
    assert len(transport.sent) == 1  # one failed login, not ten: NIOS locks out after a few
    fake_time.now += 30
    with pytest.raises(AuthenticationError, match="not trying again"):
        await client.get("network")
    assert len(transport.sent) == 1
    fake_time.now += 31
    with pytest.raises(AuthenticationError):
        await client.get("network")
    assert len(transport.sent) == 2
    assert not client.circuit_open  # credentials are not an outage


async def test_secrets_never_reach_errors_or_logs(
    make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="ddisync")
    client, _ = make_client(lambda s: answer(401, raw=b"<html>401 Authorization Required</html>"))
    with pytest.raises(AuthenticationError) as info:
        await client.get("network")
    token = basic_header().split()[1]
    for text in (
        str(info.value),
        repr(info.value),
        caplog.text,
        repr(client),
        repr(client.settings),
    ):
        assert PASSWORD not in text and token not in text


async def test_cookie_value_is_never_logged(
    make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="ddisync")
    client, _ = make_client(lambda s: ok({"result": []}))
    await client.get("network")
    await client.get("network")
    assert "SIGNATURE" not in caplog.text
    assert "SIGNATURE" not in repr(client.authenticator)


# --- retries -------------------------------------------------------------------------------


def flaky(*failures: RawResponse | Exception, then: RawResponse) -> tuple[list[Sent], object]:
    queue = list(failures)

    def grid(sent: Sent) -> RawResponse:
        if queue:
            failure = queue.pop(0)
            if isinstance(failure, Exception):
                raise failure
            return failure
        return then

    return [], grid


@pytest.mark.parametrize("status", [502, 503, 504, 429, 403])
async def test_transient_answers_are_retried(
    make_client: MakeClient, observer: RecordingObserver, status: int
) -> None:
    _, grid = flaky(answer(status), answer(status), then=ok({"result": [A_OBJ]}))
    client, transport = make_client(grid, observer=observer)  # type: ignore[arg-type]
    assert await client.get("record:a") == [A_OBJ]
    assert len(transport.sent) == 3
    reason = "403-limit" if status == 403 else str(status)
    assert observer.retries == [reason, reason]
    assert [r[2] for r in observer.requests] == [status, status, 200]


async def test_backoff_is_exponential_with_full_jitter(
    make_client: MakeClient, fake_time: FakeTime
) -> None:
    _, grid = flaky(*[answer(503)] * 4, then=ok({"result": []}))
    client, _ = make_client(grid)  # type: ignore[arg-type]
    await client.get("network")
    # random() is 0.5 in tests: half of 0.25, 0.5, 1.0, 2.0
    assert fake_time.sleeps == [0.125, 0.25, 0.5, 1.0]


async def test_retry_after_is_a_floor_for_the_wait(
    make_client: MakeClient, fake_time: FakeTime
) -> None:
    _, grid = flaky(answer(429, headers={"Retry-After": "3"}), then=ok({"result": []}))
    client, _ = make_client(grid)  # type: ignore[arg-type]
    await client.get("network")
    assert fake_time.sleeps == [3.0]


async def test_a_retry_after_beyond_backoff_max_ends_the_call(make_client: MakeClient) -> None:
    _, grid = flaky(answer(429, headers={"Retry-After": "120"}), then=ok({"result": []}))
    client, transport = make_client(grid)  # type: ignore[arg-type]
    with pytest.raises(UnavailableError) as info:
        await client.get("network")
    assert info.value.retry_after == 120
    assert len(transport.sent) == 1


async def test_attempts_are_bounded(make_client: MakeClient) -> None:
    client, transport = make_client(lambda s: answer(503), circuit_failure_threshold=100)
    with pytest.raises(UnavailableError) as info:
        await client.get("network")
    assert len(transport.sent) == 5
    assert info.value.attempts == 5 and info.value.reason == "503"


async def test_connection_errors_and_timeouts_are_retried(make_client: MakeClient) -> None:
    _, grid = flaky(
        TransportError("reset", reason="connection", may_have_reached=True),
        TransportError("timeout", reason="timeout", may_have_reached=True),
        then=ok({"result": []}),
    )
    client, transport = make_client(grid)  # type: ignore[arg-type]
    assert await client.get("network") == []
    assert len(transport.sent) == 3


# --- create safety -------------------------------------------------------------------------


async def test_a_create_that_may_have_landed_is_not_resent_blindly(make_client: MakeClient) -> None:
    client, transport = make_client(lambda s: answer(504))
    with pytest.raises(OutcomeUnknownError):
        await client.create("record:a", {"name": "web.example.com"})
    assert [s.method for s in transport.sent] == ["POST"]


async def test_a_landed_create_is_found_by_its_markers(make_client: MakeClient) -> None:
    def grid(sent: Sent) -> RawResponse:
        if sent.method == "POST":  # the grid created it, the answer was lost
            raise TransportError("reset", reason="connection", may_have_reached=True)
        assert sent.arg("*ddisync-uid") == "uid-1"
        return ok({"result": [A_OBJ]})

    client, transport = make_client(grid)
    created = await client.create(
        "record:a", {"name": "web.example.com"}, find_existing={"*ddisync-uid": "uid-1"}
    )
    assert created == A_OBJ
    assert [s.method for s in transport.sent] == ["POST", "GET"]


async def test_a_create_that_did_not_land_is_sent_again(make_client: MakeClient) -> None:
    posts: list[int] = []

    def grid(sent: Sent) -> RawResponse:
        if sent.method == "POST":
            posts.append(1)
            return answer(503) if len(posts) == 1 else ok(A_OBJ, 201)
        return ok({"result": []})

    client, transport = make_client(grid)
    created = await client.create(
        "record:a", {"name": "web.example.com"}, find_existing={"*ddisync-uid": "uid-1"}
    )
    assert created == A_OBJ
    assert [s.method for s in transport.sent] == ["POST", "GET", "POST"]


async def test_a_conflict_after_a_lost_create_returns_the_landed_object(
    make_client: MakeClient,
) -> None:
    lookups: list[int] = []

    def grid(sent: Sent) -> RawResponse:
        if sent.method == "POST":
            if not lookups:
                return answer(504)
            return wapi_error(400, *CONFLICT)
        lookups.append(1)
        # The first lookup races the slow first create; the second sees it.
        return ok({"result": [] if len(lookups) == 1 else [A_OBJ]})

    client, transport = make_client(grid)
    created = await client.create("record:a", {"name": "w"}, find_existing={"*ddisync-uid": "u"})
    assert created == A_OBJ
    assert [s.method for s in transport.sent] == ["POST", "GET", "POST", "GET"]


@pytest.mark.parametrize("status", [429, 403])
async def test_refused_creates_are_retried_without_a_lookup(
    make_client: MakeClient, status: int
) -> None:
    _, grid = flaky(answer(status), then=ok(A_OBJ, 201))
    client, transport = make_client(grid)  # type: ignore[arg-type]
    assert await client.create("record:a", {"name": "w"}) == A_OBJ
    assert [s.method for s in transport.sent] == ["POST", "POST"]


async def test_a_delete_whose_answer_was_lost_is_done(make_client: MakeClient) -> None:
    _, grid = flaky(
        TransportError("reset", reason="connection", may_have_reached=True),
        then=wapi_error(404, "Client.Ibap.Data.NotFound", f"Reference {A_REF} not found"),
    )
    client, transport = make_client(grid)  # type: ignore[arg-type]
    assert await client.delete(A_REF) == A_REF
    assert len(transport.sent) == 2


async def test_functions_that_may_have_run_are_not_repeated(make_client: MakeClient) -> None:
    client, transport = make_client(lambda s: answer(502))
    with pytest.raises(OutcomeUnknownError):
        await client.call_function("network/x:10.0.0.0/24/default", "next_available_ip")
    assert len(transport.sent) == 1


# --- circuit breaker -----------------------------------------------------------------------


async def test_the_circuit_opens_fails_fast_probes_and_closes(
    make_client: MakeClient, observer: RecordingObserver, fake_time: FakeTime
) -> None:
    state = {"down": True}
    client, transport = make_client(
        lambda s: answer(503) if state["down"] else ok({"result": []}), observer=observer
    )
    with pytest.raises(UnavailableError):
        await client.get("network")
    assert len(transport.sent) == 5 and client.circuit_open
    assert observer.circuit == [True]
    with pytest.raises(CircuitOpenError):
        await client.get("network")
    assert len(transport.sent) == 5  # nothing sent while open
    fake_time.now += 15
    state["down"] = False
    assert await client.get("network") == []  # the probe
    assert not client.circuit_open and observer.circuit == [True, False]


async def test_a_failed_probe_reopens_the_circuit(
    make_client: MakeClient, fake_time: FakeTime
) -> None:
    client, transport = make_client(lambda s: answer(503))
    with pytest.raises(UnavailableError):
        await client.get("network")
    fake_time.now += 15
    with pytest.raises(CircuitOpenError):
        await client.get("network")  # probe fails (503), next attempt finds the circuit open
    assert len(transport.sent) == 6 and client.circuit_open


async def test_error_answers_do_not_open_the_circuit(make_client: MakeClient) -> None:
    client, _ = make_client(lambda s: wapi_error(400, *CONFLICT))
    for _ in range(10):
        with pytest.raises(ConflictError):
            await client.create("record:a", {"name": "w"})
    assert not client.circuit_open


# --- batch ---------------------------------------------------------------------------------


async def test_batch_results_are_mapped_back_in_order(make_client: MakeClient) -> None:
    def grid(sent: Sent) -> RawResponse:
        assert (sent.method, sent.path) == ("POST", "request")
        return ok([f"result-{i['object']}" for i in sent.body])

    client, transport = make_client(grid, batch_size=2)
    ops = [BatchOp.get("record:a", {"name": f"n{i}"}) for i in range(5)]
    assert await client.batch(ops) == ["result-record:a" for _ in range(5)]
    assert [len(s.body) for s in transport.sent] == [2, 2, 1]
    assert transport.sent[0].body[0] == {
        "method": "GET",
        "object": "record:a",
        "data": {"name": "n0"},
    }


async def test_batch_wire_form_of_writes(make_client: MakeClient) -> None:
    client, transport = make_client(lambda s: ok([A_OBJ, A_REF, A_REF]))
    ops = [
        BatchOp.create("record:a", {"name": "w", "ipv4addr": "10.0.0.1"}, return_fields=["ttl"]),
        BatchOp.update(A_REF, {"comment": "c"}),
        BatchOp.delete(A_REF),
    ]
    assert await client.batch(ops) == [A_OBJ, A_REF, A_REF]
    assert transport.sent[0].body == [
        {
            "method": "POST",
            "object": "record:a",
            "data": {"name": "w", "ipv4addr": "10.0.0.1"},
            "args": {"_return_fields+": "ttl"},
        },
        {"method": "PUT", "object": A_REF, "data": {"comment": "c"}},
        {"method": "DELETE", "object": A_REF},
    ]


async def test_a_write_batch_that_may_have_landed_is_not_resent(make_client: MakeClient) -> None:
    client, transport = make_client(lambda s: answer(504))
    with pytest.raises(OutcomeUnknownError):
        await client.batch([BatchOp.delete(A_REF)])
    assert len(transport.sent) == 1


async def test_a_read_batch_is_retried(make_client: MakeClient) -> None:
    _, grid = flaky(answer(504), then=ok([[A_OBJ]]))
    client, transport = make_client(grid)  # type: ignore[arg-type]
    assert await client.batch([BatchOp.get("record:a", {"name": "w"})]) == [[A_OBJ]]
    assert len(transport.sent) == 2


# --- lifecycle -----------------------------------------------------------------------------


async def test_a_closed_client_refuses_work(make_client: MakeClient) -> None:
    client, transport = make_client(lambda s: ok({"result": []}))
    async with client:
        await client.ping()
    assert transport.closed
    with pytest.raises(WapiError, match="closed"):
        await client.get("network")
    with pytest.raises(WapiError, match="reopened"):
        async with client:
            pass


async def test_a_busy_answer_to_the_login_proves_nothing_about_credentials(
    make_client: MakeClient,
) -> None:
    _, grid = flaky(answer(503), then=answer(401, raw=b"<html>401</html>"))
    client, transport = make_client(grid)  # type: ignore[arg-type]
    results = await asyncio.gather(
        *(client.get("network") for _ in range(6)), return_exceptions=True
    )
    assert all(isinstance(r, AuthenticationError) for r in results)
    assert len(transport.sent) == 2  # the 503, then one refused login; never six


async def test_the_retry_deadline_caps_the_total_time(
    make_client: MakeClient, fake_time: FakeTime
) -> None:
    client, transport = make_client(
        lambda s: answer(503),
        max_attempts=50,
        retry_deadline=2.0,
        backoff_base=1.0,
        circuit_failure_threshold=100,
    )
    with pytest.raises(UnavailableError):
        await client.get("network")
    assert sum(fake_time.sleeps) <= 2.0
    assert len(transport.sent) < 50
