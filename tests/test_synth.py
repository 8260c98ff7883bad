"""Checks of kit.data.synth: the schemas are the oracle for shape and ranges, the module's truth constants the
key for the stories the data must tell (NPS dip, SERVQUAL gaps, Kano classes, recovery paradox, …)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from kit.data import synth
from kit.data.schemas import KINDS, SCHEMAS, SERVQUAL_DIMENSIONS

SMALL = {"n_survey": 800, "n_tickets": 300, "n_trainees": 20}
CJK = re.compile(r"[\u4e00-\u9fff]")
# Kano evaluation table (Berger et al. 1993), written out independently of kit.data.synth:
# rows functional answer 1..5, columns dysfunctional answer 1..5 (1 like, 2 must-be, 3 neutral, 4 live-with, 5 dislike)
KANO = [
    ["Q", "A", "A", "A", "O"],
    ["R", "I", "I", "I", "M"],
    ["R", "I", "I", "I", "M"],
    ["R", "I", "I", "I", "M"],
    ["R", "R", "R", "R", "Q"],
]


@pytest.fixture(scope="module")
def data():
    return synth.sample(0)


@pytest.fixture(scope="module")
def survey(data):
    return data["survey_responses"]


@pytest.fixture(scope="module")
def tickets(data):
    return data["tickets"]


@pytest.fixture(scope="module")
def small():
    return synth.sample(1, **SMALL)


def nps_score(scores: pd.Series) -> float:
    scores = scores.dropna()
    return 100 * ((scores >= 9).mean() - (scores <= 6).mean())


def relative_change(series: pd.Series) -> pd.Series:
    return series.diff() / series.shift().abs()


def cronbach_alpha(items: np.ndarray) -> float:
    k = items.shape[1]
    return k / (k - 1) * (1 - items.var(axis=0, ddof=1).sum() / items.sum(axis=1).var(ddof=1))


def dimension_items(frame: pd.DataFrame, side: str, dim: str) -> np.ndarray:
    k = SERVQUAL_DIMENSIONS[dim][1]
    return frame[[f"{side}_{dim}_{i}" for i in range(1, k + 1)]].astype(float).to_numpy()


# --- contract: determinism, schema, keys, order -----------------------------------------------------
def test_same_seed_gives_identical_frames(small):
    again = synth.sample(1, **SMALL)
    assert list(again) == list(KINDS)
    for kind in KINDS:
        pd.testing.assert_frame_equal(small[kind], again[kind])


def test_another_seed_gives_other_data(small):
    other = synth.sample(2, **SMALL)
    for kind in KINDS:
        assert not small[kind].equals(other[kind]), kind


def test_a_table_size_does_not_change_other_tables(small):
    more_tickets = synth.sample(1, **{**SMALL, "n_tickets": 450})
    more_answers = synth.sample(1, **{**SMALL, "n_survey": 1200})
    for kind in KINDS:
        if kind not in ("tickets", "transcripts"):  # transcripts discuss the tickets
            pd.testing.assert_frame_equal(small[kind], more_tickets[kind])
        if kind not in ("survey_responses", "tickets", "transcripts"):  # tickets come from surveyed customers
            pd.testing.assert_frame_equal(small[kind], more_answers[kind])


def _dtype_ok(column: pd.Series, type_: str) -> bool:
    expected = {"int": "Int64", "bool": "boolean", "datetime": "datetime64[ns]", "date": "datetime64[ns]", "float": "float64", "percent": "float64"}
    if type_ in expected:
        return column.dtype == expected[type_]
    return pd.api.types.is_string_dtype(column)


def simulated(kind: str) -> list:
    """The schema's fields a simulated table has (a simple random sample carries no survey weights)."""
    return [f for f in SCHEMAS[kind].fields if f.name not in synth.NOT_SIMULATED.get(kind, ())]


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_follows_its_schema(data, kind):
    frame, fields, schema = data[kind], simulated(kind), SCHEMAS[kind]
    assert list(frame.columns) == [f.name for f in fields]
    assert len(frame) > 0
    for f in fields:
        column = frame[f.name]
        values = column.dropna()
        assert _dtype_ok(column, f.type), (f.name, column.dtype)
        assert not f.required or column.notna().all(), f.name
        if f.min is not None:
            assert (values >= f.min).all(), f.name
        if f.max is not None:
            assert (values <= f.max).all(), f.name
        if f.type == "percent":
            assert values.between(0, 100).all(), f.name
        if f.choices:
            assert set(values) <= set(f.choices), (f.name, set(values) - set(f.choices))
        if f.type == "date":
            assert (values == values.dt.normalize()).all(), f.name
        if f.type == "period":
            assert values.str.fullmatch(r"\d{4}-\d{2}").all(), f.name
    assert not frame.duplicated(list(schema.key)).any()
    for a, b in schema.order:
        both = frame[a].notna() & frame[b].notna()
        assert (frame.loc[both, a] <= frame.loc[both, b]).all(), (a, b)


