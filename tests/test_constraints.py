"""The constraint check on sentences that are not from the bundled corpus: a question's people,
dates, places, numbers and who-did-what must be in the evidence an answer cites."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.answer.constraint_records import Evidence
from assistant.answer.asked import parse
from assistant.answer.constraints import check
from assistant.answer.evidence import evidence
from assistant.answer.quantity import quantity
from assistant.records import ArticleMeta, Chunk


def names(question: str) -> list[str]:
    return [c.text for c in parse(question).constraints if c.kind == "name"]


def _after(lead: str, sentence: str) -> Evidence:
    """A sentence's evidence where the sentence just before it in its paragraph is `lead`."""
    return Evidence(sentence, lead, None, f"{lead} {sentence}", "", lead, lead)


def misses(question: str, sentence: str, context: str = "", published: date | None = None, article: str = "", source: str = "", near: str = "") -> str:
    return check(parse(question), Evidence(sentence, f"{context}\n{near}", published, article, source, near)).reason()


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What did Mayor Ruth Okafor promise the council?", ["Ruth Okafor"]),  # titles are not names
        ("Why did the Merton-Halsey merger fail?", ["Merton-Halsey"]),  # met by both names
        ("Since what year has Dana Lutz coached the Pilots?", ["Dana Lutz", "Pilots"]),  # an opener names nothing
        ("In which city did Kessler's team win on Sunday?", ["Kessler"]),  # weekdays are dates, not names
        ("Did Ortiz or Bell score the winner?", ["Ortiz or Bell"]),  # either will do
        ("what did the Water Board propose? (Reyes, Harbour Day)", ["Water Board", "Reyes", "Harbour Day"]),  # a follow-up's carried names too
    ],
)
def test_names_a_question_gives(question, expected):
    assert names(question) == expected


def test_a_swapped_person_is_missing_and_the_right_one_is_found():
    sentence = "Governor Alma Reyes ordered the state agency to present a flood plan within 60 days."
    assert misses("What did Governor Tom Hale order the agency to present within 60 days?", sentence).startswith("no mention of Tom Hale")
    assert misses("What did Alma Reyes order the agency to present within 60 days?", sentence) == ""
    # A surname alone is the person; another first name with it is someone else.
    assert misses("What did Alma Reyes order?", "Reyes ordered a flood plan.") == ""
    assert misses("What did Luis Reyes order?", "Alma Reyes ordered a flood plan.").startswith("no mention of Luis Reyes")
    assert misses("What did Alma Reyes order?", "Reyes, the governor, ordered a flood plan.") == ""
    # Two people of one surname, and a name whose words are there but not together.
    assert "Anika Verhoeven" in misses("What did Anika Verhoeven find?", "Dr. Lars Verhoeven found old ice.", context="Verhoeven said more.")
    assert "Kessington Marathon" in misses("Who won the Kessington Marathon?", "Okafor, from Kessington, won the Port Esk Marathon.")


def test_numbers_years_quarters_and_dates_must_match():
    text = "Halvern Foods reported revenue of $412 million for the first quarter, up 9%."
    assert misses("What was Halvern's revenue in Q1 2021?", text, published=date(2021, 4, 28)) == ""
    assert "nothing from 2023" in misses("What was Halvern's revenue in Q1 2023?", text, published=date(2021, 4, 28))
    assert misses("What was Halvern's revenue in Q3 2021?", text, published=date(2021, 4, 28)) == "not Q3"
    assert misses("Which firm grew revenue 9% to $412 million?", text) == ""
    assert misses("Which firm grew revenue 12%?", text) == "no 12"
    # A number the context has, where the cited sentence counts the same thing otherwise.
    assert misses("How many colonies died at 3 degrees?", "At 2.1 degrees, 11 colonies died.", context="Colonies held at 3 degrees all died.") == "no 3 degrees"
    assert misses("How many colonies died at 2.1 degrees?", "At 2.1 degrees, 11 colonies died.") == ""
    assert misses("How many colonies died at 3 degrees?", "Colonies died over three years.") == "no 3 degrees"
    assert misses("What did he order within 30 days?", "He ordered a plan in the next 30 days.") == ""
    near = Evidence("Of 24 colonies, 11 died.", "Colonies held at 3 degrees all died.", None, "", "", "The water was held at 2.1 degrees.")
    assert check(parse("How many colonies died at 3 degrees?"), near).reason() == "no 3 degrees"
    # A report dated the day after the event covers "on 18 April"; one a month later does not.
    call = "The two ministers spoke by phone on Monday."
    assert misses("What did the ministers discuss on April 18?", call, published=date(2016, 4, 19)) == ""
    assert misses("What did the ministers discuss on April 18?", call, published=date(2016, 5, 19)) == "nothing dated 18 April"


def test_context_the_headline_and_the_sentences_before_count():
    # "he said" after the speaker's name counts; so does the headline.
    assert misses("What did Coach Dana Lutz say about the injury?", "“It is a blow,” he said.", context="Dana Lutz spoke after the match.") == ""
    assert misses("What did the Pilots say?", "“We go again,” he said.", context="Pilots stun Rovers in extra time") == ""
    # "the bridge" there is "the Ferris Street bridge" its article names.
    article = "Millbrook council voted on the Ferris Street bridge. The bridge will close in May. Route 9 will close in June."
    assert misses("When will the Ferris Street bridge close?", "The bridge will close in May.", article=article) == ""
    assert misses("When will the Ferris Street bridge close?", "Route 9 will close in June.", article=article) == "no mention of Ferris Street"
    # ... and "the family" there is "the Pendle family" where the article names "the family of Hugh Pendle".
    article = "It was sold by the family of Captain Hugh Pendle. Ada Kerr tried to buy it from the family in 1987."
    assert misses("What did Ada Kerr ask the Pendle family for?", "Ada Kerr tried to buy it from the family in 1987.", article=article) == ""
    assert misses("What did Ada Kerr ask the Pendle family for?", "Ada Kerr tried to buy it in 1987.", article=article) == "no mention of Pendle"
    # A participle's doer is its clause's subject, not the name just before it; a quotation's
    # speaker, reported by another, still says it.
    assert misses("What did Renko suggest in his letter to Vasquez?", "Renko wrote to President Vasquez suggesting new talks.") == ""
    assert "Vasquez, not Renko" in misses("Why did Renko insist on new talks?", "Despite the ministry doubting them, and Vasquez insisting on new talks, ...", context="Renko spoke.")
    # A participle after a comma is its sentence's subject's doing.
    assert "Brayford Town, not Kessington" in misses("By what score did Kessington beat Brayford Town?", "CALDER - Brayford Town reached the final on Saturday, beating Kessington 3-0.")
    assert misses("What did Renko say about water?", "The ministry reported: “Mr Renko said water is shared.”") == ""
    assert "Ministry, not Renko" in misses("What did Renko say about water?", "The Interior Ministry reported that water is shared.", context="Renko visited.")


def test_names_with_ampersands_hyphens_and_roles_between_the_questions_names():
    assert names("What premium do Brannock shareholders get in the Cobb & Pine deal?") == ["Brannock", "Cobb & Pine"]
    # "Cobb & Pine shareholders" cited for "Brannock shareholders" asked: the question names both,
    # but puts only Brannock beside "shareholders".
    cited = "Cobb & Pine shareholders will get $12 a share, a premium of 20 percent."
    context = "Brannock agreed to buy Cobb & Pine."
    assert misses("What premium do Brannock shareholders get in the Cobb & Pine deal?", cited, context=context) == "no mention of Brannock"
    assert misses("What premium do Cobb & Pine shareholders get in the Brannock deal?", cited, context=context) == ""
    # A doer with a title and a hyphenated surname is the person asked about.
    assert misses("What did Dr. Ines Moreau-Vidal say the samples show?", "Dr. Ines Moreau-Vidal, who led the study, said the samples show warming.") == ""


def test_a_background_clause_dates_no_event_of_the_sentence():
    # ", which was first held in 1994" is background: the publication year still stands.
    finished = "Organisers said 9,800 runners finished the race, which was first held in 1994."
    assert misses("How many runners finished the Lorva Marathon in 2023?", finished, context="Lorva Marathon", published=date(2023, 5, 2)) == ""
    assert misses("How many runners finished the Lorva Marathon in 2023?", "In 1994, 900 runners finished.", context="Lorva Marathon", published=date(2023, 5, 2)) == "nothing from 2023"


def test_the_stage_of_a_contest_is_part_of_the_event():
    # A share won in the first round is no share of the runoff, whatever the headline says.
    first = "Lena Marsh, who took 18 percent in the first round, backed Olsen before the runoff."
    assert misses("What share of the runoff vote did Lena Marsh win?", first, context="Olsen wins Varden runoff") == "not the runoff"
    assert misses("What share of the first-round vote did Lena Marsh win?", first) == ""
    assert misses("What share of the run-off vote did Olsen win?", "Olsen took 56 percent in the second round.") == ""
    # A semi-final or quarter-final is not the final; a sentence that only looks ahead to the
    # final takes its stage from where its facts are.
    quarter = "Ames scored the only goal in the quarter-final against Pell."
    assert misses("Who scored in the Shield final?", quarter, context="Rovers reach Shield final") == "not the final"
    assert misses("Who scored in the quarter-final?", quarter) == ""
    assert misses("Who did Rovers beat in the semi-final?", "Rovers reached the final by beating Pell 2-0 in the semi-final.") == ""
    # A stage named only as the one reached tells a win before it ("beat Pell to reach the final"),
    # but one only looked to ("will face Pell in the final") says nothing against it.
    assert misses("Who did Rovers beat in the final?", "Rovers beat Pell 2-0 to reach the final.", context="Rovers into Shield final") == "not the final"
    assert misses("In the Shield final, by what score did Rovers beat Pell?", "Rovers reached the final by beating Pell 31-17.", context="Shield") == "not the final"
    assert misses("In the Shield semi-final, by what score did Rovers beat Pell?", "Rovers reached the final by beating Pell 31-17.", context="Shield") == ""
    assert misses("When is the final?", "Rovers will face Pell in the final on Saturday, May 3.") == ""
    # Only the sentence refutes: a headline about another stage leaves it to the writer's reading.
    assert misses("Who scored in the final?", "Ames headed the winner.", context="Rovers win semi-final at Pell") == ""
    assert misses("Who scored in the final?", "Ames headed the winner.", context="Rovers win at Pell") == ""
    # "final" and "primary" as adjectives name no stage.
    assert not [c for c in parse("What did the final report and the primary school say?").constraints if c.kind == "stage"]
    assert misses("Who won the Democratic primary?", "Hale, a Democratic senator, won the general election in November.") == "not the primary"


def test_a_role_the_question_gives_a_person_must_be_theirs_in_the_evidence():
    # Two people of one surname: the mayor's promise is not the planning director's.
    director = "Anika Pell, the city's planning director, promised a new bridge by 2027."
    assert misses("What did Mayor Pell promise?", director) == "not Mayor Pell"
    assert misses("What did Mayor Pell promise?", "Mayor Lars Pell promised a new bridge.") == ""
    assert misses("What did planning director Pell promise?", director) == ""
    # Where the sentence says nothing of the role, its context may; saying nothing is no conflict.
    assert misses("What did Mayor Pell promise?", "Pell promised a new bridge.", context="Mayor Lars Pell unveils plan") == ""
    assert misses("What did Mayor Pell promise?", "Pell promised a new bridge.") == ""
    # An apposition on either side gives a role; one role's other names are that role.
    runner_up = "Ames crossed the line two minutes clear of the runner-up, Hanne Lund."
    assert misses("What time did winner Hanne Lund run?", runner_up) == "not winner Hanne Lund"
    assert misses("What time did runner-up Hanne Lund run?", runner_up) == ""
    assert misses("What did Chief Executive Ravi Das say?", "Ravi Das, the company's founder and CEO, said sales rose.") == ""
    # Courtesy titles and qualifiers are no roles; a relative clause is not an apposition.
    assert misses("What did Dr. Mei Ota find?", "Mei Ota, the team's lead scientist, found ash.") == ""
    assert misses("What did President Rios say?", "Elena Rios, who was then a senator, said no.") == ""


def test_the_agent_as_the_one_it_is_done_to_is_reversed():
    # "did Renn beat Brandt" against "he edged out Tobias Renn": one verb group, Renn beaten.
    sprint = "The race was won by Elias Brandt after a sprint in which he edged out Tobias Renn by two seconds."
    assert misses("By how many seconds did Tobias Renn beat Elias Brandt?", sprint) == "there it is Elias Brandt, not Tobias Renn, who does what the question asks"
    assert misses("By how many seconds did Elias Brandt beat Tobias Renn?", sprint) == ""
    assert "Marlow Foods, not Halden" in misses("Which company did Halden acquire?", "Marlow Foods acquired Halden for $2 billion.")
    assert "Vell, not Ostra" in misses("What had Ostra accused Vell of?", "Vell had accused Ostra of hiding the losses.")
    assert misses("What had Vell accused Ostra of?", "Vell had accused Ostra of hiding the losses.") == ""
    # Verbs of saying invert ("..., said Irena Vasko"): the name after them says it.
    assert misses("What did Vasko say about the budget?", "The budget must pass by July, said Irena Vasko, a scholar.") == ""


def test_from_is_not_to():
    moved = "The school's 212 pupils will move to Ashdale Primary, 1.6 miles away, in September."
    assert misses("How many pupils will move from Ashdale Primary to Brook Lane?", moved, context="Brook Lane school to close") == "not from Ashdale Primary; not to Brook Lane"
    assert misses("How many pupils will move to Ashdale Primary?", moved) == ""
    assert misses("When did Ruiz move to Pell United?", "Ruiz joined Ostra from Pell United in May.") == "not to Pell United"
    assert misses("When did Ruiz move from Pell United?", "Ruiz joined Ostra from Pell United in May.") == ""
    # Without a verb of going, "to" and "from" say nothing of a direction.
    assert misses("What did the letter from Ostra say?", "Ruiz wrote to Ostra last week.") == ""
    # Where the name has no way of its own, the asked verb's way must not go to another name.
    sold = "The Petrel, bought by Skua Ferries from the Norwegian operator Fjordlink for £4 million, sails on Friday."
    assert misses("Which operator bought the Petrel from Skua Ferries?", sold) == "not from Skua Ferries"
    assert misses("Which operator did Skua Ferries buy the Petrel from?", sold) == ""
    assert misses("How much did Skua Ferries pay to buy the Petrel from Fjordlink?", sold) == ""
    flown = "The probe was launched on an Ariane rocket from Kourou and sent its first signal an hour later."
    assert misses("Which rocket launched the probe from Darmstadt?", flown, context="Darmstadt") == "not from Darmstadt"
    assert misses("Which rocket launched the probe from Kourou?", flown) == ""
    # A place the sentence puts inside or beside the verb's own may be the one asked.
    assert misses("When did the Raiders move to Las Vegas?", "The Raiders moved to Nevada in 2020, settling in Las Vegas.") == ""
    # The name a way goes to is read with its titles and abbreviations: "to U.S. Senator Ada Pell".
    assert misses("Why did Ostra send a letter to Pell?", "Ostra sent a letter on Friday to U.S. Senator Ada Pell.") == ""
    assert misses("Why did Ostra send a letter to Hale?", "Ostra sent a letter on Friday to U.S. Senator Ada Pell.", context="Hale") == "not to Hale"
    # Another name the verb goes to, past a comma or another way, is not its way.
    assert misses("When did Ruiz move to Pell United?", "Ruiz moved in May, after a row in Ostra, and signed for Pell United.") == ""


