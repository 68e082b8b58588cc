"""What a question asks for, and whether a sentence holds it: the offline answerer's refusals
rest on these. Sentences here are not from the bundled corpus."""

from __future__ import annotations

import pytest

from assistant.answer.entities import asked_entity, asked_role, names_entity, stand_ins
from assistant.answer.question import asked_verb, classify, holds_answer


@pytest.mark.parametrize(
    ("question", "kind", "entity"),
    [
        ("Which think tank published the sanctions report?", "who", "research"),
        ("Which American broadcaster aired the interview?", "who", "outlet"),
        ("What newspaper first reported the leak?", "who", "outlet"),
        ("Which US intelligence agency assessed the hack?", "who", "government"),
        ("Which military alliance did Finland join?", "who", "alliance"),
        ("Which energy company signed the pipeline deal?", "who", "company"),
        ("Which gathering in Munich did the minister skip?", "what", "event"),
        ("Which militant groups claimed the attack?", "who", "armed_group"),
        ("Which Kremlin spokesman denied the report?", "who", None),
        # The noun must be what "which" asks with, not a later word: "which leader did ... summit".
        ("Which leader did the summit host invite?", "who", None),
        ("What sort of information-sharing did the two leaders agree on?", "what", None),
        ("What happened at the Geneva summit?", "what", None),
        ("What events led to the sanctions?", "what", None),
        ("What channels did the two sides use to keep talking?", "what", None),
        ("What social network did Musk buy?", "what", None),
        ("What official statement did the Kremlin release?", "what", None),
        ("What gatherings were banned during the pandemic?", "what", None),
        ("Which international bodies condemned the strike?", "who", "alliance"),
        ("What sparked protests at the conference?", "what", None),
        ("Which United Nations agency sent inspectors?", "who", "government"),
        ("Which armed group seized the town?", "who", "armed_group"),
        # A department alone may be a university's or a company's; a government's where it says so.
        ("Which department did the college close in 2023?", "what", None),
        ("Which federal department opened the inquiry?", "who", "government"),
    ],
)
def test_classify_finds_the_named_thing_asked_for(question, kind, entity):
    k = classify(question)
    assert (k.kind, k.entity) == (kind, entity)


def test_a_blank_is_filled_only_by_a_name_of_its_kind():
    q = "Which think tank employs the economist?"
    assert asked_entity(q) == ("research", "think tank")
    assert names_entity("research", q, "Fiona Hill, a fellow at the Brookings Institution, said so.") == "Brookings Institution"
    # Government bodies, outlets and the question's own names do not fill a think tank's place.
    assert names_entity("research", q, "The White House and the Pentagon declined to comment.") is None
    assert names_entity("research", q, "He told The Washington Post on Monday.") is None
    assert names_entity("research", "Which Brookings Institution scholar?", "A Brookings Institution report.") is None
    assert names_entity("outlet", "Which newspaper?", "He told The Washington Post on Monday.") == "Washington Post"
    assert names_entity("outlet", "Which network?", "The remarks were first aired by CBS News.") == "CBS News"
    assert names_entity("government", "Which agency?", "Officials at the Pentagon said ...") == "Pentagon"
    assert names_entity("alliance", "Which alliance?", "Sweden applied to join NATO in May.") == "NATO"
    assert names_entity("event", "Which gathering?", "He skipped the Munich Security Conference.") == "Munich Security Conference"
    assert names_entity("event", "Which summit did they hold?", "They met at the Geneva summit.") == "Geneva summit"
    assert names_entity("event", "Which summit in Geneva?", "They met at the Geneva summit.") is None
    assert names_entity("event", "Which summit?", "The summit ended early.") is None
    assert names_entity("armed_group", "Which rebel group?", "Fighters of the Free Syrian Army held the town.") == "Free Syrian Army"
    assert names_entity("armed_group", "Which jihadist group besides the Taliban?", "Talks with the Taliban stalled.") is None
    # A name never runs across a line break or a full stop: page furniture is not an outlet.
    assert names_entity("outlet", "Which network?", "Politics\n\nGood news for some. Post a comment") is None