def test_sample_links_the_tables(data, survey, tickets):
    assert set(tickets["customer_id"]) <= set(survey["customer_id"])
    assert tickets["customer_id"].duplicated().any()  # some customers complain twice
    assert survey["customer_id"].duplicated().any()  # some customers answer twice
    trainees = set(data["trainees"]["trainee_id"])
    served = set(survey["agent_id"].dropna())
    assert trainees & served and served - trainees
    assert set(data["transcripts"]["ticket_id"]) <= set(tickets["ticket_id"])
    for kind in ("marks", "reaction", "observations", "ninegrid"):
        assert set(data[kind]["trainee_id"]) <= trainees


def test_trained_agents_customers_are_happier_after_training(data, survey):
    trained_on = data["trainees"].set_index("trainee_id")["trained_on"]
    by_trainee = survey[survey["agent_id"].isin(trained_on.index)]
    after = by_trainee["submitted_at"] >= by_trainee["agent_id"].map(trained_on)
    staff = survey[survey["agent_id"].str.startswith("A", na=False)]
    staff_late = staff["submitted_at"] >= pd.Timestamp("2025-05-01")
    trainee_gain = by_trainee["csat"][after].mean() - by_trainee["csat"][~after].mean()
    staff_drift = staff["csat"][staff_late].mean() - staff["csat"][~staff_late].mean()
    assert trainee_gain > 0.05
    assert trainee_gain > staff_drift  # difference in differences
    assert nps_score(by_trainee["nps"][after]) > nps_score(by_trainee["nps"][~after])


# --- survey ---------------------------------------------------------------------------------------
def test_nps_mix_is_35_35_30(survey):
    nps = survey["nps"]
    assert (nps >= 9).mean() == pytest.approx(0.35, abs=0.03)
    assert nps.between(7, 8).mean() == pytest.approx(0.35, abs=0.03)
    assert (nps <= 6).mean() == pytest.approx(0.30, abs=0.03)
    assert 0 <= nps_score(nps) <= 15


def test_satisfaction_effort_and_missing_values(survey):
    assert 4.0 <= survey["csat"].mean() <= 4.3
    assert 2 <= survey["ces"].median() <= 3
    scores = survey[["nps", "csat", "ces"]].astype(float)
    assert scores["nps"].corr(scores["csat"]) > 0.5
    assert scores["ces"].corr(scores["csat"]) < -0.3
    assert 0.01 <= survey["csat"].isna().mean() <= 0.03
    assert 0.02 <= survey["ces"].isna().mean() <= 0.045
    servqual = survey.filter(regex=r"^(exp|perc)_")
    assert servqual.shape[1] == 44
    answered = servqual.notna().sum(axis=1)
    assert answered.isin([0, 44]).all()  # the block is answered whole or not at all
    assert 0.55 <= (answered == 44).mean() <= 0.65
    assert survey["duration_s"].between(60, 600).all() and 150 <= survey["duration_s"].median() <= 300
    assert 0.5 <= survey["met_expectation"].mean() <= 0.85


def test_monthly_dip_triggers_the_two_period_alert(survey):
    by_month = survey.groupby(survey["submitted_at"].dt.month)
    nps = by_month["nps"].apply(nps_score)
    top2 = by_month["csat"].apply(lambda s: (s.dropna() >= 4).mean())
    for series in (relative_change(nps), relative_change(top2)):
        assert all(series[m] < -0.10 for m in synth.DIP_MONTHS), series.round(2).tolist()
    top2_alerts = [m for m in top2.index[1:] if relative_change(top2)[m] < -0.1 and relative_change(top2).get(m - 1, 0) < -0.1]
    assert top2_alerts == [synth.DIP_MONTHS[1]]  # the alert fires once, for the incident only
    after = synth.DIP_MONTHS[1] + 1
    assert nps[after] > nps[synth.DIP_MONTHS[1]] and top2[after] > top2[synth.DIP_MONTHS[1]]
    assert 0 <= nps.drop(list(synth.DIP_MONTHS)).median() <= 20