def test_the_side_a_blank_leaves_to_the_doer_of_a_passing_verb():
    # "Which club did X sell him to?": X is where he came from, whatever verb the evidence tells it with.
    signed = "On Monday Harwick Athletic signed the Danish striker Tomas Brandl from Lisbury Town for £2 million."
    assert misses("Which club did Harwick Athletic sell Tomas Brandl to?", signed) == "not from Harwick Athletic"
    assert misses("Which club did Harwick Athletic buy Tomas Brandl from?", signed) == ""
    assert misses("Which club did Harwick Athletic sell Tomas Brandl to?", "Lisbury Town signed Tomas Brandl from Harwick Athletic.") == ""
    assert misses("Which club did Harwick Athletic sell Tomas Brandl to?", "Harwick Athletic sold Tomas Brandl to Lisbury Town in May.") == ""
    assert misses("To which club did Harwick Athletic loan Tomas Brandl?", "Brandl, 22, joined Harwick Athletic from Lisbury Town in 2023.") == "not from Harwick Athletic"
    # The taker: "Who did Corvane buy the plant from?" is not met where Corvane sold it.
    assert misses("Who did Corvane buy the plant from?", "Corvane sold the plant to Mertz Industries in 2019.") == "not to Corvane"
    assert misses("Who did Corvane buy the plant from?", "Mertz Industries sold the plant to Corvane in 2019.") == ""
    assert misses("To whom did Corvane sell the plant?", "The plant was bought by Mertz Industries from Corvane in 2019.") == ""
    # A blank of another verb leaves no side: "Which city did Ruiz fly to?" is Ruiz going.
    assert misses("Which city did Ruiz fly to?", "Ruiz flew from Lisbury to Ostra on Friday.") == ""


def test_who_did_it_in_a_clause_of_its_own():
    # "Who beat X?": X is the one beaten (the past of "beat" is "beat").
    result = "In Windle, the Green candidate, Amira Holt, beat the deputy leader, Roger Hask, by 14 votes."
    assert misses("Who beat Amira Holt in Windle?", result) == "there it is Roger Hask, not Amira Holt, that it is done to"
    assert misses("Who did Amira Holt beat in Windle?", result) == ""
    assert misses("Who beat Roger Hask in Windle?", result) == ""
    # "X, who proposed ...": the one the relative clause is of does it.
    brief = "Ames took over the transport brief in 2023 from Councillor Neil Prent, who proposed a congestion charge for the city centre in 2019."
    assert misses("What did Councillor Martin Ames propose for the city centre in 2019?", brief, context="Martin Ames") == "there it is Neil Prent, not Martin Ames, who does what the question asks"
    assert misses("What did Councillor Neil Prent propose for the city centre in 2019?", brief) == ""
    # A stage named by a noun's modifier ("a meet record in the heats") is the stage told.
    heats = "Kim Lea broke a meet record in the heats of the 400 metres on Friday morning, then beat Ana Roe to the title."
    assert misses("In what time did Kim Lea break the meet record in the 400 metres final?", heats) == "not the final"
    assert misses("In what time did Kim Lea break the meet record in the 400 metres heats?", heats) == ""
    # A place the question puts "at" ("at Corvane's Denby works") has a rival in another place "at".
    plant = "About 90 of the jobs will move to Corvane's other plant, at Lisbury, 60 miles away, where a new kiln will be lit in March."
    assert misses("When is a new kiln due to be lit at Corvane's Denby works?", plant, context="Corvane will close its Denby works") == "no mention of Denby"
    assert misses("When is a new kiln due to be lit at Corvane's Lisbury plant?", plant, context="Corvane will close its Denby works") == ""


def test_review_of_dev7_mechanisms_on_other_sentences():
    # "Which club was beaten by X?": X does it; "X were beaten by Y" has Y doing it to X.
    lost = "The result turned the tables on the 2019 final, when Corby were beaten 30-10 by Penmoor at the same ground."
    assert misses("Which club was beaten by Corby in the 2019 final?", lost) == "there it is Penmoor, not Corby, who does what the question asks"
    assert misses("Which club was beaten by Penmoor in the 2019 final?", lost) == ""
    # An organisation named by its first word, its article giving the whole name; the
    # region after a relative clause's place is part of that clause, not the doer.
    article = "Tavorin, made by Halvo Therapeutics, costs £86,000. Halvo, which is based in Cambridge, Massachusetts, bought the rights in 2021 from Sjo Bio."
    bought = "Halvo, which is based in Cambridge, Massachusetts, bought the rights in 2021 from Sjo Bio."
    assert misses("From which company did Halvo Therapeutics buy the rights to Tavorin?", bought, article=article, context="Tavorin") == ""
    assert misses("From which company did Halvo Pharma buy the rights to Tavorin?", bought, article=article, context="Tavorin") == "no mention of Halvo Pharma"
    # ... not by a first word that modifies something else there ("Millbeck weir" is no "Millbeck Mill").
    article = "Eels have returned above the old Millbeck weir. The owner of Millbeck Mill objected."
    assert misses("How much did the footbridge below Millbeck Mill cost?", "A new footbridge was built below the mill.", article=article, context="Eels return above Millbeck weir") == "no mention of Millbeck Mill"
    # A taker's verb names no taker by "to": "bought the rights to X".
    assert misses("Who did Halvo Therapeutics buy the rights from?", "Halvo Therapeutics bought the rights to Tavorin from Sjo Bio.") == ""
    # "He said" after a paragraph's sentence naming another speaker: that one's words.
    lead = "Tom Reid, the union's leader, said members were angry."
    ev = _after(lead, "“Our members have worked every rest day since March,” he said.")
    assert "there it is Tom Reid" in check(parse("According to Priya Chand, how have rest days been treated?"), ev).reason()
    assert check(parse("According to Tom Reid, how have rest days been treated?"), ev).reason() == ""
    # Two appositions in a row are read past; "Harton council's chief executive" is the chief
    # executive speaking, not Harton; a sentence of no saying speaks of its subject.
    gave = "Nathan Ellis, the council's deputy chief executive, who is in charge of its technology, gave the committee its first account."
    assert misses("What did Harton council's chief executive tell the committee?", gave, context="Harton council") == "the one speaking there is not the executive"
    assert misses("What did Harton council's deputy chief executive tell the committee?", gave, context="Harton council") == ""
    # A quotation going on from the sentence before is that one's speaker's.
    lead = "“Nobody wants to strand anyone on a platform,” said Declan Moyle, the union's general secretary."
    ev = _after(lead, "“But our members have worked every rest day since March, and the company has treated that as a favour.”")
    assert "there it is Declan Moyle, not Priya Chand" in check(parse("According to Priya Chand, how have rest days been treated?"), ev).reason()
    assert check(parse("According to Declan Moyle, how have rest days been treated?"), ev).reason() == ""
    # A participle of saying is its clause subject's ("..., stressing ...").
    stressed = "Ada Pell sent a message to Tom Hale on Independence Day, stressing the need for talks."
    assert "there it is Ada Pell, not Ruth Ames" in misses("What did Ruth Ames stress in her Independence Day message?", stressed, context="Ruth Ames")


@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        # A reviewer's cases (none from a corpus) where the first versions of this session's
        # rules refused an answer. Opposite senses: only the question's own verb after its
        # subject, only the sentence's main clause, only a verb; never a yes/no question.
        ("How many seats did the Greens win?", "The Greens took 12 seats, while Labour lost 40."),
        ("How much did the Bank of England raise interest rates by?", "The Bank of England lifted its base rate by 0.25 points as inflation fell."),
        ("How many jobs will Corvane cut?", "Corvane will axe 400 jobs as it tries to raise cash."),
        ("Why did the council approve the tower?", "Councillors backed the 20-storey block of flats because the city needs homes."),
        ("Did Labour keep the Hexmoor seat?", "Labour lost Hexmoor to the Greens by 312 votes."),
        ("What did the council leader say about the cuts?", "Ann Bell, the council leader, said the savings were unavoidable."),
        ("Which party gained the Hexmoor seat?", "Labour lost Hexmoor to the Greens by 312 votes."),
        # "the Labour leader" is the leader speaking; "Under manager Tom Hale" is no deputy.
        ("What did the Labour leader say about the budget?", "Keir Starmer, the Labour leader, said the budget had failed."),
        ("What did manager Tom Hale win with Rovers?", "Under manager Tom Hale, Rovers won three league titles."),
        # A way is not read across another ("to Lisbury Town from Pell"); the asked verb's own way first.
        ("Which club did Pell loan Ames to?", "Ames, 19, has gone on loan to Lisbury Town from Pell for the season."),
        ("Which club did Harwick sell Tomas Brandl to?", "Brandl joined Harwick from Lisbury Town in 2019 and was sold to Pell United on Friday."),
        # A weekday of the background is not the sentence's.
        ("Who won Sunday's race?", "Ames won the race on Sunday, a day after taking pole position on Saturday."),
        # "heat" the weather; a stage reached in a relative clause, or before a result told after it.
        ("Who won the final?", "Ames won the title in scorching heat at Flushing Meadows."),
        ("Who won the final?", "Ames, who advanced to the final by beating Roe, beat Lutz 6-2 6-3."),
        ("Who did Ames beat in the final?", "Ames reached the final by beating Roe, and then beat Lutz 6-2 6-3 to take the title."),
        # More nationalities before a title.
        ("What did Israeli Prime Minister Ben Adler say?", "Adler said the talks would go on."),
    ],
)
def test_review_of_the_sessions_rules_answers_stay_answered(question, sentence):
    assert misses(question, sentence, context="Greens Labour Hexmoor Corvane Bank of England Rovers Tom Hale Ames Pell Lisbury Harwick Tomas Brandl") == ""


def test_review_of_the_sessions_rules_sizes_and_short_names():
    from assistant.answer.question import classify, holds_answer

    for question, sentence in [
        ("What length of sentence did Reyes receive?", "Reyes was jailed for six years."),
        ("How tall will the tower be?", "A 310-metre tower will open in 2027."),
        ("How wide was her margin of victory?", "Holt won by 312 votes."),
        ("How tall is the statue?", "The statue is the height of a double-decker bus."),
    ]:
        assert holds_answer(classify(question), question, sentence), question
    # A first word that is someone's surname there is no short name of the firm.
    article = "Morgan Stanley advised Corvane. Ruth Morgan, an analyst at Barclays, said the price was cheap."
    assert misses("What did Morgan Stanley say about the price?", "Morgan said the price was cheap.", article=article) == "no mention of Morgan Stanley"


def test_for_is_not_against():
    against = "Councillor Ada Pike, who voted against the closure, said buses would be needed."
    assert misses("Which councillor voted for the closure?", against) == "not voted for"
    assert misses("Which councillor voted against the closure?", against) == ""
    assert misses("Who argued in favour of the merger?", "Ruiz argued against the merger.") == "not argued for"
    assert misses("Who voted against the plan?", "The board voted 5-2 for the plan; Pike and Ruiz voted against.") == ""
    assert misses("Who voted for the plan?", "Pike, a member since 2019, chaired the vote.") == ""


def test_a_common_word_as_the_last_word_needs_the_whole_name():
    assert misses("What happened on Victory Day?", "The parade marked Independence Day.") == "no mention of Victory Day"
    assert misses("What happened on Independence Day?", "The parade marked Independence Day, the day of the flag.") == ""


def test_who_did_what_to_whom():
    sentence = "Renko wrote to Vasquez proposing new talks."
    assert misses("What did Renko write to Vasquez?", sentence) == ""
    assert "Vasquez, not Renko" not in misses("What did Renko write to Vasquez?", sentence)
    assert misses("What did Vasquez write to Renko?", sentence) == "there it is Renko, not Vasquez, who does what the question asks"
    # Inverted and passive clauses name the doer too.
    assert "Renko, not Vasquez" in misses("What did Vasquez write to Renko?", "“Talks must resume,” wrote Renko in the letter, to Vasquez.")
    # Where the sentence names the agent, someone the question does not name refutes nothing
    # ("Dorsch won the runoff" beside Hallan's first-round share); where it does not, anyone does.
    assert misses("What share did Hallan win?", "Dorsch won the runoff, and Hallan took 12 percent in the first round.") == ""
    # ... but someone else doing it about what the question asks does, the agent named or not.
    offered = "Reyes and Tam spoke on Friday, when Tam offered to send engineers to repair the dam."
    assert "Tam, not Reyes" in misses("What did Reyes offer to repair the dam?", offered)
    assert misses("What did Tam offer to repair the dam?", offered) == ""
    insisted = "The league backed the coach, and the owners insisting that he must be sacked before the derby."
    assert "owners" not in misses("Why did the league insist that the coach be sacked?", insisted)  # no name does
    assert "Northgate, not Eastgate" in misses(
        "Why did Eastgate insist the coach must be sacked?", "Eastgate backed the coach, and Northgate insisting that he must be sacked."
    )
    # Names joined by "and" both do the verb.
    assert misses("Why did Ana Ruiz vote against the plan?", "Ana Ruiz and Tom Hale voted against the plan.", context="The council voted to replace the plan.") == ""
    assert "Brightwater Foods Inc." not in misses("What did Brightwater Foods report?", "Brightwater Foods Inc. reported revenue of $412 million.")
    assert "Vasquez, not Renko" in misses("What was the call that Renko initiated with Vasquez about?", "The call, initiated by President Vasquez, was about water.")
    # An apposition between the doer and the verb is read past.
    assert misses("What did Anna Keller tell the Wire?", "“We won,” she said. Anna Keller, a pollster at the Kestria Institute, told the Wire.") == ""
    assert misses("What did Ana Ruiz say about Eastgate?", "Ana Ruiz, whose son attends Eastgate, said she moved there.") == ""
    # "Did X and Y agree": no one name is the doer.
    assert misses("What did Renko and Vasquez agree on?", "Vasquez agreed with Renko on water.") == ""


def test_according_to_is_the_outlet_or_the_speaker():
    sentence = "Water will be shared equally, the ministry said."
    assert misses("What will be shared, according to the Wire?", sentence, source="Baltic Wire") == ""
    assert "ministry" not in misses("What will be shared, according to the ministry?", sentence)
    assert "no mention of Reuters" in misses("What will be shared, according to Reuters?", sentence, source="Baltic Wire")
    # ... at the head of the question too, and the speaker of a quotation is not who reports it.
    # A quotation over several sentences is its reporter's words, the first sentence too.
    assert misses(
        "According to the Water Board, whom did Renko want pressed to act?", "“Mr Renko stressed the need to press the ministry to act.",
        context="“He spoke warmly,” the Water Board said.",
    ) == ""
    assert "Ministry, not Water Board" in misses("According to the Water Board, what did Renko stress?", "The Interior Ministry reported: “Mr Renko stressed the flow.”", context="The Water Board met.")


def test_another_name_in_the_same_place_is_a_rival():
    # "Trump" only in the lede, the sentence itself about the Obama administration.
    context = "President Trump spoke to Putin for an hour."
    sentence = "The Obama administration had imposed sanctions after the annexation."
    assert misses("Why did the Trump administration impose sanctions?", sentence, context=context) == "no mention of Trump"
    assert misses("Why did the Trump administration impose sanctions?", "The sanctions stay, the aide said.", context=context) == ""
    # The same word on the other side is no such place: "the Aske River treaty" / "the treaty, Lorva".
    # A place of the same kind named in its place: "Market Street" where "High Street" is asked.
    shut = "Market Street was closed for 11 days after the collapse."
    assert misses("For how many days was the High Street shut after the collapse?", shut, context="In 2016 a scaffold fell into the High Street.") == "no mention of High Street"
    assert misses("For how many days was Market Street shut after the collapse?", shut) == ""
    assert misses("How many colonies from the Tarrant Reef died?", "Of the 24 colonies from the Tarrant Reef, 11 died, against 3 at Selwyn Reef.") == ""
    treaty = "Lorva and Dunmere signed a treaty to share the Aske River."
    assert misses("What flow does the Aske River treaty guarantee?", "Under the treaty, Lorva guarantees 90 cubic metres a second.", context=treaty) == ""


