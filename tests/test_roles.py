"""Sentence roles: the tagger's rules on real sentences, the roles stored at ingest and brought up to date
by sync, and the per-passage roles the ranking reads."""

from __future__ import annotations


import pytest
from conftest import copy_pena

from qa_bot.ingest import roles
from qa_bot.ingest.roles import citation_only, classify, tag
from qa_bot.ingest.store import Store
from qa_bot.types import Paragraph

BODY = Paragraph(0, 1000, "body", "DISCUSSION > III", "majority", "Sack")


@pytest.mark.parametrize("sentence, role", [
    # Pena v. DePrisco and Terry v. Ohio, as they stand in the opinions
    ("We therefore conclude that the pre-accident individual defendants are entitled to qualified immunity as to "
     "the substantive due process claims.", "holding"),
    ("We merely hold today that where a police officer observes unusual conduct which leads him reasonably to "
     "conclude in light of his experience that criminal activity may be afoot ...", "holding"),
    ("I would affirm this conviction for what I believe to be the same reasons the Court relies on.", "disposition"),
    ("The judgment of the Supreme Court of Ohio is reversed and the cause remanded for further proceedings.",
     "disposition"),
    ("Finally, the PBA argues in its amicus curiae brief that the \u201cpost-accident\u201d PBA defendants are "
     "entitled to qualified immunity as to the state-created-danger claims.", "argument"),
    ("In addition, the non-supervisory police officers argue that the \u201cpost-accident\u201d police officer "
     "defendants are not state actors.", "argument"),
    ("The Government contends, however, that the activities of its agents in this case should not be tested by "
     "Fourth Amendment requirements.", "argument"),
    ("Although Daniels vigorously argues that sovereign immunity would have defeated his claim, the Fourth Circuit "
     "found to the contrary.", "reasoning"),  # the court's answer is the point
    ("The question is whether in all the circumstances of this on-the-street encounter, his right to personal "
     "security was violated by an unreasonable search and seizure.", "issue"),
    ("We must decide whether at that point it was reasonable for Officer McFadden to have interfered with "
     "petitioner's personal security as he did.", "issue"),
    ("The district court denied the defendants\u2019 motion brought under Federal Rule of Civil Procedure 12(b)(6) "
     "to dismiss the plaintiffs\u2019 complaints.", "procedure"),
    ("We granted certiorari, 387 U.S. 929 (1967), to determine whether the admission of the revolvers in evidence "
     "violated petitioner's rights.", "procedure"),
    ("In Parratt v. Taylor, we granted certiorari, as we had twice before, \u201cto decide whether mere negligence "
     "will support a claim for relief under \u00a7 1983.\u201d", "precedent"),
    ("We have recently held that \u201cthe Fourth Amendment protects people, not places.\u201d", "reasoning"),
    ("My understanding of the rule that has emerged from prior decisions is that there is a twofold requirement, "
     "first that a person have exhibited an actual (subjective) expectation of privacy.", "rule"),
    ("It is so ordered.", "other"),
    # the court disposing of a contention in its own voice (Daniels v. Williams, 474 U.S. 327, 333, 335-36)
    ("But while the Due Process Clause of the Fourteenth Amendment obviously speaks to some facets of this "
     "relationship, see, e. g., Wolff v. McDonnell, supra, we do not believe its protections are triggered by lack "
     "of due care by prison officials.", "holding"),
    ("Jailers may owe a special duty of care to those in their custody under state tort law, but for the reasons "
     "previously stated we reject the contention that the Due Process Clause of the Fourteenth Amendment embraces "
     "such a tort law concept.", "holding"),
    # ... but "we have rejected" reports precedent (Parratt v. Taylor, 451 U.S. 527, 540)
    ("However, as many of the above cases recognize, we have rejected the proposition that \"at a meaningful time "
     "and in a meaningful manner\" always requires the State to provide a hearing prior to the initial deprivation "
     "of property.", "reasoning"),
    # the judgment line as reporters print it, cut in two
    ("Accordingly, the judgment of the Court of Appeals is", "disposition"),
    ("Reversed.", "disposition"),
    # a party's argument reported with "persist in" / "continue to" (Maine v. Thiboutot, 448 U.S. 1, 6)
    ("In the face of the plain language of § 1983, petitioners nevertheless persist in suggesting that the phrase "
     "\"and laws\" should be read as limited to civil rights or equal protection laws.", "argument"),
    # a Justice's bare vote (United States v. Chadwick, 433 U.S. 1, 22, Blackmun, J., dissenting)
    ("Accordingly, I dissent from the judgment.", "disposition"),
    ("I dissent from today's holding which judicially creates a damage remedy not provided for by the Constitution "
     "and not enacted by Congress.", "holding"),
])
def test_classify_real_sentences(sentence, role):
    assert classify(sentence, BODY, front=False, early=False) == role