def test_servqual_gaps_and_reliability(survey):
    answered = survey[survey["exp_tangibles_1"].notna()]
    for dim, true_gap in synth.SERVQUAL_TRUE_GAPS.items():
        expectation, perception = (dimension_items(answered, side, dim) for side in ("exp", "perc"))
        assert perception.mean() - expectation.mean() == pytest.approx(true_gap, abs=0.15), dim
        for items in (expectation, perception):
            assert 0.7 <= cronbach_alpha(items) <= 0.95, dim
    worst = min(synth.SERVQUAL_TRUE_GAPS, key=synth.SERVQUAL_TRUE_GAPS.get)
    gaps = {d: dimension_items(answered, "perc", d).mean() - dimension_items(answered, "exp", d).mean() for d in SERVQUAL_DIMENSIONS}
    assert min(gaps, key=gaps.get) == worst


def test_key_drivers_of_csat_are_reliability_and_responsiveness(survey):
    answered = survey[survey["exp_tangibles_1"].notna() & survey["csat"].notna()]
    x = np.column_stack([dimension_items(answered, "perc", d).mean(axis=1) for d in SERVQUAL_DIMENSIONS])
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    beta = np.linalg.lstsq(np.column_stack([np.ones(len(x)), x]), answered["csat"].astype(float), rcond=None)[0][1:]
    top2 = {list(SERVQUAL_DIMENSIONS)[i] for i in np.argsort(beta)[-2:]}
    assert top2 == set(synth.SERVQUAL_DRIVERS)


def test_four_factor_shortfall(survey):
    factors = survey.filter(regex=r"^f_").astype(float)
    pull = factors.corrwith(survey["csat"].astype(float))
    assert factors.mean().idxmin() == pull.idxmax() == f"f_{synth.FOUR_FACTOR_SHORTFALL}"


def test_customers_tiers_and_journey(survey):
    per_customer = survey.groupby("customer_id")[["tier", "segment", "region"]].nunique()
    assert (per_customer == 1).all().all()
    tiers = survey["tier"].value_counts(normalize=True)
    assert tiers["high"] == pytest.approx(0.2, abs=0.03) and tiers["low"] == pytest.approx(0.5, abs=0.04)
    assert survey["segment"].eq("B2B").mean() == pytest.approx(0.3, abs=0.03)
    csat = survey.groupby("tier")["csat"].mean()
    assert csat["high"] > csat["medium"] > csat["low"]
    assert survey.groupby("journey_stage")["csat"].mean().idxmin() == synth.JOURNEY_PAIN_POINT[0]
    assert survey.groupby("touchpoint")["csat"].mean().idxmin() == synth.JOURNEY_PAIN_POINT[1]
    assert survey.loc[survey["journey_stage"] == "awareness", "agent_id"].isna().all()
    assert survey["region"].nunique() == 7


def test_comments_are_bilingual_noisy_and_match_the_score(survey):
    comments = survey["comment"].dropna()
    assert 0.25 <= len(comments) / len(survey) <= 0.35
    chinese = comments.str.contains(CJK)
    assert 0.68 <= chinese.mean() <= 0.82
    assert comments[~chinese].str.contains(r"[A-Za-z]{3}").all()
    assert comments.nunique() >= 50
    assert (comments.str.contains(r"^\s|\s$|！！！|!!") | comments.str.contains("[👍🤔😡]")).mean() > 0.1
    nps = survey.loc[comments.index, "nps"]
    angry = comments.str.contains("差|没人|太|退款|闪退|Rude|crash|overcharged|nobody|late", case=False)
    assert angry[nps <= 6].mean() > 0.5 > angry[nps >= 9].mean()


def test_million_survey_rows():
    big = synth.survey_responses(1_000_000, seed=5)
    assert big.shape == (1_000_000, len(simulated("survey_responses")))
    assert big["response_id"].is_unique
    assert (big["nps"] >= 9).mean() == pytest.approx(0.35, abs=0.02)


