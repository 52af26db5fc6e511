"""Build eval/sets/scotus_dev.jsonl and eval/sets/answers_heldout.jsonl: questions a lawyer, clerk or law
student would ask about the 27 Supreme Court opinions of the demo library, with gold evidence quotes.

The questions were written in one sitting from reading the opinions (holdings, rules and tests, the
Court's reasons, facts, procedure, concurrences and dissents, a party's argument as the Court reports it,
and near-miss questions the library does not answer), before the answerer was changed for issue 8 and
without running the answerer, the retriever or ``qa-bot eval`` on any of them. They are then dealt into a
development set (40 answerable + 8 unanswerable, for tuning) and a held-out set (everything else, never
tuned on) at random with a fixed seed, stratified (answerable: by question type, then named / unnamed, then
paraphrase / literal; unanswerable: by named / unnamed), so that both sets have the same mix. A question is
tagged "paraphrase" when it was written to avoid the opinion's words and shares at most 40% of its content
words with its evidence (checked here).

Each quote is checked against the demo library's clean text (``Library.open("demo")``, ``opinion.text``):
after collapsing runs of whitespace in both, it must occur exactly once in the opinion it names, or the
script stops naming the question. Its pin is the U.S. Reports page where the quote starts
(``opinion.page_at``), or ``"<page of the footnote's marker> n.<label>"`` when it stands in a footnote. Three
opinions of the demo (Carroll, Johnson v. United States, United States v. Classic) come from a source
without star pagination; their quotes carry no pin rather than a guessed one.

    .venv/bin/python eval/make_qa_sets.py [--index demo] [--seed 8] [--out-dir eval/sets]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_OUT_DIR = ROOT / "eval" / "sets"
DEV_NAME, HELD_NAME = "scotus_dev.jsonl", "answers_heldout.jsonl"
DEV_ANSWERABLE, DEV_UNANSWERABLE = 40, 8
SEED = 8

TYPES = ("holding", "rule", "reasoning", "facts", "procedure", "concurrence", "dissent", "argument")

# Case names exactly as the demo library stores them.
CASES = {
    "bivens": "Bivens v. Six Unknown Named Agents of Federal Bureau of Narcotics",
    "camara": "Camara v. Municipal Court of City and County of San Francisco",
    "carroll": "Carroll v. United States",
    "chimel": "Chimel v. California",
    "collins": "Collins v. Hardyman",
    "daniels": "Daniels v. Williams",
    "escobedo": "Escobedo v. Illinois",
    "estelle": "Estelle v. Gamble",
    "gideon": "Gideon v. Wainwright",
    "hudson": "Hudson v. Palmer",
    "ingraham": "Ingraham v. Wright",
    "johnson": "Johnson v. United States",
    "katz": "Katz v. United States",
    "thiboutot": "Maine v. Thiboutot",
    "mapp": "Mapp v. Ohio",
    "miranda": "Miranda v. Arizona",
    "monell": "Monell v. New York City Dept. of Social Servs.",
    "monroe": "Monroe v. Pape",
    "parratt": "Parratt v. Taylor",
    "procunier": "Procunier v. Martinez",
    "rochin": "Rochin v. California",
    "terry": "Terry v. Ohio",
    "chadwick": "United States v. Chadwick",
    "classic": "United States v. Classic",
    "hayden": "Warden, Maryland Penitentiary v. Hayden",
    "weeks": "Weeks v. United States",
    "wolf": "Wolf v. Colorado",
}

N, U = True, False  # named / unnamed (the question names the case, or not)
P, L = True, False  # paraphrase (shares few words with the opinion) / literal

# (key, type, named, paraphrase, question, reference answer, [(case key, verbatim quote), ...])
ANSWERABLE = [
    # --- Terry v. Ohio, 392 U.S. 1 ---
    ("terry-holding", "holding", N, L,
     "What did the Court hold in Terry v. Ohio about an officer's authority to frisk a suspect on the street?",
     "An officer who observes unusual conduct leading him reasonably to conclude that criminal activity may be "
     "afoot and that the person may be armed and presently dangerous may, after identifying himself and making "
     "reasonable inquiries, conduct a carefully limited search of the outer clothing for weapons.",
     [("terry", "We merely hold today that where a police officer observes unusual conduct which leads him "
       "reasonably to conclude in light of his experience that criminal activity may be afoot and that the persons "
       "with whom he is dealing may be armed and presently dangerous, where in the course of investigating this "
       "behavior he identifies himself as a policeman and makes reasonable inquiries, and where nothing in the "
       "initial stages of the encounter serves to dispel his reasonable fear for his own or others' safety, he is "
       "entitled for the protection of himself and others in the area to conduct a carefully limited search of the "
       "outer clothing of such persons in an attempt to discover weapons which might be used to assault him.")]),
    ("terry-certain", "rule", U, P,
     "Does a police officer have to be sure a suspect is carrying a gun before patting him down?",
     "No. The question is whether a reasonably prudent person in the officer's circumstances would be warranted "
     "in believing that his safety or that of others was in danger.",
     [("terry", "The officer need not be absolutely certain that the individual is armed; the issue is whether a "
       "reasonably prudent man in the circumstances would be warranted in the belief that his safety or that of "
       "others was in danger.")]),
    ("terry-articulable", "rule", U, P,
     "What kind of justification must police be able to give for stopping someone when they lack grounds to "
     "arrest?",
     "The officer must be able to point to specific and articulable facts which, with the rational inferences "
     "from them, reasonably warrant the intrusion; an unparticularized hunch does not suffice.",
     [("terry", "And in justifying the particular intrusion the police officer must be able to point to specific "
       "and articulable facts which, taken together with rational inferences from those facts, reasonably warrant "
       "that intrusion.")]),
    ("terry-window", "facts", U, P,
     "What did the plainclothes detective in Cleveland watch the two men do at the store window before he "
     "stopped them?",
     "They took turns walking past the same store window, peering in and returning to confer at the corner, "
     "about a dozen trips in all, and briefly met a third man; he suspected them of casing a stick-up.",
     [("terry", "The two men repeated this ritual alternately between five and six times apiece—in all, roughly a "
       "dozen trips.")]),
    ("terry-patdown-search", "reasoning", U, P,
     "Is patting down the outside of someone's clothes really a 'search' for Fourth Amendment purposes?",
     "Yes. The Court called it sheer torture of the English language to say that a careful exploration of the "
     "outer surfaces of a person's clothing for weapons is not a search.",
     [("terry", "And it is nothing less than sheer torture of the English language to suggest that a careful "
       "exploration of the outer surfaces of a person's clothing all over his or her body in an attempt to find "
       "weapons is not a \"search.\"")]),
    ("terry-harlan", "concurrence", N, L,
     "What did Justice Harlan add in his Terry concurrence about the officer's right to stop the suspect in the "
     "first place?",
     "Harlan wrote that if the frisk is justified to protect the officer, the officer must first have "
     "constitutional grounds to insist on the encounter, that is, to make a forcible stop.",
     [("terry", "if the frisk is justified in order to protect the officer during an encounter with a citizen, the "
       "officer must first have constitutional grounds to insist on an encounter, to make a forcible stop.")]),
    ("terry-douglas", "dissent", N, L,
     "Why did Justice Douglas dissent in Terry v. Ohio?",
     "Douglas objected that without probable cause a magistrate could not have authorized the seizure and "
     "search, so the Court gave the police greater authority than a judge has.",
     [("terry", "We hold today that the police have greater authority to make a \"seizure\" and conduct a \"search\" "
       "than a judge has to authorize such action.")]),
    # --- Katz v. United States, 389 U.S. 347 ---
    ("katz-holding", "holding", N, L,
     "What did the Court hold in Katz about the FBI's recording of calls made from a public telephone booth?",
     "Listening to and recording Katz's words violated the privacy on which he justifiably relied in the booth and "
     "was a search and seizure under the Fourth Amendment, even though nothing penetrated the booth.",
     [("katz", "The Government's activities in electronically listening to and recording the petitioner's words "
       "violated the privacy upon which he justifiably relied while using the telephone booth and thus constituted "
       "a \"search and seizure\" within the meaning of the Fourth Amendment.")]),
    ("katz-per-se", "rule", U, P,
     "Is a search carried out without a warrant presumed to be unconstitutional?",
     "Yes. Searches conducted without prior approval by a judge or magistrate are per se unreasonable, subject "
     "only to a few specifically established and well-delineated exceptions.",
     [("katz", "searches conducted outside the judicial process, without prior approval by judge or magistrate, are "
       "per se unreasonable under the Fourth Amendment—subject only to a few specifically established and "
       "well-delineated exceptions.")]),
    ("katz-harlan", "concurrence", U, P,
     "Which Justice proposed the two-part 'reasonable expectation of privacy' test, and what are its parts?",
     "Justice Harlan, concurring in Katz: the person must have exhibited an actual (subjective) expectation of "
     "privacy, and the expectation must be one society is prepared to recognize as reasonable.",
     [("katz", "My understanding of the rule that has emerged from prior decisions is that there is a twofold "
       "requirement, first that a person have exhibited an actual (subjective) expectation of privacy and, second, "
       "that the expectation be one that society is prepared to recognize as \"reasonable.\"")]),
    ("katz-black", "dissent", N, L,
     "Why did Justice Black dissent in Katz?",
     "Black read the Fourth Amendment's words as covering only searches and seizures of tangible things; "
     "eavesdropping on conversation was neither, and he would not rewrite the Amendment to protect privacy.",
     [("katz", "Since I see no way in which the words of the Fourth Amendment can be construed to apply to "
       "eavesdropping, that closes the matter for me.")]),
    ("katz-glass", "reasoning", U, P,
     "Does a caller lose his privacy because the phone booth is glass and passers-by can see him inside?",
     "No. What he sought to exclude when he entered the booth was not the intruding eye but the uninvited ear; "
     "he could rely on the Fourth Amendment although he could be seen.",
     [("katz", "But what he sought to exclude when he entered the booth was not the intruding eye—it was the "
       "uninvited ear.")]),
    ("katz-government", "argument", N, L,
     "What did the Government argue in Katz about why the Fourth Amendment did not govern its surveillance?",
     "That its agents' technique involved no physical penetration of the telephone booth, so the surveillance "
     "should not be tested by Fourth Amendment requirements.",
     [("katz", "The Government contends, however, that the activities of its agents in this case should not be "
       "tested by Fourth Amendment requirements, for the surveillance technique they employed involved no physical "
       "penetration of the telephone booth from which the petitioner placed his calls.")]),
    # --- Chimel v. California, 395 U.S. 752 ---
    ("chimel-rule", "rule", N, L,
     "Under Chimel v. California, what may police search incident to an arrest?",
     "The arrestee's person and the area within his immediate control, meaning the area from which he might gain "
     "possession of a weapon or destructible evidence.",
     [("chimel", "There is ample justification, therefore, for a search of the arrestee's person and the area "
       "\"within his immediate control\"—construing that phrase to mean the area from within which he might gain "
       "possession of a weapon or destructible evidence.")]),
    ("chimel-whole-house", "holding", U, P,
     "When police arrest a man at home, can they go through every room of the house without a search warrant?",
     "No. There is no justification for routinely searching rooms other than the one where the arrest occurs, or "
     "closed drawers in that room; such searches need a warrant absent a recognized exception.",
     [("chimel", "There is no comparable justification, however, for routinely searching any room other than that "
       "in which an arrest occurs—or, for that matter, for searching through all the desk drawers or other closed "
       "or concealed areas in that room itself.")]),
    ("chimel-facts", "facts", N, L,
     "What did the officers search after arresting Chimel at his home?",
     "Accompanied by his wife, they looked through the entire three-bedroom house, including the attic, garage "
     "and a workshop, having her open drawers, and seized coins and other items.",
     [("chimel", "Accompanied by the petitioner's wife, the officers then looked through the entire three-bedroom "
       "house, including the attic, the garage, and a small workshop.")]),
    ("chimel-white", "dissent", N, L,
     "Why did Justice White dissent in Chimel?",
     "White would have held that the arrest itself supplied an exigent circumstance: the police had lawfully "
     "entered and delay to get a warrant risked losing the fruits of the crime, and there was probable cause.",
     [("chimel", "I would hold that the fact of arrest supplies such an exigent circumstance, since the police had "
       "lawfully gained entry to the premises to effect the arrest and since delaying the search to secure a "
       "warrant would have involved the risk of not recovering the fruits of the crime.")]),
    # --- Mapp v. Ohio, 367 U.S. 643 ---
    ("mapp-holding", "holding", N, L,
     "What did the Court hold in Mapp v. Ohio?",
     "All evidence obtained by searches and seizures in violation of the Constitution is inadmissible in a state "
     "court; Wolf v. Colorado was overruled on this point.",
     [("mapp", "We hold that all evidence obtained by searches and seizures in violation of the Constitution is, by "
       "that same authority, inadmissible in a state court.")]),
    ("mapp-states", "holding", U, L,
     "Does the exclusionary rule apply to the states?",
     "Yes. Since Mapp v. Ohio, the Fourth Amendment right of privacy is enforceable against the States by the same "
     "sanction of exclusion used against the Federal Government.",
     [("mapp", "Since the Fourth Amendment's right of privacy has been declared enforceable against the States "
       "through the Due Process Clause of the Fourteenth, it is enforceable against them by the same sanction of "
       "exclusion as is used against the Federal Government."),
      ("mapp", "We hold that all evidence obtained by searches and seizures in violation of the Constitution is, by "
       "that same authority, inadmissible in a state court.")]),
    ("mapp-goes-free", "reasoning", U, P,
     "Isn't it wrong to let a guilty person walk free just because the police made a mistake?",
     "The Mapp Court answered that the criminal goes free, if he must, but it is the law that sets him free; "
     "nothing destroys a government faster than its failure to observe its own laws (the imperative of judicial "
     "integrity).",
     [("mapp", "The criminal goes free, if he must, but it is the law that sets him free."),
      ("mapp", "Nothing can destroy a government more quickly than its failure to observe its own laws, or worse, "
       "its disregard of the charter of its own existence.")]),
    ("mapp-entry", "facts", U, P,
     "How did the Cleveland officers get into the house after the woman refused to let them in without a "
     "warrant?",
     "After a few hours' surveillance and the arrival of more officers, at least one door was forcibly opened "
     "when she did not come to the door immediately.",
     [("mapp", "When Miss Mapp did not come to the door immediately, at least one of the several doors to the house "
       "was forcibly opened and the policemen gained admittance.")]),
    ("mapp-harlan", "dissent", N, L,
     "Why did Justice Harlan dissent in Mapp v. Ohio?",
     "Harlan thought the Court forgot judicial restraint and stare decisis in overruling Wolf, and that the case "
     "should have been decided on the constitutionality of Ohio's obscenity-possession statute.",
     [("mapp", "In overruling the Wolf case the Court, in my opinion, has forgotten the sense of judicial restraint "
       "which, with due regard for stare decisis, is one element that should enter into deciding whether a past "
       "decision of this Court should be overruled.")]),
    ("mapp-counsel-wolf", "procedure", N, P,
     "Did Mapp's lawyer actually ask the Supreme Court to overrule Wolf v. Colorado?",
     "No. As Harlan's dissent notes, counsel did not urge overruling Wolf in the brief or at argument and, when "
     "asked from the bench, expressly disavowed that purpose.",
     [("mapp", "Counsel for appellant on oral argument, as in his brief, did not urge that Wolf be overruled.")]),
    # --- Wolf v. Colorado, 338 U.S. 25 ---
    ("wolf-holding", "holding", N, L,
     "What did the Court hold in Wolf v. Colorado about evidence from an unreasonable search used in a state "
     "prosecution?",
     "In a state prosecution for a state crime, the Fourteenth Amendment does not forbid admitting evidence "
     "obtained by an unreasonable search and seizure.",
     [("wolf", "We hold, therefore, that in a prosecution in a State court for a State crime the Fourteenth "
       "Amendment does not forbid the admission of evidence obtained by an unreasonable search and seizure.")]),
    ("wolf-other-remedies", "reasoning", N, P,
     "Why did the Court in Wolf let the states rely on remedies other than throwing out the evidence?",
     "Exclusion may deter, but the Court would not condemn a State's reliance on other methods, such as private "
     "actions and police discipline under public opinion, which if consistently enforced would be equally "
     "effective.",
     [("wolf", "Granting that in practice the exclusion of evidence may be an effective way of deterring "
       "unreasonable searches, it is not for this Court to condemn as falling below the minimal standards assured "
       "by the Due Process Clause a State's reliance upon other methods which, if consistently enforced, would be "
       "equally effective.")]),
    ("wolf-murphy", "dissent", U, P,
     "Which dissenting Justice argued that the only alternative to excluding illegally seized evidence is no "
     "sanction at all?",
     "Justice Murphy, dissenting in Wolf v. Colorado, found criminal prosecution and trespass actions illusory.",
     [("wolf", "For there is but one alternative to the rule of exclusion. That is no sanction at all.")]),
    ("wolf-black", "concurrence", N, L,
     "Why did Justice Black concur in the judgment in Wolf?",
     "He thought the Fourth Amendment applies to the States but read the federal exclusionary rule as a "
     "judicially created rule of evidence, not a command of the Amendment, so he concurred in affirmance.",
     [("wolf", "But I agree with what appears to be a plain implication of the Court's opinion that the federal "
       "exclusionary rule is not a command of the Fourth Amendment but is a judicially created rule of evidence "
       "which Congress might negate.")]),
    # --- Weeks v. United States, 232 U.S. 383 ---
    ("weeks-holding", "holding", N, L,
     "What did the Court hold in Weeks v. United States about the letters the marshal took from Weeks's room?",
     "They were seized in violation of his constitutional rights; the court should have returned them on his "
     "timely petition, and keeping and using them at trial was prejudicial error.",
     [("weeks", "We therefore reach the conclusion that the letters in question were taken from the house of the "
       "accused by an official of the United States acting under color of his office in direct violation of the "
       "constitutional rights of the defendant"),
      ("weeks", "In holding them and permitting their use upon the trial, we think prejudicial error was "
       "committed.")]),
    ("weeks-stricken", "reasoning", U, P,
     "Why would the guarantee against unreasonable searches be worthless if prosecutors could use private letters "
     "taken without a warrant?",
     "Because if such papers can be seized and used in evidence, the protection of the Fourth Amendment is of no "
     "value and might as well be stricken from the Constitution.",
     [("weeks", "If letters and private documents can thus be seized and held and used in evidence against a "
       "citizen accused of an offense, the protection of the Fourth Amendment declaring his right to be secure "
       "against such searches and seizures is of no value, and, so far as those thus placed are concerned, might as "
       "well be stricken from the Constitution.")]),
    ("weeks-key", "facts", N, P,
     "How did the officers get into Weeks's house while he was away at work?",
     "A neighbor told police where the key was kept; they found it and entered without a warrant, and the marshal "
     "later came back and was let in by someone in the house.",
     [("weeks", "Other police officers had gone to the house of the defendant and being told by a neighbor where the "
       "key was kept, found it and entered the house.")]),
    ("weeks-petition", "procedure", N, P,
     "What did Weeks ask the trial court to do with his papers before the trial, and what came of it?",
     "He petitioned for the return of his private papers; the court refused to return the letters, and the "
     "Supreme Court held that refusal a denial of his constitutional rights.",
     [("weeks", "Petition to Return Private Papers, Books and Other Property."),
      ("weeks", "that having made a seasonable application for their return, which was heard and passed upon by the "
       "court, there was involved in the order refusing the application a denial of the constitutional rights of "
       "the accused")]),
    # --- Carroll v. United States, 267 U.S. 132 (no page map in the demo) ---
    ("carroll-rule", "rule", N, L,
     "What standard did Carroll v. United States set for searching a car for liquor without a warrant?",
     "The seizing officer must have reasonable or probable cause to believe the automobile he stops is carrying "
     "contraband liquor illegally.",
     [("carroll", "The measure of legality of such a seizure is, therefore, that the seizing officer shall have "
       "reasonable or probable cause for believing that the antomobile which he stops and seizes has contraband "
       "liquor therein which is being illegally transported.")]),
    ("carroll-mobility", "reasoning", U, L,
     "Why may officers search a vehicle without a warrant when they would need one to search a house?",
     "A warrant can readily be obtained for a building, but a vehicle can be quickly moved out of the locality or "
     "jurisdiction in which a warrant must be sought.",
     [("carroll", "recognizing a necessary difference between a search of a store, dwelling house, or other "
       "structure in respect of which a proper official warrant readily may be obtained and a search of a ship, "
       "motor boat, wagon, or automobile for contraband goods, where it is not practicable to secure a warrant, "
       "because the vehicle can be quickly moved out of the locality or jurisdiction in which the warrant must be "
       "sought.")]),
    ("carroll-lazyback", "facts", N, P,
     "Where in the Carrolls' roadster did the agents find the whisky?",
     "Inside the back of the seat (the lazyback), which was unusually hard; it held sixty-nine quarts.",
     [("carroll", "It was practically solid. Sixty-nine quarts of whisky in one lazyback.")]),
    ("carroll-mcreynolds", "dissent", N, L,
     "What did Justice McReynolds say in his separate opinion in Carroll about the arrest?",
     "That the defendants, quietly driving on a public road, were arrested without a warrant on mere suspicion, "
     "ill-founded in his view, so the arrest and seizure were unlawful.",
     [("carroll", "While quietly driving an ordinary automobile along a much frequented public road, plaintiffs in "
       "error were arrested by federal officers without a warrant and upon mere suspicion ill-founded, as I "
       "think.")]),
    # --- Johnson v. United States, 333 U.S. 10 (no page map in the demo) ---
    ("johnson-magistrate", "reasoning", U, P,
     "Why should a judge rather than the officer at the door decide whether there is probable cause to search a "
     "home?",
     "The Fourth Amendment requires that inferences from the evidence be drawn by a neutral and detached "
     "magistrate, not by an officer engaged in the competitive enterprise of ferreting out crime.",
     [("johnson", "Its protection consists in requiring that those inferences be drawn by a neutral and detached "
       "magistrate instead of being judged by the officer engaged in the often competitive enterprise of ferreting "
       "out crime.")]),
    ("johnson-opium", "facts", U, L,
     "What led the federal narcotics agents to the Seattle hotel room in the opium case?",
     "An informer's tip and the smell: the experienced officers recognized a strong odor of burning opium in the "
     "hallway, which led them to Room 1.",
     [("johnson", "All were experienced in narcotic work and recognized at once a strong odor of burning opium which "
       "to them was distinctive and unmistakable."),
      ("johnson", "The odor led to Room 1.")]),
    ("johnson-government", "argument", N, L,
     "How did the Government try to justify the warrantless search in Johnson v. United States?",
     "As incident to what it urged was a lawful arrest; the Court answered that the arrest could only be "
     "justified by what the search found.",
     [("johnson", "The Government defends the search as legally justifiable, more particularly as incident to what "
       "it urges was a lawful arrest of the person.")]),
    ("johnson-odor", "rule", U, P,
     "Can the smell of a drug give probable cause for a search warrant?",
     "Yes, if a magistrate finds the affiant qualified to know a sufficiently distinctive odor; odors alone do not "
     "authorize a search without a warrant.",
     [("johnson", "That decision held only that odors alone do not authorize a search without warrant."),
      ("johnson", "Indeed it might very well be found to be evidence of most persuasive character.")]),
    # --- Camara v. Municipal Court, 387 U.S. 523 ---
    ("camara-holding", "holding", U, P,
     "Do city housing inspectors need a warrant to inspect a home when the occupant refuses entry?",
     "Yes. Administrative inspections are significant intrusions on Fourth Amendment interests, and warrantless "
     "ones lack its safeguards; Frank v. Maryland was overruled to that extent.",
     [("camara", "In summary, we hold that administrative searches of the kind at issue here are significant "
       "intrusions upon the interests protected by the Fourth Amendment, that such searches when authorized and "
       "conducted without a warrant procedure lack the traditional safeguards which the Fourth Amendment guarantees "
       "to the individual")]),
    ("camara-area", "rule", U, P,
     "To get a warrant for a routine code inspection, must the inspector have reason to think that particular "
     "building violates the code?",
     "No. Probable cause exists if reasonable legislative or administrative standards for an area inspection "
     "(passage of time, type of building, condition of the area) are met for the dwelling.",
     [("camara", "Such standards, which will vary with the municipal program being enforced, may be based upon the "
       "passage of time, the nature of the building (e. g., a multi-family apartment house), or the condition of "
       "the entire area, but they will not necessarily depend upon specific knowledge of the condition of the "
       "particular dwelling.")]),
    ("camara-charge", "facts", N, L,
     "Why was Camara charged with a crime?",
     "For refusing, three times, to let housing inspectors enter his leasehold without a warrant, in violation of "
     "the San Francisco Housing Code.",
     [("camara", "Appellant refused to allow the inspection because the inspector lacked a search warrant."),
      ("camara", "In this case, appellant has been charged with a crime for his refusal to permit housing "
       "inspectors to enter his leasehold without a warrant.")]),
    ("camara-city", "argument", N, L,
     "What did the city argue in Camara would happen if inspectors needed probable cause for each building?",
     "That area inspections would be eliminated as a means of securing code compliance, dealing code enforcement "
     "a crushing blow.",
     [("camara", "Appellee contends that, if the probable cause standard urged by appellant is adopted, the area "
       "inspection will be eliminated as a means of seeking compliance with code standards and the reasonable goals "
       "of code enforcement will be dealt a crushing blow.")]),
    # --- Warden v. Hayden, 387 U.S. 294 ---
    ("hayden-mere-evidence", "holding", U, P,
     "Is there still a rule that police may seize only fruits, instrumentalities or contraband, and not items "
     "that are merely evidence?",
     "No. Warden v. Hayden rejected the 'mere evidence' distinction: nothing in the Fourth Amendment supports it, "
     "and there is no viable reason to treat intrusions for mere evidence differently.",
     [("hayden", "Nothing in the language of the Fourth Amendment supports the distinction between \"mere evidence\" "
       "and instrumentalities, fruits of crime, or contraband."),
      ("hayden", "there is no viable reason to distinguish intrusions to secure \"mere evidence\" from intrusions to "
       "secure fruits, instrumentalities, or contraband.")]),
    ("hayden-pursuit", "rule", U, P,
     "Can police chasing an armed robber follow him into a house and search it without a warrant?",
     "Yes. The Fourth Amendment does not require officers to delay if doing so would gravely endanger their lives "
     "or others'; speed was essential and a search for persons and weapons was reasonable.",
     [("hayden", "The Fourth Amendment does not require police officers to delay in the course of an investigation "
       "if to do so would gravely endanger their lives or the lives of others.")]),
    ("hayden-fortas", "concurrence", N, L,
     "Why did Justice Fortas not join the majority's reasoning in Warden v. Hayden?",
     "He agreed the clothing was admissible under the hot-pursuit exception but would not join the broad, "
     "unnecessary repudiation of the 'mere evidence' rule.",
     [("hayden", "I cannot join in the majority's broad—and in my judgment, totally unnecessary—repudiation of the "
       "so-called \"mere evidence\" rule.")]),
    ("hayden-douglas", "dissent", N, L,
     "What did Justice Douglas argue in his dissent in Warden v. Hayden?",
     "That there is a zone of privacy no police can enter, even in hot pursuit or with a proper warrant, as Boyd "
     "and Gouled held, and that the 'mere evidence' rule should be kept.",
     [("hayden", "That there is a zone that no police can enter—whether in \"hot pursuit\" or armed with a "
       "meticulously proper warrant—has been emphasized by Boyd and by Gouled.")]),
    ("hayden-court-of-appeals", "procedure", N, L,
     "What had the Court of Appeals decided in Hayden's case before the Supreme Court reversed?",
     "On federal habeas, it held the search valid but the clothing improperly admitted because the items had "
     "'evidential value only'.",
     [("hayden", "but held that respondent was correct in his contention that the clothing seized was improperly "
       "admitted in evidence because the items had \"evidential value only\" and therefore were not lawfully subject "
       "to seizure.")]),
    # --- United States v. Chadwick, 433 U.S. 1 ---
    ("chadwick-holding", "holding", U, L,
     "Once agents have seized a footlocker at an arrest and moved it to their office, may they open it without a "
     "warrant as a search incident to the arrest?",
     "No. Once officers have reduced luggage to their exclusive control and the arrestee can no longer reach it, a "
     "search is no longer incident to the arrest and, absent exigency, needs a warrant.",
     [("chadwick", "Once law enforcement officers have reduced luggage or other personal property not immediately "
       "associated with the person of the arrestee to their exclusive control, and there is no longer any danger "
       "that the arrestee might gain access to the property to seize a weapon or destroy evidence, a search of that "
       "property is no longer an incident of the arrest.")]),
    ("chadwick-luggage", "reasoning", U, L,
     "Why do people have a greater expectation of privacy in their suitcases than in their cars?",
     "Luggage is a repository of personal effects and is not open to view or regularly inspected, whereas a car's "
     "primary function is transportation.",
     [("chadwick", "Unlike an automobile, whose primary function is transportation, luggage is intended as a "
       "repository of personal effects."),
      ("chadwick", "In sum, a person's expectations of privacy in personal luggage are substantially greater than in "
       "an automobile.")]),
    ("chadwick-talc", "facts", U, P,
     "What made the Amtrak officials suspicious of the trunk being loaded onto the train to Boston?",
     "It was unusually heavy for its size and leaking talcum powder, often used to mask the odor of marihuana or "
     "hashish, and one of the travelers fit a drug-courier profile.",
     [("chadwick", "Their suspicions were aroused when they noticed that the trunk was unusually heavy for its size, "
       "and that it was leaking talcum powder, a substance often used to mask the odor of marihuana or "
       "hashish.")]),
    ("chadwick-blackmun", "dissent", N, L,
     "Why did Justice Blackmun dissent in Chadwick?",
     "He thought the Government's overbroad argument distracted the Court from defining the scope of a search "
     "incident to a custodial arrest, which he would have allowed here.",
     [("chadwick", "The overbroad nature of the Goverment's principal argument, however, has served to distract the "
       "Court from the more important task of defining the proper scope of a search incident to an arrest.")]),
    # --- Gideon v. Wainwright, 372 U.S. 335 ---
    ("gideon-betts", "holding", N, L,
     "What did Gideon v. Wainwright decide about Betts v. Brady?",
     "Betts v. Brady was overruled: the Sixth Amendment right to counsel is fundamental and binds the States "
     "through the Fourteenth Amendment.",
     [("gideon", "Upon full reconsideration we conclude that Betts v. Brady should be overruled.")]),
    ("gideon-indigent", "holding", U, L,
     "Does a defendant too poor to hire a lawyer for a state felony trial have a right to one paid for by the "
     "state?",
     "Yes. A person haled into court who is too poor to hire a lawyer cannot be assured a fair trial unless "
     "counsel is provided; the right to counsel is fundamental and applies to the States.",
     [("gideon", "any person haled into court, who is too poor to hire a lawyer, cannot be assured a fair trial "
       "unless counsel is provided for him"),
      ("gideon", "We think the Court in Betts was wrong, however, in concluding that the Sixth Amendment's guarantee "
       "of counsel is not one of these fundamental rights.")]),
    ("gideon-necessities", "reasoning", U, P,
     "What shows that defense lawyers in criminal cases are essential rather than optional?",
     "Governments hire lawyers to prosecute and defendants with money hire the best lawyers they can, showing the "
     "belief that lawyers in criminal courts are necessities, not luxuries.",
     [("gideon", "That government hires lawyers to prosecute and defendants who have the money hire lawyers to "
       "defend are the strongest indications of the widespread belief that lawyers in criminal courts are "
       "necessities, not luxuries.")]),
    ("gideon-harlan", "concurrence", N, L,
     "What did Justice Harlan say in his Gideon concurrence about overruling Betts v. Brady?",
     "He agreed Betts should be overruled but thought it deserved a more respectful burial, since the 'special "
     "circumstances' rule had eroded over time rather than being an abrupt break.",
     [("gideon", "I agree that Betts v. Brady should be overruled, but consider it entitled to a more respectful "
       "burial than has been accorded, at least on the part of those of us who were not on the Court when that case "
       "was decided.")]),
    ("gideon-habeas", "procedure", N, L,
     "How did Gideon's case get to the Supreme Court?",
     "After his conviction he filed a habeas corpus petition in the Florida Supreme Court, which denied relief; "
     "the Court granted certiorari and appointed counsel because he proceeded in forma pauperis.",
     [("gideon", "Later, petitioner filed in the Florida Supreme Court this habeas corpus petition attacking his "
       "conviction and sentence"),
      ("gideon", "Since Gideon was proceeding in forma pauperis, we appointed counsel to represent him")]),
    # --- Escobedo v. Illinois, 378 U.S. 478 ---
    ("escobedo-holding", "holding", N, L,
     "What did the Court hold in Escobedo v. Illinois?",
     "When an investigation has focused on a suspect in custody, police interrogate him, he has asked for and been "
     "denied his lawyer, and he has not been warned of his right to silence, he is denied the assistance of "
     "counsel and his statements are inadmissible.",
     [("escobedo", "We hold, therefore, that where, as here, the investigation is no longer a general inquiry into "
       "an unsolved crime but has begun to focus on a particular suspect"),
      ("escobedo", "and that no statement elicited by the police during the interrogation may be used against him at "
       "a criminal trial.")]),
    ("escobedo-lawyer", "facts", N, P,
     "What happened when Escobedo's lawyer came to the police station and asked to see him?",
     "He was repeatedly refused, told he could not see his client until questioning was completed; they only "
     "waved to each other through an open door before it was closed.",
     [("escobedo", "He said I couldn't see him because they hadn't completed questioning."),
      ("escobedo", "I waved to him and he waved back and then the door was closed, by one of the officers at "
       "Homicide.")]),
    ("escobedo-system", "reasoning", U, P,
     "If letting suspects consult a lawyer makes police work less effective, is that a reason to keep lawyers "
     "out of interrogations?",
     "No. A system that depends on citizens not knowing their rights is not worth preserving; if exercising "
     "constitutional rights thwarts law enforcement, something is very wrong with that system.",
     [("escobedo", "If the exercise of constitutional rights will thwart the effectiveness of a system of law "
       "enforcement, then there is something very wrong with that system.")]),
    ("escobedo-white", "dissent", N, P,
     "What did Justice White fear the Escobedo decision was heading toward?",
     "Toward barring from evidence all admissions by a suspect, voluntary or not, by moving the right to counsel "
     "back to the time the investigation focuses on the accused.",
     [("escobedo", "The decision is thus another major step in the direction of the goal which the Court seemingly "
       "has in mind—to bar from evidence all admissions obtained from an individual suspected of crime, whether "
       "involuntarily made or not.")]),
    # --- Miranda v. Arizona, 384 U.S. 436 ---
    ("miranda-holding", "holding", N, L,
     "What did the Court hold in Miranda v. Arizona about statements obtained in custodial interrogation?",
     "The prosecution may not use such statements, inculpatory or exculpatory, unless it shows the use of "
     "procedural safeguards effective to secure the privilege against self-incrimination.",
     [("miranda", "the prosecution may not use statements, whether exculpatory or inculpatory, stemming from "
       "custodial interrogation of the defendant unless it demonstrates the use of procedural safeguards effective "
       "to secure the privilege against self-incrimination.")]),
    ("miranda-warnings", "rule", U, L,
     "What warnings must police give a suspect in custody before questioning him?",
     "That he has the right to remain silent, that anything he says can be used against him, that he has the "
     "right to the presence of an attorney, and that one will be appointed if he cannot afford one.",
     [("miranda", "Prior to any questioning, the person must be warned that he has a right to remain silent, that "
       "any statement he does make may be used as evidence against him, and that he has a right to the presence of "
       "an attorney, either retained or appointed."),
      ("miranda", "He must be warned prior to any questioning that he has the right to remain silent, that anything "
       "he says can be used against him in a court of law, that he has the right to the presence of an attorney, "
       "and that if he cannot afford an attorney one will be appointed for him prior to any questioning if he so "
       "desires.")]),
    ("miranda-custody", "rule", U, P,
     "When is police questioning 'custodial', so that the warnings are required?",
     "When it is initiated by law enforcement officers after a person has been taken into custody or otherwise "
     "deprived of his freedom of action in any significant way.",
     [("miranda", "By custodial interrogation, we mean questioning initiated by law enforcement officers after a "
       "person has been taken into custody or otherwise deprived of his freedom of action in any significant "
       "way.")]),
    ("miranda-room-2", "facts", N, P,
     "How did the Phoenix police get Ernesto Miranda's confession?",
     "After the complaining witness identified him, two officers questioned him in an interrogation room for two "
     "hours without advising him of his right to counsel, and he signed a written confession.",
     [("miranda", "There he was questioned by two police officers. The officers admitted at trial that Miranda was "
       "not advised that he had a right to have an attorney present.")]),
    ("miranda-harlan", "dissent", N, L,
     "What did Justice Harlan say in his Miranda dissent about the new rules?",
     "That the decision was poor constitutional law with harmful consequences, and that the rules aim not at "
     "police brutality but at negating all pressure and ultimately discouraging any confession.",
     [("miranda", "I believe the decision of the Court represents poor constitutional law and entails harmful "
       "consequences for the country at large."),
      ("miranda", "Rather, the thrust of the new rules is to negate all pressures, to reinforce the nervous or "
       "ignorant suspect, and ultimately to discourage any confession at all.")]),
    ("miranda-white", "dissent", N, P,
     "What danger to public safety did Justice White predict from the Miranda decision?",
     "That in some unknown number of cases the rule would return killers, rapists and other criminals to the "
     "streets to repeat their crimes.",
     [("miranda", "In some unknown number of cases the Court's rule will return a killer, a rapist or other criminal "
       "to the streets and to the environment which produced him, to repeat his crime whenever it pleases him.")]),
    # --- Monroe v. Pape, 365 U.S. 167 ---
    ("monroe-color", "holding", N, P,
     "In Monroe v. Pape, did officers who broke Illinois law still act 'under color of' state law?",
     "Yes. The Court adhered to Classic and Screws: misuse of power possessed by virtue of state law is action "
     "under color of state law, and the federal remedy does not depend on state law being inadequate.",
     [("monroe", "We conclude that the meaning given \"under color of\" law in the Classic case and in the Screws and "
       "Williams cases was the correct one; and we adhere to it.")]),
    ("monroe-city", "holding", N, L,
     "Could the City of Chicago be sued under § 1983 in Monroe v. Pape?",
     "No. The Court held that Congress did not mean to bring municipal corporations within § 1983; a "
     "municipality is not a 'person' under the statute (later overruled in part by Monell).",
     [("monroe", "For we are of the opinion that Congress did not undertake to bring municipal corporations within "
       "the ambit of § 1979."),
      ("monroe", "Since we hold that a municipal corporation is not a \"person\" within the meaning of § 1983, no "
       "inference to the contrary can any longer be drawn from those cases.")]),
    ("monroe-supplementary", "rule", U, P,
     "Must someone try the state courts first before suing police officers in federal court under the civil "
     "rights statute?",
     "No. The federal remedy is supplementary to the state remedy, which need not be sought and refused first.",
     [("monroe", "The federal remedy is supplementary to the state remedy, and the latter need not be first sought "
       "and refused before the federal one is invoked.")]),
    ("monroe-intent", "rule", U, P,
     "Does a plaintiff suing under § 1983 have to prove the officer specifically intended to deprive him of a "
     "constitutional right?",
     "No. Unlike the criminal statute in Screws, § 1983 has no 'wilfully' requirement and is read against the "
     "background of tort liability for the natural consequences of one's actions.",
     [("monroe", "Section 1979 should be read against the background of tort liability that makes a man responsible "
       "for the natural consequences of his actions."),
      ("monroe", "The word \"wilfully\" does not appear in § 1979.")]),
    ("monroe-frankfurter", "dissent", N, L,
     "Why did Justice Frankfurter dissent in Monroe v. Pape?",
     "He read 'under color of' state law as excluding police conduct that violates state law, warning that the "
     "Court's reading makes § 1983 regulate the daily business of every local official.",
     [("monroe", "Such an extension makes the extreme limits of federal constitutional power a law to regulate the "
       "quotidian business of every traffic policeman, every registrar of elections, every city inspector or "
       "investigator, every clerk in every municipal licensing bureau in this country."),
      ("monroe", "In concluding that police intrusion in violation of state law is not a wrong remediable under R. S. "
       "§ 1979, the pressures which urge an opposite result are duly felt.")]),
    # --- Monell v. Department of Social Services, 436 U.S. 658 ---
    ("monell-holding", "holding", N, L,
     "What did Monell hold about suing local governments under § 1983?",
     "Local governing bodies are 'persons' and can be sued directly for damages, declaratory or injunctive relief "
     "when the unconstitutional action implements an officially adopted policy or a governmental custom.",
     [("monell", "Local governing bodies, therefore, can be sued directly under § 1983 for monetary, declaratory, or "
       "injunctive relief where, as here, the action that is alleged to be unconstitutional implements or executes "
       "a policy statement, ordinance, regulation, or decision officially adopted and promulgated by that body's "
       "officers.")]),
    ("monell-respondeat", "rule", U, P,
     "Is a city automatically liable under the civil rights statute whenever one of its employees violates "
     "someone's constitutional rights?",
     "No. A municipality cannot be held liable under § 1983 solely because it employs a tortfeasor; there is no "
     "respondeat superior liability.",
     [("monell", "In particular, we conclude that a municipality cannot be held liable solely because it employs a "
       "tortfeasor—or, in other words, a municipality cannot be held liable under § 1983 on a respondeat superior "
       "theory."),
      ("monell", "We conclude, therefore, that a local government may not be sued under § 1983 for an injury "
       "inflicted solely by its employees or agents.")]),
    ("monell-policy", "rule", U, L,
     "When is a local government answerable as an entity for a constitutional injury?",
     "When execution of its policy or custom, made by its lawmakers or by those whose acts may fairly be said to "
     "represent official policy, inflicts the injury.",
     [("monell", "Instead, it is when execution of a government's policy or custom, whether made by its lawmakers or "
       "by those whose edicts or acts may fairly be said to represent official policy, inflicts the injury that "
       "the government as an entity is responsible under § 1983.")]),
    ("monell-facts", "facts", N, L,
     "What policy did the female employees challenge in Monell?",
     "The Department of Social Services and the Board of Education, as official policy, compelled pregnant "
     "employees to take unpaid leave before it was medically required.",
     [("monell", "The gravamen of the complaint was that the Board and the Department had as a matter of official "
       "policy compelled pregnant employees to take unpaid leaves of absence before such leaves were required for "
       "medical reasons.")]),
    ("monell-backpay", "procedure", N, P,
     "Why did the District Court in Monell turn down the employees' claim for backpay?",
     "Because any damages would ultimately come from the city, and awarding them would circumvent the municipal "
     "immunity recognized in Monroe v. Pape.",
     [("monell", "Nonetheless plaintiffs' prayers for backpay were denied because any such damages would come "
       "ultimately from the city of New York and, therefore, to hold otherwise would be to \"circumven[t]\" the "
       "immunity conferred on municipalities by Monroe v. Pape, 365 U. S. 167 (1961).")]),
    ("monell-rehnquist", "dissent", N, L,
     "Why did Justice Rehnquist dissent in Monell?",
     "Stare decisis: Monroe had been reaffirmed repeatedly and Congress had not acted, and the Court relied only "
     "on a new reading of the same legislative history.",
     [("monell", "Today, the Court abandons this long and consistent line of precedents, offering in justification "
       "only an elaborate canvass of the same legislative history which was before the Court in 1961."),
      ("monell", "I would adhere to the holding of Monroe as to the liability of a municipal corporation under "
       "§ 1983.")]),
    ("monell-kept-monroe", "holding", N, P,
     "Did Monell leave any part of Monroe v. Pape standing?",
     "Yes. It upheld Monroe insofar as respondeat superior is not a basis for municipal liability under § 1983.",
     [("monell", "However, we do uphold Monroe v. Pape insofar as it holds that the doctrine of respondeat superior "
       "is not a basis for rendering municipalities liable under § 1983 for the constitutional torts of their "
       "employees.")]),
    # --- Maine v. Thiboutot, 448 U.S. 1 ---
    ("thiboutot-and-laws", "holding", U, L,
     "Can state officials be sued under § 1983 for violating a federal statute such as the Social Security Act, "
     "not only the Constitution?",
     "Yes. The phrase 'and laws' means what it says: § 1983 covers claims based on purely statutory violations of "
     "federal law.",
     [("thiboutot", "Given that Congress attached no modifiers to the phrase, the plain language of the statute "
       "undoubtedly embraces respondents' claim that petitioners violated the Social Security Act.")]),
    ("thiboutot-fees", "holding", U, P,
     "Can a plaintiff who wins a § 1983 claim based on a federal statute recover attorney's fees under § 1988?",
     "Yes. Since the statutory claim is properly brought under § 1983 and § 1988 makes no exception, fees are "
     "available, in state court as well.",
     [("thiboutot", "Since we hold that this statutory action is properly brought under § 1983, and since § 1988 "
       "makes no exception for statutory § 1983 actions, § 1988 plainly applies to this suit.")]),
    ("thiboutot-facts", "facts", U, L,
     "In the Maine welfare case over AFDC benefits, why did the state cut the father's benefits?",
     "The department stopped allowing for money he spent supporting five children of his wife's, though he was "
     "legally obligated to support them, when computing benefits for his own three children.",
     [("thiboutot", "The Maine Department of Human Services notified Lionel that, in computing the Aid to Families "
       "with Dependent Children (AFDC) benefits to which he was entitled for the three children exclusively his, it "
       "would no longer make allowance for the money spent to support the other five children, even though Lionel "
       "is legally obligated to support them.")]),
    ("thiboutot-powell", "dissent", N, L,
     "Why did Justice Powell dissent in Maine v. Thiboutot?",
     "He read history as showing 'and laws' referred only to equal rights legislation, and warned the holdings "
     "dramatically expand officials' liability and may virtually end the American Rule on fees in such suits.",
     [("thiboutot", "These two holdings dramatically expand the liability of state and local officials and may "
       "virtually eliminate the \"American Rule\" in suits against those officials."),
      ("thiboutot", "The only firm basis for decision is the historical evidence, which convincingly shows that the "
       "phrase the Court now finds so clear was—and remains—nothing more than a shorthand reference to equal rights "
       "legislation enacted by Congress.")]),
    ("thiboutot-petitioners", "argument", N, L,
     "What did the petitioners argue in Thiboutot about the words 'and laws' in § 1983?",
     "That 'and laws' should be read as limited to civil rights or equal protection laws; the Court rejected this "
     "as contrary to the plain language and its cases.",
     [("thiboutot", "petitioners nevertheless persist in suggesting that the phrase \"and laws\" should be read as "
       "limited to civil rights or equal protection laws.")]),
    # --- Bivens v. Six Unknown Named Agents, 403 U.S. 388 ---
    ("bivens-holding", "holding", N, L,
     "What did Bivens hold about damages for a Fourth Amendment violation by federal agents?",
     "A violation of the Fourth Amendment by a federal agent acting under color of his authority gives rise to a "
     "federal cause of action for damages.",
     [("bivens", "we hold that petitioner is entitled to recover money damages for any injuries he has suffered as a "
       "result of the agents' violation of the Amendment.")]),
    ("bivens-facts", "facts", U, P,
     "What did the federal narcotics agents do to the man they arrested in his Brooklyn apartment, in the case "
     "that created a damages action against federal agents?",
     "They entered without a warrant, manacled him in front of his wife and children, threatened to arrest the "
     "whole family, searched the apartment from stem to stern, and strip-searched him at the courthouse.",
     [("bivens", "The agents manacled petitioner in front of his wife and children, and threatened to arrest the "
       "entire family."),
      ("bivens", "They searched the apartment from stem to stern.")]),
    ("bivens-agents", "argument", N, L,
     "What did the agents argue in Bivens about where Bivens should look for a remedy?",
     "That his privacy rights were creations of state law, so damages were available only in a state-law tort "
     "action in state court.",
     [("bivens", "Accordingly, they argue, petitioner may obtain money damages to redress invasion of these rights "
       "only by an action in tort, under state law, in the state courts.")]),
    ("bivens-harlan", "concurrence", N, P,
     "Why did Justice Harlan think a damages remedy was needed in Bivens?",
     "Because for someone in Bivens's position, innocent and not facing trial, the exclusionary rule is irrelevant "
     "and the sovereign is immune: it is damages or nothing.",
     [("bivens", "For people in Bivens' shoes, it is damages or nothing.")]),
    ("bivens-burger", "dissent", N, L,
     "Why did Chief Justice Burger dissent in Bivens?",
     "He objected that the Court judicially created a damages remedy neither in the Constitution nor enacted by "
     "Congress, which is the legislature's business.",
     [("bivens", "I dissent from today's holding which judicially creates a damage remedy not provided for by the "
       "Constitution and not enacted by Congress.")]),
    # --- United States v. Classic, 313 U.S. 299 (no page map in the demo) ---
    ("classic-primary", "holding", U, P,
     "Is the right to vote in a party primary protected by the Constitution when the primary decides who goes to "
     "Congress?",
     "Yes, where state law makes the primary an integral part of choosing representatives or the primary in fact "
     "controls the choice, the right to have one's primary ballot counted is protected by Article I, § 2.",
     [("classic", "Where the state law has made the primary an integral part of the procedure of choice, or where in "
       "fact the primary effectively controls the choice, the right of the elector to have his ballot counted at "
       "the primary, is likewise included in the right protected by Article I, § 2.")]),
    ("classic-color", "rule", N, L,
     "What did United States v. Classic say counts as action 'under color of' state law?",
     "Misuse of power possessed by virtue of state law and made possible only because the wrongdoer is clothed "
     "with the authority of state law.",
     [("classic", "Misuse of power, possessed by virtue of state law and made possible only because the wrongdoer is "
       "clothed with the authority of state law, is action taken 'under color of' state law.")]),
    ("classic-douglas", "dissent", N, L,
     "Why did Justice Douglas dissent in United States v. Classic?",
     "He agreed Congress could regulate primaries but would not read the vague criminal statute (§ 19) to reach "
     "them: a crime must be plainly within the statute, not spelled out by inference.",
     [("classic", "Civil liberties are too dear to permit conviction for crimes which are only implied and which "
       "can be spelled out only by adding inference to inference."),
      ("classic", "If a person is to be convicted of a crime, the offense must be clearly and plainly embraced within "
       "the statute.")]),
    ("classic-demurrer", "procedure", N, L,
     "What did the district court do with the indictment in Classic, and how did the case reach the Supreme "
     "Court?",
     "It sustained a demurrer to counts 1 and 2, holding §§ 19 and 20 inapplicable or unconstitutional as "
     "applied, and the Government appealed directly under the Criminal Appeals Act.",
     [("classic", "The District Court sustained a demurrer to counts 1 and 2 on the ground that §§ 19 and 20 of the "
       "Criminal Code under which the indictment was drawn do not apply to the state of facts disclosed by the "
       "indictment")]),
    # --- Collins v. Hardyman, 341 U.S. 651 ---
    ("collins-holding", "holding", N, L,
     "What did Collins v. Hardyman hold about the conspiracy to break up the political club's meeting?",
     "The alleged facts fell short of a conspiracy to deny equal rights under the law within the statute; they "
     "showed a lawless invasion of rights remediable under California law.",
     [("collins", "The facts alleged fall short of a conspiracy to alter, impair or deny equality of rights under "
       "the law, though they do show a lawless invasion of rights for which there are remedies in the law of "
       "California.")]),
    ("collins-private", "reasoning", U, P,
     "Does a private mob's attack on a political meeting amount to a denial of equal protection of the laws?",
     "Not by itself: private discrimination is not inequality before the law unless the law or its agencies are "
     "manipulated to give it sanction or sanctuary.",
     [("collins", "Such private discrimination is not inequality before the law unless there is some manipulation "
       "of the law or its agencies to give sanction or sanctuary for doing so.")]),
    ("collins-burton", "dissent", N, L,
     "Why did Justice Burton dissent in Collins v. Hardyman?",
     "He read the statute as not requiring action under color of state law, so it reached private conspiracies to "
     "interfere with the federal right to petition.",
     [("collins", "The language of the statute refutes the suggestion that action under color of state law is a "
       "necessary ingredient of the cause of action which it recognizes.")]),
    # --- Rochin v. California, 342 U.S. 165 ---
    ("rochin-conscience", "reasoning", N, L,
     "Why did the Court reverse Rochin's conviction?",
     "Breaking into his room, struggling to open his mouth and forcibly pumping his stomach was conduct that shocks "
     "the conscience, too close to the rack and the screw, and so violated due process.",
     [("rochin", "This is conduct that shocks the conscience."),
      ("rochin", "They are methods too close to the rack and the screw to permit of constitutional "
       "differentiation.")]),
    ("rochin-emetic", "facts", U, P,
     "How did the deputies retrieve the morphine capsules the suspect had swallowed?",
     "After failing to pull them from his mouth, they took him to a hospital where a doctor, at an officer's "
     "direction, forced an emetic through a tube into his stomach, making him vomit them up.",
     [("rochin", "At the direction of one of the officers a doctor forced an emetic solution through a tube into "
       "Rochin's stomach against his will.")]),
    ("rochin-real-evidence", "reasoning", U, P,
     "Does it matter that evidence pumped from a suspect's stomach is physical evidence rather than a confession?",
     "No. Distinguishing real from verbal evidence ignores why coerced confessions are excluded: they offend the "
     "community's sense of fair play and decency, not only because they are unreliable.",
     [("rochin", "To attempt in this case to distinguish what lawyers call \"real evidence\" from verbal evidence is "
       "to ignore the reasons for excluding coerced confessions.")]),
    ("rochin-black", "concurrence", N, L,
     "Why did Justice Black concur in Rochin instead of relying on the majority's standard?",
     "He would rest on the Fifth Amendment privilege, which he thought covers evidence forcibly taken by a "
     "contrivance of modern science, and distrusted the majority's 'nebulous' shocks-the-conscience standard.",
     [("rochin", "I think a person is compelled to be a witness against himself not only when he is compelled to "
       "testify, but also when as here, incriminating evidence is forcibly taken from him by a contrivance of "
       "modern science.")]),
    # --- Parratt v. Taylor, 451 U.S. 527 ---
    ("parratt-elements", "rule", U, L,
     "What are the two essential elements of a § 1983 action?",
     "Conduct by a person acting under color of state law, and a resulting deprivation of rights, privileges or "
     "immunities secured by the Constitution or laws of the United States.",
     [("parratt", "(1) whether the conduct complained of was committed by a person acting under color of state law; "
       "and (2) whether this conduct deprived a person of rights, privileges, or immunities secured by the "
       "Constitution or laws of the United States.")]),
    ("parratt-random", "reasoning", U, P,
     "Why can't a state be expected to hold a hearing before an employee carelessly loses someone's property?",
     "The loss results from a random, unauthorized act, not an established state procedure, so the State cannot "
     "predict when it will occur; a postdeprivation remedy satisfies due process.",
     [("parratt", "In such a case, the loss is not a result of some established state procedure and the State cannot "
       "predict precisely when the loss will occur.")]),
    ("parratt-facts", "facts", U, P,
     "What happened to the $23.50 hobby kit a Nebraska inmate ordered by mail?",
     "The packages were signed for by two hobby-center employees while he was in segregation, contrary to "
     "procedure, and were never found.",
     [("parratt", "The packages arrived at the complex and were signed for by two employees who worked in the prison "
       "hobby center."),
      ("parratt", "The officials were never able to locate the packages or to determine what caused their "
       "disappearance.")]),
    ("parratt-stewart", "concurrence", U, L,
     "Which Justice compared the inmate's lost hobby kit to a car damaged in a collision with a negligently "
     "driven state vehicle?",
     "Justice Stewart, concurring in Parratt v. Taylor: treating such losses as constitutional deprivations would "
     "trivialize the Fourteenth Amendment.",
     [("parratt", "If it is, then so too would be damages to a person's automobile resulting from a collision with a "
       "vehicle negligently operated by a state official.")]),
    ("parratt-powell", "concurrence", N, L,
     "Why did Justice Powell concur only in the result in Parratt?",
     "He did not think negligent acts of state officials are a deprivation of property under the Fourteenth "
     "Amendment at all, whatever later procedure the State provides.",
     [("parratt", "Unlike the Court, I do not believe that such negligent acts by state officials constitute a "
       "deprivation of property within the meaning of the Fourteenth Amendment, regardless of whatever subsequent "
       "procedure a State may or may not provide.")]),
    # --- Daniels v. Williams, 474 U.S. 327 ---
    ("daniels-negligence", "holding", U, L,
     "Is a jail deputy's carelessness that injures an inmate a deprivation of liberty under the Due Process "
     "Clause?",
     "No. The Due Process Clause is not implicated by a negligent act of an official causing unintended loss of or "
     "injury to life, liberty or property.",
     [("daniels", "We conclude that the Due Process Clause is simply not implicated by a negligent act of an "
       "official causing unintended loss of or injury to life, liberty, or property.")]),
    ("daniels-overrule", "holding", N, L,
     "What part of Parratt v. Taylor did Daniels v. Williams overrule?",
     "Parratt's statement that mere lack of due care by a state official may 'deprive' a person of life, liberty "
     "or property under the Fourteenth Amendment.",
     [("daniels", "Upon reflection, we agree and overrule Parratt to the extent that it states that mere lack of due "
       "care by a state official may \"deprive\" an individual of life, liberty, or property under the Fourteenth "
       "Amendment.")]),
    ("daniels-stevens", "concurrence", N, L,
     "Did Justice Stevens agree in Daniels that Parratt's reasoning had to be abandoned?",
     "No. He agreed the prisoners could not prevail but thought it unnecessary to redefine 'deprive' or repudiate "
     "Parratt's reasoning.",
     [("daniels", "I do not agree, however, that it is necessary either to redefine the meaning of \"deprive\" in the "
       "Fourteenth Amendment, or to repudiate the reasoning of Parratt v. Taylor, 451 U. S. 527 (1981), to support "
       "this conclusion.")]),
    ("daniels-immunity", "argument", N, L,
     "Why did Daniels argue that state tort law gave him no adequate remedy for his fall?",
     "Because the deputy claimed sovereign immunity from a state tort suit, so in Daniels's view the state remedy "
     "was not adequate and the deprivation was without due process.",
     [("daniels", "because respondent maintains that he is entitled to the defense of sovereign immunity in a state "
       "tort suit, petitioner is without an \"adequate\" state remedy")]),
    # --- Hudson v. Palmer, 468 U.S. 517 ---
    ("hudson-cell", "holding", N, L,
     "Does a prisoner have a Fourth Amendment right of privacy in his cell, according to Hudson v. Palmer?",
     "No. Society is not prepared to recognize a prisoner's expectation of privacy in his cell as legitimate, so "
     "the Fourth Amendment's ban on unreasonable searches does not apply within the cell.",
     [("hudson", "hold that society is not prepared to recognize as legitimate any subjective expectation of privacy "
       "that a prisoner might have in his prison cell and that, accordingly, the Fourth Amendment proscription "
       "against unreasonable searches does not apply within the confines of the prison cell.")]),
    ("hudson-intentional", "holding", U, L,
     "If a guard deliberately destroys an inmate's belongings, is that a due process violation when the state "
     "offers a tort remedy?",
     "No. An unauthorized intentional deprivation of property by a state employee does not violate procedural due "
     "process if a meaningful postdeprivation remedy is available.",
     [("hudson", "Accordingly, we hold that an unauthorized intentional deprivation of property by a state employee "
       "does not constitute a violation of the procedural requirements of the Due Process Clause of the Fourteenth "
       "Amendment if a meaningful postdeprivation remedy for the loss is available.")]),
    ("hudson-pillowcase", "facts", U, P,
     "What did the guards turn up in the shakedown of the Virginia inmate's locker and cell?",
     "A ripped pillowcase in a trash can near his bunk, for which he was disciplined for destroying state "
     "property.",
     [("hudson", "During the \"shakedown,\" the officers discovered a ripped pillowcase in a trash can near "
       "respondent's cell bunk.")]),
    ("hudson-stevens", "dissent", N, L,
     "What did Justice Stevens criticize about the Fourth Amendment holding in Hudson v. Palmer?",
     "That the Court held no cell search or seizure, however malicious or destructive, can invade an interest "
     "society recognizes as reasonable, which he called inconsistent with its own statements.",
     [("hudson", "But the Court then holds that no matter how malicious, destructive, or arbitrary a cell search and "
       "seizure may be, it cannot constitute an unreasonable invasion of any privacy or possessory interest that "
       "society is prepared to recognize as reasonable.")]),
    # --- Estelle v. Gamble, 429 U.S. 97 ---
    ("estelle-standard", "rule", U, L,
     "What must a prisoner show to make out an Eighth Amendment claim about his medical care?",
     "Deliberate indifference to serious medical needs, which constitutes the unnecessary and wanton infliction of "
     "pain; negligence is not enough.",
     [("estelle", "We therefore conclude that deliberate indifference to serious medical needs of prisoners "
       "constitutes the \"unnecessary and wanton infliction of pain,\" Gregg v. Georgia, supra, at 173 (joint "
       "opinion), proscribed by the Eighth Amendment.")]),
    ("estelle-malpractice", "rule", U, P,
     "Is a prison doctor's malpractice automatically cruel and unusual punishment?",
     "No. Medical malpractice does not become a constitutional violation merely because the victim is a "
     "prisoner.",
     [("estelle", "Medical malpractice does not become a constitutional violation merely because the victim is a "
       "prisoner.")]),
    ("estelle-cotton", "facts", U, P,
     "How was the Texas inmate who sued over his medical treatment hurt?",
     "A bale of cotton fell on him while he was unloading a truck on a prison work assignment.",
     [("estelle", "According to the complaint, Gamble was injured on November 9, 1973, when a bale of cotton fell on "
       "him while he was unloading a truck.")]),
    ("estelle-stevens", "dissent", N, L,
     "What did Justice Stevens object to in the standard announced in Estelle v. Gamble?",
     "That it turns on the subjective motivation of officials rather than on the standard of care the "
     "Constitution requires, among other objections.",
     [("estelle", "Third, it describes the State's duty to provide adequate medical care to prisoners in ambiguous "
       "terms which incorrectly relate to the subjective motivation of persons accused of violating the Eighth "
       "Amendment rather than to the standard of care required by the Constitution.")]),
    # --- Ingraham v. Wright, 430 U.S. 651 ---
    ("ingraham-eighth", "holding", U, L,
     "Does the ban on cruel and unusual punishment apply to paddling students in public schools?",
     "No. The Eighth Amendment protects those convicted of crimes and does not apply to paddling as school "
     "discipline.",
     [("ingraham", "We adhere to this long-standing limitation and hold that the Eighth Amendment does not apply to "
       "the paddling of children as a means of maintaining discipline in public schools.")]),
    ("ingraham-hearing", "holding", U, L,
     "Does a public school have to give a student notice and a hearing before paddling him?",
     "No. Corporal punishment implicates a liberty interest, but common-law remedies provide the process due, so "
     "no prior notice and hearing are required.",
     [("ingraham", "We conclude that the Due Process Clause does not require notice and a hearing prior to the "
       "imposition of corporal punishment in the public schools, as that practice is authorized and limited by the "
       "common law.")]),
    ("ingraham-schoolchild", "reasoning", U, L,
     "Why are schoolchildren treated differently from prisoners when it comes to protection from cruel "
     "punishment?",
     "Criminal conviction and incarceration separate them: the school is open and supervised by the community, "
     "which guards against the abuses the Eighth Amendment addresses.",
     [("ingraham", "The prisoner and the schoolchild stand in wholly different circumstances, separated by the harsh "
       "facts of criminal conviction and incarceration."),
      ("ingraham", "The openness of the public school and its supervision by the community afford significant "
       "safeguards against the kinds of abuses from which the Eighth Amendment protects the prisoner.")]),
    ("ingraham-white", "dissent", N, L,
     "Why did Justice White dissent in Ingraham v. Wright?",
     "He disagreed that school corporal punishment, however severe, can never violate the Eighth Amendment, and "
     "that students need no hearing of any kind before being beaten.",
     [("ingraham", "Today the Court holds that corporal punishment in public schools, no matter how severe, can never "
       "be the subject of the protections afforded by the Eighth Amendment.")]),
    # --- Procunier v. Martinez, 416 U.S. 396 ---
    ("procunier-test", "rule", N, L,
     "What test did Procunier v. Martinez set for censoring prisoner mail?",
     "Censorship must further an important or substantial governmental interest unrelated to suppressing "
     "expression (security, order, rehabilitation), and be no greater than necessary to protect that interest.",
     [("procunier", "First, the regulation or practice in question must further an important or substantial "
       "governmental interest unrelated to the suppression of expression."),
      ("procunier", "Second, the limitation of First Amendment freedoms must be no greater than is necessary or "
       "essential to the protection of the particular governmental interest involved.")]),
    ("procunier-rules", "facts", U, P,
     "What kinds of letters did California's prison mail rules forbid inmates to write?",
     "Letters that 'unduly complain' or 'magnify grievances', writings expressing 'inflammatory political, racial, "
     "religious or other views', and matter deemed defamatory or otherwise inappropriate.",
     [("procunier", "Rule 1201 directed inmates not to write letters in which they \"unduly complain\" or \"magnify "
       "grievances.\""),
      ("procunier", "Rule 1205 (d) defined as contraband writings \"expressing inflammatory political, racial, "
       "religious or other views or beliefs . . . .\"")]),
    ("procunier-safeguards", "holding", U, P,
     "When a prison refuses to deliver an inmate's letter, is the inmate entitled to any procedural protection?",
     "Yes. A decision to censor or withhold a letter must be accompanied by minimum procedural safeguards, such as "
     "notice, a chance to protest, and review by another official.",
     [("procunier", "We also agree with the District Court that the decision to censor or withhold delivery of a "
       "particular letter must be accompanied by minimum procedural safeguards.")]),
    ("procunier-marshall", "concurrence", N, L,
     "What did Justice Marshall argue in his Procunier concurrence about reading prisoners' mail?",
     "He would reach the First Amendment question and hold that prison authorities may not read inmate mail as a "
     "matter of course.",
     [("procunier", "I would reach that issue and hold that prison authorities may not read inmate mail as a matter "
       "of course.")]),
]

# (key, named, question) - plausible questions the library does not answer: a case it does not hold, a later
# development, a figure or fact the opinion never states, a topic the named case does not reach, state law.
UNANSWERABLE = [
    ("garner", N, "Under Tennessee v. Garner, when may police use deadly force to stop a fleeing suspect?"),
    ("plain-feel", N, "If an officer frisking a suspect under Terry feels a lump he recognizes as crack cocaine, "
                      "may he reach in and seize it?"),
    ("cellmate", U, "Must Miranda-type warnings be given when an undercover agent posing as a cellmate questions a "
                    "jailed suspect?"),
    ("thermal", U, "Is scanning a house with a thermal imaging device from the street a Fourth Amendment search?"),
    ("katz-sentence", N, "What sentence did Katz actually receive for transmitting wagering information by "
                         "telephone?"),
    ("miranda-retrial", N, "Was Ernesto Miranda convicted again when Arizona retried him without the "
                           "confession?"),
    ("illinois-limitations", U, "What is the statute of limitations for a § 1983 suit filed in Illinois?"),
    ("good-faith", U, "Is there a good-faith exception to the exclusionary rule when officers rely on a search "
                      "warrant that is later held invalid?"),
    ("gideon-retrial", N, "Was Clarence Earl Gideon acquitted when he was retried with a lawyer?"),
    ("bivens-remand", N, "Were the narcotics agents in Bivens granted qualified immunity on remand?"),
    ("graham", N, "What did the Court hold in Graham v. Connor about claims that police used excessive force in an "
                  "arrest?"),
    ("dog-sniff", U, "Is a trained dog's sniff of a traveler's luggage in a public place a search under the Fourth "
                     "Amendment?"),
    ("detainees", N, "Does the deliberate indifference standard of Estelle v. Gamble also govern medical-care "
                     "claims by pretrial detainees?"),
    ("school-search", N, "Under Ingraham v. Wright, what level of suspicion does a school official need to search a "
                         "student's purse?"),
    ("misdemeanor-counsel", U, "Does the right to appointed counsel extend to misdemeanor prosecutions that end in a "
                               "jail sentence?"),
    ("resume-questioning", U, "After a suspect invokes his right to remain silent, may the police question him "
                              "again hours later about a different crime?"),
    ("deportation", U, "Does the exclusionary rule apply in civil deportation proceedings?"),
    ("thiboutot-fee-amount", N, "How much in attorney's fees were the Thiboutots ultimately awarded?"),
    ("turner", N, "What did the Court hold in Turner v. Safley about prison rules restricting correspondence "
                  "between inmates?"),
    ("detain-occupants", U, "Does a warrant to search a house allow police to detain the occupants while the search "
                            "is carried out?"),
    ("escobedo-after", N, "What happened to Danny Escobedo after the Supreme Court reversed his conviction?"),
    ("pen-register", N, "Under Katz, is installing a pen register to record the numbers dialed from a home phone a "
                        "search?"),
    ("mapp-civil", N, "How much did Dollree Mapp recover in a civil suit against the Cleveland officers who searched "
                      "her house?"),
    ("wolf-crime", N, "What crime was Dr. Wolf convicted of in Wolf v. Colorado?"),
]


# Words left out when measuring how many words a question shares with its evidence.
_STOP = frozenset("""a an the of in on at to for from by with and or but not no is are was were be been being do does
did have has had what which who whom whose when where why how that this these those it its as if than then so such can
could may might must should would will shall about into after before under over up out any all some each other his her
their him he she they them we you our your there here also only own same very just one according court justice
opinion case say said hold held""".split())
MAX_SHARED = 0.4  # a "paraphrase" question shares at most this share of its content words with its evidence


def _content_words(text: str) -> list[str]:
    """Lower-cased words of 3+ letters that are not stop words, cut to 5 letters (a crude stem: search/searched)."""
    words = re.findall(r"[a-z0-9]+", text.lower().replace("'s", ""))
    return [w[:5] for w in words if len(w) > 2 and w not in _STOP]


def shared_share(question: str, quotes: list[str], case_names: list[str]) -> float:
    """Share of the question's content words (its case's name left out) that occur in the evidence quotes."""
    names = {w for name in case_names for w in _content_words(name)}
    asked = [w for w in _content_words(question) if w not in names]
    found = {w for q in quotes for w in _content_words(q)}
    return sum(w in found for w in asked) / len(asked) if asked else 0.0


def _collapse(text: str) -> tuple[str, list[int]]:
    """The text with every run of whitespace made one space, and each kept character's offset in the original."""
    out, where, space = [], [], False
    for i, ch in enumerate(text):
        if ch.isspace():
            if not space:
                out.append(" ")
                where.append(i)
            space = True
        else:
            out.append(ch)
            where.append(i)
            space = False
    return "".join(out), where