def test_countries_their_people_and_capitals():
    assert misses("What did Ukraine's minister say?", "The Ukrainian minister said talks would resume.") == ""
    # "the Western allies", "the Russian leader": a kind of thing, not a name the evidence must give.
    assert names("What did the Western allies and the Russian leader sign in Minsk?") == ["Minsk"]
    assert names("What did the Helsinki summit decide?") == ["Helsinki"]
    assert misses("Why did Moscow object?", "Russian officials objected to the plan.") == ""
    assert misses("Why did Britain object?", "British officials objected.") == ""
    assert misses("Why did France object?", "German officials objected.") == "no mention of France"


def test_evidence_reads_the_chunk_around_the_sentence():
    text = "Voters in Kestria went to the polls.\nThe runoff pitted Renko against Hallan. “We won,” she said.\nAnna Keller, a pollster, told the Wire."
    meta = ArticleMeta(title="Kestria votes", published=date(2024, 5, 27), outlet="Baltic Wire")
    chunk = Chunk(id="c", article_id="a", index=0, text=text, start=100, end=100 + len(text), meta=meta)
    at = 100 + text.index("“We won")
    ev = evidence(chunk, at, at + len("“We won,” she said."), article_text=" " * 100 + text)
    assert "Renko" in ev.context and "Kestria votes" in ev.context and "Baltic Wire" in ev.source
    assert ev.sentences == "“We won,” she said."
    assert ev.article.strip() == text


def test_a_question_in_several_parts():
    from assistant.answer.asked import has_several_parts

    assert has_several_parts("Does the Wire say rates rise, while the Herald says they fall?", 0)
    assert has_several_parts("Which striker scored in both the 2019 final and the 2022 semi-final?", 0)
    assert has_several_parts("Who is the CEO named by TechCrunch and by The Verge?", 2)  # two outlets
    assert has_several_parts("Between the Wire report of 2 May and the subsequent report of 9 May, did rates change?", 1)
    assert has_several_parts("Did the Wire report a win for Kessington, and did it also report a loss for Marlow?", 1)
    assert not has_several_parts("What did both leaders agree on the call between Renko and Vasquez?", 1)
    assert not has_several_parts("According to the Wire's report, why did Renko resign?", 1)


def test_review_of_the_stage_side_role_direction_and_reversal_checks():
    """Answerable questions a reviewer found refused, and near misses found answered; each
    failed before its fix."""
    ok = [
        # Stages: background clauses, names, compound stages, adjectives, look-aheads.
        ("Who won the general election?", "Hale won the election with 52 percent of the vote.", "Hale, who won the Democratic primary in June, campaigned on housing."),
        ("How many votes did Hale win in the general election?", "Hale, who taught at Eastgate Primary School for 20 years, won 18,000 votes.", ""),
        ("Who won the first leg of the semi-final?", "Brayford won the first leg 2-0 at home.", "Brayford take control of Cup semi-final"),
        ("Who won the Republican primary runoff?", "Hale won the runoff with 58 percent.", "Texas primary runoff: Hale beats Pell"),
        ("Who did Brayford beat on the way to the final?", "Brayford beat Kessington 2-1 in the semi-final to reach the final.", ""),
        ("Who scored in the final 10 minutes of Brayford's semi-final win?", "Okafor scored twice in the last 10 minutes as Brayford won the semi-final.", ""),
        ("Who won the final?", "Lund, who had knocked out Ortiz in the semi-finals, beat Kerr 6-3 6-4 to take the title.", "Lund wins Harbour Open final"),
        # Sides: a time after "for" is no side; "12 votes for" is a count.
        ("Did Pell vote against the budget?", "Pell voted for the third time against a budget she called reckless.", ""),
        ("Who campaigned against the closure?", "Parents, who had campaigned for months against the closure, cheered.", ""),
        ("Who spoke against the proposal?", "Okafor spoke for ten minutes against the proposal.", ""),
        ("Did Hale argue against the merger?", "Hale argued for hours that the merger was against the public interest.", ""),
        ("How many councillors voted against the measure?", "The measure passed with 12 votes for and 3 against.", ""),
        # Roles: abbreviations and synonyms, past roles, an apposition's head only, relatives.
        ("What did Governor Hale sign?", "Gov. Hale signed the bill on Tuesday.", ""),
        ("What did Judge Marsh rule?", "Mr Justice Marsh ruled that the firm had acted unlawfully.", ""),
        ("What did Mayor Pell say?", "Pell, a former teacher, said the plan was sound.", ""),
        ("What did President Hale say?", "Hale, the former governor, said no.", ""),
        ("What did coach Lutz say?", "Lutz, the Brayford manager, said the team was ready.", ""),
        ("What did Mayor Pell say?", "Pell, the daughter of a judge, said the plan was sound.", ""),
        ("What did captain Okafor say?", "Brayford will appoint a new coach, Okafor told reporters.", ""),
        ("What did winner Hanne Lund say after the race?", "Hanne Lund, the defending champion, said she was tired.", ""),
        ("What did Professor Lund find about the glacier?", "Lund, a scientist at the Polar Institute, found it had thinned.", ""),
        ("What did striker Tom Okafor say about his sister?", "Tom Okafor said his sister, Mayor Ruth Okafor, had always backed him.", ""),
        # Who did it: the passive's doer follows "by"; a noun's owner; a background clause.
        ("In how many sets did Renn defeat Brandt?", "Brandt was defeated in straight sets by Renn on Sunday.", ""),
        ("When did Kessler buy Marlow?", "Marlow was bought last year by Kessler for $2bn.", ""),
        ("Why did Brayford sack Lutz?", "Lutz was sacked on Monday by Brayford after six defeats.", ""),
        ("In which round did Brandt beat Renn?", "Renn's defeat to Brandt in the third round ended her run.", ""),
        ("Did Renn beat Brandt?", "Brandt, who beat Renn in the semi-finals last year, lost 6-4 6-3 to Renn on Sunday.", ""),
        # Direction: only where a verb of going governs it, and not in a background clause.
        ("How much did Brayford receive from Kessington for Okafor's transfer?", "Okafor's transfer to Kessington earned Brayford £3m.", ""),
        ("What did Pell say about moving the market back to Eastgate?", "Pell said the market, which moved from Eastgate to its current site in 1998, should return.", ""),
    ]
    for question, sentence, context in ok:
        assert misses(question, sentence, context=context) == "", (question, sentence)
    near_misses = [
        ("Who voted for the merger?", "Pell and Hale voted unanimously against the merger."),
        ("What did Mayor Pell say?", "Tom Pell, the mayor's spokesman, said the plan was sound."),
        ("Did Brandt beat Renn?", "Renn beat Brandt 6-4 6-3."),
        ("When did Renn beat Brandt?", "Renn's defeat to Brandt on Tuesday ended her winning run."),
        ("Did Marlow buy Kessler?", "Regulators cleared Kessler's purchase of Marlow."),
        ("According to union leader Ada Castell, why can the port not stand still?", "“Automation is coming, and the port cannot stand still,” Rao said."),
        ("How much a year will the cuts that cost $210 million save?", "The cuts would cost about $140 million and save $210 million a year."),
        ("By how much did the 15-milligram dose cut admissions?", "The 10-milligram dose cut admissions by 15 percent."),
        ("How far east of Pinecrest is the shelter?", "The shelter is 35 kilometres to the west of Pinecrest."),
        ("How many cots were set up at Pinecrest High School?", "The Red Cross set up 900 cots at Pinehurst High School."),
    ]
    for question, sentence in near_misses:
        assert misses(question, sentence) != "", (question, sentence)
    assert misses("Who was the wealthiest individual under 30 in the world?", "He was the richest person in the world under 30, he said.") == ""
    assert misses("How much a year will the cuts that cost $140 million save?", "The cuts would cost about $140 million and save $210 million a year.") == ""
    assert misses("What share did Mayor Ann Ross win in Ashford?", "In neighbouring Ashwood, Mayor Ann Ross won 58 percent.", context="Ashford elects Lee") == "no mention of Ashford"
    assert misses("How long did the strike at the Port of Tamsin last?", "It was the longest strike at Tamsin since 2019.", context="Port of Tamsin strike ends") == ""
    assert misses("Which party's eight members voted for the budget?", "The coalition voted for it with the eight Green members.") == ""
    assert misses("By what score did Varga beat Ruiz in the final?", "Varga beat Ruiz 6-4, 7-5 in the semi-final.", context="Kovac wins Open final") == "not the final"


def test_review_cases_not_from_the_corpus():
    """Inputs a reviewer tried: each failed before its fix."""
    # A month is a whole month name, and a sentence's own date or year beats the publication date.
    assert "nothing from January" in misses("Who did Okafor meet in January?", "Okafor met Janet Reyes in October.")
    assert "nothing dated 7 February" in misses("What happened in York on 7 February?", "Floods hit York, officials said on 5 February.", published=date(2024, 2, 10))
    assert "nothing from 2023" in misses("What did Okafor promise in 2023?", "Okafor promised a new bridge in 2021.", published=date(2023, 5, 1))
    assert misses("What did the club win in 2019?", "The club won its first cup since 1988.", published=date(2019, 5, 19)) == ""
    assert misses("What happened on March 3, 2024?", "On 2024-03-03 the dam broke.") == ""
    # A place found only in the lede, where the sentence names another place in its stead.
    assert "no mention of Leeds" in misses("How many homes did the flood destroy in Leeds?", "The flood destroyed 40 homes in York.", context="Floods hit Leeds and York")
    # Look-alike names are other names; a country and its people are one.
    for a, b in (("Paul Smith", "Paula Smith"), ("Martin", "Martina"), ("Niger", "Nigeria")):
        assert misses(f"What did {a} sign?", f"{b} signed the deal.") != "", (a, b)
    for a, b in (("Nigeria", "Nigerian"), ("Germany", "German"), ("Iran", "Iranian"), ("China", "Chinese")):
        assert misses(f"What did {a} sign?", f"The {b} government signed the deal.") == "", (a, b)
    assert names("What did New Mexico pass?") == ["New Mexico"]
    # A headline above the sentence is not part of a name; apostrophes and accents are one.
    assert misses("What did Ruth Okafor promise?", "Okafor promised a new bridge.", context="Bridge Plan Unveiled") == ""
    assert misses("What did O'Brien say?", "O’Brien said no.") == ""
    assert misses("What did Jose Alvarez say?", "José Álvarez said no.") == ""
    # Verb forms: "sued" and "suing" are "sue".
    assert "Moderna, not Pfizer" in misses("What did Pfizer sue Moderna over?", "Moderna sued Pfizer over patents.")
    # Decades and clock times are no counts; a long question parses in linear time.
    assert not [c for c in parse("What happened in the 1990s at 3pm?").constraints if c.kind == "number"]
    import time

    started = time.perf_counter()
    parse("How many " + "1" * 5000 + "? " + "1-" * 2500)
    check(parse("Who met " + "Aa " * 500 + "?"), Evidence("Bb " * 2000 + "met."))
    check(parse("What did Mayor Pell say?"), Evidence("Renn Brandt Okafor Lund Pell Hale " * 300 + "said."))
    assert time.perf_counter() - started < 5


def test_a_count_in_words_joined_to_its_measure_is_a_number():
    # "two" alone is too often no count ("the two leaders"); "a two-hour call" is one.
    assert misses("Why did the mayors hold their two-hour call?", "The mayors spoke for an hour to settle the dispute.") == "no two-hour"
    assert misses("Why did the mayors hold their two-hour call?", "The mayors held a two-hour call to settle the dispute.") == ""
    assert misses("Why did the mayors hold their two-hour call?", "The call lasted two hours, the longest since 2019.") == ""
    assert misses("Who called the three-day strike?", "The union called a 48-hour strike in March.") == "no three-day"
    assert misses("Who called the 48-hour strike?", "The union called a forty-eight-hour strike.") == ""
    assert misses("What did the two leaders agree?", "Both leaders agreed to meet again.") == ""  # no count asked
    assert misses("What did the Second World War Two years teach?", "The Second World War Two years taught them much.") == ""  # a name's


def test_who_holds_a_role_is_answered_by_a_named_holder_of_that_role():
    from assistant.answer.constraints import holder_named

    question = "Who is the governor of the Marovian central bank?"
    assert not holder_named(question, "The central bank's governor said last month that the target was ambitious.")  # no one named
    assert not holder_named(question, "The Greens' leader, Alva Persson, said her party had won.")  # another role
    assert holder_named(question, "Lena Holm, the central bank's governor, said rates would rise.")
    assert holder_named(question, "Governor Lena Holm of the central bank said rates would rise.")
    assert holder_named("Who is the chief executive of Brannock?", "Brannock CEO Maria Lopez said profits rose.")  # the same role
    assert not holder_named("Who is the chief executive of Brannock?", "Brannock said profits rose.")
    assert holder_named("Who was the US ambassador to Marovia in 2019?", "Ambassador Tom Reese left Marovia in 2019.")
    assert not holder_named("Who was the US ambassador to Marovia in 2019?", "President Ann Cole visited Marovia in 2019.")
    assert holder_named("Who is the first person to swim the strait?", "Nobody has.")  # asks no role
    # A stand-in's or a deputy's role asked ("acting leader") is not met by the role alone, and a
    # question may open with its time ("After the vote, who became ...").
    acting = "After Monday's vote, who became acting leader of Orme Council?"
    assert not holder_named(acting, "Ann Lee was removed as leader of Orme Council on Monday.")
    assert holder_named(acting, "Her deputy, Tom Hale, becomes acting leader until May.")
    assert holder_named(acting, "Tom Hale will stand in as leader of Orme Council until May.")
    assert holder_named("Who is the interim manager of Rovers?", "Rovers have appointed Ann Lee as caretaker manager of the club.")
    assert holder_named("Who became leader of Orme Council?", "Ann Lee was elected leader of Orme Council on Monday.")


def test_what_a_question_asks_about_is_not_who_says_it():
    from types import SimpleNamespace

    from assistant.answer.asked import topic_terms
    from assistant.answer.covering import _off_topic

    question = "According to union leader Ada Marsh, why can the Tamsin port not stand still?"
    assert topic_terms(parse(question)) == {"port", "stand", "still"}
    marsh = SimpleNamespace(text="“We did not strike for money alone,” said Ada Marsh, head of the dockers' union.")
    other = SimpleNamespace(text="“Automation is coming, and the port cannot stand still,” the port's chief Ravi Kent said.")
    # Marsh's words are about something else; the port's standing still is Kent's: no answer of hers.
    assert _off_topic([marsh], [other], topic_terms(parse(question)))
    # Where her own words touch it, they answer.
    assert not _off_topic([SimpleNamespace(text="Marsh said the port could not stand still on pay.")], [other], topic_terms(parse(question)))
    # A refuted sentence sharing one word of it is no sign the thing asked is someone else's.
    assert not _off_topic([marsh], [SimpleNamespace(text="Kent said the port would reopen.")], topic_terms(parse(question)))