# --- Kano -----------------------------------------------------------------------------------------
def test_kano_true_category_is_modal(data):
    answers = data["kano_answers"]
    assert set(answers["feature"]) == set(synth.KANO_TRUE_CATEGORIES)
    assert set(synth.KANO_TRUE_CATEGORIES.values()) >= {"M", "O", "A", "I"}
    classes = [KANO[f - 1][d - 1] for f, d in zip(answers["functional"], answers["dysfunctional"], strict=True)]
    shares = pd.crosstab(answers["feature"], pd.Series(classes, index=answers.index), normalize="index")
    for feature, true in synth.KANO_TRUE_CATEGORIES.items():
        assert shares.loc[feature].idxmax() == true, feature
        assert 0.5 <= shares.loc[feature, true] <= 0.78, feature
        assert shares.loc[feature, true] - shares.loc[feature].drop(true).max() > 0.15, feature
    assert answers.groupby("response_id").size().eq(len(synth.KANO_TRUE_CATEGORIES)).all()


# --- tickets --------------------------------------------------------------------------------------
def minutes(delta: pd.Series) -> pd.Series:
    return delta.dt.total_seconds() / 60


def test_first_response_times(tickets):
    reply = minutes(tickets["first_response_at"] - tickets["received_at"])
    assert 20 <= reply.median() <= 45
    assert 0.05 <= (reply > 24 * 60).mean() <= 0.15
    assert reply.max() <= 72 * 60
    by_severity = reply.groupby(tickets["severity"]).median()
    assert by_severity["crisis"] < by_severity["major"] < by_severity["minor"]


def test_ticket_mixes_and_process(tickets):
    severity = tickets["severity"].value_counts(normalize=True)
    assert severity["minor"] == pytest.approx(0.7, abs=0.04) and severity["crisis"] == pytest.approx(0.05, abs=0.02)
    assert tickets["channel"].value_counts().idxmin() == "social"
    assert 0.7 <= tickets["fcr"].mean() <= 0.8
    stamps = tickets[["first_response_at", "solution_at", "resolved_at", "verified_at"]].notna()
    assert (stamps.cummin(axis=1) == stamps).all().all()  # a later step only after the earlier ones
    steps = list(SCHEMAS["tickets"].by_name["status"].choices)
    assert (tickets["status"].map(steps.index) == stamps.sum(axis=1)).all()
    still_open = tickets["resolved_at"].isna()
    assert 0 < still_open.sum() <= 0.06 * len(tickets)
    assert tickets.loc[still_open, "recovery_action"].isna().sum() > 0
    assert not tickets.loc[still_open, "fcr"].any()
    causes = tickets["root_cause"].value_counts(normalize=True)
    assert 0.75 <= causes.iloc[:3].sum() <= 0.88  # Pareto: three causes cover ~80 %
    paid = tickets["compensation"][tickets["compensation"] > 0]
    assert 0.15 <= len(paid) / tickets["compensation"].notna().sum() <= 0.5
    assert paid.between(50, 2000).all() and (paid % 10 == 0).all()
    assert (tickets["compensation"].dropna() == 0).mean() > 0.5


def test_failure_types_follow_categories(tickets):
    modal = pd.crosstab(tickets["category"], tickets["failure_type"]).idxmax(axis=1)
    assert modal["服务态度"] == "interpersonal"
    assert modal["产品质量"] == "outcome"
    assert modal["信息错误"] == "communication"
    assert modal["等待时间过长"] == "process"


def test_recovery_paradox(survey, tickets):
    reply = minutes(tickets["first_response_at"] - tickets["received_at"])
    resolve = minutes(tickets["resolved_at"] - tickets["received_at"])
    fast_and_fixed = (reply <= 24 * 60) & (resolve <= 72 * 60)
    slow = reply > 24 * 60

    def promoters(scores: pd.Series) -> float:
        return (scores.dropna() >= 9).mean()

    baseline = promoters(survey["nps"])
    assert promoters(tickets["post_nps"][fast_and_fixed]) > baseline + 0.05
    assert promoters(tickets["post_nps"][slow]) < baseline - 0.15
    churn = tickets["churned_90d"].astype(float)
    assert churn[slow].mean() > churn[fast_and_fixed].mean() + 0.08
    assert tickets.loc[tickets["verified_at"].isna(), "post_nps"].isna().all()  # surveyed at the follow-up call