def test_a_named_role_is_held_only_by_a_sentence_that_gives_that_role():
    q = "Which Kremlin spokesman commented on the Biden-Putin summit?"
    k = classify(q)
    # A new person, but no spokesman: not the answer. Names joined by a hyphen are the question's.
    assert not holds_answer(k, q, "Presidents Joe Biden and Vladimir Putin met in Geneva.")
    assert not holds_answer(k, q, "The call was initiated by US President Barack Obama.")
    assert holds_answer(k, q, "Kremlin spokesman Dmitry Peskov said the talks were constructive.")
    # The same role under another name: an analyst is the scholar an article quotes.
    q = "Which analyst warned about the sanctions?"
    assert holds_answer(classify(q), q, "Andrew Weiss, a scholar at the Carnegie Endowment, warned of more.")
    assert asked_role("Which analyst warned?").search("a scholar at the center") and asked_role("Which summit?") is None
    assert set(stand_ins("Which analyst was quoted?")) == {"analyst", "quoted"} and stand_ins("Who wrote it?") == {}


@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        ("Which official announced the sanctions?", "Secretary of State Antony Blinken announced the sanctions on Friday."),
        ("Which diplomat met Lavrov in Geneva?", "US Secretary of State Antony Blinken met Lavrov for talks."),
        ("Which analyst said the summit would fail?", "Dmitri Trenin, director of the Carnegie Moscow Center, said so."),
        ("Which Kremlin official warned the West?", "Kremlin spokesman Dmitry Peskov warned the West on Monday."),
        ("Which analyst warned of escalation?", "Michael McFaul, a Stanford scholar, warned of escalation."),
        ("Which spokesman denied it?", "Putin's press secretary Dmitry Peskov denied it."),
        ("Which agency lent the money?", "The IMF lent the money in 2015."),
        ("Which international bodies condemned the strike?", "NATO and the EU condemned the strike."),
    ],
)
def test_a_role_or_kind_asked_for_is_held_under_its_other_names(question, sentence):
    assert holds_answer(classify(question), question, sentence)


def test_names_are_not_found_inside_words_nor_in_non_names():
    # "RT" is no part of "reported", "UN" of "launched".
    assert names_entity("outlet", "Which broadcaster reported the Kremlin's denial first?", "It was first aired by RT.") == "RT"
    q = "Which summit did Biden and Putin hold?"
    for sentence in ("This summit was long.", "Thursday's meeting went on.", "The Biden-Putin talks ended."):
        assert names_entity("event", q, sentence) is None, sentence


def test_a_name_of_no_known_form_may_answer_a_lenient_kind_but_not_a_strict_one():
    """Companies and agencies often go by bare names ("Gazprom"); think tanks, outlets, alliances
    and summits are told by their form or a closed list, so an unknown name does not fill them."""
    q = "Which company signed the pipeline deal with China?"
    assert holds_answer(classify(q), q, "Gazprom signed the deal in Beijing on Monday.")
    # ... but not a name known to be of another kind, nor the question's own names.
    assert not holds_answer(classify(q), q, "The Kremlin welcomed the deal with China.")
    q = "Which think tank published the sanctions report?"
    assert not holds_answer(classify(q), q, "Gazprom criticised the sanctions report.")
    q = "Which organization did Finland join?"
    assert holds_answer(classify(q), q, "Finland joined NATO in April.")


def test_only_the_role_asked_for_must_be_named():
    """"Who planned an expert board?" asks for a person, not for an expert."""
    q = "Who is the individual who planned an expert board for the exchange?"
    assert holds_answer(classify(q), q, "Sam Bankman-Fried planned a board without investor directors.")


@pytest.mark.parametrize(
    ("question", "verb"),
    [
        ("Who built the Marrowick tidal bridge?", "build"),
        ("Which company signed the deal?", "sign"),
        ("Which countries met in Geneva?", "meet"),
        # A subject, a plural noun or an auxiliary is no verb asked about.
        ("Which jihadist groups did the White House name?", None),
        ("What punitive measures against Russia are cited?", None),
        ("Who is the spokesman?", None),
        ("Which United Nations agency sent inspectors?", "send"),
        ("Which armed group seized the town?", "seiz"),
    ],
)
def test_the_verb_a_question_asks_about(question, verb):
    """The offline answerer weighs the verb asked about above the topic words ("Who built the
    bridge?": a sentence that says who built it, over one that only names the bridge)."""
    assert asked_verb(question) == verb