def _pin(op, offset: int) -> str | None:
    fn = op.footnote_at(offset)
    if fn is not None:
        return f"{fn.page} n.{fn.label}" if fn.page is not None else None
    page = op.page_at(offset) if op.pages else None
    return str(page) if page is not None else None


def _part_at(op, offset: int):
    for part in op.parts:
        if part.start <= offset < part.end:
            return part
    return None


def check_pool(answerable: list | None = None, unanswerable: list | None = None, cases: dict | None = None) -> None:
    """Known types and cases, 1-3 quotes, paraphrases that share few words with their evidence: this script's
    questions, or another set's in the same form (eval/make_answers_heldout2.py)."""
    answerable = ANSWERABLE if answerable is None else answerable
    unanswerable = UNANSWERABLE if unanswerable is None else unanswerable
    cases = CASES if cases is None else cases
    keys = [q[0] for q in answerable] + [u[0] for u in unanswerable]
    dup = [k for k, n in Counter(keys).items() if n > 1]
    if dup:
        raise SystemExit(f"duplicate question keys: {dup}")
    for key, qtype, named, para, question, reference, evidence in answerable:
        if qtype not in TYPES:
            raise SystemExit(f"{key}: type {qtype!r} is not one of {', '.join(TYPES)}")
        if not 1 <= len(evidence) <= 3:
            raise SystemExit(f"{key}: {len(evidence)} evidence items (1-3 wanted)")
        for case, _ in evidence:
            if case not in cases:
                raise SystemExit(f"{key}: unknown case key {case!r} (valid: {', '.join(sorted(cases))})")
        share = shared_share(question, [q for _, q in evidence], [cases[c] for c, _ in evidence])
        if para and share > MAX_SHARED:
            raise SystemExit(f"{key}: tagged paraphrase but shares {share:.0%} of its content words with its "
                             f"evidence (at most {MAX_SHARED:.0%} allowed)")