def test_ticket_people_and_texts(tickets):
    assert tickets["phone"].str.fullmatch(r"1[358]\d{9}").all()
    assert tickets["email"].str.fullmatch(r"[a-z0-9.]+@(mail\.)?example\.(com|cn|net)").all()
    assert tickets["customer_name"].str.fullmatch(r"[\u4e00-\u9fff]{2,4}").all()
    assert (tickets.groupby("customer_id")[["customer_name", "phone", "email"]].nunique() == 1).all().all()
    chinese = tickets["complaint_text"].str.contains(CJK)
    assert 0.7 <= chinese.mean() <= 0.9
    billing = tickets[tickets["category"] == "收费争议"]["complaint_text"]
    assert billing.str.contains("扣|费|charge|bill", case=False).all()


# --- transcripts ----------------------------------------------------------------------------------
def test_transcripts_are_lescant_dialogues(data):
    turns = data["transcripts"]
    sessions = turns.groupby("session_id", sort=False)
    assert sessions.size().between(20, 40).all()
    assert sessions["turn"].apply(lambda t: list(t) == list(range(1, len(t) + 1))).all()
    agent, customer = turns["speaker"] == "agent", turns["speaker"] == "customer"
    assert turns.loc[~agent, "gold_step"].isna().all() and set(turns["gold_step"].dropna()) <= set(synth.LESCANT)
    assert turns.loc[~customer, "emotion"].isna().all() and turns.loc[customer, "emotion"].notna().all()
    humans = turns[turns["speaker"] != "bot"]
    assert (humans.groupby("session_id")["speaker"].apply(lambda s: (s.to_numpy()[1:] != s.to_numpy()[:-1]).all())).all()

    steps = sessions["gold_step"].apply(lambda s: list(dict.fromkeys(s.dropna())))
    complete = steps.apply(lambda s: s == list(synth.LESCANT))
    assert (1 - complete.mean()) == pytest.approx(0.3, abs=0.02)
    assert (~complete).sum() == round(0.3 * len(steps))
    assert steps[~complete].apply(lambda s: s == [x for x in synth.LESCANT if x in s]).all()  # still in order
    blame = sessions["text"].apply(lambda s: s.str.contains("但是您应该|you should have", case=False).any())
    assert blame[~complete].any() and not blame[complete].any()

    moods = turns[customer].groupby("session_id", sort=False)["emotion"]
    change = moods.last() - moods.first()
    assert change[complete.to_numpy()].mean() > 2 > change[~complete.to_numpy()].mean()
    assert (turns.groupby("session_id")["text"].apply(lambda s: s.str.contains(CJK).mean()).isin([0, 1])).all()



@pytest.fixture(scope="module")
def dialogues():
    """Many sessions of both languages and every flaw, besides the sample's 60."""
    return synth.transcripts(400, seed=7)


def _pattern(template: str) -> re.Pattern:
    """A template with its {slots} as wildcards."""
    return re.compile(re.sub(r"\\\{\w+\\\}", lambda _: "(.+?)", re.escape(template)))


def _customer_moves(lang: str) -> dict[str, list[re.Pattern]]:
    """Per agent move, the patterns of the customer lines that answer it ({complaint}: a ticket complaint)."""
    complaints = [c for category in synth._COMPLAINTS.values() for c in category[lang]]
    return {
        move: [_pattern(t.replace("{complaint}", c)) for pool in tones.values() for t in pool for c in (complaints if "{complaint}" in t else [""])]
        for move, tones in synth._DIALOGUE[lang]["reply"].items()
    }


def _agent_moves(lang: str) -> list[tuple[re.Pattern, str]]:
    return [(_pattern(t), move) for pool in synth._DIALOGUE[lang]["agent"].values() for t, move in pool]


def _both(data, dialogues) -> pd.DataFrame:
    return pd.concat([data["transcripts"], dialogues.assign(session_id="X" + dialogues["session_id"])], ignore_index=True)


def _lang(texts: pd.Series) -> str:
    return "zh" if texts.str.contains(CJK).any() else "en"


def _humans(turns: pd.DataFrame):
    """(lang, the session's turns without the bot) per session."""
    for _, session in turns.groupby("session_id", sort=False):
        yield _lang(session["text"]), session[session["speaker"] != "bot"].reset_index(drop=True)