@pytest.mark.parametrize(
    ("question", "sentence", "holds"),
    [
        # An amount asked for by its noun wants a number, of money for money nouns ...
        ("What revenue did Halvern Foods report for the second quarter?", "Halvern said revenue rose 7 percent in the quarter.", False),
        ("What revenue did Halvern Foods report for the second quarter?", "Revenue reached €88.3 million.", True),
        ("How much will the new pool cost?", "The council approved the new pool on Monday.", False),
        ("How much will the new pool cost?", "The pool is expected to cost £3.4 million.", True),
        # "How much did X give / donate / invest" asks money too; "how much time did they give" does not.
        ("How much did the Glen Trust give towards the project?", "The martens were trapped by the Glen Trust in Scotland.", False),
        ("How much did the Glen Trust give towards the project?", "The Glen Trust gave £300,000.", True),
        ("How much time did the team give the review?", "The team gave the review six weeks.", True),
        # ... a share for share nouns,
        ("What share of the vote did Osei win?", "Osei won 41.2 percent.", True),
        ("What share of the vote did Osei win?", "Osei won in 14 of 20 districts.", False),
        # ... but a margin may be votes, points or seconds as well as a share.
        ("By what margin was the motion defeated?", "It was defeated by 31 votes to 22.", True),
        ("By what margin did Orla win the race?", "Orla won by 2.4 seconds.", True),
        ("By what margin was the motion defeated?", "It was defeated after a long debate.", False),
        # ... and no number the question already gives, nor a time where things are counted.
        ("How many oaks died when the soil was kept 3 degrees warmer?", "At 3 degrees warmer for nine weeks, most oaks kept their leaves.", False),
        ("How many oaks died when the soil was kept 3 degrees warmer?", "Of the 40 oaks in the warm plot, 17 died.", True),
        ("How many weeks did the drought last?", "The drought lasted nine weeks.", True),
        ("How many people were hurt?", "The crash injured 12.", True),
        # "How long", wherever it stands, asks for a length of time, not any number.
        ("Over how long will the cost be recovered from bills?", "The plan will raise the dam by six metres at a cost of £140 million.", False),
        ("Over how long will the cost be recovered from bills?", "The firm will recover the cost through bills over 25 years.", True),
        ("Over how long will the cost be recovered from bills?", "Bills will rise by £11 a year.", False),  # a rate, not a length
        ("For how long had the two sides tried to end the war?", "In the past year, the two sides have tried to end the war.", True),
        ("How long has Ruiz coached the Pilots?", "Ruiz has coached the Pilots since 2019.", True),
        # "How tall / wide / heavy": a size, of the dimension asked where the sentence names one.
        ("How tall is the statue?", "The statue, 4.2 metres wide, was cast in 1921.", False),
        ("How wide is the statue?", "The statue, 4.2 metres wide, was cast in 1921.", True),
        ("How tall is the statue?", "The bronze stands 6 m high on a granite base.", True),
        ("How tall is the statue?", "The statue, cast in 1921, cost £40,000.", False),
        ("How heavy was the bell?", "The bell, which weighs 2.3 tonnes, was cast in Leeds.", True),
        ("How tall is the new tower?", "The tower will have 18 storeys.", True),
        ("What height will the sea wall be?", "The wall will be 1.2 kilometres long.", False),
        ("What height will the sea wall be?", "The wall will be 4 metres high.", True),
    ],
)
def test_an_amount_is_answered_by_a_number_of_its_kind(question, sentence, holds):
    assert classify(question).kind == "how_many"
    assert holds_answer(classify(question), question, sentence) is holds


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("According to Finance Minister Ada Lind, when do the bills arrive?", "when"),
        ("In her speech on Monday, where did the mayor say the depot would go?", "where"),
        ("According to the club, why was Okafor left out?", "why"),
        ("According to the club, what did Okafor sign?", "what"),
    ],
)
def test_the_question_word_after_a_leading_phrase_says_what_is_asked(question, kind):
    assert classify(question).kind == kind


@pytest.mark.parametrize(
    ("question", "verb"),
    [
        ("When will Ruth Ade be sworn in as mayor?", "swear"),
        ("Where did the Pilots train?", "train"),
        ("Who built the bridge?", "build"),
        ("How many people died?", None),
    ],
)
def test_the_verb_a_when_or_where_question_asks_about(question, verb):
    assert asked_verb(question) == verb


