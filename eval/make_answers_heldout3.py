"""Build eval/sets/answers_heldout3.jsonl: a third held-out set of questions over the 28 opinions of the demo library
(Pena v. DePrisco + 27 Supreme Court opinions), for issue 8.

The first two held-out sets (answers_heldout.jsonl, answers_heldout2.jsonl) have been run and are spent. These
questions were written afterwards, in one sitting, from reading the opinions' text only, before this session's changes
to retrieval and answering, and without running the answerer, the retriever or ``qa-bot eval`` on any of them (nor
on any other held-out set). They ask about other points and passages than the questions of pena_dev, scotus_dev,
answers_heldout, answers_heldout2 and figures_heldout: ``overlaps`` (run by ``--check`` and by the tests) finds no
question that repeats or nearly repeats one of theirs, and no evidence quote that is one of theirs. Nobody tunes on
this set; its first run is reported as is.

Same house style as make_qa_sets.py and make_answers_heldout2.py, whose helpers it reuses: one type tag (holding,
rule, reasoning, facts, procedure, concurrence, dissent, argument, unanswerable), ``named`` / ``unnamed``, and
``paraphrase`` for a question written to avoid the opinion's words that shares at most 40% of its content words
with its evidence (checked). Unanswerable questions are near misses: later events and details these opinions never
state, and cases and doctrines the library does not hold.

Each quote is checked against the library's clean text exactly as for answers_heldout2 (``make_answers_heldout2.
resolve``): found exactly once (whitespace collapsed) in the opinion it names, supported by a stored passage of that
opinion under the eval's own matching, pinned to the page where it starts (``"<page> n.<label>"`` in a footnote;
no pin in Carroll, Johnson and Classic, which have no page map in the demo library). ``--check`` also says in which
opinion part (and whose) each concurrence / dissent quote stands.

    .venv/bin/python eval/make_answers_heldout3.py [--index demo] [--out eval/sets/answers_heldout3.jsonl] [--check]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))
import make_answers_heldout2 as heldout2  # noqa: E402
import make_qa_sets as qa_sets  # noqa: E402
from make_qa_sets import NO_ANSWER, _part_at, _summary, _write, answerable_row, opinions, unanswerable_row  # noqa: E402, F401

CASES = heldout2.CASES
DEFAULT_OUT = ROOT / "eval" / "sets" / "answers_heldout3.jsonl"
OTHER_SETS = ("pena_dev.jsonl", "scotus_dev.jsonl", "answers_heldout.jsonl", "answers_heldout2.jsonl",
              "figures_heldout.jsonl")
NEAR = 0.5  # two questions whose content words overlap this much (Jaccard) count as near-duplicates

N, U = True, False  # the question names its case / does not
P, L = True, False  # paraphrase / literal

# (key, type, named, paraphrase, question, reference answer, [(case key, verbatim quote), ...])
ANSWERABLE = [
    # --- Pena v. DePrisco, 432 F.3d 98 (2d Cir. 2005) ---
    ("pena-personal-capacity", "argument", N, P,
     "In Pena v. DePrisco, did the families claim the drunk officer was acting as a state official when he ran down "
     "the pedestrians?",
     "No. The plaintiffs conceded that Grey acted in his personal capacity and was not a state actor under color of "
     "law when he caused the deaths, so they had to get around DeShaney's rule on private violence.",
     [("pena", "The plaintiffs concede that Grey was acting in his personal capacity and was therefore not a state "
               "actor acting under “color of law” for purposes of 42 U.S.C. § 1983 at the time he caused the deaths "
               "of the victims.")]),
    ("pena-disclosed", "facts", U, P,
     "Had the NYPD been told about the officer's alcohol trouble when he joined the force, in the Brooklyn drunk "
     "driving case?",
     "Yes. When Grey applied to the force in 1984 he disclosed his history of drinking problems to the department, "
     "yet he was never questioned, disciplined or counseled about it.",
     [("pena", "When, in 1984, Grey first applied to be a New York City police officer, he disclosed his history of "
               "drinking problems to the New York City Police Department.")]),
    ("pena-precinct-drinking", "facts", N, L,
     "According to the complaints in Pena v. DePrisco, how common was drinking by officers at the 72nd Precinct?",
     "Common practice: off-duty and on-duty officers drank at or near the precinct house, partly in public and with "
     "the full knowledge of Grey's supervisors.",
     [("pena", "it was common practice for both off-duty and on-duty officers to drink at or near the police "
               "precinct, house."),
      ("pena", "The drinking was done, at least in part, in public and with the full knowledge of Grey’s "
               "supervisors.")]),
    ("pena-bathroom-stop", "facts", U, P,
     "When the intoxicated officer stopped back at the station house in the afternoon to use the bathroom, did anyone "
     "there try to keep him from getting back in his car?",
     "No. Although he was visibly intoxicated, neither the desk sergeant, the patrol sergeant nor any on-duty officer "
     "he met did anything to reprimand him or stop him from driving off drunk.",
     [("pena", "Although he was visibly intoxicated, neither the desk sergeant, the patrol sergeant, nor any of the "
               "on-duty officers with whom Grey came into contact did anything to reprimand him or to prevent him "
               "from leaving, returning to the driver’s seat of his automobile, or driving drunk.")]),
    ("pena-no-certification", "procedure", N, L,
     "Why did the district court refuse to certify an interlocutory appeal of its other rulings in Pena v. DePrisco?",
     "Because the defendants had moved to dismiss on qualified immunity grounds only on the state-created-danger "
     "claim, not on all the issues they now wanted to take up before the facts were developed.",
     [("pena", "The court reasoned that an interlocutory appeal would be “particularly inappropriate” because"),
      ("pena", "[t]hose defendants who moved to dismiss on qualified immunity grounds did so only on the single issue "
               "of plaintiffs’ substantive due process claim of the right to be free of state created danger, and "
               "not on all of the issues which defendants now seek to present to the Court of Appeals")]),
    ("pena-dismissed-federal", "procedure", U, P,
     "Which of the victims' families' federal counts did the trial judge throw out for good, in the suit over the "
     "off-duty officer's fatal crash?",
     "The equal protection and 42 U.S.C. § 1985 claims, dismissed with prejudice; the state-created-danger, access to "
     "courts and § 1983 conspiracy claims went on.",
     [("pena", "The court dismissed the plaintiffs’ remaining federal claims, brought under the Equal Protection "
               "Clause and 42 U.S.C. § 1985 with prejudice.")]),
    ("pena-recklessness-chase", "rule", U, P,
     "Is recklessness enough for a due process claim against police in a high-speed pursuit or a hostage standoff?",
     "No. In a chase or a hostage situation an intermediate level of fault such as recklessness does not impose "
     "constitutional liability; deliberate indifference suffices only where there is time to deliberate.",
     [("pena", "an intermediate level of fault, such as recklessness, is not enough to impose constitutional "
               "liability.")]),
    ("pena-sister-circuits", "rule", U, P,
     "Have most federal appeals courts accepted that government may be liable for perils it brings about itself?",
     "Yes. A majority of the circuits recognise that a state-created danger can be the basis of a substantive due "
     "process violation, though the label covers very different fact patterns.",
     [("pena", "We have been joined by a majority of our sister circuits in recognizing that a state created danger "
               "can be the basis of a substantive due process violation")]),
    ("pena-pitchell", "reasoning", U, L,
     "Is an off-duty officer constitutionally liable for failing to stop another off-duty officer from shooting a "
     "guest, under Second Circuit precedent?",
     "No. In Pitchell v. Callan the Second Circuit found no constitutional violation where an off-duty officer did no "
     "more than fail to stop another from shooting a houseguest: passive failure, not affirmative conduct.",
     [("pena", "we could discern no constitutional violation when an off-duty police officer did no more than fail to "
               "stop another off-duty police officer from shooting a houseguest.")]),
    ("pena-no-guidelines", "reasoning", N, P,
     "Did the Pena court lay down general guidance on what other official conduct could support this kind of due "
     "process claim?",
     "No. Having found that the extreme recklessness pleaded would state a claim, it declined to offer formal "
     "guidelines for other actions in other circumstances.",
     [("pena", "we need not and do not undertake to proffer formal guidelines as to what other actions in other "
               "circumstances might be subject to a similar substantive due process claim.")]),
    ("pena-systemic", "holding", N, P,
     "What did the Second Circuit make of the families' broader 'systemic' charges in Pena v. DePrisco?",
     "It found their scope hard to discern, but assuming they accuse individual defendants of taking part in the "
     "policies and customs that sanctioned Grey's misconduct, they are similar enough to the implicit-approval "
     "allegations to state a state-created-danger claim.",
     [("pena", "We find it difficult to discern from the language of the complaint what the intended scope of the "
               "allegations is"),
      ("pena", "such allegations seem to us to be similar enough to the others asserting implicit prior approval of "
               "Grey’s behavior to state a claim of state created danger under section 1983.")]),
    ("pena-danger-known", "reasoning", U, P,
     "In the case of the off-duty officer who killed three pedestrians, did the judges need special proof that "
     "getting behind the wheel after heavy boozing is perilous?",
     "No. It requires no sophisticated exercise in judicial notice to acknowledge that the extreme danger of drinking "
     "and driving is widely known.",
     [("pena", "Nor does it require a sophisticated exercise in judicial notice for us to acknowledge that the "
               "extreme danger of drinking and driving is widely known.")]),
    ("pena-fair-notice", "rule", U, P,
     "For qualified immunity purposes, do police facing a civil suit get the same fair warning as people accused of "
     "crimes?",
     "Yes. Officers sued for damages under § 1983 have the same right to fair notice as criminal defendants, though "
     "they can be on notice even in novel factual circumstances.",
     [("pena", "[o]fficers sued in a civil action for damages under 42 U.S.C. § 1983 have the same right to fair "
               "notice as do defendants charged with [a] criminal offense.")]),
    ("pena-parties", "procedure", N, L,
     "Whom did the victims' relatives sue in Pena v. DePrisco?",
     "Individual police officers, the City of New York, the Patrolmen's Benevolent Association and The Wild, Wild "
     "West, Inc. (the strip club), in two separate complaints.",
     [("pena", "brought this action in two separate complaints against individual police officers, the City of New "
               "York, the PBA, and The Wild, Wild West, Inc.")]),
    # --- Bivens, 403 U.S. 388 ---
    ("bivens-hesitation", "reasoning", N, P,
     "Did anything in Bivens give the Justices reason to hold back from a damages remedy until Congress acted?",
     "No. The case involved no special factors counselling hesitation absent affirmative action by Congress; it was "
     "not, for example, a question of federal fiscal policy.",
     [("bivens", "The present case involves no special factors counselling hesitation in the absence of affirmative "
                 "action by Congress.")]),
    ("bivens-capacity", "reasoning", U, P,
     "Why is a federal officer abusing his authority more dangerous than a private trespasser, according to the Court "
     "that recognized damages suits against narcotics agents?",
     "Because power does not disappear when it is wrongfully used: an agent acting in the name of the United States "
     "has a far greater capacity for harm than an individual exercising no authority but his own.",
     [("bivens", "An agent acting—albeit unconstitutionally—in the name of the United States possesses a far greater "
                 "capacity for harm than an individual trespasser exercising no authority other than his own.")]),
    ("bivens-burger-statute", "dissent", N, P,
     "What did Chief Justice Burger propose Congress do instead of relying on the exclusionary rule, in his Bivens "
     "dissent?",
     "A statute waiving sovereign immunity for officers' illegal acts in their duties, creating a damages action for "
     "Fourth Amendment violations before a quasi-judicial tribunal, in lieu of excluding evidence.",
     [("bivens", "For example, Congress could enact a statute along the following lines: (a) a waiver of sovereign "
                 "immunity as to the illegal acts of law enforcement officials committed in the performance of "
                 "assigned duties"),
      ("bivens", "(d) a provision that this statutory remedy is in lieu of the exclusion of evidence secured for use "
                 "in criminal cases in violation of the Fourth Amendment")]),
    # --- Camara, 387 U.S. 523 ---
    ("camara-anomalous", "reasoning", U, P,
     "Why isn't a homeowner's interest in keeping out city health inspectors a minor one, given that nobody suspects "
     "him of wrongdoing?",
     "Because it would be anomalous for a person and his property to be fully protected by the Fourth Amendment only "
     "when he is suspected of criminal behavior; the interests at stake are not peripheral.",
     [("camara", "It is surely anomalous to say that the individual and his private property are fully protected by "
                 "the Fourth Amendment only when the individual is suspected of criminal behavior.")]),
    ("camara-frank", "holding", N, L,
     "What did Camara v. Municipal Court do with Frank v. Maryland?",
     "It overruled Frank to the extent that Frank sanctioned warrantless administrative inspections, and reversed.",
     [("camara", "Having concluded that Frank v. Maryland, to the extent that it sanctioned such warrantless "
                 "inspections, must be overruled, we reverse.")]),
    # --- Carroll, 267 U.S. 132 (no page map in the demo library) ---
    ("carroll-practicable", "rule", U, P,
     "When it is feasible to obtain a warrant first, must prohibition agents do so before taking a car's cargo of "
     "whisky?",
     "Yes. Where securing a warrant is reasonably practicable it must be used; a properly issued warrant also "
     "protects the seizing officer against a damages suit.",
     [("carroll", "In cases where the securing of a warrant is reasonably practicable, it must be used")]),
    ("carroll-unreasonable", "rule", N, L,
     "According to Carroll v. United States, does the Fourth Amendment forbid all searches and seizures?",
     "No, only unreasonable ones.",
     [("carroll", "The Fourth Amendment does not denounce all searches or seizures, but only such as are "
                  "unreasonable.")]),
    # --- Chimel, 395 U.S. 752 ---
    ("chimel-subjective", "reasoning", U, P,
     "Why wasn't it enough to say that going through a man's whole house when he is taken into custody there is "
     "simply 'reasonable'?",
     "Because that rests on little more than a subjective view of acceptable police conduct, not on Fourth Amendment "
     "interests; under such an unconfined analysis the protection would approach the evaporation point.",
     [("chimel", "But that argument is founded on little more than a subjective view regarding the acceptability of "
                 "certain sorts of police conduct, and not on considerations relevant to Fourth Amendment interests."),
      ("chimel", "Under such an unconfined analysis, Fourth Amendment protection in this area would approach the "
                 "evaporation point.")]),
    ("chimel-white-instability", "dissent", N, P,
     "How did Justice White describe the history of the law on searches incident to arrest, in his Chimel dissent?",
     "As remarkably unstable: at least four major shifts in emphasis, of which the Court's opinion made an untimely "
     "fifth; the Court should not abandon the old rule.",
     [("chimel", "There has been a remarkable instability in this whole area, which has seen at least four major "
                 "shifts in emphasis."),
      ("chimel", "Today's opinion makes an untimely fifth.")]),
    ("chimel-white-warrantless", "dissent", U, L,
     "In the coin dealer's case, which Justice insisted the Amendment bans only unreasonable searches, not searches "
     "without a warrant?",
     "Justice White, dissenting (joined by Justice Black): the Amendment proscribes unreasonable searches, not "
     "warrantless ones, and the Court had never held warrantless searches necessarily unreasonable.",
     [("chimel", "The Amendment does not proscribe \"warrantless searches\" but instead it proscribes \"unreasonable "
                 "searches\" and this Court has never held nor does the majority today assert that warrantless "
                 "searches are necessarily unreasonable.")]),
    # --- Collins v. Hardyman, 341 U.S. 651 ---
    ("collins-no-constitutional", "holding", N, L,
     "Did Collins v. Hardyman decide whether Congress could constitutionally punish private conspiracies?",
     "No. The Court held that Congress had not, in this statute's narrow class of conspiracies, included the one "
     "charged, and so reached no constitutional questions.",
     [("collins", "We think that Congress has not, in the narrow class of conspiracies defined by this statute, "
                  "included the conspiracy charged here."),
      ("collins", "We therefore reach no constitutional questions.")]),
    ("collins-meeting", "facts", U, P,
     "What was the topic of the political club's gathering that was broken up, in the civil rights conspiracy case "
     "from California?",
     "'The Cominform and the Marshall Plan': the club meant to adopt a resolution opposing the Marshall Plan and send "
     "it to federal officials as a petition.",
     [("collins", "It planned a public meeting for November 14, 1947, on the subject, \"The Cominform and the "
                  "Marshall Plan,\" at which it was intended to adopt a resolution opposing said Marshall Plan")]),
    # --- Daniels v. Williams, 474 U.S. 327 ---
    ("daniels-tort-law", "reasoning", U, P,
     "Why shouldn't the Constitution govern ordinary accident liability between officials and citizens?",
     "It deals with the large concerns of the governors and the governed, not with supplanting traditional tort law's "
     "rules for injuries that attend living together in society.",
     [("daniels", "Our Constitution deals with the large concerns of the governors and the governed, but it does not "
                  "purport to supplant traditional tort law in laying down rules of conduct to regulate liability for "
                  "injuries that attend living together in society.")]),
    ("daniels-deliberate", "rule", N, P,
     "In Daniels v. Williams, what kind of government action did the Court say the guarantee has traditionally "
     "policed?",
     "Deliberate decisions of government officials to deprive a person of life, liberty or property.",
     [("daniels", "Historically, this guarantee of due process has been applied to deliberate decisions of "
                  "government officials to deprive a person of life, liberty, or property.")]),
    # --- Escobedo v. Illinois, 378 U.S. 478 ---
    ("escobedo-harlan", "dissent", N, L,
     "What did Justice Harlan think of the rule announced in Escobedo v. Illinois?",
     "That it was most ill-conceived and seriously and unjustifiably fettered legitimate methods of criminal law "
     "enforcement; he would have affirmed on the basis of Cicenia v. Lagay.",
     [("escobedo", "I think the rule announced today is most ill-conceived and that it seriously and unjustifiably "
                   "fetters perfectly legitimate methods of criminal law enforcement.")]),
    ("escobedo-indictment", "reasoning", U, P,
     "Does a suspect's right to a lawyer during questioning depend on whether he has already been formally charged?",
     "No. It would exalt form over substance to make the right to counsel turn on whether an indictment had been "
     "secured; the suspect had for all practical purposes already been charged.",
     [("escobedo", "It would exalt form over substance to make the right to counsel, under these circumstances, "
                   "depend on whether at the time of the interrogation, the authorities had secured a formal "
                   "indictment.")]),
    # --- Estelle v. Gamble, 429 U.S. 97 ---
    ("estelle-rely", "reasoning", U, P,
     "Why does the government owe medical treatment to the people it locks up?",
     "Because an inmate must rely on prison authorities to treat his medical needs; if they fail to, those needs will "
     "not be met, at worst producing torture or a lingering death.",
     [("estelle", "An inmate must rely on prison authorities to treat his medical needs; if the authorities fail to "
                  "do so, those needs will not be met.")]),
    # --- Gideon v. Wainwright, 372 U.S. 335 ---
    ("gideon-douglas", "concurrence", N, L,
     "In Gideon, what did Justice Douglas say about whether rights applied to the states are weaker than the federal "
     "versions?",
     "That the view (Harlan's, and Jackson's before him) that an incorporated guarantee is a lesser version has not "
     "prevailed: rights protected against the States are not watered-down versions of the Bill of Rights.",
     [("gideon", "rights protected against state invasion by the Due Process Clause of the Fourteenth Amendment are "
                 "not watered-down versions of what the Bill of Rights guarantees.")]),
    # --- Hudson v. Palmer, 468 U.S. 517 ---
    ("hudson-roughshod", "reasoning", U, P,
     "If inmates have no privacy in their cells, are they left with nothing when guards harass them or wreck their "
     "belongings?",
     "No. They keep a remedy for calculated harassment unrelated to prison needs; the Eighth Amendment and state tort "
     "and common-law remedies remain, so attendants cannot ride roughshod over their property rights.",
     [("hudson", "does not mean that he is without a remedy for calculated harassment unrelated to prison needs."),
      ("hudson", "Nor does it mean that prison attendants can ride roughshod over inmates' property rights with "
                 "impunity.")]),
    ("hudson-discipline", "procedure", N, L,
     "What happened to Palmer in the prison's own disciplinary process over the torn pillowcase?",
     "After a hearing he was found guilty of destroying state property, ordered to reimburse the State, and a "
     "reprimand was entered on his prison record.",
     [("hudson", "After a hearing, Palmer was found guilty on the charge and was ordered to reimburse the State for "
                 "the cost of the material destroyed; in addition, a reprimand was entered on his prison record.")]),
    # --- Ingraham v. Wright, 430 U.S. 651 ---
    ("ingraham-paddle", "facts", U, P,
     "What did the Florida school board's rules allow as corporal punishment, and how many blows were normal?",
     "Paddling on the buttocks with a flat wooden paddle under two feet long, three to four inches wide and about "
     "half an inch thick; normally one to five 'licks'.",
     [("ingraham", "The authorized punishment consisted of paddling the recalcitrant student on the buttocks with a "
                   "flat wooden paddle measuring less than two feet long, three to four inches wide, and about "
                   "one-half inch thick."),
      ("ingraham", "The normal punishment was limited to one to five \"licks\" or blows with the paddle and resulted "
                   "in no apparent physical injury to the student.")]),
    ("ingraham-risk", "reasoning", U, P,
     "Why did the Court think there is little danger that a child will be wrongly spanked at school?",
     "Because paddlings usually respond to conduct the teacher saw directly, so the risk that a child is paddled "
     "without cause is typically insignificant.",
     [("ingraham", "because paddlings are usually inflicted in response to conduct directly observed by teachers in "
                   "their presence, the risk that a child will be paddled without cause is typically "
                   "insignificant.")]),
    ("ingraham-dismissal", "procedure", U, P,
     "In the Dade County paddling suit, how did the trial court dispose of the case once the students rested?",
     "It granted the school officials' motions on all three counts and dismissed the complaint without hearing their "
     "evidence.",
     [("ingraham", "The District Court granted the motion as to all three counts, and dismissed the complaint without "
                   "hearing evidence on behalf of the school authorities.")]),
    # --- Johnson v. United States, 333 U.S. 10 (no page map in the demo library) ---
    ("johnson-inconvenience", "reasoning", U, P,
     "What reason did the narcotics agents have for not getting a warrant before entering the hotel room where opium "
     "was smoked, and was it enough?",
     "Only the inconvenience to the officers and the slight delay of preparing papers for a magistrate, which are "
     "never very convincing and were not enough to bypass the constitutional requirement.",
     [("johnson", "No reason is offered for not obtaining a search warrant except the inconvenience to the officers "
                  "and some slight delay necessary to prepare papers and present the evidence to a magistrate."),
      ("johnson", "These are never very convincing reasons and, in these circumstances, certainly are not enough to "
                  "bypass the constitutional requirement.")]),
    # --- Katz v. United States, 389 U.S. 347 ---
    ("katz-trespass", "holding", N, P,
     "Did Katz keep the rule that eavesdropping is a search only if agents physically trespass on the suspect's "
     "property?",
     "No. The Amendment's reach cannot turn on a physical intrusion into an enclosure; the trespass doctrine of "
     "Olmstead and Goldman is no longer controlling.",
     [("katz", "the reach of that Amendment cannot turn upon the presence or absence of a physical intrusion into any "
               "given enclosure."),
      ("katz", "We conclude that the underpinnings of Olmstead and Goldman have been so eroded by our subsequent "
               "decisions that the \"trespass\" doctrine there enunciated can no longer be regarded as "
               "controlling.")]),
    ("katz-white", "concurrence", N, P,
     "In Katz, under what circumstances did Justice White think eavesdropping could go ahead without a magistrate's "
     "approval?",
     "In national security cases, where the President or the Attorney General has considered the requirements of "
     "national security and authorized the surveillance as reasonable.",
     [("katz", "We should not require the warrant procedure and the magistrate's judgment if the President of the "
               "United States or his chief legal officer, the Attorney General, has considered the requirements of "
               "national security and authorized electronic surveillance as reasonable.")]),
    ("katz-appeals", "procedure", N, L,
     "Why did the appeals court uphold Katz's conviction despite his objection to the recordings?",
     "It held the Fourth Amendment was not violated because there was no physical entrance into the area Katz "
     "occupied.",
     [("katz", "the Court of Appeals rejected the contention that the recordings had been obtained in violation of "
               "the Fourth Amendment, because \"[t]here was no physical entrance into the area occupied by [the "
               "petitioner].\"")]),
    # --- Mapp v. Ohio, 367 U.S. 643 ---
    ("mapp-douglas", "concurrence", N, P,
     "Why did Justice Douglas, concurring in Mapp, welcome the chance to overrule the 1949 decision?",
     "To end the asymmetry Wolf had brought into the law (states bound by the Fourth Amendment but free to use its "
     "fruits), and because the facts showed the evils of that rule.",
     [("mapp", "I believe that this is an appropriate case in which to put an end to the asymmetry which Wolf imported "
               "into the law.")]),
    ("mapp-tip", "facts", U, P,
     "On what tip did the Cleveland officers go to the woman's house in the obscenity case?",
     "Information that a person wanted for questioning about a recent bombing was hiding in the home, and that a "
     "large amount of policy (numbers gambling) paraphernalia was hidden there.",
     [("mapp", "a person [was] hiding out in the home, who was wanted for questioning in connection with a recent "
               "bombing, and that there was a large amount of policy paraphernalia being hidden in the home.")]),
    # --- Miranda v. Arizona, 384 U.S. 436 ---
    ("miranda-cease", "rule", U, P,
     "If a suspect in custody says he wants to stay quiet, what must the police do?",
     "Stop: if he indicates in any manner, at any time before or during questioning, that he wishes to remain silent, "
     "the interrogation must cease.",
     [("miranda", "If the individual indicates in any manner, at any time prior to or during questioning, that he "
                  "wishes to remain silent, the interrogation must cease.")]),
    ("miranda-fbi", "reasoning", N, P,
     "Did Miranda's requirements depart from how the FBI already treated suspects?",
     "No. The Solicitor General's letter showed that the FBI's existing pattern of warnings and respect for the "
     "individual's rights was consistent with the procedure the Court laid down.",
     [("miranda", "the present pattern of warnings and respect for the rights of the individual followed as a "
                  "practice by the FBI is consistent with the procedure which we delineate today.")]),
    ("miranda-volunteered", "rule", U, P,
     "Does someone who walks in and confesses unprompted need to be warned first?",
     "No. Police need not stop a person who comes to confess; volunteered statements of any kind are not barred by "
     "the Fifth Amendment and are unaffected by the decision.",
     [("miranda", "There is no requirement that police stop a person who enters a police station and states that he "
                  "wishes to confess to a crime"),
      ("miranda", "Volunteered statements of any kind are not barred by the Fifth Amendment and their admissibility "
                  "is not affected by our holding today.")]),
    # --- Monell, 436 U.S. 658 ---
    ("monell-powell", "concurrence", N, P,
     "According to Justice Powell's concurrence in Monell, what was odd about the result the 1961 Chicago police case "
     "had reached?",
     "That Monroe v. Pape exempted local governments from liability while opening the courthouse door wide to suits "
     "against their officers and employees, even those acting on express authorization.",
     [("monell", "But Monroe exempted local governments from liability at the same time it opened wide the courthouse "
                 "door to suits against officers and employees of those entities—even when they act pursuant to "
                 "express authorization.")]),
    # --- Monroe v. Pape, 365 U.S. 167 ---
    ("monroe-three-aims", "reasoning", U, P,
     "What were the three purposes Congress had for the Ku Klux Act's civil remedy, as the Court read the 1871 "
     "debates?",
     "To override certain kinds of state laws; to give a remedy where state law was inadequate; and to give a federal "
     "remedy where the state remedy, adequate in theory, was not available in practice.",
     [("monroe", "First, it might, of course, override certain kinds of state laws."),
      ("monroe", "Second, it provided a remedy where state law was inadequate."),
      ("monroe", "The third aim was to provide a federal remedy where the state remedy, though adequate in theory, was "
                 "not available in practice.")]),
    # --- Parratt v. Taylor, 451 U.S. 527 ---
    ("parratt-blackmun", "concurrence", N, P,
     "Did Justice Blackmun think Parratt's reasoning would govern a negligent loss of life or liberty rather than "
     "property?",
     "No. He did not read the Court's opinion as applying to a deprivation of life or liberty; the case concerned "
     "only property.",
     [("parratt", "I do not read the Court's opinion as applicable to a case concerning deprivation of life or of "
                  "liberty.")]),
    # --- Procunier v. Martinez, 416 U.S. 396 ---
    ("procunier-hands-off", "reasoning", U, P,
     "Why have federal judges traditionally kept their distance from how prisons are managed?",
     "Prison problems are complex and intractable and not readily resolved by decree; they need expertise, planning "
     "and resources within the province of the legislative and executive branches, so courts are ill equipped.",
     [("procunier", "Suffice it to say that the problems of prisons in America are complex and intractable, and, "
                    "more to the point, they are not readily susceptible of resolution by decree."),
      ("procunier", "For all of those reasons, courts are ill equipped to deal with the increasingly urgent problems "
                    "of prison administration and reform.")]),
    ("procunier-riots", "argument", U, P,
     "How did California's prison officials justify censoring inmate letters that grumbled about conditions?",
     "As a precaution against flash riots and in furtherance of inmate rehabilitation; the Court found they did not "
     "show how complaining in outgoing letters could lead to riots.",
     [("procunier", "Appellants contend that statements that \"magnify grievances\" or \"unduly complain\" are "
                    "censored \"as a precaution against flash riots and in the furtherance of inmate "
                    "rehabilitation.\"")]),
    ("procunier-abstain", "argument", N, P,
     "In Procunier v. Martinez, what did the state's prison officials ask the Justices to do instead of ruling on the "
     "mail rules?",
     "To vacate the judgment and send the case back with instructions to abstain (in favour of the California "
     "courts), on two arguments they had not presented to the District Court; the Court proceeded to the merits.",
     [("procunier", "Appellants now contend that we should vacate the judgment and remand the case to the District "
                    "Court with instructions to abstain on the basis of two arguments not presented to it.")]),
    # --- Rochin v. California, 342 U.S. 165 ---
    ("rochin-immunities", "rule", U, L,
     "How did Justice Frankfurter define the personal immunities protected by due process, in the stomach-pumping "
     "case?",
     "As those so rooted in the traditions and conscience of our people as to be ranked as fundamental, or implicit "
     "in the concept of ordered liberty.",
     [("rochin", "Due process of law is a summarized constitutional guarantee of respect for those personal "
                 "immunities which, as Mr. Justice Cardozo twice wrote for the Court, are \"so rooted in the "
                 "traditions and conscience of our people as to be ranked as fundamental,\"")]),
    # --- Terry v. Ohio, 392 U.S. 1 ---
    ("terry-seized", "rule", U, P,
     "At what point has a cop who stops someone on the sidewalk 'seized' him under the Fourth Amendment?",
     "Whenever the officer accosts the individual and restrains his freedom to walk away.",
     [("terry", "It must be recognized that whenever a police officer accosts an individual and restrains his freedom "
                "to walk away, he has \"seized\" that person.")]),
    ("terry-officer-safety", "reasoning", N, L,
     "Besides investigating crime, what interest of the officer did Terry v. Ohio rely on to justify a frisk?",
     "The more immediate interest of the officer in making sure the person he is dealing with is not armed with a "
     "weapon that could unexpectedly and fatally be used against him.",
     [("terry", "We are now concerned with more than the governmental interest in investigating crime; in addition, "
                "there is the more immediate interest of the police officer in taking steps to assure himself that "
                "the person with whom he is dealing is not armed with a weapon that could unexpectedly and fatally be "
                "used against him.")]),
    ("terry-petitioner", "argument", N, P,
     "What limit on pat-downs did Terry's lawyer ask the Justices to adopt?",
     "That such an intrusion be allowed only incident to a lawful arrest, for a weapons crime or for the crime that led "
     "the officer to investigate.",
     [("terry", "Petitioner contends that such an intrusion is permissible only incident to a lawful arrest, either "
                "for a crime involving the possession of weapons or for a crime the commission of which led the "
                "officer to investigate in the first place.")]),
    # --- Maine v. Thiboutot, 448 U.S. 1 ---
    ("thiboutot-fees-argument", "argument", N, L,
     "What did Maine argue in Thiboutot about whether the 1976 attorney's fees act covers statutory § 1983 claims?",
     "That even if the claim is within § 1983, Congress did not intend statutory claims to be covered by the Civil "
     "Rights Attorney's Fees Awards Act of 1976; the Court found § 1988 makes no such exception.",
     [("thiboutot", "Petitioners next argue that, even if this claim is within § 1983, Congress did not intend "
                    "statutory claims to be covered by the Civil Rights Attorney's Fees Awards Act of 1976")]),
    # --- United States v. Chadwick, 433 U.S. 1 ---
    ("chadwick-appeals", "procedure", U, P,
     "In the footlocker case, what did the court of appeals decide about the agents' seizure of the trunk and their "
     "grounds to open it?",
     "That it was properly taken into custody after a lawful arrest and that the agents had probable cause to believe "
     "it held drugs, but that probable cause alone could not sustain the warrantless search.",
     [("chadwick", "The court held that the footlocker had been properly taken into federal custody after "
                   "respondents' lawful arrest; it also agreed that the agents had probable cause to believe that the "
                   "footlocker contained a controlled substance when they opened it."),
      ("chadwick", "But probable cause alone was held not enough to sustain the warrantless search.")]),
    ("chadwick-no-exigency", "facts", U, P,
     "Was there any emergency that required the federal agents to open the double-locked trunk right away, in the "
     "Amtrak marijuana case?",
     "No. Facilities to store the footlocker securely were readily available, and no one contended there was any "
     "exigency calling for an immediate search.",
     [("chadwick", "Facilities were readily available in which the footlocker could have been stored securely; it is "
                   "not contended that there was any exigency calling for an immediate search.")]),
    # --- United States v. Classic, 313 U.S. 299 (no page map in the demo library) ---
    ("classic-primaries", "holding", N, P,
     "According to United States v. Classic, may the national legislature police nominating contests when they are "
     "a step toward choosing members of the House?",
     "Yes. Congress's authority under Article I, § 4 includes regulating primary elections when they are a step in "
     "the people's choice of representatives in Congress.",
     [("classic", "For we think that the authority of Congress, given by § 4, includes the authority to regulate "
                  "primary elections when, as in this case, they are a step in the exercise by the people of their "
                  "choice of representatives in Congress.")]),
    # --- Warden v. Hayden, 387 U.S. 294 ---
    ("hayden-privacy", "reasoning", N, P,
     "Why did Warden v. Hayden reject the idea that the government's power to seize depends on who owns the item?",
     "Because the premise that property interests control the right to search and seize has been discredited: the "
     "principal object of the Fourth Amendment is privacy, not property.",
     [("hayden", "The premise that property interests control the right of the Government to search and seize has "
                 "been discredited."),
      ("hayden", "We have recognized that the principal object of the Fourth Amendment is the protection of privacy "
                 "rather than property")]),
    # --- Weeks v. United States, 232 U.S. 383 ---
    ("weeks-restraint", "rule", U, L,
     "Whose conduct does the Fourth Amendment restrain, according to the 1914 lottery papers decision?",
     "The federal courts and federal officials in the exercise of their power and authority, securing the people "
     "against all unreasonable searches and seizures under the guise of law.",
     [("weeks", "The effect of the Fourth Amendment is to put the courts of the United States and Federal officials, "
                "in the exercise of their power and authority, under limitations and restraints as to the exercise "
                "of such power and authority")]),
    # --- Wolf v. Colorado, 338 U.S. 25 ---
    ("wolf-rutledge", "dissent", N, P,
     "What did Justice Rutledge, dissenting in Wolf, think the Fourth Amendment is worth without the exclusion remedy?",
     "Nothing: agreeing with Justice Murphy, he thought the Amendment without the sanction a dead letter.",
     [("wolf", "For I agree with my brother MURPHY'S demonstration that the Amendment without the sanction is a dead "
               "letter.")]),
    ("wolf-implication", "reasoning", N, P,
     "Where did the Weeks exclusion rule come from, as the Wolf majority saw it?",
     "Not from the Fourth Amendment's explicit requirements nor from legislation: it was a matter of judicial "
     "implication.",
     [("wolf", "It was not derived from the explicit requirements of the Fourth Amendment; it was not based on "
               "legislation expressing Congressional policy in the enforcement of the Constitution."),
      ("wolf", "The decision was a matter of judicial implication.")]),
]

UNANSWERABLE = [
    ("pena-certiorari", N, "Did the Supreme Court agree to review the Second Circuit's decision in Pena v. DePrisco?"),
    ("pena-author", N, "Which Second Circuit judge wrote the opinion in Pena v. DePrisco?"),
    ("pena-healy-fired", N, "Was Sergeant Healy disciplined or fired by the NYPD after the crash in Pena v. DePrisco?"),
    ("whren", U, "May police stop a driver for a minor traffic violation when their real motive is to look for "
                 "drugs?"),
    ("inevitable-discovery", U, "Is evidence admissible if the police would inevitably have found it by lawful means "
                                "anyway?"),
    ("pearson", N, "Did Pearson v. Callahan make the two-step qualified immunity sequence of Saucier v. Katz "
                   "optional?"),
    ("abbasi", N, "What test did Ziglar v. Abbasi set for extending a Bivens remedy to a new context?"),
    ("farmer", N, "How did Farmer v. Brennan define deliberate indifference for prison officials who fail to protect "
                  "an inmate from assault?"),
    ("hudson-michigan", N, "Under Hudson v. Michigan, must evidence be suppressed when police violate the "
                           "knock-and-announce rule?"),
    ("anonymous-tip", U, "Is an anonymous tip that a young man at a bus stop is carrying a gun enough for police to "
                         "stop and frisk him?"),
    ("probationer", U, "May probation officers search a probationer's home without a warrant on reasonable "
                       "grounds?"),
    ("malicious-prosecution", U, "Must a § 1983 malicious prosecution plaintiff show that his prosecution ended with "
                                 "an affirmative indication of innocence?"),
    ("created-exigency", U, "May police force their way into an apartment without a warrant to prevent the "
                            "destruction of evidence that their own knocking provoked?"),
    ("juvenile-custody", U, "Does a child's age affect whether he is in custody for purposes of the Miranda "
                            "warnings?"),
    ("strickland", N, "Under Strickland v. Washington, what must a defendant show to prove his appointed lawyer was "
                      "ineffective?"),
    ("driver-out", U, "May police order a driver out of his car during a routine traffic stop without any suspicion "
                      "that he is armed?"),
]


def check_pool() -> None:
    qa_sets.check_pool(ANSWERABLE, UNANSWERABLE, CASES)


def _words(question: str) -> set[str]:
    return set(qa_sets._content_words(question))


def overlaps(sets_dir: Path = ROOT / "eval" / "sets", near: float = NEAR) -> list[str]:
    """Questions of this set that repeat or nearly repeat one of the other sets' (content words, Jaccard >= near),
    and evidence quotes that are one of theirs (whitespace collapsed, case ignored)."""
    mine = [q[4] for q in ANSWERABLE] + [u[2] for u in UNANSWERABLE]
    theirs, their_quotes = [], set()
    for name in OTHER_SETS:
        for line in (sets_dir / name).read_text("utf-8").splitlines():
            row = json.loads(line)
            theirs.append((name, row["question"]))
            their_quotes |= {" ".join(e["quote"].lower().split()) for e in row.get("evidence", [])}
    found = []
    for question in mine:
        a = _words(question)
        for name, other in theirs:
            b = _words(other)
            share = len(a & b) / len(a | b) if a | b else 1.0
            if question.strip().lower() == other.strip().lower() or share >= near:
                found.append(f"{question!r} is close to {name}: {other!r} ({share:.0%} of content words shared)")
    for key, *_, evidence in ANSWERABLE:
        found += [f"{key}: quote also evidence in another set: {quote!r}" for _, quote in evidence
                  if " ".join(quote.lower().split()) in their_quotes]
    return found


def part_notes(lib) -> list[str]:
    """Where each concurrence / dissent quote stands: the opinion part and its author, as the structure stage
    labels them (it mislabels a few separate opinions, e.g. Justice Douglas's in Gideon; see eval/sets/README.md)."""
    ops = opinions(lib, CASES)
    notes = []
    for key, qtype, *_, evidence in ANSWERABLE:
        if qtype not in ("concurrence", "dissent"):
            continue
        for case, quote in evidence:
            start, _end = qa_sets.locate(qa_sets._collapse(ops[case].text), quote)
            part = _part_at(ops[case], start)
            notes.append(f"{key}: {qtype} quote stands in {part.kind if part else 'no part'} "
                         f"({part.author if part else '-'})")
    return notes


def rows_from(evidence: dict[str, list[dict]]) -> list[dict]:
    """The set's rows, given each answerable question's evidence items as ``resolve`` gives them (key -> items)."""
    rows = [answerable_row(qtype, named, para, question, reference, evidence[key])
            for key, qtype, named, para, question, reference, _ in ANSWERABLE]
    rows += [unanswerable_row(named, question) for _key, named, question in UNANSWERABLE]
    return [{"id": f"held3-{n:02d}", **row} for n, row in enumerate(rows, 1)]


def build(lib) -> tuple[list[dict], list[str]]:
    check_pool()
    evidence, notes = heldout2.resolve(lib, ANSWERABLE)
    return rows_from(evidence), notes


def main(argv: list[str] | None = None) -> int:
    from qa_bot import Library

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", default="demo")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--check", action="store_true",
                    help="check quotes, pins and overlap with the other sets, print notes, write nothing")
    args = ap.parse_args(argv)
    found = overlaps()
    if found:
        raise SystemExit("questions or quotes that other sets already have:\n" + "\n".join(found))
    with Library.open(args.index) as lib:
        rows, notes = build(lib)
        if args.check:
            notes += part_notes(lib)
    for n in notes:
        print("note:", n)
    if not args.check:
        _write(args.out, rows)
    print(_summary(args.out.name, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
