"""Paging and result limits (spec §2): next_page_id, _page_id alone, _max_results."""

from __future__ import annotations

from .conftest import Wapi


async def _records(wapi: Wapi, count: int) -> list[str]:
    return [
        await wapi.create(
            "record:a",
            {
                "name": f"p{i}.example.com",
                "ipv4addr": f"10.7.{i // 200}.{i % 200 + 1}",
                "extattrs": {"Site": {"value": "s" + str(i % 2)}},
            },
        )
        for i in range(count)
    ]


async def test_pages_follow_next_page_id_until_it_is_absent(wapi: Wapi) -> None:
    refs = await _records(wapi, 25)
    params = {
        "_paging": "1",
        "_return_as_object": "1",
        "_max_results": "10",
        "name~": "^p",
        "_return_fields+": "extattrs",
    }
    seen: list[str] = []
    page = (await wapi.get("record:a", params)).json
    pages = 1
    while "next_page_id" in page:
        assert page["next_page_id"].startswith("789c")  # hex of zlib, as NIOS's ids look
        seen += [o["_ref"] for o in page["result"]]
        # the id alone carries the whole query (PowerShell and py-ibwapi send only that)
        page = (await wapi.get("record:a", {"_page_id": page["next_page_id"]})).json
        pages += 1
    seen += [o["_ref"] for o in page["result"]]
    assert pages == 3 and seen == refs
    assert all("extattrs" in o for o in page["result"])


async def test_resending_the_query_with_the_page_id_works_too(wapi: Wapi) -> None:
    await _records(wapi, 7)
    params = {"_paging": "1", "_return_as_object": "1", "_max_results": "3", "*Site": "s0"}
    first = (await wapi.get("record:a", params)).json
    assert len(first["result"]) == 3 and "next_page_id" in first
    second = (await wapi.get("record:a", {**params, "_page_id": first["next_page_id"]})).json
    assert len(second["result"]) == 1 and "next_page_id" not in second


async def test_deleting_between_pages_skips_nothing(wapi: Wapi) -> None:
    refs = await _records(wapi, 6)
    params = {"_paging": "1", "_return_as_object": "1", "_max_results": "3", "name~": "^p"}
    first = (await wapi.get("record:a", params)).json
    await wapi.delete(refs[0])
    second = (await wapi.get("record:a", {"_page_id": first["next_page_id"]})).json
    assert [o["_ref"] for o in second["result"]] == refs[3:]
    assert "next_page_id" not in second


async def test_default_limit_is_1000_and_paging_gets_everything(wapi: Wapi) -> None:
    await _records(wapi, 1001)
    too_many = await wapi.get("record:a")
    assert too_many.status == 400 and too_many.error_text == "Result set too large (> 1000)"
    truncated = await wapi.get("record:a", {"_max_results": "1000"})
    assert len(truncated.json) == 1000
    page = (
        await wapi.get(
            "record:a", {"_paging": "1", "_return_as_object": "1", "_max_results": "1000"}
        )
    ).json
    rest = (await wapi.get("record:a", {"_page_id": page["next_page_id"]})).json
    assert len(page["result"]) + len(rest["result"]) == 1001 and "next_page_id" not in rest


async def test_paging_a_ref_read_is_refused(wapi: Wapi) -> None:
    ref = (await _records(wapi, 1))[0]
    answer = await wapi.get(ref, {"_paging": "1", "_return_as_object": "1"})
    assert answer.status == 400
    assert answer.error_text == "Paging is not supported for object reference read operations"


async def test_a_garbled_page_id_is_a_400(wapi: Wapi) -> None:
    answer = await wapi.get("record:a", {"_page_id": "zz"})
    assert answer.status == 400