NO_ANSWER = "The library holds no answer; the right output is an abstention."


def opinions(lib, cases: dict[str, str]) -> dict[str, object]:
    """The library's opinion for each key of ``cases`` (key -> case name); exits naming any it lacks."""
    ids = {meta.case_name: oid for oid, meta, *_ in lib.store.opinions()}
    missing = sorted(set(cases.values()) - set(ids))
    if missing:
        raise SystemExit(f"the library holds no opinion named {missing} (it holds: {', '.join(sorted(ids))})")
    return {key: lib.opinion(ids[name]) for key, name in cases.items()}


def locate(collapsed: tuple[str, list[int]], quote: str) -> tuple[int, int] | str:
    """(start, last character) of ``quote`` in the opinion text ``_collapse`` gave, found exactly once;
    else what is wrong ("not found", "found more than once")."""
    text, where = collapsed
    needle = " ".join(quote.split())
    at = text.find(needle)
    if at < 0 or text.find(needle, at + 1) >= 0:
        return "not found" if at < 0 else "found more than once"
    return where[at], where[at + len(needle) - 1]


def answerable_row(qtype: str, named: bool, para: bool, question: str, reference: str, evidence: list[dict]) -> dict:
    return {"question": question, "answerable": True, "evidence": evidence, "reference_answer": reference,
            "tags": [qtype, "named" if named else "unnamed"] + (["paraphrase"] if para else [])}