def test_front_matter_and_headings_are_caption_never_the_courts_words():
    head = Paragraph(0, 20, "heading", "", "majority", None)
    assert classify("DISCUSSION", head, front=False, early=False) == "caption"
    # a line saying who joins a separate opinion (United States v. Classic, 313 U.S. 299, 342) is not its words
    joins = "Mr. Justice BLACK and Mr. Justice MURPHY join in this dissent."
    assert classify(joins, Paragraph(0, len(joins), "body", "", "dissent", "Douglas"), front=False,
                    early=False) == "caption"
    # a judgment line the structure took for a heading is still the judgment
    assert classify("The judgment of the Court of Appeals is", head, front=False, early=False) == "disposition"
    assert classify("CERTIORARI TO THE UNITED STATES COURT OF APPEALS FOR THE SECOND CIRCUIT.", BODY, front=True,
                    early=False) == "caption"
    assert classify("Burton Marks and Harvey A. Schneider argued the cause and filed briefs for petitioner.", BODY,
                    front=True, early=False) == "caption"
    assert classify("MR. JUSTICE STEWART delivered the opinion of the Court.", Paragraph(0, 55, "body"), front=False,
                    early=False) == "caption"


@pytest.mark.parametrize("text, expected", [
    ("Id., at 316; see United States v. Gilman, 347 U.S. 507 (1954).", True),
    ("O'Hara, supra, at 112.", True),
    ("See, e. g., Nolan v. Fitzpatrick, 451 F. 2d, at 547-548.", True),
    ("The federal remedy is supplementary to the state remedy.", False),
])
def test_sentences_that_only_point_at_authority(text, expected):
    assert citation_only(text) is expected


def test_every_sentence_of_an_opinion_gets_one_role_in_order(pena_opinion):
    tagged = tag(pena_opinion)
    assert tagged and all(r.role in roles.ROLES for r in tagged)
    assert [r.start for r in tagged] == sorted(r.start for r in tagged)
    assert all(a.end <= b.start for a, b in zip(tagged, tagged[1:]))  # no overlaps
    text = pena_opinion.text
    holdings = [text[r.start:r.end] for r in tagged if r.role == "holding"]
    assert any("entitled to qualified immunity" in h for h in holdings)
    assert any(text[r.start:r.end].startswith("Finally, the PBA argues") for r in tagged if r.role == "argument")