def test_what_a_question_asks_about_is_what_is_particular_to_it():
    from types import SimpleNamespace

    from assistant.answer.asked import topic_terms
    from assistant.answer.covering import _foreground, _off_topic

    article = ("The two colleges will merge. College staff were told on Monday. The merged college will open in 2028. "
               "“Two colleges that each struggle to afford a pool can together afford a fine one,” she said.")
    question = "According to Dr Omar Pell, what can the two colleges together afford?"
    topic = topic_terms(parse(question))
    # "college" is what the whole article is about; "afford", "together" what the question asks.
    assert _foreground(topic, [article]) == {"afford", "togeth"}
    pell = SimpleNamespace(text="Dr Omar Pell, the deputy head, told staff that 90 posts would go at the college.")
    hers = SimpleNamespace(text="“Two colleges that each struggle to afford a pool can together afford a fine one,” she said.")
    # Pell's sentence shares only the article's own word: what can be afforded together is hers.
    assert not _off_topic([pell], [hers], topic)
    assert _off_topic([pell], [hers], _foreground(topic, [article]))
    # A sentence of his that tells it answers.
    assert not _off_topic([SimpleNamespace(text="Pell said the colleges could together afford a new library.")], [hers], _foreground(topic, [article]))
    # The word that makes the question's role is who, not what: "medical" in "the trust's medical director".
    director = "What did the Dunmore trust's medical director tell the board that every one of the reviews names?"
    assert "medic" not in _foreground(topic_terms(parse(director)), ["The board met."], director)
    # Refuted only for who says it (the deputy, not the director): the thing asked is said, by another.
    from assistant.answer.constraint_records import Constraint, Coverage
    from assistant.answer.covering import _other_who
    assert _other_who(Coverage(missing=(Constraint(kind="speaker role", text="director", alternatives=("director",)),)))
    assert not _other_who(Coverage(missing=(Constraint(kind="year", text="2021", alternatives=("2021",)),)))
    # Words that ask when, or that something took place, are no topic: "take place" is told of any event.
    when = "On what date did the Pell-Amos phone call take place, according to Pell?"
    assert _foreground(topic_terms(parse(when)), ["A call."]) == {"phone", "call"}


def test_what_someone_said_must_be_said_by_them_in_the_cited_sentence():
    question = "What did Ada Pruitt say about the flood barrier?"
    # Named, but saying nothing: no answer of hers.
    assert misses(question, "The barrier was built under Ada Pruitt, who ran the agency until 2019.") == "Ada Pruitt says nothing there"
    # Another speaker, even where she is named in what they say.
    assert "not Ada Pruitt" in misses(question, "Engineers argued that Ada Pruitt had approved the flood barrier too late.")
    assert misses(question, "Ada Pruitt warned that the flood barrier would not hold.") == ""
    assert misses(question, "“It will not hold,” Ada Pruitt said of the flood barrier.") == ""
    # A speaker described before the name is still the speaker; one described after it too.
    assert misses("What did Harwick engineer Tom Bale say about the barrier?", "“It will hold,” said Tom Bale, Harwick's chief engineer.") == ""
    assert misses("What did Tom Bale say about the barrier?", "Tom Bale, Harwick's chief engineer, said the barrier would hold.") == ""
    # Two who say it together: either is the one asked about.
    assert misses("What did Ada Pruitt and Tom Bale say about the barrier?", "Pruitt and Bale said the barrier would hold.") == ""
    assert misses("Which deal did Tom Bale say they had clinched?", "Ada Pruitt and Tom Bale say they clinched a barrier deal.") == ""
    # Named as the side a disclosure comes from, the agent says it ("it was revealed").
    assert misses("According to the Water Board, what did both towns agree?", "On the Water Board side, it was revealed that both towns agreed to share costs.") == ""


def test_a_day_of_the_month_is_the_sentences_own():
    # Its own date outweighs one its context names: November 11's find is no November 13 find.
    found = "The Orr family found 340 dead birds in one shed on Tuesday, November 11."
    assert misses("How many dead birds did the Orr family find on November 13?", found, context="The farm was cleared on November 13.") == "nothing dated 13 November"
    assert misses("How many dead birds did the Orr family find on November 11?", found, context="The farm was cleared on November 13.") == ""
    # A sentence that dates nothing of its own takes its context's date.
    assert misses("How many dead birds did the Orr family find on November 13?", "They found 340 dead birds.", context="On November 13 the Orr family went into the sheds.") == ""
    # ... and a date it only looks back to ("since") is not its own.
    assert misses("What did the Orr family find on November 13?", "They found 340 dead birds, the most since October 2.", context="On November 13 the Orr family went into the sheds.") == ""


def test_a_date_still_to_come_or_in_an_aside_is_not_the_sentences_own():
    met = "Orme council met on November 13."
    for sentence in ("Councillors agreed to close the pool by December 1.",
                     "The judge ruled that the trial, due to start on December 2, must be delayed.",
                     "Halvern said it would pay a dividend of 4p on December 12.",
                     "The club confirmed that Kell, injured on November 2, will miss six weeks.",
                     "The committee decided the plan, unveiled on 2 October, should go ahead."):
        assert misses("What did Orme council agree on November 13?", sentence, context=met) == "", sentence
    assert misses("What did Orme council agree on November 13?", "Orme council agreed on November 11 to close the pool.", context=met) == "nothing dated 13 November"


def test_a_weekday_is_a_date():
    assert misses("By what margin did councillors approve the cap on Thursday?", "Councillors approved the cap by nine votes to four.", context="The council voted on Tuesday to cap lets.") == "not on Thursday"
    assert misses("By what margin did councillors approve the cap on Tuesday?", "Councillors approved the cap by nine votes to four.", context="The council voted on Tuesday to cap lets.") == ""
    assert misses("What did the council approve on Thursday?", "Councillors approved the cap by nine votes to four.") == ""  # no day named: it cannot say
    assert misses("What happened at Sunday's final?", "Sunday's final ended in a tie-break.") == ""
    # The sentence's own day outweighs its context's: Saturday's race is no Sunday race.
    saturday = "On Saturday evening, Jo Amos won the 100 metres freestyle in 48.9 seconds."
    assert misses("Who won the 100 metres freestyle on Sunday evening?", saturday, context="SALLOWBY, April 7 - ... on Sunday morning") == "not on Sunday"
    assert misses("Who won the 100 metres freestyle on Saturday evening?", saturday, context="SALLOWBY, April 7 - ... on Sunday morning") == ""
    # ... but a day its main clause leaves to the background is not its own; any day it names may be asked.
    assert misses("Who won Sunday's race?", "Ames won the race, a day after taking pole position on Saturday.", context="Sunday") == ""
    assert misses("When must music stop on Sunday?", "The committee decided on Monday that music must stop at 10pm on Friday, and at 9pm on Sunday.") == ""
    # ... but not one that gives the verb asked other days only: the Monday there is the decision's.
    assert misses("When must music stop on Monday?", "The committee decided on Monday that music must stop at 10pm on Friday, and at 9pm on Sunday.") == "not on Monday"
    assert misses("When must music stop on Saturday?", "The committee decided on Monday that music must stop at 10pm on Friday and Saturday.") == ""
    assert misses("When must music stop on Sunday?", "Music must stop at 10pm on Friday, an hour earlier than before, and at 9pm on Sunday.") == ""
    assert misses("What did the committee decide on Monday?", "The committee decided on Monday that music must stop at 10pm on Friday.") == ""
    # Another verb's clause has its own days: "to strike on Wednesday", "resigned on Wednesday".
    assert misses("What did the union vote on Wednesday to do?", "The union voted on Monday to strike on Wednesday.") == "not on Wednesday"
    assert misses("Who was appointed chair on Wednesday?", "Ada Reade, who was appointed chair on Monday, resigned on Wednesday.") == "not on Wednesday"
    # An infinitive's time is its own: "voted to close the library on Friday" dates the closing.
    assert misses("By how many votes did councillors vote on Monday?", "Councillors meeting on Monday voted to close the library on Friday.") == ""


def test_a_size_asked_is_not_met_by_another_measure_of_the_thing():
    question = "What is the height of the viaduct over the River Lenn?"
    assert misses(question, "The road crosses the River Lenn on a viaduct 210 metres long.") == "not the height (another measure there)"
    assert misses(question, "The viaduct over the River Lenn stands 30 metres high.") == ""
    assert misses(question, "The viaduct over the River Lenn is 210 metres long and 30 metres high.") == ""
    assert misses(question, "The viaduct over the River Lenn opened in May.") == ""  # no measure: it cannot say
    assert misses("What is the width of the Lenn viaduct?", "The Lenn viaduct is 210 metres long.") == "not the width (another measure there)"
    # A size with no dimension beside it may be the one asked; a dimension word beside no size is no measure.
    assert misses("What is the height of the Lenn viaduct?", "The Lenn viaduct, on the High Street, rises 30 metres.") == ""
    assert misses("What is the height of the Lenn viaduct?", "The long-delayed Lenn viaduct rises 30 metres above the water.") == ""
    # "The length of the strike", "the weight of the fine": not sizes.
    assert "dimension" not in [c.kind for c in parse("What was the length of the Lenn strike?").constraints]
    # "How wide was her margin", "how heavy the losses": figurative, any number.
    assert misses("How wide was Orla's margin of victory?", "Orla won by 12 metres in a race 400 metres long.") == ""
    # ... but asked of what a thing is, in the present, they ask its size: "how high is the lift car?"
    assert misses("How high is the new lift car at Orme House?", "The new lift car at Orme House is 2.1 metres deep.") == "not the height (another measure there)"
    assert misses("How high is the new lift car at Orme House?", "The new lift car at Orme House is 2.3 metres high.") == ""
    assert misses("How heavy is each of the new sails?", "Each of the new sails is 11.5 metres long.") == "not the weight (another measure there)"
    assert misses("How deep is Lake Orme?", "Lake Orme is 40 metres deep and 3 kilometres long.") == ""
    assert quantity("How heavy were the Orme Bank losses?") == ("size", "heavy")  # figurative: any number


def test_a_place_asked_is_the_sentences_own():
    question = "On which horse did Ada Kell finish third in the Orme Chase in 2022?"
    # Its own place outweighs its context's: second is no third, whatever third its context names.
    assert misses(question, "In the Orme Chase in 2022 Kell finished second on Quiet Harbour.", context="Tom Bell was third.") == "not the third"
    assert misses(question, "In the Orme Chase in 2022 Kell finished third on Quiet Harbour.") == ""
    assert misses(question, "In the Orme Chase in 2022 Kell rode Quiet Harbour.", context="She was third that year.") == ""
    # A place said in other words is not refuted ("runner-up"), nor one beside another word.
    assert misses("Who finished second in the Orme Chase?", "Tom Bell was runner-up in the Orme Chase.") == ""
    assert misses("How many goals did Reyes score in her second season at Orme?", "Reyes scored 14 goals at Orme, the third most in the league.") == ""
    assert misses("Which party came third in Orme?", "On May 2nd the Greens won a fifth of the vote in Orme.") == ""
    # Not a quarter's, nor a compound's, nor a stage's own (the stage says it).
    assert "ordinal" not in [c.kind for c in parse("What did Orme Bank earn in the second quarter?").constraints]
    assert "ordinal" not in [c.kind for c in parse("Which is Orme's second-largest bank?").constraints]
    assert "ordinal" not in [c.kind for c in parse("At which hole did Kell eagle in the third round?").constraints]
    # A place before "to" is the next word's: "was second to finish" is no "first to finish".
    assert misses("Which boat was second to finish the Orme race?", "Kestrel was first to finish the Orme race.") == "not the second"
    assert misses("Which boat was second to finish the Orme race?", "Tern was second to finish the Orme race, ten minutes behind.") == ""
    assert misses("Which boat was first to finish the Orme race?", "Tern was the second boat to finish the Orme race.") == "not the first"
    # ... but a sentence that goes on with the order may tell the asked place too.
    assert misses("Which council was third to declare in Orme?", "Orme was first to declare, followed by Kell and then Dorley.") == ""


def test_a_number_after_and_counts_the_noun_of_the_one_before():
    crowd = "The games drew 3,200 spectators on Saturday and 5,100 on Sunday, a total of 8,300."
    assert misses("On which day did 5,100 spectators attend the Orme games?", crowd, context="Orme games") == ""
    assert misses("On which day did 4,100 spectators attend the Orme games?", crowd, context="Orme games") == "no 4,100 spectators"


def test_according_to_a_role_of_an_organisation_is_the_role_holder_speaking():
    said = "Owen Carr, who has chaired the Orme Mill Trust since 2019, said the mill would open in May."
    assert misses("According to the chair of the Orme Mill Trust, when will the mill open?", said) == ""
    # ... while "according to the Orme Mill Trust" is the trust's word.
    assert misses("According to the Orme Mill Trust, when will the mill open?", "Owen Carr said the mill would open in May.", context="Orme Mill Trust") != ""


def test_a_passive_subject_is_read_past_its_appositions():
    # "Its biggest purchase, a shopping centre in Corran, was bought": the place in the
    # apposition is not what was bought, so nothing refutes Corran council as the buyer.
    bought = "Its biggest purchase, the Mill Centre, a shopping centre in Corran, was bought in August 2018 for £92 million."
    assert misses("What was bought by Corran Borough Council in August 2018?", bought, context="Corran Borough Council is in debt.") == ""
    assert "Alden" in misses("Which club did Corran beat on Sunday?", "Corran, the holders, were beaten by Alden on Sunday.")


def test_a_passive_clause_on_the_agent_is_done_to_it():
    # "Slotwise, which was bought by Amber Software": Slotwise bought nothing; Amber bought it.
    s = "Slotwise, which was bought by Amber Software in 2022 for £46 million, said the attack began on Monday."
    assert "Amber Software" in misses("Which company was bought by Slotwise in 2022?", s)
    assert "Amber Software" in misses("Which company did Slotwise buy in 2022?", s)
    assert misses("Which company bought Slotwise in 2022?", s) == ""


def test_a_thing_asked_with_its_owner_is_not_another_owners():
    # "Ada Orr's barrister": a sentence that gives only Tom Bell's barrister is not about hers.
    question = "According to Ada Orr's barrister, how many people had read the posts?"
    assert "not Ada Orr’s barrister" in misses(question, "Bell's barrister argued the posts had been read by 900 people.", context="Ada Orr sued Tom Bell.")
    assert misses(question, "Orr's barrister said 4,000 people had read the posts.", context="Ada Orr sued Tom Bell.") == ""
    assert misses(question, "Her barrister said 4,000 people had read the posts.", context="Ada Orr sued Tom Bell.") == ""  # whose it cannot say
    # ... one word of the owner's name will do ("Brisk's costs" for Brisk Data's), and an adjective between.
    assert misses("How much must Orme council pay towards Brisk Data's appeal costs?", "The inspector ordered the council to pay £68,000 towards Brisk's costs of the appeal.", context="Orme council and Brisk Data") == ""
    # Not a day's ("Friday's opening night"); the owner given in other words is the owner
    # ("the barrister for Ada Orr", "Putin's call with Biden"); "Jones'" is Jones's; another
    # council's audit is not this council's.
    assert misses("How many people attended Orme Fair's opening night?", "Friday's opening night drew 50,000 people to Orme Fair.") == ""
    assert misses("What was discussed in Biden's call with Putin?", "In Putin's call with Biden on Tuesday, the leaders discussed grain.") == ""
    assert misses(question, "The barrister for Ada Orr said 4,000 people had read the posts, rejecting Bell's barrister's figure.", context="Ada Orr sued Tom Bell.") == ""
    assert misses("What did Tom Jones's barrister argue?", "Jones' barrister argued the posts were opinion.", context="Tom Jones") == ""
    assert "not Orme Council’s audit" in misses("What was found in Orme Council's audit?", "Alden Council's audit found a £2m gap.", context="Orme Council")
    assert "not Orme Council’s legal" in misses("How much must Brisk Data pay towards Orme Council's legal costs?", "Brisk Data must pay £68,000 towards Bell's legal costs.", context="Orme Council")