def unanswerable_row(named: bool, question: str) -> dict:
    return {"question": question, "answerable": False, "evidence": [], "reference_answer": NO_ANSWER,
            "tags": ["unanswerable", "named" if named else "unnamed"]}


def resolve(lib) -> tuple[dict[str, list[dict]], list[str]]:
    """Evidence items with case, citation and pin for every answerable question; notes on what looked odd."""
    ops = opinions(lib, CASES)
    collapsed = {key: _collapse(op.text) for key, op in ops.items()}
    out, notes = {}, []
    for qkey, qtype, _named, _para, question, _ref, evidence in ANSWERABLE:
        author = re.search(r"Justice ([A-Z]\w+)", question)
        items = []
        for case, quote in evidence:
            op = ops[case]
            found = locate(collapsed[case], quote)
            if isinstance(found, str):
                raise SystemExit(f"{qkey}: quote {found} in {CASES[case]}: {quote!r}")
            start = found[0]
            item = {"quote": quote, "case": op.meta.case_name, "citation": op.meta.citation}
            pin = _pin(op, start)
            if pin is None:
                notes.append(f"{qkey}: no page known in {op.meta.case_name} (library text has no page map); pin left out")
            else:
                item["pin"] = pin
            part = _part_at(op, start)
            if qtype in ("concurrence", "dissent") and op.footnote_at(start) is None:
                kinds = {"concurrence": ("concurrence", "concurrence in part"),
                         "dissent": ("dissent", "concurrence in part")}[qtype]
                wrong_kind = part is None or part.kind not in kinds
                wrong_author = author is not None and (part is None or (part.author or "").lower() != author[1].lower())
                if wrong_kind or wrong_author:
                    notes.append(f"{qkey}: {qtype} quote{' by ' + author[1] if author else ''} stands in a part the "
                                 f"library labels {part.kind if part else 'none'} "
                                 f"({part.author if part else ''}) in {op.meta.case_name}")
            items.append(item)
        out[qkey] = items
    return out, notes


