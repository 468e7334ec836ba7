"""Similar 议提案: the right earlier case among the top 3 on a hand-made set, a case
registered a moment ago found at once, edits and withdrawals followed, scores in 0..1."""

from datetime import date

import pytest
import time_machine

from cases import actions
from cases.tests.factories import register
from similar import index
from similar.tests.data import EARLIER, QUERIES

pytestmark = pytest.mark.django_db

TODAY = date(2026, 5, 6)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(TODAY, tick=True):
        yield


@pytest.fixture
def earlier(cast):
    cases = [
        register(
            cast,
            on=date(year, 3, 1),
            year=year,
            title=title,
            content=content,
            topics=topics,
        )
        for year, title, content, topics in EARLIER
    ]
    return cases


@pytest.mark.parametrize(("title", "content", "expected"), QUERIES)
def test_the_right_earlier_case_is_among_the_top_3(earlier, title, content, expected):
    hits = index.search(title, content, limit=3)
    assert earlier[expected].pk in [h.case_id for h in hits], [
        (h.score, next(c.title for c in earlier if c.pk == h.case_id)) for h in hits
    ]


def test_the_set_as_a_whole_ranks_the_right_case_first_mostly(earlier):
    first = sum(
        index.search(title, content, limit=1)[0].case_id == earlier[expected].pk
        for title, content, expected in QUERIES
    )
    assert first >= len(QUERIES) - 1