def test_a_number_counts_the_noun_after_its_adjective():
    # "35,000 algal cells": "cells" is what is counted, "algal" what they are.
    assert misses("Where did samples show 35,000 algal cells per millilitre?", "Samples at the dam showed 35,000 cells per millilitre.") == ""
    assert misses("Where did samples show 35,000 algal cells per millilitre?", "Samples at the dam showed 35,000 algal cells per millilitre.") == ""
    assert misses("Where did samples show 35,000 algal cells per millilitre?", "Samples at the dam showed 210,000 cells per millilitre.") == "no 35,000 algal"
    # ... and a number of another thing is no count of these: 35,000 visitors are no cells.
    assert misses("Where did samples show 35,000 algal cells per millilitre?", "The dam drew 35,000 visitors, and samples showed 9,000 cells per millilitre.") == "no 35,000 algal"


def test_a_part_counts_what_its_whole_counts():
    sentence = "The chain will close 14 of its 52 stores by March, putting 900 jobs at risk."
    assert misses("How many jobs are at risk from the plan to close 14 stores?", sentence) == ""
    assert misses("How many jobs are at risk from the plan to close 12 stores?", sentence) == "no 12 stores"
    # ... but the whole is not what the verb is done to: it closes 14 of them, not 52.
    assert misses("How many jobs are at risk from the plan to close 52 stores?", sentence) == "no 52 stores"


def test_a_number_around_the_sentence_is_not_the_one_it_gives_that_word():
    sentence = "A judge ordered the studio to pay her £240,000 in damages."
    context = "Ingleby had sought £1.1 million."
    assert misses("Which studio was ordered to pay £1.1 million in damages?", sentence, context=context) == "no 1.1 million"
    assert misses("Which studio was ordered to pay £240,000 in damages?", sentence, context=context) == ""
    assert misses("How much had Ingleby sought when she was awarded £240,000?", "Ingleby had sought £1.1 million.", context=sentence) == ""


def test_according_to_an_outlet_asks_which_article_not_who_says_it():
    question = "Which company is accused of anticompetitive practices, according to The Verge?"
    assert parse(question).agencies == ()
    assert misses(question, "The case, filed by the publisher Helena Chronicle, argues that Google siphons off content.", context="The Verge") == ""
    assert [a.agent for a in parse("Which company is accused of anticompetitive practices, according to Helena Chronicle?").agencies] == ["Helena Chronicle"]


def test_the_one_a_question_has_it_done_to_must_be_the_one_it_is_done_to():
    question = "Which company fined Harlow Transit over the delays?"
    assert misses(question, "The authority fined its main contractor, Sunmark Rail, £6 million for the delays.", context="Harlow Transit") == "there it is Sunmark Rail, not Harlow Transit, that it is done to"
    assert misses(question, "The regulator fined Harlow Transit £6 million for the delays.") == ""
    assert misses(question, "Sunmark Rail was fined £6 million for the delays.", context="Harlow Transit") != ""
    assert misses("Who founded Kettle & Vine?", "Marcus Hale founded Kettle & Vine in 2012.") == ""
    # Not told in the cited sentence: the article says whom it was done to.
    article = "Harlow Transit runs the trams. The authority fined its main contractor, Sunmark Rail, last year."
    assert "that it is done to" in misses(question, "Harlow Transit expects more riders.", article=article)


def test_last_year_in_a_report_is_the_year_before_it():
    report = date(2025, 11, 19)
    assert misses("Who won the Corran Prize in 2024?", "Last year's winner, Piet Lomax, presented the Corran Prize.", published=report) == ""
    assert misses("Who won the Corran Prize in 2025?", "Last year's winner, Piet Lomax, presented the Corran Prize.", published=report) == "nothing from 2025"
    assert misses("Who won the Corran Prize in 2025?", "Esther Nwosu won the Corran Prize on Wednesday.", published=report) == ""
    assert misses("How many books were entered in 2025?", "This year 164 books were submitted.", published=report) == ""
    assert misses("When will the line open in 2026?", "The line will open next year, the authority said.", published=report) == ""
    assert misses("What revenue did Corran report in 2025?", "Corran's revenue reached $412.6 million, up from $378.5 million last year.", published=report) == ""


def test_a_clause_between_commas_that_says_something_is_no_apposition():
    question = "According to the Water Board, which mayor spoke with Ada Pruitt by phone?"
    sentence = "On Friday, the Water Board said Mayor Lee and Pruitt had spoken by phone, agreeing to meet again."
    assert misses(question, sentence) == ""
    assert misses("What did Tom Bale say about the barrier?", "Tom Bale, the board's engineer, said the barrier would hold.") == ""


def test_a_role_before_a_name_is_not_the_question_verb():
    question = "What did Orbanet founder Edith Morven say the first pictures would show?"
    assert [(a.agent, a.verb) for a in parse(question).agencies] == [("Edith Morven", "say")]
    assert misses(question, "Orbanet's founder, Edith Morven, who retired in 2022, watched the launch.") == "Edith Morven says nothing there"


def test_a_surname_two_people_share_is_the_one_named_last():
    article = ("Orbanet's founder, Edith Morven, watched. The mission director, Dr Saskia Morven, led the launch. "
               "Morven said the first pictures would be of the coast.")
    sentence = "Morven said the first pictures would be of the coast."
    assert "not Edith Morven" in misses("What did Edith Morven say the first pictures would show?", sentence, article=article)
    assert misses("What did Saskia Morven say the first pictures would show?", sentence, article=article) == ""
    # One person of that name: the surname is theirs.
    assert misses("What did Edith Morven say the first pictures would show?", sentence, article="Edith Morven watched. " + sentence) == ""


def test_a_sentence_that_states_the_time_asked_may_answer_below_one_from_another_time():
    from types import SimpleNamespace

    from assistant.answer.covering import _states_when

    question = parse("Who won the Corran Chess Open in 2022?")
    this_year = check(question, Evidence("Anouk Reyes won the Corran Chess Open on Sunday.", published=date(2025, 8, 25)))
    assert this_year.reason() == "nothing from 2022"
    assert _states_when(this_year, SimpleNamespace(text="In 2022 the title went to Piet Lomax."))
    assert not _states_when(this_year, SimpleNamespace(text="The title went to Piet Lomax."))
    # Not where the better one misses a person: that is another event, whatever its date.
    other = check(parse("Who beat Hale in the Corran Chess Open in 2022?"), Evidence("Reyes beat Delacourt on Sunday.", published=date(2025, 8, 25)))
    assert not _states_when(other, SimpleNamespace(text="In 2022 Hale lost in the first round."))


def test_a_sentence_dated_to_another_year_is_not_evidence_for_this_one():
    sentence = "Harwick Mutual was fined £3.2 million in 2021 for weak checks."
    context = "Between 2020 and 2023 Harwick Mutual opened 41,000 accounts without checks."
    assert misses("How much was Harwick Mutual fined in 2023?", sentence, context=context) == "nothing from 2023"
    assert misses("How much was Harwick Mutual fined in 2021?", sentence, context=context) == ""
    assert misses("How many accounts did Harwick Mutual open in 2023?", "It opened 41,000 accounts.", context=context) == ""


def test_news_of_the_reports_week_is_not_of_a_year_long_before():
    lede = "LONDON, Sept 30 (Wire) - The Conduct Office has fined Harwick Mutual £18.4 million for weak checks."
    context = "Between 2020 and 2023 Harwick Mutual opened 41,000 accounts without checks."
    published = date(2025, 9, 30)
    assert misses("How much was Harwick Mutual fined in 2023?", lede, context=context, published=published) == "nothing from 2023"
    assert misses("How much was Harwick Mutual fined in 2025?", lede, context=context, published=published) == ""
    # A year before its report may still be the one it tells of ("2024 results", said on Tuesday).
    assert misses("What revenue did Harwick report for 2024?", "Harwick said on Tuesday revenue rose to $5 billion.", context="Harwick 2024 results", published=date(2025, 3, 4)) == ""


def test_a_role_that_says_who_speaks_is_not_what_is_asked_about():
    from assistant.answer.asked import topic_terms

    assert topic_terms(parse("What did the Corran Museum's director, Ada Tveit, say about the six-year sentence?")) == {"sentenc", "six", "year"}


def test_a_narrative_sentence_is_no_ones_words():
    question = "What did Ada Reade, whose novel was the favourite, say about The Salt Orchard?"
    # Neither naming her nor saying anything: the article's own telling, not her words.
    assert misses(question, "The Salt Orchard follows three generations of a family.", context="Ada Reade did not attend.") == "Ada Reade says nothing there"
    # A verb of saying inside a relative clause is no one speaking.
    assert misses(question, "Reade, whose novel had led since the shortlist was announced, did not attend.", context="The Salt Orchard") == "Ada Reade says nothing there"
    # Past an age: "Nwosu, 41, wrote" is Nwosu's doing.
    assert "not Ada Reade" in misses(question, "Nwosu, 41, wrote The Salt Orchard over six years.")
    # Where the outlet is the one asked, the article is its word.
    assert misses("According to Corran Wire, what did the council approve?", "The council approved the cap.", source="Corran Wire") == ""
    # Sending is no saying: a message sent by someone else is not refuted by who speaks around it.
    assert misses("What did the message that the Water Board sent to the mayors propose?", "A message sent to the mayors proposed closer work.", context="The Water Board wrote again. Ada Reade said the plan was new.") == ""


def test_a_better_sentence_where_the_person_only_says_nothing_is_no_reason_to_refuse():
    from assistant.answer.covering import _only_silent

    question = parse("What did Ada Pruitt say about the barrier?")
    silent = check(question, Evidence("The barrier was built under Ada Pruitt."))
    assert _only_silent(silent)
    assert not _only_silent(check(question, Evidence("Tom Bale said the barrier would hold.")))


def test_a_pronoun_clause_has_the_question_subject_do_it():
    question = "What did Ada Reade and Tom Bale suggest in the letters they sent Mayor Lee?"
    assert [(a.agent, a.verb) for a in parse(question).agencies] == [("Ada Reade", "send")]
    assert "not Ada Reade" in misses(question, "Mayor Lee sent letters to Ada Reade and Tom Bale suggesting a meeting.")
    assert misses(question, "Ada Reade and Tom Bale sent letters to Mayor Lee suggesting a meeting.") == ""


def test_what_is_still_to_come_there_is_not_what_was_done():
    assert misses("Which company did Halden acquire?", "Halden is expected to acquire Marlow Foods next month.") == "still to come there (“is expected to acquire”)"
    assert misses("Which company did Halden buy?", "Halden will buy Marlow Foods, the companies said.") == "still to come there (“will buy”)"
    # Only the question's own verb: not a purpose's ("to replace"), nor a noun ("worth").
    assert misses("Who was appointed to replace Hollis as chief executive?", "Priya Nand will replace Hollis as chief executive, the board said.", context="Hollis") == ""
    assert misses("How much was the Halden contract worth?", "The Halden contract will be worth $3.2 billion.") == ""
    # Done, and something else still to come: done is what is asked.
    assert misses("Which company did Halden acquire?", "Halden acquired Marlow Foods, which will keep its name.") == ""
    assert misses("What did the council decide about the library?", "The council decided to keep it open and will decide on hours in May.") == ""
    # A question that asks of the future itself, or of when or where, asks nothing done.
    assert misses("What did Ruiz say the club will sign?", "Ruiz said the club will sign a striker.") == ""
    assert misses("When did the summit open?", "The summit will open on Wednesday.") == ""


def test_a_fallback_that_leaves_the_asked_verb_untold_is_the_topics_filler():
    from assistant.answer.covering import _untold, verb_asked

    verb = verb_asked("What was taken from a gallery in Corran in March 2024?")
    refuted = "A Harwick court convicted two men of taking a silver chalice from the Corran Gallery."
    assert _untold(verb, "It went back on display at the gallery last month.", refuted)
    assert not _untold(verb, "Thieves took a silver chalice from the gallery in March 2024.", refuted)
    # Nor where it has the verb's form only as a noun ("confirmed the Monday's call").
    assert not _untold(verb_asked("What did the council call the plan?"), "The plan was a good start.", "The mayor confirmed Monday's call with the council.")
    # Where the better sentence does not tell the verb either, nothing is judged.
    assert not _untold(verb, "It went back on display at the gallery last month.", "The gallery reopened in May.")
    # Any verb of passing tells a transfer: "signed ... from" tells what "sell" asks.
    sold = verb_asked("Which club did Harwick Athletic sell Tomas Brandl to?")
    assert _untold(sold, "Brandl, 27, scored 11 goals last season.", "On Tuesday they signed Tomas Brandl from Lisbury Town.")


def test_where_the_asked_event_is_told_at_another_time_only_a_sentence_telling_it_answers():
    from types import SimpleNamespace

    from assistant.answer.covering import _tells_event, _told_at_another_time
    from assistant.answer.dates import verb_terms

    def events(question: str, *sentences: str) -> frozenset[str]:
        ask = parse(question)
        found = _told_at_another_time(ask, [(SimpleNamespace(text=s, article_id="a"), check(ask, Evidence(s))) for s in sentences])
        return found.get("a", (frozenset(), frozenset()))[0]

    asked = "Of what did the jury convict the two Harwick nurses on Friday?"
    told = events(asked, "A jury convicted both Harwick nurses of fraud on Tuesday, after a two-week trial.")
    assert told == {"convict"}
    # The article's other sentences on the case tell no conviction: they answer nothing.
    # ... as a verb: "previous convictions" is no conviction told.
    assert not told & verb_terms("Neither nurse had any previous convictions.")
    assert not told & verb_terms("Both were jailed on Friday at Harwick Crown Court.")
    assert told & verb_terms("On Friday the jury convicted them of theft.")
    # The same with a month or a year.
    assert events("What did the Corran board approve in March?", "The Corran board approved a new loan in January.") == {"approv"}
    # Refuted for something other than its time, or not telling the question's verb, or not
    # refuted at all: nothing is said of when the event was.
    assert events(asked, "The trial of the two Harwick nurses began on Tuesday.") == frozenset()
    assert events(asked, "A jury convicted both Harwick nurses of fraud on Friday.") == frozenset()
    assert events("Of what did the jury convict Ada Reade in Corran?", "A jury convicted Tom Bale of fraud in Lisbury.") == frozenset()
    # ... or one stating the asked day itself and telling the event in another form of its word.
    ask = parse(asked)
    refuted = "A jury convicted both Harwick nurses of fraud on Tuesday, after a two-week trial."
    told, missed = _told_at_another_time(ask, [(SimpleNamespace(text=refuted, article_id="a"), check(ask, Evidence(refuted)))])["a"]
    assert _tells_event("Ada Mole's conviction on Friday ended the case.", told, missed)
    assert not _tells_event("Both were jailed on Friday at Harwick Crown Court.", told, missed)
    assert not _tells_event("The convictions were the first at Harwick this year.", told, missed)
    # ... any verb telling that event counts: a recruit is a signing.
    ask = parse("Which player did Dorley Rovers sign in 2023?")
    refuted = "Dorley Rovers signed the striker Tom Pike in 2021."
    told, missed = _told_at_another_time(ask, [(SimpleNamespace(text=refuted, article_id="a"), check(ask, Evidence(refuted)))])["a"]
    assert _tells_event("Their big recruit of 2023 is Sam Ode, from Leeds.", told, missed)
    # ... or another figure, where the question gives its verb one too ("rose 2.5 percent").
    assert events("Which Orme chain's sales rose 2.5 percent in May?", "Sales at Orme's Greenway chain rose 3.1 percent in May.") == {"rise", "rose"}
    # (not a figure the question puts before its verb, "the £16,400 charged", nor one of a noun, "a 31-year wait").
    assert events("Why did the Orme tribunal disallow the £16,400 charged for a report?", "The Orme tribunal found that £268,000 was charged to 64 leaseholders.") == frozenset()
    assert events("Which team did the Orme club that ended a 31-year wait beat?", "The Orme club had waited 31 years for this.") == frozenset()
    # A sentence refuted for a year it does not give the verb ("won ... on Wednesday" in a
    # 2025 report, for who won in 2024) says nothing of when that was won.
    assert events("Who won the Corran Prize in 2024?", "Ada Reade won the Corran Prize on Wednesday.") == frozenset()