PRE_OFFER = ("greet", "detail", "order", "before", "more", "confirm", "empathize", "sorry", "blame", "correct")


@pytest.mark.parametrize("which", ["sample", "many"])
def test_transcript_customers_answer_the_agent_line_before_them(data, dialogues, which):
    turns = data["transcripts"] if which == "sample" else dialogues
    replies = {lang: _customer_moves(lang) for lang in ("zh", "en")}
    agent_lines = {lang: _agent_moves(lang) for lang in ("zh", "en")}
    openers = {lang: [_pattern(t) for t in synth._DIALOGUE[lang]["open"]] for lang in ("zh", "en")}
    for lang, talk in _humans(turns):
        speakers = talk["speaker"].tolist()
        assert speakers[0] == speakers[-1] == "customer"  # the customer opens and has the last word
        assert any(p.fullmatch(talk["text"][0]) for p in openers[lang])
        for i in range(1, len(talk), 2):
            said, answer = talk["text"][i], talk["text"][i + 1]
            move = next(m for p, m in agent_lines[lang] if p.fullmatch(said))
            assert any(p.fullmatch(answer) for p in replies[lang][move]), (said, answer)
            if talk["gold_step"][i] in ("act", "notify", "thank"):  # once the offer is made, no pre-offer talk
                assert not any(p.fullmatch(answer) for m in PRE_OFFER for p in replies[lang][m]), (said, answer)
        assert next(m for p, m in agent_lines[lang] if p.fullmatch(talk["text"].iloc[-2])) == "thank"


def test_transcript_speakers_stay_in_role(data, dialogues):
    turns = _both(data, dialogues)
    customer, agent = turns[turns["speaker"] == "customer"], turns[turns["speaker"] == "agent"]
    assert not set(customer["text"]) & set(agent["text"])
    agent_patterns = [p for lang in ("zh", "en") for p, _ in _agent_moves(lang)]
    assert not any(p.fullmatch(text) for text in set(customer["text"]) for p in agent_patterns)
    chinese = customer["text"].str.contains(CJK)
    assert not customer.loc[chinese, "text"].str.contains("您").any()  # only the agent is formal
    assert agent.loc[agent["text"].str.contains(CJK), "text"].str.contains("您").mean() > 0.8


HOURS = re.compile(r"(\d+)\s*(?:小时|hours?\b)")
CLOCK = re.compile(r"下午5点|晚上8点|中午12点|\b5 pm\b|\b8 pm\b|\bnoon\b")
VOUCHER = re.compile(r"(\d+)\s*(?:元的|-?yuan)")
ORDER = re.compile(r"\b\d{10}\b|(?<!\d)\d{10}(?!\d)")
ACCEPTS = re.compile(r"可以接受|还行吧|麻烦你了|拜托你了|放心了|works for me|I'm happy|can live with|leave it with you|mind at rest")
TIMED = re.compile(r"\d+\s*(?:小时|hours?\b)|" + CLOCK.pattern)
HOW_LONG = re.compile(r"多久|什么时候|how long|when this", re.IGNORECASE)


def test_transcript_facts_are_asked_for_before_they_are_given_and_agree(data, dialogues):
    def found(pattern, lines):
        return {hit for line in lines for hit in pattern.findall(line)}

    for _, talk in _humans(_both(data, dialogues)):
        texts, speakers, steps = talk["text"].tolist(), talk["speaker"].tolist(), talk["gold_step"].tolist()
        agent = [t for t, who in zip(texts, speakers, strict=True) if who == "agent"]
        customer = {i: t for i, (t, who) in enumerate(zip(texts, speakers, strict=True)) if who == "customer"}
        # the order number: given once, right after the agent asked for it
        given = [i for i, t in customer.items() if ORDER.search(t)]
        assert len(given) == 1 and len(ORDER.findall(customer[given[0]])) == 1
        assert re.search("订单号|order number", texts[given[0] - 1])
        # offers: accepted or questioned only once made, with the agent's hours, clock time and voucher
        offered = steps.index("act")
        assert not any(ACCEPTS.search(t) for i, t in customer.items() if i < offered)
        after = [t for i, t in customer.items() if i > offered]
        for pattern in (HOURS, VOUCHER, CLOCK):
            promised = found(pattern, agent)
            assert len(promised) <= 1 and found(pattern, after) <= promised, (pattern, promised, after)
        assert found(CLOCK, customer.values()) <= found(CLOCK, agent)
        timed = next(i for i, t in enumerate(texts) if speakers[i] == "agent" and TIMED.search(t))
        assert not any(HOW_LONG.search(t) for i, t in customer.items() if i > timed)  # no "how long?" once told
        # the days waited: one number in the whole session
        assert len(found(re.compile(r"(\d+)\s*(?:天|days)"), texts)) <= 1