def _systematic(keys: list[tuple], total: int, rng: random.Random) -> set[str]:
    """Every (n/total)-th key from a random start, over keys sorted by stratum then a random tie-breaker: each
    stratum (and each coarser stratum) gets its proportional share of ``total`` within one."""
    ordered = [k[-1] for k in sorted((*k[:-1], rng.random(), k[-1]) for k in keys)]
    step = len(ordered) / total
    start = rng.random() * step
    return {ordered[int(start + i * step)] for i in range(total)}


def split(seed: int) -> tuple[set[str], set[str]]:
    """Keys of the development questions (answerable, unanswerable); everything else is held out.

    Answerable questions are stratified by type, then named / unnamed, then paraphrase / literal;
    unanswerable ones by named / unnamed."""
    rng = random.Random(seed)
    answerable = [(qtype, not named, not para, key) for key, qtype, named, para, *_ in ANSWERABLE]
    unanswerable = [(not named, key) for key, named, _ in UNANSWERABLE]
    return _systematic(answerable, DEV_ANSWERABLE, rng), _systematic(unanswerable, DEV_UNANSWERABLE, rng)


def build(lib, seed: int = SEED) -> tuple[list[dict], list[dict], list[str]]:
    check_pool()
    evidence, notes = resolve(lib)
    dev_a, dev_u = split(seed)
    dev, held = [], []
    for key, qtype, named, para, question, reference, _ in ANSWERABLE:
        (dev if key in dev_a else held).append(answerable_row(qtype, named, para, question, reference, evidence[key]))
    for key, named, question in UNANSWERABLE:
        (dev if key in dev_u else held).append(unanswerable_row(named, question))
    for prefix, rows in (("sdev", dev), ("held", held)):
        for n, row in enumerate(rows, 1):
            rows[n - 1] = {"id": f"{prefix}-{n:02d}", **row}
    return dev, held, notes


