"""Build eval/sets/pena_dev.jsonl: a hand-written development set over Pena v. DePrisco, 432 F.3d 98.

The questions and exact quotes live below as Python data. The script derives the opinion's clean text from the
raw Caselaw Access Project file itself (star-page markers and glued footnote-marker digits removed, footnotes
split off the body), finds every quote verbatim inside one paragraph or one footnote, computes its pin (the page
where the quote starts, or "<page of the footnote marker> n.<N>" for a footnote) and fails loudly when a quote
is missing or ambiguous.

    .venv/bin/python eval/make_pena_dev.py [--source ../shared/seeds/pena-v-deprisco.txt] [--out eval/sets/pena_dev.jsonl]

`clean_units()` / `clean_text()` are imported by tests/test_devsets.py, which runs them on tests/data's copy.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "seeds" / "pena-v-deprisco.txt"
DEFAULT_OUT = ROOT / "eval" / "sets" / "pena_dev.jsonl"

CASE = "Pena v. DePrisco"
CITATION = "432 F.3d 98"
FIRST_TEXT_PAGE = 102  # text before the first star marker stands on page 102
N_FOOTNOTES = 23

STAR = re.compile(r"\*(\d{3})")


@dataclass
class Unit:
    """One paragraph of the body or one footnote of the clean text."""

    kind: str  # "para" | "footnote"
    text: str
    pages: list[int] = field(default_factory=list)  # body: page of every character
    number: int | None = None  # footnote number
    marker_page: int | None = None  # footnote: page where its marker stands

    def pin_at(self, i: int) -> str:
        if self.kind == "footnote":
            return f"{self.marker_page} n.{self.number}"
        return str(self.pages[i])


def _strip_stars(text: str, page: int) -> tuple[str, list[int], int]:
    out: list[str] = []
    pages: list[int] = []
    pos = 0
    for m in STAR.finditer(text):
        out.append(text[pos : m.start()])
        pages.extend([page] * (m.start() - pos))
        page = int(m.group(1))
        pos = m.end()
    out.append(text[pos:])
    pages.extend([page] * (len(text) - pos))
    return "".join(out), pages, page


def clean_units(raw: str) -> list[Unit]:
    """Paragraphs of the body then the 23 footnotes, with star markers and footnote markers removed."""
    lines = [ln for ln in raw.splitlines() if ln.strip()]
    first_fn = next(i for i, ln in enumerate(lines) if ln.startswith("."))
    body_lines, fn_lines = lines[:first_fn], lines[first_fn:]
    if len(fn_lines) != N_FOOTNOTES:
        raise ValueError(f"expected {N_FOOTNOTES} footnotes, found {len(fn_lines)}")

    # Body: one string (paragraphs joined by "\n") so the current page carries across paragraphs.
    body, pages, _ = _strip_stars("\n".join(body_lines), FIRST_TEXT_PAGE)

    # Footnote markers 1..23 in order: the number glued to a non-space, non-digit char, then space or end.
    marker_pages: dict[int, int] = {}
    pos = 0
    for n in range(1, N_FOOTNOTES + 1):
        m = re.compile(rf"(?<=[^\s\d]){n}(?=\s|$)").search(body, pos)
        if not m:
            raise ValueError(f"footnote marker {n} not found")
        marker_pages[n] = pages[m.start()]
        body = body[: m.start()] + body[m.end() :]
        del pages[m.start() : m.end()]
        pos = m.start()

    units: list[Unit] = []
    start = 0
    for para in body.split("\n"):
        units.append(Unit("para", para, pages[start : start + len(para)]))
        start += len(para) + 1

    for n, ln in enumerate(fn_lines, 1):
        text = ln[1:].lstrip(" ")
        text, _, _ = _strip_stars(text, 0)
        units.append(Unit("footnote", text, number=n, marker_page=marker_pages[n]))
    return units


def clean_text(raw: str) -> str:
    """The clean text: body paragraphs then footnotes, one per line."""
    return "\n".join(u.text for u in clean_units(raw))


def locate(units: list[Unit], quote: str) -> str:
    """Pin of the single unit holding `quote` verbatim; raises if missing or found with different pins."""
    pins = set()
    for u in units:
        i = u.text.find(quote)
        while i >= 0:
            pins.add(u.pin_at(i))
            i = u.text.find(quote, i + 1)
    if not pins:
        raise LookupError(f"quote not found verbatim in one paragraph/footnote: {quote!r}")
    if len(pins) > 1:
        raise LookupError(f"quote is ambiguous ({sorted(pins)}): {quote!r}")
    return pins.pop()


# ---------------------------------------------------------------------------------------------------------------
# The questions. Each: (question, [quotes], reference_answer, tags); unanswerable questions have no quotes.
# Quotes are copied from the clean text (no star markers, no footnote digits), each inside one paragraph/footnote.
# ---------------------------------------------------------------------------------------------------------------

QUESTIONS: list[tuple[str, list[str], str, list[str]]] = [
    # --- holdings and standards --------------------------------------------------------------------------------
    (
        "Did the Second Circuit find that the plaintiffs in Pena v. DePrisco alleged a constitutional violation?",
        ["we conclude that the defendants’ behavior would have violated fundamental constitutional rights of the victims"],
        "Yes: taking the allegations as true, the defendants' behavior would have violated the victims' substantive due process rights.",
        ["holding"],
    ),
    (
        "Why did the appeals panel throw out the claims against the individual cops even though it found a possible rights violation?",
        [
            "because that interpretation of the Due Process Clause was not clearly established at the time of the defendants’ actions, under principles of qualified immunity, they cannot be held individually liable",
            "We therefore conclude that the pre-accident individual defendants are entitled to qualified immunity as to the substantive due process claims.",
        ],
        "Because the right was not clearly established when they acted, so qualified immunity shields them from personal liability.",
        ["paraphrase", "holding"],
    ),
    (
        "What two-step inquiry does a qualified immunity claim involve?",
        [
            "A claim of qualified immunity ordinarily involves a two-step inquiry.",
            "the next, sequential step is to ask whether the right was clearly established",
        ],
        "First whether the alleged facts show a constitutional violation, then whether that right was clearly established (Saucier v. Katz).",
        ["standard", "authority"],
    ),
    (
        "What rule from DeShaney v. Winnebago County did the plaintiffs have to get around?",
        ["a State’s failure to protect an individual against private violence simply does not constitute a violation of the Due Process Clause"],
        "DeShaney holds that a state's failure to protect someone from private violence is not a due process violation.",
        ["authority", "standard"],
    ),
    (
        "How did the Second Circuit read DeShaney in Dwares v. City of New York?",
        ["an allegation that the officers in some way had assisted in creating or increasing the danger to the victim would indeed implicate those rights"],
        "Dwares read DeShaney to allow a due process claim where officers helped create or increase the danger, unlike mere failure to act.",
        ["authority", "state-created danger"],
    ),
    (
        "How does the Second Circuit distinguish special relationship liability from state-created danger liability?",
        ["“special relationship” liability arises from the relationship between the state and a particular victim, whereas “state created danger” liability arises from the relationship between the state and the private assailant"],
        "Special-relationship liability turns on the state's relationship with the victim; state-created danger turns on its relationship with the private assailant.",
        ["holding", "state-created danger"],
    ),
    (
        "Could supervisors who simply looked the other way and never disciplined the officer be sued for that inaction alone?",
        [
            "A failure to interfere when misconduct takes place, and no more, is not sufficient to amount to a state created danger.",
            "we think those allegations are also inadequate to state a substantive due process claim",
        ],
        "No: passively failing to intervene or punish, without more, does not amount to a state-created danger.",
        ["paraphrase", "holding"],
    ),
    (
        "When can state officials be liable under section 1983 for telling a private person he will not be punished for dangerous misconduct?",
        ["state officials communicate to a private person that he or she will not be arrested, punished, or otherwise interfered with while engaging in misconduct that is likely to endanger the life, liberty or property of others"],
        "When officials communicate to a private person that he will not be arrested or punished for misconduct likely to endanger others, they can be liable under Dwares for the resulting injury.",
        ["holding", "affirmative acts"],
    ),
    (
        "Can tacit, unspoken approval by fellow cops make them answerable for a drunk colleague's crash?",
        [
            "This is so even though none of the defendants are alleged to have communicated the approval explicitly.",
            "Sometimes deliberate silence is equivalent to explicit permission.",
        ],
        "Yes: implicit communication of impunity can suffice, since deliberate silence can amount to permission.",
        ["paraphrase", "holding", "affirmative acts"],
    ),
    (
        "Does being on his own time keep a policeman from signalling approval of a colleague's behavior?",
        ["the fact that an officer is off-duty does not prevent him or her from giving assurances about what he or she or other police officers will or will not do when acting as police officers"],
        "No: off-duty officers can still give assurances about what police will or will not do, though it may be harder to prove.",
        ["paraphrase", "holding"],
    ),
    (
        "What is the key question about the officers' conduct toward Grey, according to the court?",
        ["the key question is whether the individual defendants told, or otherwise communicated to, Officer Grey that he could drink excessively and drive while intoxicated without fear of punishment"],
        "Whether the defendants told or otherwise communicated to Grey that he could drink and drive without fear of punishment.",
        ["holding", "officers' conduct"],
    ),
    (
        "What standard must government action meet to shock the conscience for substantive due process?",
        ["so egregious, so outrageous, that it may fairly be said to shock the contemporary conscience"],
        "The action must be so egregious and outrageous that it shocks the contemporary conscience (County of Sacramento v. Lewis).",
        ["standard", "shocks the conscience"],
    ),
    (
        "Is mere carelessness by government employees ever enough for this kind of constitutional claim?",
        ["negligently inflicted harm is categorically beneath the threshold of constitutional due process"],
        "No: negligently inflicted harm falls categorically below the due process threshold.",
        ["paraphrase", "standard", "shocks the conscience"],
    ),
    (
        "Why does having time to think before acting matter when judging whether officials behaved outrageously?",
        [
            "the standard is sensibly employed only when actual deliberation is practical",
            "had ample opportunity, not only during the day in question, but also during the days, weeks and months that preceded it",
        ],
        "Deliberate indifference can shock the conscience only where deliberation is practical, and these defendants had days, weeks and months to decide how to respond.",
        ["paraphrase", "shocks the conscience"],
    ),
    (
        "Did the court find that the officers' alleged conduct shocks the conscience even without intent to harm?",
        ["are sufficient to assert that the defendants created a serious danger by acting with deliberate indifference to it"],
        "Yes: allegations of deliberate indifference to a serious danger, without specific intent to injure, suffice.",
        ["holding", "shocks the conscience"],
    ),
    (
        "What factors does the Second Circuit weigh in deciding whether a right was clearly established?",
        [
            "whether the right in question was defined with “reasonable specificity”",
            "whether under preexisting law a reasonable defendant official would have understood that his or her acts were unlawful",
        ],
        "Whether the right was defined with reasonable specificity, whether Supreme Court and circuit law support it, and whether a reasonable official would have understood the acts were unlawful.",
        ["standard", "authority"],
    ),
    (
        "Did the circuit's earlier flag-burning precedent squarely cover years of tolerated boozing by cops?",
        ["Dwares did not address, let alone decide, whether repeated inaction on the part of government officials over a long period of time without an explicit statement of approval, might effectively constitute such an implicit “prior assurance”"],
        "No: Dwares never decided whether long-running inaction without explicit approval could be an implicit prior assurance, so the right was not clearly established.",
        ["paraphrase", "holding", "qualified immunity"],
    ),
    (
        "Can officials be on notice that conduct is unlawful even in novel factual circumstances?",
        ["officials can still be on notice that their conduct violates established law even in novel factual circumstances"],
        "Yes, under Hope v. Pelzer officials can be on notice even in novel factual circumstances.",
        ["authority", "qualified immunity"],
    ),
    # --- facts --------------------------------------------------------------------------------------------------
    (
        "How long had Grey been on his bender, and without rest, when he ran down the pedestrians?",
        ["he had been drinking continuously for nearly twelve hours and had not slept in more than twenty-two"],
        "Nearly twelve hours of continuous drinking, with no sleep for more than twenty-two hours.",
        ["paraphrase", "facts"],
    ),
    (
        "Who was killed when Grey drove through the red lights?",
        [
            "struck and killed Maria Herrera, her son, Andy Herrera, and her sister, Dicia Pena as they attempted to cross Third Avenue, in Brooklyn",
            "was delivered in the hospital by cesarean section, but died shortly after his birth",
        ],
        "Maria Herrera, her son Andy Herrera, her sister Dicia Pena, and Maria's newborn son Ricardo, who died shortly after birth.",
        ["facts"],
    ),
    (
        "In the Pena v. DePrisco crash, what became of the baby the expectant mother was carrying?",
        ["Her son, Ricardo Nicanol Herrera, Andy’s brother, was delivered in the hospital by cesarean section"],
        "He was delivered by cesarean section in the hospital but died shortly after birth.",
        ["paraphrase", "facts"],
    ),
    (
        "Where did Grey's drinking binge begin on August 4, 2001?",
        ["It began in the company of fellow police officers and supervisory police sergeants in the parking lot of the 72nd Precinct"],
        "In the 72nd Precinct parking lot in Brooklyn, with fellow officers and supervising sergeants.",
        ["facts"],
    ),
    (
        "What did Sergeant Healy ask Grey to do after hours of drinking at the strip club?",
        ["Sergeant Healy asked the inebriated Grey to drive him back to the 72nd Precinct house"],
        "Healy asked the drunk Grey to drive him back to the 72nd Precinct house.",
        ["facts", "officers' conduct"],
    ),
    (
        "Was the nightclub the group went to a permitted place for members of the force?",
        ["The bar had been declared by department officials to be “off limits” to police officers"],
        "No: department officials had declared The Wild, Wild West off limits to police officers, a designation the officers ignored.",
        ["paraphrase", "facts"],
    ),
    (
        "Did the NYPD ever take Grey to task over his boozing before the fatal night?",
        ["he was never questioned, disciplined, or counseled about his alcohol use"],
        "No: despite disclosing a drinking history and continuing to drink heavily, he was never questioned, disciplined or counseled.",
        ["paraphrase", "facts", "officers' conduct"],
    ),
    (
        "What did the plaintiffs allege about how the police handled the investigation after the crash?",
        [
            "No sobriety tests were administered at the crime scene.",
            "The police delayed testing Grey’s alcohol blood level for several hours.",
        ],
        "They alleged officers and the PBA hindered the investigation, skipping sobriety tests, delaying blood testing and mishandling evidence.",
        ["facts"],
    ),
    (
        "What punishment did Grey receive from the state criminal court?",
        [
            "Grey was sentenced to an indeterminate prison term of five to fifteen years",
            "four counts of second degree manslaughter for recklessly causing the deaths of the four persons he had killed",
        ],
        "After a jury convicted him of manslaughter and DWI, he got an indeterminate prison term of five to fifteen years.",
        ["paraphrase", "facts", "procedure"],
    ),
    # --- procedural history -----------------------------------------------------------------------------------
    (
        "What did the district court rule on the defendants' Rule 12(b)(6) motion to dismiss?",
        ["The district court denied the defendants’ motion brought under Federal Rule of Civil Procedure 12(b)(6) to dismiss the plaintiffs’ complaints."],
        "It denied the motion to dismiss the complaints (Small v. City of New York, 274 F.Supp.2d 271).",
        ["procedure"],
    ),
    (
        "Which trial-level jurist handled the suits before they reached the circuit?",
        ["which the district court (Nina Gershon, Judge) addressed in a single opinion and order"],
        "Judge Nina Gershon of the Eastern District of New York.",
        ["paraphrase", "procedure"],
    ),
    (
        "What federal claims did the plaintiffs' complaints assert?",
        ["the complaints assert, in substance, four federal claims"],
        "Four: state-created-danger substantive due process, denial of access to the courts, conspiracy, and §§ 1983/1985 conspiracy to deny equal protection.",
        ["procedure"],
    ),
    (
        "Why could the defendants appeal the denial of qualified immunity before final judgment?",
        ["is an appealable ‘final decision,’ within the meaning of 28 U.S.C. § 1291 notwithstanding the absence of final judgment"],
        "Under Mitchell v. Forsyth, a denial of qualified immunity that turns on law is an appealable final decision under § 1291.",
        ["procedure", "authority"],
    ),
    (
        "What standard of review applies when a district court resolves qualified immunity on a motion to dismiss?",
        ["we review the court’s determination de novo, accept as true all the material allegations of the complaint"],
        "De novo review, accepting the complaint's material allegations as true and drawing inferences for the plaintiffs.",
        ["procedure", "standard"],
    ),
    (
        "What did the Second Circuit do with the district court's order, and what were its instructions on remand?",
        ["We therefore vacate the district court’s denial of the motion to dismiss the state-created-danger claims as to the individual defendants on the basis of qualified immunity"],
        "It vacated the denial of the motion to dismiss the state-created-danger claims against the individual defendants and remanded with instructions to grant it.",
        ["procedure", "holding"],
    ),
    # --- cited authorities --------------------------------------------------------------------------------------
    (
        "On which Second Circuit case did the district court rely to find officials on notice that emboldening private violence violates due process?",
        ["officials in this Circuit have been on notice that police action which emboldens private citizens to injure others may give rise to a substantive due process violation"],
        "Dwares v. City of New York, 985 F.2d 94 (2d Cir. 1993).",
        ["authority"],
    ),
    (
        "Which case compared the state to someone who throws a man into a snake pit?",
        ["it is as much an active tortfeasor as if it had thrown him into a snake pit"],
        "Bowers v. DeVito, 686 F.2d 616, 618 (7th Cir. 1982) (Posner, J.).",
        ["authority"],
    ),
    (
        "What reptile imagery did the panel borrow to describe what the officers did in its earlier flag-burning case?",
        ["the police officers in Dwares did not bring the victim to the snakes; they let loose the snakes upon the victim"],
        "Paraphrasing Bowers, it said the Dwares officers did not bring the victim to the snakes but let the snakes loose on the victim.",
        ["paraphrase", "authority"],
    ),
    (
        "Which Seventh Circuit drunk-driving cases did the court contrast?",
        [
            "Reed v. Gardner, 986 F.2d 1122 (7th Cir.1993) (due-process violation when police left an intoxicated passenger in the car with the ignition keys)",
            "Latuszkin v. City of Chicago, 250 F.3d 502 (7th Cir.2001) (no due-process violation for failure to stop an off-duty police officer from driving home drunk from a party)",
        ],
        "Reed v. Gardner (violation where police left a drunk passenger with the keys) versus Latuszkin v. City of Chicago (no violation for not stopping an off-duty officer driving home drunk).",
        ["authority"],
    ),
    (
        "Which precedent involved police handing a weapon back to a pharmacy employee who then fired it at someone?",
        ["officers who were called to the scene of a drugstore robbery had allowed the store’s manager to join them in pursuit of the suspect"],
        "Hemphill v. Schott, 141 F.3d 412 (2d Cir. 1998).",
        ["paraphrase", "authority", "affirmative acts"],
    ),
    # --- footnotes ----------------------------------------------------------------------------------------------
    (
        "Why does the Pena v. DePrisco opinion spell the drunk officer's surname with an 'e'?",
        ['Because the case caption lists the name as "Grey,” we use that spelling.'],
        "The filings disagreed between Gray and Grey, so the court followed the case caption.",
        ["footnote", "paraphrase"],
    ),
    (
        "What is the Patrolmen's Benevolent Association?",
        ['is New York City’s "largest police union."'],
        "The PBA is New York City's largest police union.",
        ["footnote", "facts"],
    ),
    (
        "How has the Fifth Circuit limited state-created-danger liability?",
        ['the Fifth Circuit has confined liability to situations involving "special relationships described by the Supreme Court'],
        "It confines liability to DeShaney special relationships such as incarceration or institutionalization, which the First Circuit reads as rejecting the theory.",
        ["footnote", "authority"],
    ),
    (
        "What did plaintiffs' counsel concede at oral argument about merely permitting alcohol-related misconduct?",
        ['simply "permitting” alcohol-related misconduct may fall on the DeShaney side of the DeShaney/Dwares line'],
        "Counsel conceded that merely permitting such misconduct may fall on the DeShaney (non-actionable) side of the line.",
        ["footnote", "procedure"],
    ),
    (
        "Against which defendants is the inference of official approval weakest, and against whom strongest?",
        [
            "the inference of official sanction is weaker as to the officers who drank with Grey only for a few hours in the precinct parking lot",
            "particularly as to Sergeant Healy, who asked Grey to drive him back to the precinct after drinking at the bar",
        ],
        "Weaker for those who only drank a few hours in the parking lot, stronger for those who went on to the bar, especially Sergeant Healy.",
        ["footnote", "officers' conduct"],
    ),
    (
        "Would it have been obvious to a cop that deliberately urging someone to drive drunk in order to hurt pedestrians was unconstitutional?",
        ["explicit encouragement of drunk driving with the intent of harming pedestrians is actionable under the state— created-danger theory was doubtless clearly established by Dwares"],
        "Yes, Dwares clearly established that, but no such explicit, intentional conduct was alleged here.",
        ["footnote", "paraphrase", "qualified immunity"],
    ),
    (
        "Does it matter that the people killed were not being held or detained by the government?",
        ["the fact that the victims were not in state custody at the time of the accident is irrelevant here"],
        "No: in this circuit state-created danger is distinct from the special-relationship exception, so custody is irrelevant.",
        ["footnote", "paraphrase", "state-created danger"],
    ),
    (
        "Did the complaint support its charge that the encouragement to drink was explicit?",
        ["nothing in the text of the complaint supports the conclusory charge of explicit encouragement"],
        "No: the court found only implicit encouragement, through supervisors drinking along or letting it continue.",
        ["footnote", "officers' conduct"],
    ),
    # --- unanswerable -------------------------------------------------------------------------------------------
    (
        "Were Grey's Miranda rights violated when he was questioned after the crash?",
        [],
        "The opinion does not address Miranda warnings or any custodial interrogation of Grey.",
        ["unanswerable"],
    ),
    (
        "What is the statute of limitations for a § 1983 claim brought in New York?",
        [],
        "The opinion does not discuss any limitations period.",
        ["unanswerable"],
    ),
    (
        "How much in punitive damages did the jury award the Herrera family?",
        [],
        "No damages were awarded or discussed; the appeal arose on a motion to dismiss.",
        ["unanswerable"],
    ),
    (
        "What was Grey's blood alcohol concentration at the time of the crash?",
        [],
        "The opinion says blood testing was delayed but gives no blood alcohol figure.",
        ["unanswerable"],
    ),
    (
        "What did the Supreme Court hold in Town of Castle Rock v. Gonzales about enforcing a restraining order?",
        [],
        "Castle Rock is not discussed in this opinion.",
        ["unanswerable"],
    ),
    (
        "What is the standard for a Fourth Amendment excessive force claim during an arrest?",
        [],
        "The opinion concerns substantive due process, not Fourth Amendment excessive force.",
        ["unanswerable"],
    ),
    (
        "Is a bar liable under New York's Dram Shop Act for serving a visibly intoxicated patron who later causes a crash?",
        [],
        "The opinion mentions state claims against The Wild, Wild West but decides nothing about dram shop liability.",
        ["unanswerable"],
    ),
]


def build(raw: str) -> list[dict]:
    units = clean_units(raw)
    rows = []
    for n, (question, quotes, answer, tags) in enumerate(QUESTIONS, 1):
        evidence = [{"quote": q, "case": CASE, "citation": CITATION, "pin": locate(units, q)} for q in quotes]
        rows.append(
            {
                "id": f"pena-dev-{n:02d}",
                "question": question,
                "answerable": bool(quotes),
                "evidence": evidence,
                "reference_answer": answer,
                "tags": tags,
            }
        )
    if len({r["question"] for r in rows}) != len(rows):
        raise ValueError("duplicate question text")
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    rows = build(args.source.read_text(encoding="utf-8"))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    tags: dict[str, int] = {}
    for r in rows:
        for t in r["tags"]:
            tags[t] = tags.get(t, 0) + 1
    answerable = sum(r["answerable"] for r in rows)
    print(f"wrote {len(rows)} questions ({answerable} answerable, {len(rows) - answerable} unanswerable) to {args.out}")
    print("tags: " + ", ".join(f"{t}={c}" for t, c in sorted(tags.items(), key=lambda kv: (-kv[1], kv[0]))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