def test_a_fallback_that_tells_much_less_of_the_topic_is_the_topics_filler():
    from assistant.answer.asked import topic_terms
    from assistant.answer.covering import _less_told

    topic = topic_terms(parse("When is a new kiln due to be lit at Corvane's Denby works?"))
    refuted = "Jobs will move to Corvane's other plant, at Lisbury, where a new kiln will be lit in March."
    assert _less_told(topic, "Corvane will close its Denby works next spring with the loss of 340 jobs.", refuted)
    assert not _less_told(topic, "At Denby, a new kiln will be lit in the spring.", refuted)
    # One word told less is no filler: a paraphrase often leaves one out.
    assert not _less_told(topic, "A kiln at the Denby works is due next spring.", refuted)


def test_a_year_in_the_sentence_just_before_dates_the_answer():
    from types import SimpleNamespace

    from assistant.answer.offline import _unmatched_year
    from assistant.answer.question import classify

    kind = classify("How much did Hale Farm spend on frost fans after the 2019 frost?")
    spent = SimpleNamespace(text="It then spent £90,000 on two frost fans.")
    assert _unmatched_year(kind, spent, [], near=lambda: "")
    assert not _unmatched_year(kind, spent, [], near=lambda: "In April 2019 the farm lost half its buds.")


def test_the_other_figure_of_a_comparison_does_not_date_the_answer():
    swung = "Marlow Foods swung to a net loss of $96 million, compared with a profit of $41 million in the second quarter."
    context = "Marlow Foods cuts 900 jobs after third-quarter slump"
    assert misses("What net loss did Marlow Foods report for the second quarter?", swung, context=context) == "not Q2"
    assert misses("What net loss did Marlow Foods report for the third quarter?", swung, context=context) == ""
    fell = "Marlow Foods said revenue for the third quarter fell to $2.1 billion from $2.3 billion in the second quarter."
    assert misses("What revenue did Marlow Foods report for the second quarter?", fell) == "not Q2"
    assert misses("What revenue did Marlow Foods report for the third quarter?", fell) == ""


def test_a_sentence_with_no_stage_goes_on_with_the_one_set_just_before_it():
    def stage_misses(question: str, sentence: str, lead_in: str) -> str:
        return check(parse(question), Evidence(sentence, lead_in, lead_in=lead_in)).reason()

    beat = "Lund, the second seed, beat Ana Ortiz 6-2, 6-4."
    semis = "Both finalists had come through long semi-finals on Saturday."
    assert stage_misses("By what score did Lund beat Ortiz in the final?", beat, semis) == "not the final"
    assert stage_misses("By what score did Lund beat Ortiz in the semi-final?", beat, semis) == ""
    # A sentence that names its own stage is its own word; one before naming none says nothing.
    assert stage_misses("By what score did Lund beat Ortiz in the final?", "In the final Lund beat Ortiz 6-2, 6-4.", semis) == ""
    assert stage_misses("By what score did Lund beat Ortiz in the final?", beat, "The crowd of 7,800 was a record.") == ""


def test_review_of_the_dev5_round():
    """Rules of one round, each on sentences from none of the corpora."""
    # A question about what is planned or still to come asks nothing done.
    assert misses("What was still to be agreed for the planned merger of Halden and Marlow?", "Halden said the price for Marlow will be agreed next month.") == ""
    # The sentence's own month, not one its context names: an attack "in June" is no July closure.
    shut = "A cyber attack in June had shut the Corran bottling plant for nine days."
    assert misses("What closed the Corran bottling plant for nine days in July?", shut, context="In July the firm warned on profits.") == "nothing from July"
    assert misses("What closed the Corran bottling plant for nine days in June?", shut, context="In July the firm warned on profits.") == ""
    # ... the dateline's month is the report's, not the sentence's.
    assert misses("What did Halden say about sales in August?", "LONDON, Sept 30 (Wire) - Halden said sales fell.", context="Halden's August sales fell.") == ""
    # A verb's way may name its party past a few describing words.
    hired = "Marlow hired Ada Pike as its finance director from the rival pub chain Halden Inns."
    assert misses("Which executive did Halden Inns hire away from Marlow?", hired) == "not from Marlow"
    # "did Ellerburn's chairman say": the chairman speaks, not the club.
    assert parse("What did Corran's chairman say about the bid?").agencies == ()
    # "The Obama administration imposed" is Obama's doing.
    assert "Pell, not Ostra" in misses("What sanctions did Ostra impose on the Pell administration?", "The Pell administration had imposed sanctions after Ostra seized the port.")
    assert misses("What sanctions did the Pell administration impose on Ostra?", "The Pell administration had imposed sanctions after Ostra seized the port.") == ""
    # A number bound to a word by a hyphen counts that thing: "an 18-storey tower".
    assert misses("How many flats will Halden's 18-storey tower hold?", "Halden's 24-storey tower will hold 300 flats.") == "no 18-storey"
    assert misses("How many flats will Halden's 24-storey tower hold?", "Halden's 24-storey tower will hold 300 flats.") == ""


def test_a_known_outlet_ends_a_name_and_a_comparison_word_compares_reports_only():
    from assistant.answer.asked import has_several_parts
    from assistant.answer.names import question_names

    # "tell CBS News Moscow hoped": the outlet, then the clause's subject.
    assert question_names("What did Ada Pike tell CBS News Moscow hoped for?") == ("Ada Pike", "CBS News", "Moscow")
    assert question_names("What did CBS News report?") == ("CBS News",)
    # A name in single quotes is whole ("'Harbour Weekly'"), one in a word is not cut ("O'Brien");
    # a quoted letter is no name.
    assert question_names("Did 'Harbour Weekly' and 'The Tidewater Post' report the fine?") == ("Harbour Weekly", "Tidewater Post")
    assert question_names("What did Ada O'Brien say about the letter 'S'?") == ("Ada O'Brien",)
    assert question_names("What did X announce on Monday?") == ("X",)
    # "a stark difference from the summits" compares no articles; "the report ... differ" does.
    assert not has_several_parts("How did the format mark a stark difference from the summits Hale held?", 0)
    assert has_several_parts("How does the Wire's report differ from the Post's on the summit?", 0)
    assert has_several_parts("Which city came up in both Hale's speech and Pell's letter?", 0)


def test_who_speaks_when_one_reports_anothers_words():
    from assistant.answer.asked import topic_terms

    # "According to the Kremlin, what did Putin say ...?": Putin's words, the Kremlin reporting;
    # "United States" is no verb of saying.
    question = "According to the Water Board, what did Pell say would help the United States?"
    assert [(a.agent, a.verb) for a in parse(question).agencies] == [("Pell", "say"), ("Water Board", "say")]
    statement = "“Trade will help the United States,” Pell said, the Water Board reported."
    assert misses(question, statement) == ""
    assert "Hale" in misses(question.replace("Pell", "Hale"), statement, context="Hale")
    # A title says who, not what the question asks about.
    assert topic_terms(parse("What did Dr Ada Pike liken a fish pass to?")) == {"fish", "pass"}


def test_a_role_given_without_a_name_is_not_met_by_a_former_holder():
    former = "Former mayor Ada Pike told the meeting the tower had been a mistake."
    assert misses("What did Corran's mayor call the tower?", former, context="Corran") == "not the mayor now (a former one there)"
    assert misses("What did Corran's former mayor call the tower?", former, context="Corran") == ""
    # ... its subject past its determiners and possessor too ("The gallery's former director").
    gallery = "The gallery's former director, Gwen Mad, who led it from 1979 to 2004, was in the saleroom."
    assert misses("What was the gallery's director given?", gallery) == "not the director now (a former one there)"
    assert misses("What was the gallery's former director given?", gallery) == ""
    assert misses("What did Corran's mayor call the tower?", "The mayor, Tom Hale, and former mayor Ada Pike called it a mistake.", context="Corran") == ""
    # A role before a name is the name's (checked as the name's role), not a described one.
    assert not [c for c in parse("What did Mayor Ruth Okafor promise?").constraints if c.kind == "current"]
    # "Former" over the role's own words: the former chief executive is no chief executive now,
    # and the question that asks of the former one asks no current one.
    ceo = "Holt's former chief executive, Ian Dray, told a select committee in 2020 that the block was safe."
    assert misses("What did Holt Homes' current chief executive tell a select committee in 2020?", ceo, context="Holt Homes") == "not the executive now (a former one there)"
    assert misses("What did Holt Homes' chief executive tell a select committee in 2020?", ceo, context="Holt Homes") == "not the executive now (a former one there)"
    assert misses("What did Holt Homes' former chief executive tell a select committee in 2020?", ceo, context="Holt Homes") == ""
    assert misses("What did Holt Homes' chief executive say?", "Ann Lee replaced the former chief executive, Ian Dray, in May.", context="Holt Homes") == ""
    # A predecessor held the role before: "Hale's predecessor, Ann Lee, warned" is no current holder's warning.
    assert misses("When did Corran council's current finance director warn of cuts?", "Hale's predecessor, Ann Lee, first warned of cuts in March 2022.", context="Corran council") == "not the director now (a former one there)"
    assert misses("When did Corran council's finance director warn of cuts?", "Ann Lee, who replaced her predecessor in May, warned of cuts in March.", context="Corran council finance director") == ""
    assert misses("When did Corran's chief executive take over?", "Her predecessor, Ann Lee, left in May, and Tom Hale became chief executive of Corran in June.", context="Corran") == ""
    assert misses("What did Corran council's finance director say?", "Her predecessor's budget was balanced, finance director Ann Lee said.", context="Corran council") == ""
    # Not past a possessor ("the former mining town's mayor" is the town's mayor now), and an
    # outgoing holder still holds the post.
    assert misses("What did Corran's mayor say about the pit?", "The former mining town's mayor, Ann Lee, said the pit would become a park.", context="Corran") == ""
    assert misses("What did Holt Homes' chief executive tell staff?", "Holt's outgoing chief executive, Ann Lee, told staff 40 jobs would go.", context="Holt Homes") == ""


def test_a_deputy_is_not_the_role_they_deputise_in():
    # "Deputy Mayor", "vice-president", "its deputy chair": the role below, a rival of the role.
    assert misses("What did Deputy Mayor Ruth Okafor promise?", "Mayor Ruth Okafor promised a new library.") == "not Deputy Mayor Ruth Okafor"
    assert misses("What did Mayor Ruth Okafor promise?", "Deputy Mayor Ruth Okafor promised a new library.") == "not Mayor Ruth Okafor"
    assert misses("What did Deputy Mayor Ruth Okafor promise?", "Deputy Mayor Ruth Okafor promised a new library.") == ""
    assert misses("What did the vice-president of Corvane, Ada Pell, say?", "Ada Pell, Corvane's president, said sales had doubled.") == "not vice-president Ada Pell"
    assert misses("What did Coach Lutz say?", "Dana Lutz, the club's assistant coach, said the players were tired.") == "not Coach Lutz"
    assert misses("What did Dr Rhea Venn, the medical director, say?", "His deputy, Dr Rhea Venn, told the board 37 patients came to harm.") == "not director Rhea Venn"
    assert misses("What did Dr Rhea Venn, the deputy medical director, say?", "His deputy, Dr Rhea Venn, told the board 37 patients came to harm.") == ""
    assert misses("What did deputy council leader Roger Hask say?", "Council leader Roger Hask said the count was fair.") == "not leader Roger Hask"
    # A speaker described, not named, holds the role described: the deputy director of
    # midwifery is not the chief executive (a deputy of a rival role is a rival).
    midwives = "The deputy director of midwifery also told the board on Thursday that 11 midwives would start in March."
    assert misses("How many midwives did the Orley trust's chief executive say would start in March?", midwives, context="Orley trust") == "the one speaking there is not the executive"
    assert misses("How many midwives did the Orley trust's deputy director of midwifery say would start in March?", midwives, context="Orley trust") == ""
    assert misses("How many midwives did the Orley trust's director say would start in March?", midwives, context="Orley trust") == "the one speaking there is not the director"
    assert misses("How many midwives did the Orley trust's chief executive say would start?", "The trust's chief executive told the board that 11 midwives would start.", context="Orley trust") == ""
    # "The mayor's deputy" is the deputy mayor, not the mayor.
    assert misses("What did Orme's deputy mayor tell the council?", "The mayor's deputy told the council the budget was balanced.", context="Orme") == ""
    assert misses("What did Orme's chief executive tell reporters?", "The chief executive's deputy told reporters the club was not for sale.", context="Orme") == "the one speaking there is not the executive"
    # Done in the passive: the one the sentence says it was done by holds the role asked.
    order = "Birds must be kept indoors under an order announced on Thursday by the chief veterinary officer, Dr Ian Moss."
    assert misses("When does the order announced by the deputy chief veterinary officer start?", order) == "the one there is not the deputy chief veterinary officer"
    assert misses("When does the order announced by the chief veterinary officer start?", order) == ""
    assert misses("When does the order announced by the deputy chief veterinary officer start?", "Birds must be kept indoors under a new order.") == ""  # says by no one
    # A nationality before a title says whose the title is; it is no name of its own.
    assert misses("What did Danish Foreign Minister Lars Holm say?", "Foreign Minister Lars Holm said talks would go on.") == ""
    assert misses("What did British Prime Minister Ada Pell say?", "Prime Minister Ada Pell said talks would go on.") == ""


def test_a_role_the_question_says_a_person_became_must_be_theirs():
    acting = "Tom Kell, the trust's acting chief executive, said the closure would cost the trust about £800,000."
    assert misses("Since when has Tom Kell been the Alder Pavilion's artistic director?", acting, context="Alder Pavilion") == "not director Tom Kell"
    assert misses("Since when has Tom Kell been the Alder Pavilion's chief executive?", acting, context="Alder Pavilion") == ""
    assert misses("Since when has Ada Pike been mayor?", "Ada Pike, the city's planning director, took office in May.") == "not mayor Ada Pike"
    assert misses("Since when has Ada Pike been mayor?", "Mayor Ada Pike took office in May.") == ""
    # One to become or be sworn in as may hold another now.
    assert misses("When will Ruth Ade be sworn in as Ashby's mayor?", "City councillor Ruth Ade was elected mayor of Ashby on Sunday.") == ""
    # A sentence naming them with no role leaves it to its context.
    assert misses("Since when has Tom Kell been the Alder Pavilion's artistic director?", "Kell has run the trust since June.", context="Tom Kell, the trust's acting chief executive, spoke. Alder Pavilion") == "not director Tom Kell"


