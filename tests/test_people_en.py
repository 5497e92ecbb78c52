"""English people on sentences written for these tests (made-up people and bodies): names
of many cultures and shapes, the constructions that give posts, and what is not a person."""

from __future__ import annotations

from factfold import Document, Person
from factfold.plugins import people


def extract(text: str) -> list[Person]:
    return list(people.extract(Document(doc_id="d", path="d.txt", text=text)))


def roles(text: str) -> set[tuple[str, str | None, str | None]]:
    return {(p.name, p.title, p.organization) for p in extract(text)}


def names(text: str) -> set[str]:
    return {p.name for p in extract(text)}


def test_a_middle_initial_and_degrees_between_name_and_post() -> None:
    got = roles("Carlos M. Ferreira, PhD, LCSW, Vice President of the Harbor School of "
                "Social Work, opened the meeting.")
    assert got == {("Carlos M. Ferreira", "Vice President", "Harbor School of Social Work")}


def test_name_title_body_apposition_with_two_commas() -> None:
    got = roles("Speakers included Fatima Bello, Executive Director, Lagos Care Foundation, "
                "and others.")
    assert ("Fatima Bello", "Executive Director", "Lagos Care Foundation") in got


def test_body_title_name_before_the_name() -> None:
    got = roles("The pact was signed by NACSW President Adebayo Okonkwo and Riverside "
                "University Dean Priya Raman.")
    assert got == {("Adebayo Okonkwo", "President", "NACSW"),
                   ("Priya Raman", "Dean", "Riverside University")}


def test_a_bodys_post_written_before_the_post_in_apposition() -> None:
    got = roles("Nomvula Dlamini, the foundation's programme officer, told reporters that "
                "300 families had been reached by the Ubuntu Care Foundation.")
    assert got == {("Nomvula Dlamini", "programme officer", "foundation")}
    got = roles("Maria dela Cruz, Manila Council secretary, spoke next.")
    assert got == {("Maria dela Cruz", "secretary", "Manila Council")}


def test_name_particles_and_hyphenated_arabic_names() -> None:
    got = names("The award went to Maria de los Santos and to Khalid al-Harbi, a volunteer.")
    assert got == {"Maria de los Santos", "Khalid al-Harbi"}


def test_chinese_names_in_pinyin_are_known_without_context() -> None:
    assert names("Guests included Zhou Xiaoming and Ouyang Li, and He Jianmin spoke.") == {
        "Zhou Xiaoming", "Ouyang Li", "He Jianmin"}


def test_an_unknown_name_needs_its_context() -> None:
    # neither part is in a names lexicon: only a post or a reporting verb vouches for it
    assert names("Olumide Adewale-Ojo arrived early.") == set()
    assert names("Olumide Adewale-Ojo said the plan works.") == {"Olumide Adewale-Ojo"}
    assert roles("Secretary-General Olumide Adewale-Ojo of the Kano Welfare League spoke.") == {
        ("Olumide Adewale-Ojo", "Secretary-General", "Kano Welfare League")}


def test_names_inside_proper_nouns_and_title_words_are_not_people() -> None:
    text = ("Students of the Kwame Mensah University and the Executive Director met at the "
            "Grace Hill Road office. The Board Secretary and Vice President attended.")
    assert names(text) == set()


def test_a_later_surname_mention_is_an_alias_and_lends_its_post() -> None:
    text = ("Amara Okafor opened the forum. Later, Director Okafor of the Enugu Social "
            "Welfare Board signed the agreement. Okafor said the plan would run for a year.")
    (person,) = extract(text)
    assert person.name == "Amara Okafor"
    assert person.aliases == ("Okafor",)
    assert (person.title, person.organization) == ("Director", "Enugu Social Welfare Board")


def test_elected_as_and_who_serves_as() -> None:
    got = roles("The board elected Rosa Jimenez as Chair of the Valle Children's Trust. "
                "She succeeds Tomas Ruiz, who served as Treasurer of the trust.")
    assert got == {("Rosa Jimenez", "Chair", "Valle Children's Trust"),
                   ("Tomas Ruiz", "Treasurer", "Valle Children's Trust")}


def test_a_list_of_names_and_posts_run_together() -> None:
    got = roles("Board: Janet Cole, President Willem Botha, Vice President Grace Ndlovu, "
                "Treasurer")
    assert got == {("Janet Cole", "President", None), ("Willem Botha", "Vice President", None),
                   ("Grace Ndlovu", "Treasurer", None)}


def test_a_post_written_before_the_comma_belongs_to_the_name_after_it() -> None:
    got = roles("At the opening, the National Chairman of the society, Alhaji Musa Danjuma, "
                "spoke first. The ACSW chairman, Tan Weiming, closed the day.")
    assert got == {("Musa Danjuma", "National Chairman", "society"),
                   ("Tan Weiming", "chairman", "ACSW")}


def test_the_post_of_a_list_items_apposition_is_not_given_to_the_next_name() -> None:
    got = roles("Speakers were Joan Hart, the director of the Westfield Care Trust, "
                "Maria Lopez, dean of the Eastbrook School of Social Work, and others.")
    assert got == {("Joan Hart", "director", "Westfield Care Trust"),
                   ("Maria Lopez", "dean", "Eastbrook School of Social Work")}


def test_forms_of_one_name_fold_into_the_fullest() -> None:
    text = ("Peter K. Obi, President of the Delta Social Work Council, spoke. Peter Obi said "
            "the council would grow. Later Robert Owusu-Ansah, Jr. and Owusu-Ansah's team "
            "met Mary Ann Bani Sadr. Bani Sadr said little.")
    got = {p.name: set(p.aliases) for p in extract(text)}
    assert got == {"Peter K. Obi": {"Peter Obi"}, "Robert Owusu-Ansah, Jr.": set(),
                   "Mary Ann Bani Sadr": {"Bani Sadr"}}


def test_places_are_not_people_even_with_a_given_name_first() -> None:
    assert names("Delegates from Hong Kong and Georgia met Victoria Adeyemi in Hong Kong.") == {
        "Victoria Adeyemi"}


def test_surnames_in_capitals_and_posts_with_their_field() -> None:
    got = roles("Professor ZHANG Lihua, the Deputy Head of the Department of Sociology, and "
                "Ruth OKAFOR, Child Protection Specialist, UNICEF Nigeria said more.")
    assert got == {("ZHANG Lihua", "Deputy Head", "Department of Sociology"),
                   ("Ruth OKAFOR", "Child Protection Specialist", "UNICEF Nigeria")}


def test_a_given_name_alone_later_is_the_person_and_takes_the_post() -> None:
    text = ("The meeting elected Daniel Mensah as Treasurer. Daniel is currently Director of "
            "the Accra Youth Council.")
    facts = extract(text)
    assert {p.name for p in facts} == {"Daniel Mensah"}
    assert {p.aliases for p in facts} == {("Daniel",)}
    assert {(p.title, p.organization) for p in facts} == {
        ("Treasurer", None), ("Director", "Accra Youth Council")}


def test_initials_and_abbreviations_end_no_sentence() -> None:
    from factfold.plugins import nlp

    text = ("The Harbor Relief Foundation, Inc. President Ana M. Ruiz signed on Sept. 4 under "
            "Order No. 12 with the U.S. delegation. Mr. Ito said so.")
    assert [text[a:b] for a, b in nlp.sentences(text)] == [
        "The Harbor Relief Foundation, Inc. President Ana M. Ruiz signed on Sept. 4 under "
        "Order No. 12 with the U.S. delegation.", "Mr. Ito said so."]