def test_a_number_that_names_something_is_no_count():
    from assistant.answer.question import type_match

    assert type_match("how_many", "The authority is studying a Line 4 extension, with no decision before 2027.") == 0.0
    assert type_match("how_many", "The extension adds nine stops between Central and the Park.") == 1.0
    assert type_match("how_many", "About 900 jobs are at risk, the company said.") == 1.0
    assert type_match("how_many", "Varga beat Sofia Marchetti 6-4, 7-5.") == 1.0
    assert type_match("how_many", "Jobs at Gate 7 went, and 40 more at the depot.") == 1.0


@pytest.mark.parametrize(
    ("question", "sentence", "holds"),
    [
        # "At what time" asks for a time of day: the weekday the question gives is no answer.
        ("At what time did the ferry leave on Sunday?", "The ferry left Halvick on Sunday with 180 passengers.", False),
        ("At what time did the ferry leave on Sunday?", "The ferry left at 7.45am on Sunday.", True),
        ("At what time did the ferry leave on Sunday?", "It sailed at 14:10, two hours late.", True),
        ("By what time must the ballots arrive?", "Ballots must arrive by noon on Friday.", True),
    ],
)
def test_a_time_of_day_is_answered_by_a_clock_time(question, sentence, holds):
    assert classify(question).kind == "when"
    assert holds_answer(classify(question), question, sentence) is holds


def test_a_month_or_weekday_is_no_place():
    question = "In which city was the ceasefire agreed?"
    assert not holds_answer(classify(question), question, "The ceasefire was agreed in February and broke down in May.")
    assert holds_answer(classify(question), question, "The ceasefire was agreed in Munich in February.")


def test_a_place_the_question_gives_or_a_peoples_adjective_is_no_answer_to_where():
    question = "In which city was the Ostra ceasefire agreed?"
    assert not holds_answer(classify(question), question, "Envoys sent to Danish diplomats said the Ostra ceasefire was holding.")
    assert not holds_answer(classify(question), question, "The ceasefire in Ostra was agreed on Monday.")
    assert holds_answer(classify(question), question, "The Ostra ceasefire was agreed in Vienna on Monday.")


def test_a_place_named_by_what_it_is_answers_where():
    question = "Where will the inquiry into the flood be held?"
    assert holds_answer(classify(question), question, "The inquiry will be held at the old town hall in June.")
    assert holds_answer(classify(question), question, "Residents who lost homes met the inquiry team in a car park.")
    assert not holds_answer(classify(question), question, "The inquiry will be held in June, the council said.")


def test_a_thing_asked_by_name_is_not_answered_by_an_unnamed_one():
    from assistant.answer.question import unnamed_blank

    question = "Which car-wash business in Corran moved £4 million through its account?"
    assert not holds_answer(classify(question), question, "It cited one case in which a car-wash business in Corran moved £4 million.")
    assert unnamed_blank("At which nursery did the outbreak begin?", "The virus is moving through classrooms, not just nurseries, Ada Pike said.")
    assert unnamed_blank("What was the name of the grandson she was buying a card for?", "She had been buying a birthday card for her grandson.")
    # Named there, before or after it, or a noun a description may answer, or "the ...": not judged.
    assert not unnamed_blank("Which club did Okafor join?", "Okafor joined a club in the third tier, Brayford Town.")
    assert not unnamed_blank("Which scholar told the Wire?", "Ada Pike, a scholar at the Corran Institute, told the Wire.")
    assert not unnamed_blank("Which global deal did they clinch?", "They clinched a global oil deal.")
    assert not unnamed_blank("Which contractor repaired the roof?", "The contractor, who was not charged, repaired the roof.")


def test_a_datelines_outlet_and_place_are_no_answer_to_who():
    q = "Which company sold the Orme shopping centre to Marlow Borough Council?"
    lede = "MARLOW, Sep 18 (Midlands Trade Journal) - The Orme shopping centre has been sold at auction to Marlow Borough Council."
    assert not holds_answer(classify(q), q, lede)
    assert holds_answer(classify(q), q, "The seller, the property fund Varden Real Estate, had owned the centre since 2007.")
    # ... the lede's own clause still may.
    assert holds_answer(classify(q), q, "MARLOW, Sep 18 (Midlands Trade Journal) - Varden Real Estate has sold the Orme shopping centre to Marlow Borough Council.")