def test_a_passive_question_names_the_one_it_is_done_to():
    convicted = "The firm's former engineer, Darren Pyle, was convicted at the same trial of forging a certificate and fined £6,000."
    assert misses("Of what was Colin Stave convicted in 2022?", convicted, context="Colin Stave was acquitted in 2022.") == "there it is Darren Pyle, not Colin Stave, that it is done to"
    assert misses("Of what was Darren Pyle convicted in 2022?", convicted, context="2022") == ""
    # A long apposition after a name still gives its role ("the deputy headteacher who has led ...").
    told = "Beth Wils, the deputy headteacher who has led the school's attendance work since January, told parents attendance had risen."
    assert misses("What did Beth Wils, the headteacher, tell parents?", told) == "not headteacher Beth Wils"


def test_a_sentence_stating_the_asked_year_answers_below_one_of_another_year_and_doer():
    from types import SimpleNamespace

    from assistant.answer.constraint_records import Constraint, Coverage
    from assistant.answer.covering import _states_when

    top = Coverage((Constraint("year", "2023"),), reversed_by="Matt Ober")  # this year's final, the other way round
    assert _states_when(top, SimpleNamespace(text="In 2023 Furl was beaten by Ober at the first extra hole."))
    assert not _states_when(top, SimpleNamespace(text="Furl was beaten by Ober at the first extra hole."))
    assert not _states_when(Coverage((Constraint("name", "Kilvar", ("Kilvar",)),)), SimpleNamespace(text="In 2023 Furl lost."))


def test_a_permanent_role_is_not_met_by_one_standing_in():
    interim = "The results were presented by Alastair Monk, who has been interim chief financial officer since July."
    assert misses("Who has been Tillham Bank's permanent chief financial officer since July?", interim, context="Tillham Bank") == "not the permanent chief financial officer (one standing in there)"
    assert misses("Who has been Tillham Bank's chief financial officer since July?", interim, context="Tillham Bank") == ""
    assert misses("When did Dr Helen Maz become Wexby's permanent principal?", "Dr Helen Maz has been Wexby's acting principal since March.") == "not the permanent principal (one standing in there)"
    assert misses("Who will be the permanent chief financial officer?", "Jo Strang will join as chief financial officer in March.") == ""


def test_a_verb_done_by_one_the_sentence_refers_back_to_is_not_refuted_by_its_context():
    sold = "To help pay for the land, the company sold its former timber yard to Fallow Homes for £9.5 million."
    context = "Skell Port Company has bought farmland. The land was sold to the port by the Rowden family estate."
    assert misses("What did Skell Port Company sell for £9.5 million?", sold, context=context) == ""
    # ... where the sentence names no doer at all, its context still speaks.
    assert "Rowden" in misses("What did Skell Port Company sell for £9.5 million?", "A timber yard was sold for £9.5 million.", context=context)
    # ... but where the article's one of that noun is another's ("the society" is the Orme
    # Preservation Society, never the developer), the sentence says another did it.
    raised = "Its chair said the society had raised £23,000 for its case at the inquiry."
    article = "The developer Brisk Solar said the farm was approved. The Orme Preservation Society led the objections. " + raised
    before = "The Orme Preservation Society led the objections."
    assert "Orme Preservation Society" in misses("How much did Brisk Solar raise for its case?", raised, context="Brisk Solar", article=article, near=before)
    assert misses("How much did the Orme Preservation Society raise for its case?", raised, context="Orme Preservation Society", article=article, near=before) == ""
    # The article calling the agent by that noun: the agent ("Brisk Solar is a society ...").
    own = "Brisk Solar is a society that runs the farm. The Orme Preservation Society objected. " + raised
    assert misses("How much did Brisk Solar raise for its case?", raised, context="Brisk Solar", article=own, near=before) == ""
    # One of that noun named only elsewhere in the article is not who "the society" is.
    assert misses("How much did Brisk Solar raise for its case?", raised, context="Brisk Solar", article=article, near="The farm was approved.") == ""


def test_a_described_speaker_is_the_one_saying_the_cited_words():
    before = ("The board's chair, Margaret Okoro, voted for the plan, while its deputy chair, Colin Dunmore, voted against. "
              "Dunmore said the board had not shown that the service could cope.")
    quote = "“We are asking crews to go further without a single extra vehicle,” he said."
    evidence = Evidence(quote, before, None, f"{before} {quote}", "", before, "Dunmore said the board had not shown that the service could cope.")
    asked = "According to the health board's chair, what are crews being asked to do without a single extra vehicle?"
    assert check(parse(asked), evidence).reason() == "the one speaking there is not the chair"
    assert check(parse(asked.replace("chair", "deputy chair")), evidence).reason() == ""
    assert check(parse("What did the board's deputy chair say about the vehicles?"), evidence).reason() == ""
    # Where the speaker is named in the sentence with the role asked, or no one is read, it stands.
    said = "“We need more vehicles,” said Margaret Okoro, the board's chair."
    assert misses("What did the board's chair say about the vehicles?", said, context=before) == ""
    assert misses("According to the board's chair, what is needed?", "More vehicles are needed, the report said.", context=before) == ""


def test_a_described_doer_is_the_one_the_sentence_is_about():
    kept = "The council's leader, Patricia Ever, kept her seat in Orlick by 612 votes."
    assert misses("By how many votes did Hexmoor's deputy council leader keep his seat?", kept, context="Hexmoor") == "the one there is not the deputy council leader"
    assert misses("By how many votes did Hexmoor's council leader keep her seat?", kept, context="Hexmoor") == ""
    assert misses("By how many votes did Hexmoor's council leader keep her seat?", "Their deputy leader, Roger Hask, kept his seat by 14 votes.", context="Hexmoor") == "the one there is not the leader"


def test_a_verb_is_not_met_by_its_opposite():
    assert misses("By how many votes did the deputy leader keep his seat?", "Their deputy leader lost his seat by 14 votes.") == "not “keep” (“lost” there)"
    # The asked side told of another, in a contrast, is not told of this one.
    shares = "Orme's shares fell 4.6 percent on Tuesday, while those of its rival Alden rose 1.3 percent."
    assert misses("By how much did Orme's shares rise on Tuesday?", shares) == "not “rise” (“fell” there)"
    assert misses("By how much did Orme's shares fall on Tuesday?", shares) == ""
    assert misses("By how much did Orme's shares rise on Tuesday?", "Orme's shares rose 4.6 percent on Tuesday, while Alden's fell.") == ""
    # ... but the clause about what the question asks is the one that counts.
    assert misses("By how much did wages rise in May?", "Prices fell 0.4 percent in May, while wages rose 3 percent.") == ""
    assert misses("How many seats did Labour lose?", "The Greens won 12 seats, whereas Labour lost 9.") == ""
    assert misses("By how much did prices rise in May?", "Prices fell 0.4 percent in May.") == "not “rise” (“fell” there)"
    assert misses("Why did the council reject the plan?", "The council approved the plan by nine votes to four.") == "not “reject” (“approved” there)"
    assert misses("How many seats did Labour lose?", "Labour won 12 seats.") == "not “lose” (“won” there)"
    # Where the sentence tells the asked side too, or the question asks both, it stands.
    assert misses("How many seats did Labour win?", "Labour lost 12 of the seats it won in 2019.") == ""
    assert misses("Did prices rise or fall in May?", "Prices fell 0.4 percent in May.") == ""
    assert misses("Why did the council reject the plan?", "The council rejected the plan, saying it was too costly.") == ""
    # A subject with "of" in it ends at the verb, not at the "of"; a noun after its determiner is no verb.
    assert misses("By how much did sales of Orme's e-bikes fall in May?", "Sales of Orme's e-bikes rose 9 percent in May.") == "not “fall” (“rose” there)"
    assert misses("What did the head of Orme Bank think of the fall in prices?", "The head of Orme Bank said prices rose too fast.") == ""
    # An "and" opening a clause with its own subject is a contrast too.
    assert misses("By how much did sales of Orme e-bikes fall?", "Sales of Orme e-bikes were down 9 percent and their average price rose 2 percent.") == ""


def test_may_is_a_month_after_a_word_of_time():
    assert misses("By how much did prices rise in May?", "Prices rose 0.4 percent in May.") == ""
    assert misses("By how much did prices rise in June?", "Prices rose 0.4 percent in May.") == "nothing from June"
    assert misses("What did Theresa May say in June?", "Theresa May said in June that talks would go on.") == ""


def test_likening_and_describing_are_someones_words():
    question = "What did Dr Ada Pike liken the new bridge to?"
    assert [(a.agent, a.spoken) for a in parse(question).agencies] == [("Ada Pike", True)]
    assert "Hale" in misses(question, "“The bridge is a ribbon of light,” Hale said.", context="Ada Pike")
    assert misses(question, "Pike likened the bridge to a ribbon of light.") == ""


def test_review_of_the_session_rules_on_text_they_were_not_written_for():
    """A reviewer's cases (written for no corpus) where the session's first versions misfired."""
    from assistant.answer.question import classify, holds_answer

    accepted = [
        # "more than", "bigger-than-expected" compare nothing with another period.
        ("What loss did Tandem report for the third quarter?", "Tandem reported a bigger-than-expected loss of $96 million in the third quarter.", ""),
        ("How many subscribers did Streamly add in the fourth quarter?", "Streamly added more than 13 million subscribers in the fourth quarter.", ""),
        # A comparison's period dates both figures where the sentence names no other.
        ("What sales did Halden report for the third quarter?", "Halden's sales fell to $3.0 billion from $3.4 billion in the third quarter.", ""),
        # A former holder named in passing leaves the role to its holder now.
        ("Who replaced the town's mayor after her resignation?", "Councillor Jane Roe was sworn in on Monday to replace former mayor Ada Pike.", ""),
        # A month the sentence looks back to is not its own.
        ("What did the Fed do in September?", "The Fed cut rates by half a point, its first cut since March 2020.", "Fed cuts rates in September"),
    ]
    for question, sentence, context in accepted:
        assert misses(question, sentence, context=context) == "", (question, sentence)
    assert misses("What did the town's mayor say about the tower?", "Ex-mayor Ada Pike said the tower was a mistake.", context="tower") == "not the mayor now (a former one there)"
    holds = [
        ("Where in Spain did the wildfire break out?", "The fire broke out in Spain's eastern Valencia region.", True),
        ("Where did the ministers meet?", "The ministers met in Bern on Monday.", True),
        ("Where will the gigafactory be built?", "Plans for the gigafactory are still in the works.", False),
        ("How long is the new tunnel?", "The tunnel will be 64 km long.", True),
        ("At what time did the ceasefire begin?", "The ceasefire began at 2200 GMT on Sunday.", True),
    ]
    for question, sentence, expected in holds:
        assert holds_answer(classify(question), question, sentence) is expected, (question, sentence)
    # "What time of year" asks no time of day.
    terns = "What time of year do the terns arrive?"
    assert holds_answer(classify(terns), terns, "The terns arrive in April.")
    # A sentence before that looks ahead sets no stage.
    ahead = "The semi-final draw takes place on Sunday."
    assert check(parse("Who did Rovers beat in the quarter-finals?"), Evidence("Rovers beat Town 2-0 to reach the last four.", ahead, lead_in=ahead)).reason() == ""


def test_a_time_the_sentence_gives_the_asked_verb_is_the_one_that_counts():
    # The sentence gives the question's verb its own time: not the time asked.
    assert "April" in misses("Which fare rise did the transport board vote for in April?", "The transport board voted on Monday, March 9, to raise fares by 4 percent, which will apply from April.")
    assert "2019" in misses("Which team won the regional cup in 2019?", "Harcombe Rovers won the regional cup in 2017 and lost the 2019 final.")
    # ... the asked time given to that verb, or no time given it at all: no objection.
    assert misses("Which fare rise did the transport board vote for in March?", "The transport board voted on Monday, March 9, to raise fares by 4 percent, which will apply from April.") == ""
    assert misses("Which fare rise did the transport board vote for in April?", "In April the transport board voted to raise fares by 4 percent.") == ""
    # A noun of the question's after another verb is that verb's time: "rejected the drug once
    # in 2021" dates the rejection.
    assert misses("Which drug did the panel approve in 2023?", "In 2023 it approved Celvora for adults, having rejected the drug in 2021.") == ""
    # A verb whose past is itself ("set") is past where a time or its agent follows at once.
    assert "2021" in misses("In 2021, which yacht set the Orme race record?", "That beat the Orme race record set in 2019 by Stormpetrel.")
    assert misses("In 2019, which yacht set the Orme race record?", "That beat the Orme race record set in 2019 by Stormpetrel.") == ""
    assert misses("In 2021, which yacht set the Orme race record?", "Its crew will set out to beat the Orme race record in 2021.") == ""
    # ... not a noun of the same word: "the tax cut in March 2023" is no cut made then.
    assert misses("How much did the Orme tax cut cost in 2024?", "The Orme tax cut in March 2023 cost the Treasury £2 billion in 2024.") == ""


def test_a_number_the_sentence_gives_another_word_is_not_the_asked_words():
    # The asked word ("rose") has its own number in the sentence; the asked one is another's.
    assert "2.5" in misses("Which chain's sales rose 2.5 percent in the spring?", "Sales at Hollins rose 4.2 percent in the spring, ahead of the 2.5 percent the group had expected.")
    # ... the asked number said with the asked word, or the word with no other number: no objection.
    assert misses("Which chain's sales rose 4.2 percent in the spring?", "Sales at Hollins rose 4.2 percent in the spring, ahead of the 2.5 percent the group had expected.") == ""
    assert misses("Which chain's sales rose 2.5 percent in the spring?", "Sales at Hollins, which had forecast a fall, rose by the 2.5 percent the group had expected.") == ""
    # ... and another thing's number with the word does not count against it.
    assert misses("Which firm's profit rose 6 percent?", "Profit at Dunmore rose £12 million, or 6 percent, to £210 million.") == ""


def test_first_is_a_place_too():
    # "its first flight" is not the second one the question asks about, nor "the second
    # attempt" the first.
    assert misses("How many birds did the survey plane count on its second flight?", "On its first flight, in March, the survey plane counted 4,210 birds.") == "not the second"
    assert misses("What went wrong on the rocket's first attempt?", "The rocket's second attempt ended when an engine valve stuck.") == "not the first"
    # ... but "first" beside another word places nothing the question asks ("for the first time").
    assert misses("How many birds did the survey plane count on its second flight?", "For the first time, the survey plane's count on its second flight topped 5,000 birds.") == ""


def test_the_review_of_session_14s_rules():
    # A time the sentence gives another verb's object, or a comparison's figure, is not the
    # asked verb's: no objection.
    assert misses("Which factory did the firm close in 2020?", "The firm closed the factory opened in 1998 in March 2020.") == ""
    assert misses("How many homes did the council build in 2022?", "The council built 310 homes in 2023, up from 240 in 2022.") == ""
    assert misses("What did the mayor tell the council in March?", "The mayor, speaking in March, said she would return to council in June.") == ""
    # A number the sentence gives the asked word itself ("rose by"), or a sum where the
    # question counts nothing, is not refuted by the word's other figure.
    assert misses("Which chain's sales rose 2.5 percent?", "Sales at Penrose rose by 2.5 percent, while its costs rose 4 percent.") == ""
    assert misses("Which firm's profit rose £12 million?", "Profit at Dunmore rose 6 percent, or £12 million, to £210 million.") == ""
    # "first" before a verb says when, not a place.
    assert misses("Who did the club sign second?", "The club first signed Lenz, then added Ortiz.") == ""


