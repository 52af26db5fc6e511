"""Build eval/sets/answers_heldout2.jsonl: a second held-out set of questions over the 28 opinions of the demo
library (Pena v. DePrisco + 27 Supreme Court opinions), for issue 8.

The first held-out set (answers_heldout.jsonl, dealt out by make_qa_sets.py) has been run once and is spent.
These questions were written afterwards, in one sitting, from reading the opinions' text only, before the
extractive answerer's sentence selection was changed, and without running the answerer, the retriever or
``qa-bot eval`` on any of them. They ask about other points and other passages than the questions of
scotus_dev / answers_heldout / pena_dev / figures_heldout. Nobody tunes on this set; its first run is
reported as is.

Same house style as make_qa_sets.py (whose helpers it reuses): one type tag (holding, rule, reasoning, facts,
procedure, concurrence, dissent, argument, unanswerable), ``named`` / ``unnamed`` (the question names the case
it is about, or not), and ``paraphrase`` for a question written to avoid the opinion's words that shares at
most 40% of its content words with its evidence (checked here).

Each quote is checked against the library's clean text (``Library.open("demo")``, ``opinion.text``): after
collapsing whitespace it must occur exactly once in the opinion it names, and some stored passage of that
opinion must support it under the eval's own matching (``qa_bot.evaluation.evalset.supports``). Its pin is the
page where it starts, or ``"<page of the marker> n.<label>"`` in a footnote; Carroll, Johnson v. United States
and United States v. Classic have no page map in the demo library, so their quotes carry no pin. ``--check``
checks without writing and also lists quotes that cross a page break or that occur in another opinion too.

    .venv/bin/python eval/make_answers_heldout2.py [--index demo] [--out eval/sets/answers_heldout2.jsonl] [--check]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))
import make_qa_sets as qa_sets  # noqa: E402
from make_qa_sets import (CASES as SCOTUS, NO_ANSWER, _collapse, _pin, _summary, _write,  # noqa: E402, F401
                          answerable_row, locate, opinions, unanswerable_row)

DEFAULT_OUT = ROOT / "eval" / "sets" / "answers_heldout2.jsonl"
CASES = {**SCOTUS, "pena": "Pena v. DePrisco"}

N, U = True, False  # the question names its case / does not
P, L = True, False  # paraphrase / literal

# (key, type, named, paraphrase, question, reference answer, [(case key, verbatim quote), ...])
ANSWERABLE = [
    # --- Bivens, 403 U.S. 388 ---
    ("bivens-blackmun", "dissent", N, L,
     "What consequence did Justice Blackmun fear from the decision in Bivens?",
     "That the judicial legislation the Court was effecting would open the door to an avalanche of new federal "
     "cases, with every suspect who imagines a Fourth Amendment violation suing the federal officer.",
     [("bivens", "But I also feel that the judicial legislation, which the Court by its opinion today concededly "
                 "is effectuating, opens the door for another avalanche of new federal cases.")]),
    ("bivens-black", "dissent", N, L,
     "Why did Justice Black think the Court should not create a damages action in Bivens?",
     "Congress could create such a cause of action (it had a model in § 1983), but the business of the judiciary "
     "is to interpret the laws, not to make them.",
     [("bivens", "There can be no doubt that Congress could create a federal cause of action for damages for an "
                 "unreasonable search in violation of the Fourth Amendment."),
      ("bivens", "it seems to me to be a matter of common understanding that the business of the judiciary is to "
                 "interpret the laws and not to make them.")]),
    ("bivens-immunity", "procedure", N, P,
     "Did the justices decide in Bivens whether the narcotics agents were shielded by their office?",
     "No. The District Court had ruled the agents immune by virtue of their official position, but the Court of "
     "Appeals did not pass on that question, so the Supreme Court did not consider it and remanded.",
     [("bivens", "In addition to holding that petitioner's complaint had failed to state facts making out a cause "
                 "of action, the District Court ruled that in any event respondents were immune from liability by "
                 "virtue of their official position."),
      ("bivens", "This question was not passed upon by the Court of Appeals, and accordingly we do not consider it "
                 "here.")]),
    # --- Camara, 387 U.S. 523 ---
    ("camara-balancing", "rule", U, L,
     "How does a court decide whether an area-wide housing code inspection program is reasonable under the Fourth "
     "Amendment?",
     "There is no ready test other than balancing the need to search against the invasion the search entails; "
     "long acceptance, the public interest in abating dangerous conditions and the limited invasion supported "
     "area inspections.",
     [("camara", "Unfortunately, there can be no ready test for determining reasonableness other than by balancing "
                 "the need to search against the invasion which the search entails.")]),
    ("camara-emergency", "rule", U, P,
     "If a building poses an urgent danger, must health officials wait for judicial approval before going in?",
     "No. Nothing in Camara forecloses prompt inspections without a warrant of the kind the law has traditionally "
     "upheld in emergency situations (unwholesome food, quarantine and the like).",
     [("camara", "nothing we say today is intended to foreclose prompt inspections, even without a warrant, that "
                 "the law has traditionally upheld in emergency situations.")]),
    ("camara-trips", "facts", N, L,
     "Was there any emergency in Camara, and how hard did the inspectors try to get the tenant's consent?",
     "There was no emergency demanding immediate access; the inspectors made three trips to the building trying "
     "to obtain his consent, yet never obtained a warrant.",
     [("camara", "There was no emergency demanding immediate access; in fact, the inspectors made three trips to "
                 "the building in an attempt to obtain appellant’s consent to search.")]),
    # --- Carroll, 267 U.S. 132 (no page map in the demo library) ---
    ("carroll-every-car", "rule", U, L,
     "May prohibition agents stop any automobile on the highway on the chance of finding liquor?",
     "No. It would be intolerable and unreasonable to let an agent stop every car on the chance of finding liquor; "
     "he needs probable cause to believe the car carries contraband (border crossings aside).",
     [("carroll", "It would be intolerable and unreasonable if a prohibition agent were authorized to stop every "
                  "automobile on the chance of finding liquor, and thus subject all persons lawfully using the "
                  "highways to the inconvenience and indignity of such a search.")]),
    ("carroll-knowledge", "facts", N, P,
     "In Carroll v. United States, what did the officers already believe about the brothers before they pulled "
     "the car over?",
     "They knew or had convincing evidence that the 'Carroll boys' were bootleggers in Grand Rapids, and they "
     "were patrolling the road from Detroit, a main entry point for smuggled liquor.",
     [("carroll", "They knew or had convincing evidence to make them believe that the Carroll boys, as they "
                  "called them, were so-called 'bootleggers' in Grand Rapids")]),
    # --- Chimel, 395 U.S. 752 ---
    ("chimel-harlan", "concurrence", N, L,
     "What gave Justice Harlan pause about overruling Harris and Rabinowitz in Chimel v. California?",
     "That after Mapp and Ker every change in Fourth Amendment law binds state officials facing very different "
     "local law-enforcement problems; he still joined the Court's opinion.",
     [("chimel", "The only thing that has given me pause in voting to overrule Harris and Rabinowitz is that as a "
                 "result of Mapp v. Ohio, 367 U. S. 643 (1961), and Ker v. California, 374 U. S. 23 (1963), every "
                 "change in Fourth Amendment law must now be obeyed by state officials facing widely different "
                 "problems of local law enforcement.")]),
    ("chimel-warrant", "procedure", U, P,
     "What did the California appeals courts make of the coin dealer's attack on the paper authorizing his arrest?",
     "They agreed the arrest warrant was invalid because its affidavit was conclusory, but held the arrest lawful "
     "(good faith, and probable cause anyway) and the search of the house justified as incident to it.",
     [("chimel", "Both courts accepted the petitioner's contention that the arrest warrant was invalid because the "
                 "supporting affidavit was set out in conclusory terms")]),
    # --- Collins v. Hardyman, 341 U.S. 651 ---
    ("collins-caps", "procedure", N, P,
     "Why did the plaintiffs in Collins v. Hardyman drop their claim that the attackers wore disguises?",
     "The District Court held that wearing American Legion caps was not the disguise or concealment of identity "
     "the Act contemplates; the plaintiffs then abandoned that part of the complaint.",
     [("collins", "The District Court disposed of this part of the complaint by holding that wearing such headgear "
                  "did not constitute the disguise or concealment of identity contemplated by the Act.")]),
    ("collins-district", "procedure", U, L,
     "What did the district judge rule about whether the civil rights conspiracy statute reaches purely private "
     "individuals, in the case of the broken-up political meeting?",
     "That the statute does not and cannot constitutionally give redress for invasions of civil rights by "
     "individuals, only for injuries by persons acting under color of state law; the Ninth Circuit reversed.",
     [("collins", "The District Judge held that the statute does not and cannot constitutionally afford redress for "
                  "invasions of civil rights at the hands of individuals")]),
    # --- Daniels v. Williams, 474 U.S. 327 ---
    ("daniels-pillow", "facts", U, P,
     "How was the Richmond city jail inmate hurt, in the case about a deputy's carelessness?",
     "He fell on a jail stairway after slipping on a pillow that a correctional deputy had negligently left on the "
     "stairs.",
     [("daniels", "he slipped on a pillow negligently left on the stairs by respondent, a correctional deputy "
                  "stationed at the jail.")]),
    ("daniels-trivialize", "reasoning", N, L,
     "Why did the Court in Daniels v. Williams think that an official's negligence is not a 'deprivation' under "
     "the Due Process Clause?",
     "Lack of due care is no abuse of power, only a failure to act as a reasonable person would; treating injury "
     "from it as a deprivation would trivialize the centuries-old principle of due process.",
     [("daniels", "Far from an abuse of power, lack of due care suggests no more than a failure to measure up to the "
                  "conduct of a reasonable person."),
      ("daniels", "To hold that injury caused by such conduct is a deprivation within the meaning of the Fourteenth "
                  "Amendment would trivialize the centuries-old principle of due process of law.")]),
    ("daniels-duty", "argument", N, L,
     "What did Daniels argue about a sheriff's special duty toward people held in his custody?",
     "Citing South v. Maryland, that the deputy's conduct, even if merely negligent, breached a sheriff's 'special "
     "duty of care' for those in his custody; the Court held that such a tort-law duty is not in the Due Process "
     "Clause.",
     [("daniels", "petitioner argues that respondent's conduct, even if merely negligent, breached a sheriff's "
                  "\"special duty of care\" for those in his custody."),
      ("daniels", "Jailers may owe a special duty of care to those in their custody under state tort law")]),
    # --- Escobedo v. Illinois, 378 U.S. 478 ---
    ("escobedo-stewart", "dissent", N, L,
     "Which precedent did Justice Stewart think controlled Escobedo v. Illinois?",
     "Cicenia v. Lagay; he would have affirmed and thought Massiah (a post-indictment case) not in point.",
     [("escobedo", "I think this case is directly controlled by Cicenia v. Lagay, 357 U. S. 504, and I would "
                   "therefore affirm the judgment.")]),
    ("escobedo-advice", "facts", N, L,
     "What did Escobedo say when the detectives told him they had him 'pretty tight' and he might as well admit "
     "the crime?",
     "He said he was sorry but would like to have advice from his lawyer.",
     [("escobedo", "I am sorry but I would like to have advice from my lawyer.")]),
    # --- Estelle v. Gamble, 429 U.S. 97 ---
    ("estelle-xray", "holding", U, P,
     "If prison doctors skip a scan that might have found what was wrong with an inmate's injured back, is that "
     "unconstitutional?",
     "Not under the Eighth Amendment: whether an X-ray or other tests are indicated is a matter of medical "
     "judgment; declining to order one is at most malpractice, for the state courts.",
     [("estelle", "A medical decision not to order an X-ray, or like measures, does not represent cruel and unusual "
                  "punishment.")]),
    ("estelle-remand", "procedure", N, L,
     "In Estelle v. Gamble, what did the Supreme Court do about the claims against the prison director and the "
     "warden?",
     "It reversed as to the medical director but remanded so the Court of Appeals could consider whether a cause "
     "of action was stated against the other prison officials, Estelle and Husbands.",
     [("estelle", "Although we reverse the judgment as to the medical director, we remand the case to the Court of "
                  "Appeals to allow it an opportunity to consider, in conformity with this opinion, whether a cause "
                  "of action has been stated against the other prison officials.")]),
    ("estelle-argument", "argument", N, P,
     "What did Gamble say his doctors should have done about his back?",
     "He contended that more should have been done by way of diagnosis and treatment, suggesting options not "
     "pursued such as an X-ray.",
     [("estelle", "Respondent contends that more should have been done by way of diagnosis and treatment, and "
                  "suggests a number of options that were not pursued.")]),
    ("estelle-pro-se", "rule", U, P,
     "Are handwritten lawsuits filed by inmates without counsel read more leniently than ones prepared by "
     "attorneys?",
     "Yes. A pro se complaint, however inartfully pleaded, is held to less stringent standards than formal "
     "pleadings drafted by lawyers and is dismissed only if the plaintiff can prove no set of facts entitling him "
     "to relief.",
     [("estelle", "a pro se complaint, \"however inartfully pleaded,\" must be held to \"less stringent standards "
                  "than formal pleadings drafted by lawyers\"")]),
    # --- Gideon v. Wainwright, 372 U.S. 335 ---
    ("gideon-told-judge", "facts", N, L,
     "What did Gideon tell the Florida trial judge when the judge refused to appoint counsel for him?",
     "\"The United States Supreme Court says I am entitled to be represented by Counsel.\"",
     [("gideon", "The DEFENDANT: The United States Supreme Court says I am entitled to be represented by Counsel.")]),
    ("gideon-layman", "facts", U, P,
     "How did the Florida man who was refused a lawyer fare when he had to run his own trial?",
     "About as well as a layman could: he made an opening statement, cross-examined the State's witnesses, called "
     "his own, did not testify and argued his innocence; the jury convicted him.",
     [("gideon", "Gideon conducted his defense about as well as could be expected from a layman.")]),
    ("gideon-states", "argument", U, L,
     "What did the states tell the Court about whether Betts v. Brady should be kept?",
     "Florida, supported by two other States, asked that Betts be left intact; twenty-two States as friends of the "
     "Court argued it was an anachronism when handed down and should be overruled.",
     [("gideon", "Florida, supported by two other States, has asked that Betts v. Brady be left intact."),
      ("gideon", "Twenty-two States, as friends of the Court, argue that Betts was \"an anachronism when handed "
                 "down\" and that it should now be overruled.")]),
    ("gideon-clark", "concurrence", N, L,
     "Why did Justice Clark reject a line between capital and noncapital cases in Gideon?",
     "The Constitution makes no such distinction: the Fourteenth Amendment requires due process for deprivation of "
     "liberty just as of life, so the quality of process cannot differ with the sanction.",
     [("gideon", "I must conclude here, as in Kinsella, supra, that the Constitution makes no distinction between "
                 "capital and noncapital cases.")]),
    ("gideon-habeas", "facts", N, L,
     "In his own habeas petition, which constitutional rights did Clarence Earl Gideon say he had been denied?",
     "The rights of the 4th, 5th and 14th amendments of the Bill of Rights (a footnote quotes his petition).",
     [("gideon", "I, Clarence Earl Gideon, claim that I was denied the rights of the 4th, 5th and 14th amendments "
                 "of the Bill of Rights.")]),
    # --- Hudson v. Palmer, 468 U.S. 517 ---
    ("hudson-contraband", "reasoning", U, P,
     "Why must jailers be free to go through inmates' living quarters whenever they choose?",
     "Cells are virtually the only place inmates can conceal weapons, drugs and other contraband, so unfettered "
     "access is imperative to ferret them out and keep the surroundings sanitary.",
     [("hudson", "Virtually the only place inmates can conceal weapons, drugs, and other contraband is in their "
                 "cells."),
      ("hudson", "Unfettered access to these cells by prison officials, thus, is imperative if drugs and contraband "
                 "are to be ferreted out and sanitary surroundings are to be maintained.")]),
    ("hudson-oconnor", "concurrence", N, L,
     "What did Justice O'Connor say in Hudson v. Palmer that courts must ensure when a prisoner's property is "
     "wrongfully destroyed?",
     "That the prisoner, no less than any other person, receives just compensation.",
     [("hudson", "Thus, when a prisoner's property is wrongfully destroyed, the courts must ensure that the "
                 "prisoner, no less than any other person, receives just compensation.")]),
    ("hudson-bright-line", "argument", N, L,
     "What rule did the prison officer ask the Court to adopt in Hudson v. Palmer?",
     "A 'bright line' rule that prisoners have no legitimate expectation of privacy in their cells entitling them "
     "to Fourth Amendment protection; he contended the Court of Appeals erred in finding even a limited privacy "
     "right.",
     [("hudson", "urges that we adopt the \"bright line\" rule that prisoners have no legitimate expectation of "
                 "privacy in their individual cells that would entitle them to Fourth Amendment protection.")]),
    ("hudson-stevens", "dissent", N, L,
     "Where did Justice Stevens think the rule that prisoners have no privacy in their cells should not apply, in "
     "Hudson v. Palmer?",
     "In minimum security facilities housing inmates who pose no realistic threat to security; nor did he see "
     "a reason to read a prisoner's mail once it has cleared censorship and been received.",
     [("hudson", "I cannot see any justification for applying this rule to minimum security facilities in which "
                 "inmates who pose no realistic threat to security are housed.")]),
    # --- Ingraham v. Wright, 430 U.S. 651 ---
    ("ingraham-andrews", "facts", N, L,
     "What happened to Andrews when he was paddled, according to Ingraham v. Wright?",
     "He was paddled several times for minor infractions; twice he was struck on the arms, once losing the full use "
     "of his arm for a week.",
     [("ingraham", "On two occasions he was struck on his arms, once depriving him of the full use of his arm for a "
                   "week.")]),
    ("ingraham-liberty", "holding", U, L,
     "Are a student's Fourteenth Amendment liberty interests implicated when school authorities paddle him?",
     "Yes: where school authorities deliberately punish a child by restraining him and inflicting appreciable "
     "physical pain, liberty interests are implicated, though common-law remedies give the process due.",
     [("ingraham", "But at least where school authorities, acting under color of state law, deliberately decide to "
                   "punish a child for misconduct by restraining the child and inflicting appreciable physical pain, "
                   "we hold that Fourteenth Amendment liberty interests are implicated.")]),
    ("ingraham-petitioners", "argument", N, L,
     "What did the students argue in Ingraham about the Eighth Amendment and school paddling?",
     "They acknowledged that the Clause was designed to limit criminal punishments but urged that it be extended "
     "to ban paddling schoolchildren, since the Framers could not have foreseen compulsory public education.",
     [("ingraham", "Petitioners acknowledge that the original design of the Cruel and Unusual Punishments Clause was "
                   "to limit criminal punishments, but urge nonetheless that the prohibition should be extended to "
                   "ban the paddling of schoolchildren.")]),
    ("ingraham-stevens", "dissent", N, L,
     "What did Justice Stevens think of Justice White's Eighth Amendment analysis in Ingraham v. Wright?",
     "He called it unanswerable and agreed with White's procedural due process analysis too.",
     [("ingraham", "MR. JUSTICE WHITE'S analysis of the Eighth Amendment issue is, I believe, unanswerable.")]),
    # --- Johnson v. United States, 333 U.S. 10 (no page map in the demo library) ---
    ("johnson-arrest", "facts", U, P,
     "What did the officer say to the woman in the Seattle hotel room just before going through it for opium?",
     "After she denied any smell, he told her to consider herself under arrest because they were going to search "
     "the room.",
     [("johnson", "Then he said, 'I want you to consider yourself under arrest because we are going to search the "
                  "room.'")]),
    ("johnson-circular", "reasoning", N, L,
     "In Johnson v. United States, why could the search not be justified as incident to the arrest?",
     "The arrest rested on what the agents found after entering under color of authority, so the Government had "
     "to justify the arrest by the search and the search by the arrest, which will not do.",
     [("johnson", "Thus the Government is obliged to justify the arrest by the search and at the same time to "
                  "justify the search by the arrest. This will not do.")]),
    ("johnson-hot-pursuit", "argument", U, L,
     "Did the Government argue that the opium arrest in the hotel room was made in hot pursuit, and did that work?",
     "It suggested the arrest was in a sense made in hot pursuit; the Court found no element of hot pursuit of a "
     "woman not in flight, surrounded by agents, in bed, who made no attempt to escape.",
     [("johnson", "The Government also suggests that 'In a sense, the arrest was made in 'hot pursuit'"),
      ("johnson", "However, we find no element of 'hot pursuit' in the arrest of one who was not in flight")]),
    # --- Katz v. United States, 389 U.S. 347 ---
    ("katz-exposes", "rule", U, L,
     "Does the Fourth Amendment protect what a person knowingly exposes to the public in his own home?",
     "No. What a person knowingly exposes to the public, even in his home or office, is not protected; what he "
     "seeks to keep private, even in a place open to the public, may be.",
     [("katz", "What a person knowingly exposes to the public, even in his own home or office, is not a subject of "
               "Fourth Amendment protection.")]),
    ("katz-douglas", "concurrence", N, L,
     "Why did Justice Douglas write separately in Katz v. United States?",
     "To answer Justice White's concurrence, which he saw as a green light for warrantless electronic "
     "eavesdropping in matters the Executive labels national security; neither the President nor the Attorney "
     "General is a magistrate.",
     [("katz", "I feel compelled to reply to the separate concurring opinion of my Brother WHITE, which I view as a "
               "wholly unwarranted green light for the Executive Branch to resort to electronic eaves-dropping "
               "without a warrant in cases which the Executive Branch itself labels \"national security\" "
               "matters.")]),
    ("katz-restraint", "reasoning", U, P,
     "The agents who bugged the phone booth held back and listened only to the suspect's own calls; why wasn't "
     "that enough?",
     "Because the restraint was imposed by the agents themselves, not by a judicial officer: they never had to "
     "present probable cause to a neutral magistrate beforehand.",
     [("katz", "Yet the inescapable fact is that this restraint was imposed by the agents themselves, not by a "
               "judicial officer.")]),
    ("katz-retroactive", "argument", U, L,
     "What did the Government ask the Court to do about its agents' reliance on Olmstead and Goldman?",
     "To validate their conduct retroactively, since they relied on Olmstead and Goldman and did no more than they "
     "could have done with judicial sanction; the Court said it could not.",
     [("katz", "The Government urges that, because its agents relied upon the decisions in Olmstead and Goldman, "
               "and because they did no more here than they might properly have done with prior judicial sanction, "
               "we should retroactively validate their conduct.")]),
    ("katz-precondition", "holding", U, L,
     "Why was the conviction of the man whose phone-booth calls the FBI recorded reversed?",
     "The agents ignored the procedure of antecedent justification by a magistrate, which the Court held a "
     "constitutional precondition of such electronic surveillance; the surveillance failed that condition and led "
     "to the conviction.",
     [("katz", "a procedure that we hold to be a constitutional precondition of the kind of electronic surveillance "
               "involved in this case."),
      ("katz", "Because the surveillance here failed to meet that condition, and because it led to the "
               "petitioner's conviction, the judgment must be reversed.")]),
    # --- Maine v. Thiboutot, 448 U.S. 1 ---
    ("thiboutot-amici", "argument", N, L,
     "In Maine v. Thiboutot, what did the States appearing as amici argue about fee awards in state courts?",
     "That even if § 1988 applies to § 1983 claims based on statutes, it does not apply in state courts; the "
     "Court found no merit in the argument.",
     [("thiboutot", "Several States, participating as amici curiae, argue that even if § 1988 applies to § 1983 "
                    "claims alleging deprivations of statutory rights, it does not apply in state courts."),
      ("thiboutot", "There is no merit to this argument.")]),
    ("thiboutot-route", "procedure", U, P,
     "How did the Maine family's dispute over their welfare benefits first get into court?",
     "After exhausting state administrative remedies they sought judicial review in the State Superior Court, "
     "adding a § 1983 claim by amended complaint.",
     [("thiboutot", "exhausted their state administrative remedies and then sought judicial review of the "
                    "administrative action in the State Superior Court.")]),
    # --- Mapp v. Ohio, 367 U.S. 643 ---
    ("mapp-stewart", "concurrence", N, L,
     "Did Justice Stewart take a position on the exclusionary rule question decided in Mapp v. Ohio?",
     "No. Agreeing with Part I of Harlan's dissent, he expressed no view on it, but would reverse because the Ohio "
     "obscenity-possession statute is inconsistent with freedom of thought and expression.",
     [("mapp", "Agreeing fully with Part I of MR. JUSTICE HARLAN'S dissenting opinion, I express no view as to the "
               "merits of the constitutional issue which the Court today decides.")]),
    ("mapp-convicted", "facts", U, P,
     "What was the Cleveland woman whose flat was ransacked found guilty of?",
     "Possessing obscene materials, which were found in the course of the widespread search.",
     [("mapp", "The obscene materials for possession of which she was ultimately convicted were discovered in the "
               "course of that widespread search.")]),
    ("mapp-no-warrant", "facts", N, L,
     "Was a search warrant ever produced at Mapp's trial?",
     "No. None was produced and its absence was never explained; the Ohio Supreme Court noted considerable doubt "
     "that there ever was a warrant.",
     [("mapp", "At the trial no search warrant was produced by the prosecution, nor was the failure to produce one "
               "explained or accounted for.")]),
    ("mapp-black", "concurrence", N, L,
     "In Mapp, why did Justice Black doubt that the search-and-seizure guarantee on its own would keep the "
     "papers out of evidence?",
     "The Fourth Amendment contains no provision expressly precluding use of such evidence, and he doubted one "
     "could be inferred; he found the rule in the Fourth and Fifth Amendments together.",
     [("mapp", "For the Fourth Amendment does not itself contain any provision expressly precluding the use of such "
               "evidence")]),
    # --- Miranda v. Arizona, 384 U.S. 436 ---
    ("miranda-waiver", "rule", U, P,
     "If officers keep questioning a suspect with no lawyer present and get a statement, who must show he gave up "
     "his rights?",
     "The government bears a heavy burden to show the defendant knowingly and intelligently waived the privilege "
     "and his right to counsel.",
     [("miranda", "If the interrogation continues without the presence of an attorney and a statement is taken, a "
                  "heavy burden rests on the government to demonstrate that the defendant knowingly and "
                  "intelligently waived his privilege against self-incrimination and his right to retained or "
                  "appointed counsel.")]),
    ("miranda-clark", "dissent", N, L,
     "Why couldn't Justice Clark join the majority in Miranda v. Arizona?",
     "Its opinion went too far on too little, while the other dissenters did not go far enough; he would apply a "
     "totality-of-circumstances due process test.",
     [("miranda", "However, I am unable to join the majority because its opinion goes too far on too little, while "
                  "my dissenting brethren do not go quite far enough.")]),
    ("miranda-westover", "facts", U, L,
     "What happened to Westover before FBI agents questioned him, in one of the cases decided with Miranda?",
     "Local police had detained and interrogated him at length, at night and the next morning, before handing him "
     "to the FBI, which got signed statements after about two hours.",
     [("miranda", "In No. 761, Westover v. United States, the defendant was handed over to the Federal Bureau of "
                  "Investigation by local authorities after they had detained and interrogated him for a lengthy "
                  "period, both at night and the following morning.")]),
    # --- Monell, 436 U.S. 658 ---
    ("monell-immunity", "holding", U, P,
     "Can a city that is sued under the civil rights statute claim it is completely shielded from suit?",
     "No. Municipal bodies sued under § 1983 cannot be entitled to absolute immunity; the Court expressed no view "
     "on any lesser immunity.",
     [("monell", "we express no views on the scope of any municipal immunity beyond holding that municipal bodies "
                 "sued under § 1983 cannot be entitled to an absolute immunity")]),
    ("monell-stevens", "concurrence", N, L,
     "Which parts of the Court's opinion in Monell did Justice Stevens join, and why not the rest?",
     "Only Parts I, III and V, because he considered Parts II and IV merely advisory and unnecessary to the "
     "decision.",
     [("monell", "Since Parts II and IV of the opinion of the Court are merely advisory and are not necessary to "
                 "explain the Court's decision, I join only Parts I, III, and V.")]),
    ("monell-reliance", "reasoning", U, P,
     "Could local governments claim they had arranged their affairs trusting that they were immune from suit for "
     "constitutional wrongs?",
     "No. Municipalities can assert no reliance claim supporting absolute immunity; they cannot plan on violating "
     "constitutional rights indefinitely, since injunctive suits against their officials were always available.",
     [("monell", "Third, municipalities can assert no reliance claim which can support an absolute immunity.")]),
    # --- Monroe v. Pape, 365 U.S. 167 ---
    ("monroe-raid", "facts", N, L,
     "What did the Chicago police officers allegedly do when they broke into the Monroes' home?",
     "Thirteen officers broke in in the early morning, routed the family from bed, made them stand naked in the "
     "living room and ransacked every room, emptying drawers and ripping mattress covers.",
     [("monroe", "The complaint alleges that 13 Chicago police officers broke into petitioners' home in the early "
                 "morning, routed them from bed, made them stand naked in the living room, and ransacked every room, "
                 "emptying drawers and ripping mattress covers.")]),
    ("monroe-harlan", "concurrence", N, L,
     "What did Justice Harlan say about the 'under color of' question in his concurrence in Monroe v. Pape?",
     "As a matter of first impression he would find it very close, but Classic and Screws, stare decisis and "
     "congressional acceptance required deciding it for the petitioners.",
     [("monroe", "Were this case here as one of first impression, I would find the \"under color of any statute\" "
                 "issue very close indeed.")]),
    ("monroe-klan", "reasoning", U, P,
     "Was the 1871 civil rights act aimed at the Klan itself or at state officials?",
     "At officials: although the Klan was a main scourge, the remedy was against those representing a State who "
     "were unable or unwilling to enforce state law, not against the Klan or its members.",
     [("monroe", "the remedy created was not a remedy against it or its members but against those who representing "
                 "a State in some capacity were unable or unwilling to enforce a state law.")]),
    # --- Parratt v. Taylor, 451 U.S. 527 ---
    ("parratt-adequate", "holding", U, P,
     "When an inmate's mail-order package is carelessly lost, is he denied due process if Nebraska lets him claim "
     "compensation from the State afterward?",
     "No. The State's tort claims procedure could have fully compensated him, and that postdeprivation remedy "
     "satisfies due process.",
     [("parratt", "The remedies provided could have fully compensated the respondent for the property loss he "
                  "suffered, and we hold that they are sufficient to satisfy the requirements of due process.")]),
    ("parratt-inadequate", "argument", N, L,
     "Why did the inmate in Parratt v. Taylor say the Nebraska tort claims procedure was not adequate?",
     "It allowed an action only against the State, not its employees, had no punitive damages and no jury trial; "
     "the Court held it adequate anyway.",
     [("parratt", "It is argued that the State does not adequately protect the respondent's interests because it "
                  "provides only for an action against the State as opposed to its individual employees")]),
    ("parratt-district", "procedure", N, L,
     "What did the District Court rule in Parratt v. Taylor?",
     "It granted the inmate summary judgment, ruling that negligence by state officials can ground a § 1983 "
     "action, that the officials were not immune, and that losing the hobby kit implicated due process.",
     [("parratt", "The District Court ruled that negligent actions by state officials can be a basis for an action "
                  "under 42 U.S. C. § 1983; petitioners were not immune from damages actions of this kind")]),
    # --- Pena v. DePrisco, 432 F.3d 98 (2d Cir. 2005) ---
    ("pena-post-accident", "procedure", N, L,
     "Did the Second Circuit rule on the post-accident cover-up allegations in Pena v. DePrisco?",
     "No. The post-accident allegations (no sobriety tests, delayed alcohol testing, pressure on witnesses, "
     "suppressed alco-sensor results) were not the subject of the appeal.",
     [("pena", "these post-accident allegations are not the subject of this appeal.")]),
    ("pena-supervisors", "facts", N, P,
     "Were the captains and the lieutenant sued in Pena v. DePrisco said to have taken part in the events of that "
     "day?",
     "No. Captains DePrisco and Richter and Lieutenant Karpen were not alleged to have been directly involved; "
     "they were sued for their supervisory responsibility over the officers.",
     [("pena", "were not alleged to have been directly involved in the specific events related to the death of the "
               "plaintiffs’ decedents but had supervisory responsibility over the police officers involved.")]),
    # --- Procunier v. Martinez, 416 U.S. 396 ---
    ("procunier-outsider", "reasoning", U, L,
     "When a prison censors an inmate's letters, whose free speech is affected besides the inmate's?",
     "That of the people outside who write to or receive letters from him: both parties have an interest in the "
     "letter being read, and the outsider's interest rests on the First Amendment (e.g. the inmate's wife).",
     [("procunier", "The wife of a prison inmate who is not permitted to read all that her husband wanted to say to "
                    "her has suffered an abridgment of her interest in communicating with him as plain as that which "
                    "results from censorship of her letter to him."),
      ("procunier", "Whatever the status of a prisoner's claim to uncensored correspondence with an outsider, it is "
                    "plain that the latter's interest is grounded in the First Amendment's guarantee of freedom of "
                    "speech.")]),
    ("procunier-students", "holding", N, L,
     "What did Procunier v. Martinez decide about the ban on law students and paraprofessionals interviewing "
     "inmates for their lawyers?",
     "The Court agreed with the District Court that the absolute ban unjustifiably restricted the inmates' right of "
     "access to the courts.",
     [("procunier", "The District Court reasoned that this rule constituted an unjustifiable restriction on the "
                    "right of access to the courts. We agree.")]),
    ("procunier-douglas", "concurrence", N, L,
     "Which right did Justice Douglas call foremost among prisoners' rights in Procunier v. Martinez?",
     "The First Amendment; prisoners remain persons entitled to all constitutional rights unless lawfully "
     "curtailed.",
     [("procunier", "foremost among the Bill of Rights of prisoners in this country, whether under state or federal "
                    "detention, is the First Amendment.")]),
    ("procunier-three-judge", "procedure", U, P,
     "Which court first heard the inmates' challenge to California's prison mail rules, and what relief did it "
     "give?",
     "A three-judge federal District Court, which granted summary judgment enjoining the rules and ordered the "
     "Department to submit new regulations for approval.",
     [("procunier", "That court entered summary judgment enjoining continued enforcement of the rules in question "
                    "and ordering appellants to submit new regulations for the court's approval.")]),
    # --- Rochin v. California, 342 U.S. 165 ---
    ("rochin-douglas", "concurrence", N, L,
     "Did Justice Douglas accept the majority's 'decencies of civilized conduct' reasoning in Rochin?",
     "No. Most States would admit the evidence, so he could not agree that their rule offends the decencies of "
     "civilized conduct; he concurred because the Fifth Amendment bars compelling the accused to give evidence "
     "against himself.",
     [("rochin", "Yet the Court now says that the rule which the majority of the states have fashioned violates the "
                 "\"decencies of civilized conduct.\" To that I cannot agree.")]),
    ("rochin-appeal", "procedure", N, P,
     "How did California's intermediate appellate court treat Rochin's conviction even though it found the "
     "deputies had broken the law?",
     "It affirmed the conviction despite finding the officers guilty of unlawfully breaking in, assaulting and "
     "battering him, and torturing and falsely imprisoning him at the hospital.",
     [("rochin", "On appeal, the District Court of Appeal affirmed the conviction, despite the finding that the "
                 "officers")]),
    ("rochin-swallow", "facts", U, P,
     "What did the man do with the two pills on his nightstand when deputies burst into his bedroom?",
     "Asked whose they were, he grabbed the capsules and put them in his mouth; the deputies jumped on him and "
     "tried to extract them.",
     [("rochin", "When asked \"Whose stuff is this?\" Rochin seized the capsules and put them in his mouth.")]),
    # --- Terry v. Ohio, 392 U.S. 1 ---
    ("terry-harassment", "reasoning", U, P,
     "Can suppressing evidence at trial put an end to police mistreatment of Black citizens on the street?",
     "No. The Court said wholesale harassment of minority groups will not be stopped by excluding evidence from "
     "any criminal trial, and rigid use of the exclusionary rule may exact a high toll.",
     [("terry", "The wholesale harassment by certain elements of the police community, of which minority groups, "
                "particularly Negroes, frequently complain, will not be stopped by the exclusion of any evidence from "
                "any criminal trial.")]),
    ("terry-black", "concurrence", N, L,
     "Which parts of the Terry v. Ohio opinion did Justice Black not join?",
     "Those quoting and relying on Katz v. United States and the concurring opinion in Warden v. Hayden.",
     [("terry", "MR. JUSTICE BLACK concurs in the judgment and the opinion except where the opinion quotes from and "
                "relies upon this Court's opinion in Katz v. United States and the concurring opinion in Warden v. "
                "Hayden.")]),
    ("terry-white", "concurrence", N, P,
     "According to Justice White's concurrence in Terry, must someone the police stop respond to their questions?",
     "No. The person stopped is not obliged to answer, answers may not be compelled, and refusing furnishes no "
     "basis for arrest, though it may alert the officer to keep watching.",
     [("terry", "Of course, the person stopped is not obliged to answer, answers may not be compelled, and refusal "
                "to answer furnishes no basis for an arrest, although it may alert the officer to the need for "
                "continued observation.")]),
    ("terry-statute", "facts", U, P,
     "What did the Ohio law that the Cleveland stop-and-frisk defendants were convicted under forbid?",
     "Carrying a pistol, bowie knife, dirk or other dangerous weapon concealed on or about one's person (police "
     "officers excepted).",
     [("terry", "[n]o person shall carry a pistol, bowie knife, dirk, or other dangerous weapon concealed on or "
                "about his person.")]),
    ("terry-ohio-court", "procedure", N, L,
     "What limit did the Ohio Court of Appeals put on the frisk it upheld in Terry's case?",
     "It said the frisk it authorized was only a frisk for a dangerous weapon, not a search for contraband or "
     "evidence without grounds to arrest.",
     [("terry", "we must be careful to distinguish that the `frisk' authorized herein includes only a `frisk' for a "
                "dangerous weapon.")]),
    ("terry-admissible", "holding", N, P,
     "Could the revolver the officer took from Terry be used against him at trial?",
     "Yes. The limited search for weapons was reasonable under the Fourth Amendment, and weapons seized may "
     "properly be introduced in evidence against the person from whom they were taken.",
     [("terry", "and any weapons seized may properly be introduced in evidence against the person from whom they "
                "were taken.")]),
    # --- United States v. Chadwick, 433 U.S. 1 ---
    ("chadwick-warrant-clause", "argument", N, L,
     "What did the Government argue in United States v. Chadwick about what the Warrant Clause protects?",
     "That it protects only interests traditionally identified with the home, having been adopted against general "
     "warrants for searches of dwellings; the Court disagreed.",
     [("chadwick", "In this Court the Government again contends that the Fourth Amendment Warrant Clause protects "
                   "only interests traditionally identified with the home.")]),
    ("chadwick-opened", "facts", N, P,
     "When and where was the double-locked trunk finally opened in Chadwick, and with whose permission?",
     "At the Federal Building an hour and a half after the arrests, without the respondents' consent and without "
     "a search warrant; it held large amounts of marihuana.",
     [("chadwick", "At the Federal Building an hour and a half after the arrests, the agents opened the footlocker "
                   "and luggage."),
      ("chadwick", "They did not obtain respondents' consent; they did not secure a search warrant.")]),
    ("chadwick-brennan", "concurrence", N, L,
     "On what point did Justice Brennan agree with Justice Blackmun's dissent in Chadwick?",
     "That it was unfortunate the Government had sought to vindicate an extreme view of the Fourth Amendment "
     "(though for his own reasons).",
     [("chadwick", "First, I agree wholeheartedly with my Brother BLACKMUN that it is \"unfortunate\" that the "
                   "Government in this case \"sought . . . to vindicate an extreme view of the Fourth Amendment.\"")]),
    # --- United States v. Classic, 313 U.S. 299 (no page map in the demo library) ---
    ("classic-ballots", "facts", N, P,
     "What were the Louisiana election commissioners in United States v. Classic accused of doing with the votes?",
     "Altering 83 ballots cast for one candidate and 14 for another, marking and counting them for a third, and "
     "falsely certifying the counts.",
     [("classic", "The overt acts alleged were that the appellees altered eighty-three ballots cast for one "
                  "candidate and fourteen cast for another, marking and counting them as votes for a third "
                  "candidate")]),
    # --- Warden v. Hayden, 387 U.S. 294 ---
    ("hayden-cab-drivers", "facts", U, P,
     "How did the police learn which house the Baltimore taxi-company robber had fled into?",
     "Two cab drivers followed him to 2111 Cocoa Lane; one radioed the dispatcher, who relayed the information "
     "to police on their way to the scene.",
     [("hayden", "Two cab drivers in the vicinity, attracted by shouts of \"Holdup,\" followed the man to 2111 Cocoa "
                 "Lane."),
      ("hayden", "The dispatcher relayed the information to police who were proceeding to the scene of the "
                 "robbery.")]),
    ("hayden-washing-machine", "reasoning", N, L,
     "In Warden v. Hayden, why was the officer who found clothing in the washing machine treated as searching for "
     "weapons?",
     "He knew the robber was armed and did not know that weapons had already been found when he opened the "
     "machine, so he was in fact also looking for weapons.",
     [("hayden", "He knew that the robber was armed and he did not know that some weapons had been found at the "
                 "time he opened the machine.")]),
    # --- Weeks v. United States, 232 U.S. 383 ---
    ("weeks-courts", "reasoning", U, P,
     "Should judges let prosecutors win convictions with things taken in illegal raids or with coerced admissions?",
     "No. The tendency to obtain convictions by unlawful seizures and enforced confessions should find no sanction "
     "in the judgments of the courts charged with supporting the Constitution.",
     [("weeks", "The tendency of those who execute the criminal laws of the country to obtain conviction by means "
                "of unlawful seizures and enforced confessions")]),
    ("weeks-lottery", "facts", N, L,
     "What papers taken from Weeks's room were put in evidence at his trial?",
     "Lottery tickets and statements about the lottery taken by the police on their first visit, and letters to "
     "him about the lottery taken by the marshal.",
     [("weeks", "Among the papers retained and put in evidence were a number of lottery tickets and statements with "
                "reference to the lottery, taken at the first visit of the police to the defendant's room")]),
    ("weeks-police", "holding", N, P,
     "Did the Weeks decision also reach the things taken by the local officers rather than the federal marshal?",
     "No. The policemen did not act under any claim of federal authority, so the Amendment did not apply to their "
     "seizures; only the marshal's taking of the letters was error.",
     [("weeks", "As to the papers and property seized by the policemen, it does not appear that they acted under any "
                "claim of Federal authority such as would make the Amendment applicable to such unauthorized "
                "seizures.")]),
    # --- Wolf v. Colorado, 338 U.S. 25 ---
    ("wolf-douglas", "dissent", N, L,
     "Why did Justice Douglas dissent in Wolf v. Colorado?",
     "He thought the Fourth Amendment applies to the States and, agreeing with Murphy, that evidence obtained in "
     "violation of it must be excluded in state prosecutions, or the Amendment would have no effective sanction.",
     [("wolf", "I agree with MR. JUSTICE MURPHY that the evidence obtained in violation of it must be excluded in "
               "state prosecutions as well as in federal prosecutions, since in absence of that rule of evidence the "
               "Amendment would have no effective sanction.")]),
    ("wolf-murphy", "dissent", N, L,
     "How did Justice Murphy describe the majority opinion in Wolf v. Colorado?",
     "As an opinion with so much that is right that nonetheless seems fundamentally wrong; he agreed the Fourteenth "
     "Amendment forbids what the Fourth does but would exclude the evidence, the only effective sanction.",
     [("wolf", "It is disheartening to find so much that is right in an opinion which seems to me so fundamentally "
               "wrong.")]),
    ("wolf-privacy", "holding", U, L,
     "Is security of one's privacy against arbitrary police intrusion enforceable against the States through the "
     "Due Process Clause?",
     "Yes. It is at the core of the Fourth Amendment, basic to a free society and implicit in the concept of "
     "ordered liberty, so enforceable against the States (though Wolf did not require exclusion).",
     [("wolf", "The security of one's privacy against arbitrary intrusion by the police—which is at the core of the "
               "Fourth Amendment—is basic to a free society.")]),
]

# (key, named, question): realistic questions the library cannot answer
UNANSWERABLE = [
    ("gant", N, "Under Arizona v. Gant, when may police search a car's passenger compartment after arresting a "
                "recent occupant?"),
    ("riley-phone", N, "What did the Supreme Court hold in Riley v. California about searching the data on an "
                       "arrestee's cell phone?"),
    ("dickerson", N, "Did Dickerson v. United States allow Congress to replace the Miranda warnings with a "
                     "voluntariness statute?"),
    ("failure-to-train", U, "When can a city be held liable under § 1983 for failing to train its police "
                            "officers?"),
    ("co-occupant", U, "May police search a home without a warrant when one resident consents but another "
                       "resident who is present objects?"),
    ("kingsley", N, "Under Kingsley v. Hendrickson, must a pretrial detainee show that jail officers knew their "
                    "force was excessive?"),
    ("heck", U, "Can a prisoner sue for damages under § 1983 when winning would necessarily imply that his "
                "conviction was invalid?"),
    ("cell-site", U, "Do police need a warrant to get a suspect's historical cell-site location records from his "
                     "wireless carrier?"),
    ("franks-hearing", U, "When is a defendant entitled to a hearing to challenge false statements in the affidavit "
                          "supporting a search warrant?"),
    ("pena-settlement", N, "Did the families in Pena v. DePrisco settle their lawsuit against the City of New York "
                           "after the Second Circuit's decision?"),
    ("monroe-murder", N, "Was anyone ever convicted of the murder the Chicago police were investigating when they "
                         "raided the Monroes' home?"),
    ("ingraham-prosecuted", N, "Were the school officials who paddled the students in Ingraham v. Wright ever "
                               "criminally prosecuted?"),
    ("hudson-recovery", N, "How much did Palmer eventually recover in state court for the property the guard "
                           "destroyed in Hudson v. Palmer?"),
    ("carlson", N, "Can a federal prisoner bring a Bivens action against prison officials for inadequate medical "
                   "care?"),
]


def check_pool() -> None:
    qa_sets.check_pool(ANSWERABLE, UNANSWERABLE, CASES)


def resolve(lib, answerable: list | None = None) -> tuple[dict[str, list[dict]], list[str]]:
    """Evidence items with case, citation and pin for this script's questions (or another set's in the same form,
    eval/make_answers_heldout3.py); notes on quotes that cross a page or stand in another opinion."""
    from qa_bot.evaluation.evalset import Evidence, supports
    from qa_bot.text import normalize

    answerable = ANSWERABLE if answerable is None else answerable
    ops = opinions(lib, CASES)
    collapsed = {key: _collapse(op.text) for key, op in ops.items()}
    normalized = {key: normalize(op.text) for key, op in ops.items()}
    passages = {key: lib.store.passages(lib.store.opinion_passage_ids(op.id)) for key, op in ops.items()}
    out, notes, problems = {}, [], []
    for qkey, *_, evidence in answerable:
        items = []
        for case, quote in evidence:
            op = ops[case]
            found = locate(collapsed[case], quote)
            if isinstance(found, str):
                problems.append(f"{qkey}: quote {found} in {CASES[case]}: {quote!r}")
                continue
            start, end = found
            item = {"quote": quote, "case": op.meta.case_name, "citation": op.meta.citation}
            pin = _pin(op, start)
            if pin is not None:
                item["pin"] = pin
                if " n." not in pin and op.page_at(end) != op.page_at(start):
                    notes.append(f"{qkey}: quote runs from page {pin} onto page {op.page_at(end)}")
            elif op.pages:
                problems.append(f"{qkey}: no pin found for a quote in {CASES[case]}, which has a page map")
            ev = Evidence(quote, item["case"], item["citation"], item.get("pin", ""))
            if not any(supports(ev, p.text, p.case_name, [p.citation]) for p in passages[case]):
                problems.append(f"{qkey}: no stored passage of {CASES[case]} supports the quote {quote!r}")
            others = [CASES[k] for k in CASES if k != case and normalize(quote) in normalized[k]]
            if others:
                notes.append(f"{qkey}: quote also stands in {', '.join(others)} (the item's case decides)")
            items.append(item)
        out[qkey] = items
    if problems:
        raise SystemExit("\n".join(problems))
    return out, notes


def build(lib) -> tuple[list[dict], list[str]]:
    check_pool()
    evidence, notes = resolve(lib)
    rows = []
    for key, qtype, named, para, question, reference, _ in ANSWERABLE:
        rows.append(answerable_row(qtype, named, para, question, reference, evidence[key]))
    for key, named, question in UNANSWERABLE:
        rows.append(unanswerable_row(named, question))
    return [{"id": f"held2-{n:02d}", **row} for n, row in enumerate(rows, 1)], notes


def main(argv: list[str] | None = None) -> int:
    from qa_bot import Library

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", default="demo")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--check", action="store_true", help="check quotes and pins, print notes, write nothing")
    args = ap.parse_args(argv)
    with Library.open(args.index) as lib:
        rows, notes = build(lib)
    for n in notes:
        print("note:", n)
    if not args.check:
        _write(args.out, rows)
    print(_summary(args.out.name, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