def test_transcript_moods_follow_the_agent(data, dialogues):
    turns = _both(data, dialogues)
    humans = turns[turns["speaker"] != "bot"]
    answers = humans["speaker"].eq("customer") & humans["speaker"].shift().eq("agent")
    blamed = humans["gold_step"].shift().isna() & answers
    assert (humans.loc[blamed, "emotion"] <= -1).all() and blamed.any()
    steps = turns.groupby("session_id", sort=False)["gold_step"].apply(lambda s: set(s.dropna()))
    complete = steps.apply(lambda s: s == set(synth.LESCANT))
    moods = turns[turns["speaker"] == "customer"].groupby("session_id", sort=False)["emotion"]
    assert moods.apply(lambda e: e.is_monotonic_increasing)[complete].all()  # calmed step by step
    assert (moods.first() <= -1).all()
    angry = moods.apply(lambda e: (e < 0).mean())
    assert angry[~complete].mean() > angry[complete].mean() + 0.25  # flawed handling keeps them angry longer
    assert (moods.last()[complete] >= 1).all() and moods.last()[~complete].mean() < 0


# --- training cohort ------------------------------------------------------------------------------
def test_trainee_roster(data):
    trainees = data["trainees"]
    assert trainees["trainee_id"].str.fullmatch(r"S\d{3}").all()
    assert trainees["hours_ytd"].between(0, 120).all()
    assert trainees["lang"].eq("zh").mean() > 0.7
    assert trainees.groupby("cohort")["trained_on"].nunique().eq(1).all()
    assert trainees["cohort"].value_counts().to_dict() == {"2025-A": 24, "2025-B": 24}
    assert trainees["name"].str.fullmatch(r"[\u4e00-\u9fff]{2,4}").all()


def test_test_scores_rise_and_item_analysis_finds_the_poor_item(data):
    marks = data["marks"]
    tests = marks[marks["phase"].isin(["pre", "post"])]
    share = tests.groupby("phase").apply(lambda m: m["score"].sum() / m["max_score"].sum())
    assert 0.1 <= share["post"] - share["pre"] <= 0.3
    assert tests.groupby(["exercise_id", "phase"])["item"].nunique().eq(10).all()
    assert tests.groupby(["exercise_id", "item"])["max_score"].nunique().eq(1).all()

    discrimination = {}  # item-rest correlation over all pre and post answer sheets
    for exercise, m in tests.groupby("exercise_id"):
        wide = m.pivot(index=["trainee_id", "phase"], columns="item", values="score")
        for item in wide:
            discrimination[exercise, item] = wide[item].corr(wide.drop(columns=item).sum(axis=1))
    discrimination = pd.Series(discrimination)
    assert discrimination.idxmin() == synth.POOR_TEST_ITEM
    assert discrimination[synth.POOR_TEST_ITEM] < 0.3 < discrimination.drop(synth.POOR_TEST_ITEM).median()

    exercises = marks[marks["phase"] == "exercise"]
    assert exercises["exercise_id"].nunique() == 4 and set(exercises["module"]) == {"M1", "M2", "M3", "M4"}
    retries = exercises[exercises["attempt"] == 2]
    retry_share = retries.groupby("exercise_id")["trainee_id"].nunique() / len(data["trainees"])
    assert retry_share.between(0.03, 0.3).all()
    firsts = exercises[exercises["attempt"] == 1].set_index(["trainee_id", "exercise_id", "item"])["score"]
    assert retries.set_index(["trainee_id", "exercise_id", "item"]).index.isin(firsts.index).all()