def test_scores_are_between_0_and_1_best_first(earlier):
    hits = index.search(EARLIER[0][1], EARLIER[0][2], limit=10)
    assert hits[0].case_id == earlier[0].pk
    assert hits[0].score == pytest.approx(1.0, abs=1e-3)
    assert all(0 <= h.score <= 1.0001 for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_an_unrelated_text_finds_nothing(earlier):
    assert index.search("关于修缮城区老旧桥梁的建议", "桥梁年久失修，建议加固。") == []
    assert index.search("", "") == []
    assert index.search("   ", "") == []


def test_a_case_registered_a_moment_ago_is_found(earlier, cast):
    index.search("预热", "")  # the index is built before the new case exists
    builds = index.index().builds
    new = register(
        cast,
        on=TODAY,
        title="关于在社区推广自动体外除颤器的建议",
        content="公共场所AED配置少，建议在地铁站、商场、社区推广配置AED并培训群众。",
    )
    hits = index.search("关于公共场所配置AED除颤器的建议", "建议地铁站商场配置AED", limit=3)
    assert hits and hits[0].case_id == new.pk
    # found by bringing the index up to date, not by building it again
    assert index.index().builds == builds


def test_an_edited_title_is_found_by_its_new_words(earlier, cast):
    case = earlier[11]
    index.search("预热", "")
    actions.edit_case(case, by=cast.coordinator, title="关于加强尘肺病患者救治救助的建议")
    hits = index.search("关于尘肺病救治救助的建议", "", limit=3)
    assert hits and hits[0].case_id == case.pk


def test_a_withdrawn_case_is_left_out(earlier, cast):
    case = earlier[2]
    assert index.search("医院停车难", "停车位不足", limit=3)[0].case_id == case.pk
    actions.withdraw_case(case, by=cast.coordinator, reason="改由市住建局办理")
    assert case.pk not in [h.case_id for h in index.search("医院停车难", "停车位不足")]


def test_candidates_are_filtered_before_the_top_k(earlier):
    """A unit sees its own cases: the best of those, not what is left of a global top k."""
    allowed = {earlier[13].pk}  # 慢性病 only
    hits = index.search(EARLIER[0][1], EARLIER[0][2], limit=1, allowed=allowed, min_score=0.0)
    assert [h.case_id for h in hits] == [earlier[13].pk]


def test_earlier_only(earlier):
    case = earlier[0]  # 2024
    hits = index.search(case.title, case.content, before=(2024, case.pk), min_score=0.0)
    assert case.pk not in [h.case_id for h in hits]
    assert all(c.year <= 2024 for c in earlier if c.pk in {h.case_id for h in hits})


def test_the_index_holds_the_newest_max_cases_only(earlier, cast, settings):
    """HUIYIN_SIMILAR_MAX_CASES bounds the index (its memory, its build, each query): the
    oldest 议提案 beyond it are not searched; a case registered later still is."""
    settings.HUIYIN_SIMILAR_MAX_CASES = 5
    index.reset()
    oldest, newest = earlier[0], earlier[-1]
    assert oldest.pk not in [h.case_id for h in index.search(oldest.title, EARLIER[0][2])]
    assert index.search(newest.title, newest.content, limit=1)[0].case_id == newest.pk
    assert len(index.index().ids) == 5
    case = register(
        cast, on=TODAY, title="关于医院停车难问题的建议", content="医院停车位严重不足。"
    )
    assert case.pk in [h.case_id for h in index.search(case.title, case.content, limit=3)]


def test_warm_builds_the_index_once(earlier):
    index.reset()
    index.warm()
    assert index.index().builds == 1
    index.search(EARLIER[0][1], EARLIER[0][2])
    assert index.index().builds == 1


def test_a_unit_finds_its_own_case_behind_better_ones_it_may_not_see(cast, monkeypatch):
    """A unit's candidates are the cases it leads or co-handles: its own case ranked below
    cases it may not see is found, those are never shown to it, and none of them is read
    from the database (only the few the index takes for the unit's are checked)."""
    from similar import queries

    title, content = EARLIER[0][1], EARLIER[0][2]
    others = [register(cast, on=TODAY, title=title, content=content) for _ in range(40)]
    mine = register(cast, on=TODAY, title=title, content=content + "建议提高村医补助。")
    actions.assign_case(mine, by=cast.coordinator, lead_unit=cast.yizheng)
    ranked = [h.case_id for h in index.search(title, content, limit=41)]
    assert ranked[40] == mine.pk and set(ranked[:40]) == {c.pk for c in others}
    asked: list[int] = []
    check = queries._visible
    monkeypatch.setattr(
        queries, "_visible", lambda user, ids: check(user, asked.extend(ids) or ids)
    )
    found = queries.similar_for(cast.yizheng_head, title, content, limit=1)
    assert [s.case.pk for s in found] == [mine.pk]
    assert asked == [mine.pk]
    assert queries.similar_for(cast.coordinator, title, content, limit=1)[0].case in others
    # A co-unit's: the case another unit leads, on which it holds a live assignment.
    co = others[0]
    actions.assign_case(co, by=cast.coordinator, lead_unit=cast.jiceng, co_units=[cast.yizheng])
    found = queries.similar_for(cast.yizheng_head, title, content, limit=2)
    assert {s.case.pk for s in found} == {mine.pk, co.pk}
    # Once the unit's part ends (the case is returned), it is no longer a candidate.
    actions.return_case(mine, by=cast.yizheng_head, reason="不属于本处室职责")
    found = queries.similar_for(cast.yizheng_head, title, content, limit=2)
    assert [s.case.pk for s in found] == [co.pk]


def test_a_unit_is_shown_only_what_the_database_says_it_may_see(cast, monkeypatch):
    """The index's copy of each case's units may be a moment behind: what it offers is
    checked against the database, and a second, larger round is asked when too few pass."""
    from similar import queries

    title, content = EARLIER[0][1], EARLIER[0][2]
    cases = [register(cast, on=TODAY, title=title, content=content) for _ in range(12)]
    index.search(title, content)  # the index reads the cases: no unit has any
    rows = [index.index().row_of[c.pk] for c in cases]
    index.index().lead[rows] = cast.yizheng.pk  # what a stale index would believe
    assert queries.similar_for(cast.yizheng_head, title, content, limit=3, sync=False) == []
    actions.assign_case(cases[0], by=cast.coordinator, lead_unit=cast.yizheng)
    index.search(title, content)  # brought up to date: case 0 is the unit's
    index.index().lead[rows[1:]] = cast.yizheng.pk  # and the others, falsely
    found = queries.similar_for(cast.yizheng_head, title, content, limit=1, sync=False)
    assert [s.case.pk for s in found] == [cases[0].pk]


def test_a_sync_reads_the_units_of_many_changed_cases_a_chunk_at_a_time(cast, monkeypatch):
    """An import changes tens of thousands of cases at once: their units are read in
    chunks (SQLite takes at most 32,766 parameters a statement), all of them."""
    title, content = EARLIER[0][1], EARLIER[0][2]
    cases = [register(cast, on=TODAY, title=title, content=content) for _ in range(5)]
    index.search(title, content)  # the index holds them, with no unit
    monkeypatch.setattr(index, "IDS_PER_QUERY", 2)
    for case in cases:
        actions.assign_case(
            case, by=cast.coordinator, lead_unit=cast.jiceng, co_units=[cast.yizheng]
        )
    index.search(title, content)  # one sync reads the five
    held = index.index()
    for case in cases:
        row = held.row_of[case.pk]
        assert held.lead[row] == cast.jiceng.pk
        assert set(held.co[row]) == {cast.jiceng.pk, cast.yizheng.pk}


def test_an_answer_kept_for_the_next_asker_follows_every_change(earlier, cast):
    """The same question asked again is answered from what was kept, until a case is
    registered, edited or withdrawn: then it is asked of the index anew."""
    question = ("关于公共场所配置AED除颤器的建议", "建议地铁站商场配置AED")
    first = index.search(*question, limit=3)
    assert index.search(*question, limit=3) == first
    assert len(index.index().answers) >= 1
    new = register(
        cast,
        on=TODAY,
        title="关于在社区推广自动体外除颤器的建议",
        content="公共场所AED配置少，建议在地铁站、商场、社区推广配置AED并培训群众。",
    )
    assert index.search(*question, limit=3)[0].case_id == new.pk
    actions.withdraw_case(new, by=cast.coordinator, reason="重复")
    assert new.pk not in [h.case_id for h in index.search(*question, limit=3)]
    ids, _ = index.ranked(*question, limit=3)
    with pytest.raises(ValueError):
        ids[0] = 0  # what is kept cannot be changed by a caller


@pytest.mark.parametrize("who", ["viewer", "leader", "coordinator"])
def test_a_case_page_finds_a_case_registered_a_moment_ago(earlier, cast, who):
    """The page's panel reads the merged cases before it asks for similar ones: the index
    is still brought up to date by that first question (for a viewer, no card asked
    before it)."""
    from django.test import Client

    question = register(
        cast,
        on=TODAY,
        title="关于公共场所配置AED除颤器的建议",
        content="建议地铁站商场配置AED",
    )
    client = Client()
    client.force_login(getattr(cast, who))
    assert client.get(f"/cases/{question.pk}/").status_code == 200  # the index is built
    new = register(
        cast,
        on=TODAY,
        title="关于在社区推广自动体外除颤器的建议",
        content="公共场所AED配置少，建议在地铁站、商场、社区推广配置AED并培训群众。",
    )
    html = client.get(f"/cases/{question.pk}/").content.decode()
    assert f'href="/cases/{new.pk}/"' in html