def _write(path: Path, rows: list[dict]) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    tmp.replace(path)


def _summary(name: str, rows: list[dict]) -> str:
    tags = Counter(t for r in rows for t in r["tags"])
    answerable = sum(r["answerable"] for r in rows)
    items = [e for r in rows for e in r["evidence"]]
    pinned = sum("pin" in e for e in items)
    notes = sum(" n." in e.get("pin", "") for e in items)
    return (f"{name}: {len(rows)} questions ({answerable} answerable, {len(rows) - answerable} unanswerable), "
            f"{len(items)} evidence items ({pinned} pinned, {notes} in footnotes); tags: "
            + ", ".join(f"{t} {n}" for t, n in sorted(tags.items(), key=lambda kv: (-kv[1], kv[0]))))


def main(argv: list[str] | None = None) -> int:
    from qa_bot import Library

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", default="demo")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR)
    ap.add_argument("--notes", action="store_true", help="also print quotes without a pin or in a mislabelled part")
    args = ap.parse_args(argv)
    with Library.open(args.index) as lib:
        dev, held, notes = build(lib, args.seed)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    _write(args.out_dir / DEV_NAME, dev)
    _write(args.out_dir / HELD_NAME, held)
    print(_summary(DEV_NAME, dev))
    print(_summary(HELD_NAME, held))
    if args.notes:
        for n in notes:
            print("note:", n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