def test_reaction_observations_and_ninegrid(data):
    reaction = data["reaction"]
    assert 3.9 <= reaction["overall"].mean() <= 4.5
    assert reaction[["best", "improve"]].notna().mean().between(0.4, 0.85).all()

    obs = data["observations"]
    met = obs.groupby("wave")["met"].mean()
    assert met[90] > met[30] + 0.1
    coders = obs.groupby(["trainee_id", "wave", "item"])["observer_id"].nunique()
    assert 0.1 <= (coders == 2).mean() <= 0.32
    pairs = obs.groupby(["trainee_id", "wave", "item"]).filter(lambda g: len(g) == 2)
    a, b = (pairs.groupby(["trainee_id", "wave", "item"])["met"].nth(i).to_numpy(dtype=bool) for i in (0, 1))
    observed = (a == b).mean()
    chance = a.mean() * b.mean() + (1 - a.mean()) * (1 - b.mean())
    assert (observed - chance) / (1 - chance) > 0.4  # Cohen's κ of the double-coded checks
    trained_on = obs["trainee_id"].map(data["trainees"].set_index("trainee_id")["trained_on"])
    days = (obs["date"] - trained_on).dt.days - obs["wave"]
    assert days.between(0, 6).all()

    grid = data["ninegrid"].set_index(["trainee_id", "phase"]).astype(float)
    pre, post = grid.xs("pre", level="phase"), grid.xs("post", level="phase")
    assert (post.mean() > pre.mean()).all()
    assert pre.mean().idxmin() == post.mean().idxmin() == f"ng_{synth.NINEGRID_WEAK}"


# --- KPI snapshots --------------------------------------------------------------------------------
BRIEF_RANGES = {
    "nps": (-20, 70),
    "csat_mean": (3.6, 4.8),
    "csat_t2b": (60, 95),
    "ces": (1.5, 4),
    "fcr": (55, 90),
    "resp_min": (2, 60),
    "resolve_h": (1, 48),
    "complaint_rate": (0.1, 2),
    "retention": (80, 97),
    "renewal": (50, 90),
    "deliverable_q": (3.8, 4.9),
}


def test_kpis_stay_in_the_brief_ranges(data):
    kpis = data["kpi_snapshots"]
    for column, (low, high) in BRIEF_RANGES.items():
        assert kpis[column].between(low, high).all(), column
    assert (kpis["retention"] + kpis["churn"]).round(1).eq(100).all()
    assert kpis.groupby("period").size().eq(len(synth.TEAMS)).all() and kpis["period"].nunique() == 12


def test_exactly_one_team_trips_the_kpi_alert(data):
    alerts = {}
    for team, series in data["kpi_snapshots"].groupby("team"):
        series = series.set_index("period")
        drops = (relative_change(series["csat_t2b"]) < -0.1) & (relative_change(series["nps"]) < -0.1)
        two_in_a_row = drops & drops.shift(fill_value=False)
        if two_in_a_row.any():
            alerts[team] = tuple(p for p in series.index if drops[p])
    assert alerts == {synth.KPI_DIP_TEAM: synth.KPI_DIP_PERIODS}


# --- CSV export -----------------------------------------------------------------------------------
def test_write_sample_writes_canonical_csv(tmp_path):
    paths = synth.write_sample(tmp_path, seed=4, **SMALL)
    assert [p.name for p in paths] == [f"{kind}.csv" for kind in KINDS]
    for kind, path in zip(KINDS, paths, strict=True):
        text = path.read_text(encoding="utf-8")
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert list(frame.columns) == [f.name for f in simulated(kind)]
        for f in simulated(kind):
            values = frame[f.name][frame[f.name] != ""]
            if f.type == "bool":
                assert set(values) <= {"true", "false"}, f.name
            elif f.type == "datetime":
                assert values.str.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}").all(), f.name
            elif f.type == "date":
                assert values.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all(), f.name
        assert not text.startswith("\ufeff")
    survey = pd.read_csv(tmp_path / "survey_responses.csv")
    assert len(survey) == SMALL["n_survey"] and survey["comment"].str.contains(CJK).any()


def test_committed_sample_is_what_the_documented_command_writes(tmp_path):
    from kit.paths import SAMPLE

    written = synth.write_sample(tmp_path, seed=0)
    assert sorted(p.name for p in SAMPLE.glob("*.csv")) == sorted(p.name for p in written)
    for path in written:
        assert (SAMPLE / path.name).read_bytes() == path.read_bytes(), f"run `kit data synth --seed 0` ({path.name})"