def test_a_former_holder_asked_is_not_the_one_in_office_now():
    q = "According to the museum's former director, why did the gallery close?"
    # The one speaking there holds the role now: not the former holder's words.
    assert "former director" in misses(q, "The gallery closed because its roof leaked, said the museum's director, Ines Marlow.")
    assert "former director" in misses(q, "The museum's director said the gallery closed because its roof leaked.")
    # ... a former holder speaking, or one given no role: no objection.
    assert misses(q, "The gallery closed because its roof leaked, said the museum's former director, Ines Marlow.") == ""
    assert misses(q, "The gallery closed because its roof leaked, said Ines Marlow, who ran the museum until 2019.") == ""
    # A role held until a year, or marked past before what it is of, is a past one.
    assert misses(q, "The gallery closed because its roof leaked, said Ines Marlow, the museum's director until 2019.") == ""
    assert misses(q, "Former museum director Ines Marlow said the gallery closed because its roof leaked.") == ""
    # The speaker after "said" and a description is the name after it, not the possessor.
    assert "former chair" in misses("According to the firm's former chair, what will staff be offered?", "“Every one of them will be offered a job,” said Halberd's chair, Anthony Wickstead.")
    assert misses("According to Tom Hale, what happened to the museum's director?", "Tom Hale said the museum's director, Ines Marlow, had resigned.") == ""


def test_a_title_before_a_place_noun_is_part_of_the_places_name():
    # "General" is a title before a person's name, not in a hospital's.
    assert names("What did Ashby General Hospital close on Friday?") == ["Ashby General Hospital"]
    assert names("What did General Ruth Okafor order?") == ["Ruth Okafor"]


def test_a_passive_question_with_words_before_by_names_its_doer():
    # "bought out of administration by Corran Mills": Corran Mills buys; a sentence where it is
    # the one bought is the reverse.
    reason = misses("Which company was bought out of administration by Corran Mills?", "Corran Mills has been bought out of administration by the Welsh textile group Pryce & Lloyd for £2 million.")
    assert "not Corran Mills, who does what the question asks" in reason
    assert misses("Which company was bought out of administration by Corran Mills?", "Corran Mills bought Tenby Yarns out of administration for £2 million.") == ""


def test_the_review_of_session_14s_second_round():
    # The speaker after an inverted "said" and a description, not the one a reported "said" names.
    assert "former chair" not in misses("According to the party's former chair, what did the treasurer do?", "The party said its treasurer, Tom Bell, had resigned.")
    # No second verb in the words before "by": "fined and later sued by Corlan" is Corlan suing.
    assert misses("Which firm was fined and later sued by Corlan?", "Corlan was fined by the regulator in 2020 and later sued Brightline.") == ""
    # A title before a place noun is a title at a name's start: Senator Ruth Hill is Senator Hill.
    assert misses("What did Senator Hill say about the bill?", "Senator Ruth Hill said the bill would fail.") == ""
    # A fronted time reaches no verb past another verb: "officials said" is March's.
    assert "nothing from March" in misses("Which plant did Halvorsen close in March?", "In March officials said Halvorsen closed the plant in January.")


def test_a_role_the_article_gives_someone_else_is_not_theirs():
    # A relative clause says what a person is, as an apposition does.
    article = (
        "The Dean of Harwell Minster, the Very Rev Simon Okoro, said the vote had been close.\n"
        "Canon Ruth Abara, who has been the minster's treasurer since 2018, said giving had fallen."
    )
    held = "Canon Ruth Abara, who has been the minster's treasurer since 2018, said giving had fallen."
    dean = "The Dean of Harwell Minster, the Very Rev Simon Okoro, said the vote had been close."
    assert "treasurer" in misses("Since when has Simon Okoro been Harwell Minster's treasurer?", held, context=dean, article=article)
    assert "treasurer" in misses("Since when has Simon Okoro been Harwell Minster's treasurer?", dean, article=article)
    assert misses("Since when has Ruth Abara been Harwell Minster's treasurer?", held, context=dean, article=article) == ""
    # Where the article also gives them the role, another holder (another body's) refutes nothing.
    both = article + "\nOkoro, the minster's treasurer until a successor is found, chairs the chapter."
    assert misses("Since when has Simon Okoro been Harwell Minster's treasurer?", dean, article=both) == ""
    # A role given to no one else says nothing against them.
    assert misses("When did Simon Okoro become the minster's treasurer?", dean, article=dean) == ""


def test_a_place_a_noun_phrase_holds_is_not_the_verbs():
    sentence = "The probe was launched on a Vega rocket from Kourou and sent its first signal to the ground station in Tarnby an hour later."
    assert "from Tarnby" in misses("Which rocket launched the probe from Tarnby?", sentence)
    assert misses("Which rocket launched the probe from Kourou?", sentence) == ""
    # Settled there, as the verb's own place, it is still found.
    assert misses("When did the Raiders move to Las Vegas?", "The Raiders moved to Nevada in 2020, settling in Las Vegas.") == ""


def test_a_firm_named_after_someone_is_not_them():
    firm = "Okafor & Lutz said it would keep the Marden name and move its own range to Ottley."
    lede = "The Marden mill has been bought by the knitwear group Okafor & Lutz."
    # Not the person, in the sentence nor as the name standing where the asked one is.
    assert misses("How long has Ruth Okafor worked at the Marden mill?", firm, context=lede) == "no mention of Ruth Okafor"
    assert "Ruth Okafor" in misses("How long has Ruth Okafor worked at the Marden mill?", firm, context=f"{lede}\nIts chief executive, Ruth Okafor, spoke.")
    assert misses("What did Ruth Okafor say about the Marden mill?", "Okafor Holdings said the Marden mill would stay open.").startswith("no mention of Ruth Okafor")
    # The firm asked by its name, and the person by hers, are found; two people named with "&"
    # are not a firm, and "Ruth Okafor's company" asks of the firm.
    assert misses("What did Okafor & Lutz say about the Marden name?", firm, context=lede) == ""
    assert misses("What did Ruth Okafor say about the Marden mill?", "Okafor said the Marden mill would stay open.") == ""
    assert misses("What did Ruth Okafor win at Tarnby?", "Okafor & Lutz won the women's doubles title at Tarnby.") == ""
    assert misses("What did Ruth Okafor's company announce?", "Okafor Holdings announced 200 job cuts.", context="Ruth Okafor founded Okafor Holdings in 1998.") == ""


def test_a_thing_dated_by_the_question_is_not_another_years():
    question = "Why did the Greens vote for Orland's 2026 budget?"
    lede = "Orland's parliament approved the 2026 budget on Thursday."
    assert misses(question, "Last year's budget, for 2025, passed after a late deal with the Greens.", context=lede) == "nothing from 2026"
    assert misses(question, "The Greens backed the 2025 budget too.", context=lede) == "nothing from 2026"
    assert misses(question, "The Greens voted for the 2026 budget, as they had for the 2025 budget.", context=lede) == ""
    # A sentence that dates no budget leaves it to its context.
    assert misses(question, "The Greens voted for the budget after a late deal.", context=lede) == ""


def test_the_passive_subject_is_read_past_its_apposition_and_its_place():
    # The one the verb is done to: not the place at the end of an apposition or of a noun phrase.
    paid = "Kerry Ashford, a teaching assistant at Moorfield Primary School in Hexley, was paid £212 for October."
    assert misses("How much was Kerry Ashford paid for October?", paid) == ""
    assert "there it is Dana Bell" in misses("How much was Kerry Ashford paid for October?", "Dana Bell, a cook at Moorfield Primary School in Hexley, was paid £212 for October.", context="Kerry Ashford")
    sold = "The Haddon shopping centre in Marlow, which changed hands in 2007, has been sold at auction to Marlow Borough Council."
    assert misses("Which company sold the Haddon shopping centre to Marlow Borough Council?", sold) == ""
    assert "there it is Westgate Arcade" in misses("Which company sold the Orme Arcade in Leeds?", "The Westgate Arcade in Leeds has been sold at auction.", context="Orme Arcade")


def test_a_role_told_by_its_verb_and_a_name_with_its_possessive_marks():
    question = "According to the chair of the Harbury Tenants' and Residents' Association, what did people vote for?"
    context = "The Harbury Tenants' and Residents' Association backed the plan."
    led = "The campaign was led by Jean Cole, a retired nurse who was chair of the Harbury Tenants' and Residents' Association until 2023."
    # The chair quoted, named by a verb of the role ("who has chaired"), is the chair; a former
    # chair's word is not that of the one in office now.
    quoted = '"They voted for a written promise," said Win Grant, who has chaired the association since 2023.'
    assert misses(question, quoted, context=context, article=f"{context}\n{led}\n{quoted}") == ""
    former = question.replace("the chair", "the former chair")
    assert misses(former, quoted, context=context, article=f"{context}\n{led}\n{quoted}") == "the one speaking there is not the former chair (one in office now)"
    # A question's name without its possessive marks is the article's name with them.
    assert misses(question, quoted, context=led, article=f"{led}\n{quoted}") == ""
    # ... and "the association" is not the article's where it names two.
    two = f"{led}\nThe Harbury Housing Association disagreed.\n{quoted}"
    assert "no mention of Residents Association" in misses(question, quoted, article=two)
    # A deputy chief constable is not the chief constable.
    deputy = '"Nine in ten people now call us," said the deputy chief constable, Marcus Owen.'
    assert misses("According to Harnley Police's chief constable, how many people now call?", deputy, context="Harnley Police") == "the one speaking there is not the constable"


def test_a_figure_given_by_a_period_is_not_a_one_off():
    question = "What will £450,000 a year from the Kelby visitor levy pay for?"
    assert misses(question, "Setting up the scheme will cost about £450,000, to be paid from reserves.", context="Kelby visitor levy") == "no 450,000"
    assert misses(question, "The levy will give £450,000 a month to the harbour.", context="Kelby visitor levy") == "no 450,000"
    assert misses(question, "The council says £450,000 a year from the levy will pay for lifeguards.", context="Kelby visitor levy") == ""
    assert misses(question, "About £450,000 annually will pay for lifeguards.", context="Kelby visitor levy") == ""
    # A figure the question gives by no period is any.
    assert misses("What will £450,000 from the Kelby levy pay for?", "Setting up the scheme will cost £450,000.", context="Kelby levy") == ""


def _review16_probes() -> list[dict]:
    import json
    from pathlib import Path

    data = Path(__file__).parent / "data"
    return [p for name in ("review16_probes.json", "review16b_probes.json") for p in json.loads((data / name).read_text(encoding="utf-8"))]


@pytest.mark.parametrize("probe", _review16_probes(), ids=lambda p: f"{p['rule']}: {p['question'][:50]}")
def test_review_of_session_16_rules_on_a_reviewers_own_sentences(probe):
    """Two reviewers' probes of session 16's rules (roles held by another, a verb's own way, sizes,
    firms named after people, passive subjects, roles told by their verbs, names with possessive
    marks, things dated by the question; datelines, rates, verbs of going used as nouns, figures
    after "of", a named saying in a relative clause, a sum against another's price), on sentences
    written for them: near misses refuted, a writer's ordinary questions answered."""
    from assistant.answer.question import classify, holds_answer

    if probe["kind"] == "holds":
        accepted = holds_answer(classify(probe["question"]), probe["question"], probe["sentence"])
    else:
        accepted = misses(probe["question"], probe["sentence"], context=probe["context"], article=probe["article"]) == ""
    assert accepted == (probe["expected"] == "accept"), probe["note"]


def test_a_verb_of_going_used_as_a_noun_is_not_the_questions_verb():
    # "bought the Copley Road bus depot from X": the buying's way, not a bus's.
    question = "Which company bought the Copley Road bus depot from the Ravelden Combined Authority?"
    assert [c.alternatives for c in parse(question).constraints if c.kind == "direction"] == [("Ravelden Combined Authority", "from", "buy")]
    assert misses(question, "The authority bought the Copley Road depot from Shirebus for £11.5 million.", context="Ravelden Combined Authority") != ""
    # After its subject it is the verb: "did Stourwell Inns hire away from Ashgill".
    assert [c.alternatives[2] for c in parse("Which executive did Stourwell Inns hire away from Ashgill?").constraints if c.kind == "direction"] == ["hire"]


def test_a_figure_of_a_noun_with_of_is_that_nouns():
    # "a grant of £1.2 million": the grant's figure; a sentence giving the grant another is no answer.
    question = "Which organisation gives Caverley Leisure Trust a grant of £1.2 million a year?"
    context = "Energy bills at the trust's pools have risen by £1.2 million a year."
    assert misses(question, "Caverley Borough Council gives the trust a grant of £640,000 a year.", context=f"Caverley Leisure Trust\n{context}") == "no 1.2 million"
    assert misses(question, "Caverley Borough Council gives the trust a grant of £1.2 million a year.", context="Caverley Leisure Trust") == ""


def test_a_relative_clause_of_someones_saying_is_their_word():
    question = "Why, according to Fairholme Homes, will fewer of the homes be affordable?"
    sentence = "A quarter of the homes will be affordable, below the council's target, which Fairholme said the cost of cleaning up the site made impossible."
    assert misses(question, sentence, context="Fairholme Homes") == ""
    assert "says nothing" in misses(question, "A quarter of the homes, which Fairholme built, will be affordable.", context="Fairholme Homes")



def test_a_sum_the_question_gives_a_thing_is_not_anothers_price():
    question = "Which company was awarded the £11.5 million contract to run the Ravel bus routes?"
    assert misses(question, "The authority bought the Copley Road depot from Shirebus for £11.5 million in March.", context="the Ravel bus routes") == "no 11.5 million"
    assert misses(question, "Brantwick Travel won the contract to run the routes for £11.5 million.", context="the Ravel bus routes") == ""
    assert misses(question, "Brantwick Travel won the £11.5 million contract.", context="the Ravel bus routes") == ""
    # A sum given no thing ("£16,400 charged") is any sentence's.
    assert misses("Why was the £16,400 charged at Orme Court disallowed?", "The bill had £16,400 for a report, which was disallowed.", context="Orme Court") == ""


def test_according_to_a_role_where_no_one_speaks_a_rival_named_is_not_them():
    question = "According to Tarn Police's chief constable, what has caught up with Keith Stone?"
    under = "Tarn Police reopened the case in 2022, when its review unit, under Detective Chief Inspector Priya Vance, sent the items for testing."
    assert misses(question, under, context="Keith Stone") == "the one speaking there is not the constable"
    # A sentence of no saying that names no rival still may ("gave the committee an account").
    assert misses(question, "Tarn Police reopened the case in 2022 and sent the items for testing.", context="Keith Stone") == ""


def test_a_surname_alone_is_not_a_relation_introduced_by_it():
    moved = "The jury was told that Stone moved to Wickby in 2001."
    article = (
        "A jury convicted Keith Stone, of Wickby, of the murder on Wednesday.\n"
        "Stone's younger brother, Philip Stone, 58, was cleared on Tuesday.\n" + moved
    )
    assert misses("Where did Keith Stone move to in 2001?", moved, context="Keith Stone", article=article) == ""
    assert misses("Where did Philip Stone move to in 2001?", moved, context="Philip Stone", article=article) != ""
    # Two of one surname named in turn: the surname alone is the last named in full.
    turn = "Keith Stone spoke first.\nPhilip Stone, his brother, spoke next.\n" + moved
    assert misses("Where did Philip Stone move to in 2001?", moved, context="Philip Stone", article=turn) == ""


def test_a_figure_after_of_is_not_the_opposites():
    question = "Which supermarket reported a rise of 4 percent in sales?"
    assert misses(question, "Orme Foods reported a fall of 4 percent in sales.") == "no 4 percent"
    assert misses(question, "Orme Foods reported a drop of 4 percent in sales.") == "no 4 percent"
    assert misses(question, "Orme Foods reported a rise of 4 percent in sales.") == ""
    assert misses(question, "Orme Foods reported growth of 4 percent in sales.") == ""