def test_the_argument_search_is_skipped_only_where_it_cannot_match(pena_opinion):
    """``may_argue`` is a necessary condition of ``_ARGUMENT`` (so skipping the costly search where it
    fails changes no role): on every sentence of Pena, the gold role set, and one sentence for each
    word form the argument cues list, as statement, passive and noun."""
    import json
    import re
    from pathlib import Path

    from qa_bot.ingest.sentences import opinion_sentences

    text = pena_opinion.text
    sentences = [text[a:b] for p in pena_opinion.paragraphs for a, b in opinion_sentences(pena_opinion, p.start, p.end)]
    gold = Path(__file__).resolve().parent.parent / "eval" / "sets" / "roles.jsonl"
    sentences += [json.loads(line)["text"] for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    pattern = re.sub(r"\\s|\?|\(\?:|\)|\\b", "", roles._ARGUMENT.pattern.replace("[sz]", "z"))
    forms = {f for w in re.findall(r"[a-z]{3,}", pattern) for f in (w, w[:-1] if w.endswith("s") else w)}
    for w in sorted(forms):
        sentences += [f"The petitioner {w} that the search was unlawful.", f"It was {w}, that the stop was lawful.",
                      f"Petitioner's principal {w} is weak.", f"The {w} was that the stop was lawful.",
                      f"Petitioners {w} us to hold the statute void.", f"Counsel {w} upon Terry v. Ohio.",
                      f"Petitioner {w} the ruling below."]
    matched = [t for t in sentences if roles._ARGUMENT.search(" ".join(t.split()))]
    assert len(matched) > 100  # the cues are exercised
    assert all(roles.may_argue(" ".join(t.split())) for t in matched)
    assert [classify(t, BODY, front=False, early=False) for t in matched].count("argument") > 50
    # the lower-cased check is exact but for the letters IGNORECASE also takes for ASCII ones: these four
    others = "".join(chr(c) for c in range(128, 0x110000) if not 0xD800 <= c < 0xE000)
    assert sorted(re.findall("[a-z]", others, re.I)) == sorted(roles.FOLDS_TO_ASCII)
    assert roles.may_argue("Petitioner \u0130NSISTS that") and roles._ARGUMENT.search("Petitioner \u0130NSISTS that")


def test_roles_are_stored_at_ingest_read_back_and_retagged_by_sync(tmp_path, monkeypatch):
    from qa_bot.library import Library

    src = tmp_path / "src"
    copy_pena(src)
    with Library.open(tmp_path / "lib", create=True) as lib:
        lib.ingest([src / "pena-v-deprisco.txt"], embed=False)
        (oid, _, _), = list(lib.store.opinions())
        op = lib.opinion(oid)
        assert op.roles and op.roles == tag(op)
        i = op.text.index("We therefore conclude that the pre-accident")
        assert op.role_at(i + 5) == "holding"
        per_passage = lib.store.passage_roles(lib.store.passage_ids())
        assert sum("holding" in r for r in per_passage.values()) >= 3
        # a library stored before roles existed, or by another version of the rules: sync retags it
        with lib.store.transaction():
            lib.store.db.execute("DELETE FROM sentence_roles")
        assert lib.store.untagged_opinions() == [oid] and lib.opinion(oid).roles == ()
        assert lib.sync(embed=False)["roles_tagged"] == 1
        assert lib.opinion(oid).roles == op.roles
        assert roles.stale(lib.store) == "" and lib.info()["sentence_roles"] == f"version {roles.VERSION}"
        monkeypatch.setattr(roles, "VERSION", roles.VERSION + 1)
        # until then, the library says its roles are an older tagger's and what re-tags them
        assert "`qa-bot sync` re-tags them" in lib.info()["sentence_roles"]
        assert lib.sync(embed=False)["roles_tagged"] == 1  # stale version: all again
        assert lib.sync(embed=False)["roles_tagged"] == 0
        assert roles.stale(lib.store) == ""


def test_store_without_roles_table_rows_still_answers(tmp_path, pena_opinion):
    """An opinion stored without roles is read back with none (``role_at`` None), never an error."""
    from dataclasses import replace

    from qa_bot.ingest.chunk import chunk
    from qa_bot.settings import ChunkSettings

    op = replace(pena_opinion, roles=())
    with Store(tmp_path) as store:
        with store.transaction():
            store.add_opinion(op, chunk(op, ChunkSettings()))
        back = store.opinion(op.id)
        assert back.roles == () and back.role_at(10) is None
        assert store.passage_roles(store.passage_ids()) == {}


def test_the_viewer_badges_the_key_sentences_where_they_begin(pena_opinion):
    from dataclasses import replace

    from qa_bot.web.viewer import render_opinion

    html = render_opinion(replace(pena_opinion, roles=tag(pena_opinion)))
    badge = '<span class="qa-role qa-role-holding" title="the court&#x27;s holding or conclusion">holding</span>'
    assert badge + "We therefore conclude that the pre-accident" in html
    assert '<span class="qa-role qa-role-argument"' in html and "qa-role-caption" not in html
    assert "qa-role" not in render_opinion(pena_opinion)  # an untagged opinion shows none
