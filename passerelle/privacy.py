"""What must never be stored: masking of secrets in what people write and say.

Job seekers sometimes type or dictate their password, a code received by SMS, their
France Travail identifier, a bank card number, an IBAN, a social security number, a
phone number or an e-mail address. Nothing of it may reach the conversation store.
`mask_text` replaces each secret with MASK; the masking tracker store applies it to
every string of every event before writing, and uses `secret_expected` and
`mask_message` to mask a whole message that answers a credential question.

How it reads a message:
- a normalised copy is read, never the text itself: NFKC (full-width digits become
  digits), accents dropped, typographic apostrophes, quotes and dashes made plain,
  every kind of space one ASCII space, zero-width characters removed. Each character of
  the copy remembers its place in the original, so spans are cut from the original;
- number-shaped secrets are found by their digits, whatever separates them (spaces,
  dots, dashes, no-break spaces): identifiers (7 digits and 1 letter), social security
  numbers, cards (and a CVV after a card), IBANs, phone numbers. The kiosk sends spoken
  numbers as digits ("un deux trois" -> "1 2 3", `passerelle.numbers.normalize`); long
  runs of number words typed as words are read with the same function;
- after a credential keyword ("mot de passe", "mdp", "code reçu par SMS", "PIN",
  "password", "identifiant"...), filler words ("c'est", "bien", "le", ":") are skipped
  and the secret that follows is masked up to the end of its clause, spaced characters
  ("S o l e i l 2 0 2 4") included. Words that show the person is talking *about* the
  secret ("oublié", "ne marche pas", "postal") mask nothing;
- nothing is masked inside the printable summary's link (`/resume/<token>`): it must
  stay usable, and it carries no readable data.

Ordinary answers stay readable: amounts ("1 200 €"), hours ("151,67"), dates, years,
times ("14h30"), postal codes and the 3949 are never number-shaped secrets.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable, List, Optional, Sequence, Tuple

from passerelle.names import (
    CREDENTIALS_INTENT,
    CREDENTIALS_RESPONSE,
    FALLBACK_INTENT,
    INFORM_INTENT,
)
from passerelle.numbers import normalize as spoken_numbers_to_digits
from passerelle.text import APOSTROPHES, DASHES, words, yes_or_no

MASK = "[masqué]"
Span = Tuple[int, int]

# --- normalisation --------------------------------------------------------------------

QUOTES = "\u00ab\u00bb\u201c\u201d\u201e\u201f\u2039\u203a\u2033\u02ee"
# Characters that are invisible but split a word for a pattern: dropped from the copy.
INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e"


@dataclass(frozen=True)
class Normalised:
    """The normalised copy of a text, and for each of its characters its original index."""

    text: str
    origin: Optional[Sequence[int]]  # None: the copy is the original (plain ASCII)
    original_length: int

    def to_original(self, span: Span) -> Span:
        start, end = span
        if self.origin is None:
            return start, end
        if start >= len(self.origin):
            return self.original_length, self.original_length
        return self.origin[start], (self.origin[end - 1] + 1 if end > start else self.origin[start])


def _normal_char(char: str) -> str:
    if char in INVISIBLE:
        return ""
    if char in APOSTROPHES:
        return "'"
    if char in QUOTES:
        return '"'
    if char in DASHES:
        return "-"
    if char in "\n\r\u2028\u2029":
        return "\n"
    if char.isspace():
        return " "
    category = unicodedata.category(char)
    if category == "Cf" or category == "Mn":
        return ""
    composed = unicodedata.normalize("NFKC", char)
    out = []
    for part in unicodedata.normalize("NFD", composed):
        if unicodedata.combining(part):
            continue
        out.append(" " if part.isspace() else part)
    return "".join(out)


def normalise(text: str) -> Normalised:
    """The copy every pattern reads (see the module docstring), with its map to `text`."""
    if text.isascii():
        plain = text.replace("\r", "\n").replace("\t", " ")
        return Normalised(plain, None, len(text))
    chars: List[str] = []
    origin: List[int] = []
    for index, char in enumerate(text):
        if char.isascii():
            chars.append("\n" if char == "\r" else " " if char == "\t" else char)
            origin.append(index)
            continue
        for part in _normal_char(char):
            chars.append(part)
            origin.append(index)
    return Normalised("".join(chars), origin, len(text))


def _lower(text: str) -> str:
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


# --- the printable summary's link: never touched ----------------------------------------

SUMMARY_LINK = re.compile(r"(?:https?://[^\s/]+)?/resume/[A-Za-z0-9_\-=.~%]+")

# --- number-shaped secrets --------------------------------------------------------------

_SEP = r"(?:[ .\-]{1,3}|\s?\(0\)\s?|, )"
# A run of digit groups separated by anything people put between them; an optional letter
# after (an identifier's). Dates ("12/02/2026"), decimals ("151,67") and times ("14h30")
# are not runs: "/", "," without a space and "h" are no separators.
DIGIT_RUN = re.compile(
    rf"(?<![\w,/])(?P<plus>\+|00)?\d+(?:{_SEP}\d+)*(?:[ .\-]?(?P<letter>[A-Za-z])(?![\w'@]))?"
)
# Social security number, with Corsica's 2A / 2B: the letters split a digit run.
NIR = re.compile(
    r"(?<![\w])[12][ .\-]*\d{2}[ .\-]*\d{2}[ .\-]*(?:2[AaBb])[ .\-]*\d{3}[ .\-]*\d{3}"
    r"(?:[ .\-]*\d{2})?(?![\w])"
)
# IBAN country codes (ISO 13616 registry).
IBAN_COUNTRIES = frozenset(
    "ad ae al at az ba be bg bh br by ch cr cy cz de dk do ee eg es fi fo fr gb ge gi gl gr "
    "gt hr hu ie il iq is it jo kw kz lb lc li lt lu lv ly mc md me mk mr mt mu nl no pk pl "
    "ps pt qa ro rs sa sc se si sk sm st sv tl tn tr ua va vg xk "
    # French overseas territories use FR, but their own codes are accepted too.
    "gf gp mq re pf tf yt nc pm wf".split()
)
IBAN = re.compile(
    r"(?<![\w])(?P<country>[A-Za-z] ?[A-Za-z])[ .\-]{0,3}(?P<check>\d ?\d)"
    r"(?P<body>(?:[ .\-]{0,3}[A-Za-z0-9]){11,30})(?![A-Za-z0-9])"
)
IBAN_MIN_BODY = 11
# Identifier: 7 digits and 1 letter. Cards (13 to 19 digits), social security numbers
# (13 or 15) and any account number: 11 digits or more in one run. No amount, date or
# hour has that many.
IDENTIFIER_DIGITS = 7
LONG_NUMBER_DIGITS = 11
PHONE_DIGITS = 10
# A CVV: 3 or 4 digits after a card number, in the same sentence, that are no amount or hour.
CVV = re.compile(r"(?<![\w,./])\d{3,4}(?![\w,./]|\s*(?:€|eur|euros?|h|heures?)\b)")
# Both e-mail patterns are written so that a text splits one way only: a word of
# `[\w\-]` already holds its "-" and "_", so only "." or a spoken word separates two words.
# With "-" and "_" as separators too, a long token full of them (the printable summary's
# link) had exponentially many splits to try: seconds of CPU for one link.
# An address starts a run of its characters (a later start finds nothing new).
EMAIL = re.compile(r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
# An e-mail address spoken or typed in words: "jean point dupont arobase gmail point com".
SPOKEN_EMAIL = re.compile(
    r"(?<![\w])[\w\-]+(?:(?: (?:point|tiret|underscore|tiret bas|dot) |\.)[\w\-]+)*"
    r" ?(?:arobase|arrobase|@|\(at\)|\[at\]| at ) ?"
    r"[\w\-]+(?: [\w\-]+){0,2}?(?:(?: (?:point|dot) |\.)[\w\-]+)+",
    re.IGNORECASE,
)

# --- credential keywords ----------------------------------------------------------------

# Words that follow "code" and say it is no credential ("code postal", "code ROME").
_NOT_CREDENTIAL_CODES = (
    r"postal|postaux|rome|ape|naf|du travail|de la route|de conduite|promo|promotionnel|"
    r"barre|barres|couleur|vestimentaire|civil|penal|insee|commune|source|qr|de reduction|"
    r"de la securite sociale|du candidat|metier|activite|reduction|naf|iso|article"
)
_CODE_KINDS = (
    r"secrets?|confidentiels?|d'acces|d acces|dacces|pin|perso|personnels?|provisoires?|"
    r"temporaires?|a usage unique|unique|otp|sms|de validation|de verification|"
    r"de confirmation|de securite|de connexion|de deverrouillage|d'activation|"
    r"d'authentification|de (?:ma |la )?(?:carte|cb)(?: bleue| bancaire| visa)?|cb|"
    r"(?:que j'ai )?recus?(?: par (?:sms|texto|mail|e-mail|email|message|courrier))?|"
    r"(?:envoye|arrive) par (?:sms|texto|mail|e-mail|email|message)|"
    r"du (?:sms|texto|mail|message)|"
    r"bancaires?|de (?:ma |la )?banque|du telephone|de mon telephone|wifi"
)
# Keywords that always announce a credential, and weak ones ("code", "pass", "id") that
# do only when a connector follows ("mon code est ...") or the next word looks secret.
STRONG_KEYWORD = (
    r"mots?[ -]?(?:de|d'|d|2)[ -]?pas{1,2}e?s?|modes?(?: de)? passe|motdepasse|mdp|m\.d\.p|"
    r"pass ?words?|passwd|pwd|passcode|passphrase|"
    r"numeros? (?:de |d')?(?:secu|securite sociale|ss|cb|compte(?: bancaire)?|iban|rib|"
    r"carte(?: bleue| bancaire| vitale| de credit)?|identifiant|fiscal|allocataire)|"
    r"securite sociale|secu|carte vitale|iban|rib|"
    rf"codes? (?:{_CODE_KINDS})(?: (?:{_CODE_KINDS}))*|codes? d'acces|"
    r"pin|code pin|cvv2?|cvc|cryptogrammes?(?: visuels?)?|crypto|"
    r"identifiants?|login|username|user ?name|user ?id|noms? d'utilisateur|noms? d utilisateur"
)
WEAK_KEYWORD = r"codes?|pass|id|otp"
# Contact data: a connector and digits, or an address, must follow.
CONTACT_KEYWORD = (
    r"e-?mail|mail|courriel|adresse (?:e-?mail|mail|electronique|courriel)|"
    r"telephone|tel|portable|mobile|phone|numero(?: de (?:telephone|tel|portable|mobile))?"
)
KEYWORD = re.compile(
    rf"(?<![\w])(?:(?P<strong>{STRONG_KEYWORD})|(?P<weak>{WEAK_KEYWORD})|"
    rf"(?P<contact>{CONTACT_KEYWORD}))(?![\w])"
)
NOT_CREDENTIAL_CODE = re.compile(rf"\s*(?:{_NOT_CREDENTIAL_CODES})(?![\w])")
# Connectors: "c'est", ":", "=", "is". They say a value follows.
_CONNECTORS = (
    r"c'est|c est|cest|c|ce sont|c'etait|c etait|est|sont|etait|sera|reste|vaut|"
    r"is|it's|its|was|are|will be|egale? a|egale?|:|=|->|=>|>"
)
# Words skipped between the keyword and the secret.
_FILLERS = (
    r"bien|le|la|les|l'|toujours|encore|maintenant|actuellement|desormais|donc|alors|"
    r"aussi|juste|simplement|tout simplement|voici|voila|le voici|la voici|les voici|"
    r"suivant|ci-dessous|en fait|au fait|du coup|normalement|je crois|je pense|"
    r"il me semble|france travail|pole emploi|francetravail|ft|pe|de mon compte|"
    r"de mon espace(?: personnel)?|du site|sur le site|pour (?:le site|l'appli|l'application|"
    r"mon compte|mon espace|me connecter|la connexion|france travail|pole emploi)|"
    r"actuel|actuelle|nouveau|nouvel|nouvelle|provisoire|temporaire|secret|confidentiel|"
    r"perso|personnel|current|new|just|the|now|still|also|here|here's|ici|en clair|"
    r"tenez|tiens|si vous voulez|si tu veux|au cas ou|pour info|pour information|"
    r"de validation|recu|recu par sms|par sms|par texto|par mail|sms|"
    r"de l'application|de l'appli|mail|email|e-mail|de (?:ma |la )?(?:carte|cb)"
    r"(?: bleue| bancaire)?|bancaire|en|"
    r"(?:a|de|en) \d+ (?:chiffres|caracteres|lettres|signes)|"
    r"(?:a|de|en) (?:un|deux|trois|quatre|cinq|six|sept|huit|neuf|dix) "
    r"(?:chiffres|caracteres|lettres|signes)"
)
FILLER = re.compile(
    rf"[\s,\-\"]*(?:(?P<connector>{_CONNECTORS})|(?:{_FILLERS}))(?=[\s,:=\".;!?]|$)"
    r"|[\s,\-\"]*l'(?=\w)"
)
CONNECTOR_PUNCT = re.compile(r"[\s,\"]*(?P<connector>:|=|->|=>)")
SIGN_CONNECTORS = (":", "=", "->", "=>", ">")
# Words that say the secret is not given, even after a ":" ("mot de passe : oublié").
ABOUT_WORDS = frozenset(
    """
    oublie oublies oubliee oublier perdu perdue perdus bloque bloquee bloques faux fausse
    incorrect incorrecte invalide expire expiree errone erronee refuse refusee quoi ? ??
    forgot forgotten lost expired wrong
    """.split()
)
# "le code qu'on m'a envoyé c'est X": a connector a few words after the keyword.
LATER_CONNECTOR = re.compile(r"(?:c'est|c est|cest|est|:|=)(?=\s|$)")
MAX_WORDS_BEFORE_CONNECTOR = 8
# A secret spelled out ("a z e r t y", "S o l e i l 2 0 2 4") or dictated as number words.
SPELLED = re.compile(r"(?:\w[ .\-]){3,}\w(?![\w])")
_DIGIT_WORDS = (
    r"zero|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|"
    r"quinze|seize|vingts?|trente|quarante|cinquante|soixante|cents?|mille"
)
SPOKEN_DIGITS = re.compile(rf"(?:{_DIGIT_WORDS})[\s\-]+(?:et[\s\-]+)?(?:{_DIGIT_WORDS})(?![\w])")
MIN_CODE_DIGITS = 3
# "identifiant (7 chiffres et 1 lettre)": what a secret is made of, not the secret.
DESCRIPTION = re.compile(
    rf"\(?(?:\d+|{_DIGIT_WORDS}) (?:chiffres?|lettres?|caracteres?|signes?|symboles?|"
    r"majuscules?|minuscules?)(?![\w])"
)
# First words that show the person talks about the secret without giving it.
NOT_A_SECRET = frozenset(
    """
    oublie oublies oubliee oublier perdu perdue perdus bloque bloquee bloques faux fausse
    incorrect incorrecte invalide invalides expire expiree errone erronee refuse refusee
    marche fonctionne passe va vient arrive ne n' pas plus jamais de du des d' pour sur
    et ou ni qui que qu' quoi quel quelle quels quelles comment pourquoi combien ou quand
    je j' il elle on nous vous tu t' me m' se s' mon ma mes ton ta tes votre vos notre nos
    son sa ses leur a au aux dans par avec sans svp stp trop tres mal valide
    apres avant ensuite ici dessous plus-tard bientot demain
    jvous jte jvais jsais jsuis jai jpeux jlai jle jla jen chui jsui
    correct correcte envoye envoyee recu recue demande demandee change changer changement
    modifier modifie creer cree mettre reinitialiser reinitialise retrouver recuperer
    trouver saisir taper entrer donner dire ecrire rentrer oui non ok merci
    fait doit contient comporte comprend demande affiche s'affiche y ca c' ce cet cette
    ces celui celle lequel laquelle puis mais car parce donc si sinon celui-la celle-la
    celui-ci celle-ci ceci cela
    forgot forgotten lost reset doesn't does not don't won't isn't expired wrong for to
    of and or please help my your the a an what how why where
    chiffres caracteres lettres chiffre caractere lettre
    complexe complexes simple simples long longs longue longues court courts courte
    fort forts forte fortes solide solides robuste robustes securise securises different
    differents differente differentes complique compliques facile faciles difficile
    partout regles regle conseils conseil astuces astuce aide exemple exemples securite
    plusieurs choisir fois normal normale normaux grave possible vrai mieux pareil
    identique obligatoire necessaire utile dangereux risque important bon bonne mauvais
    ? ! . ... , ; :
    """.split()
)
# Words that end a secret's clause: "... et mon identifiant", "... mais ça ne marche pas".
CLAUSE_BREAK = re.compile(
    r"(?:et|mais|car|puis|sinon|ou|and|but|or)\s+(?:mon|ma|mes|le|la|les|l'|je|j'|il|elle|"
    r"on|ca|c'est|ce|cela|mon|ton|votre|un|une|aussi|pour|quand|comment|pourquoi|my|the|i|"
    r"it|merci|svp|stp)(?![\w])|(?:parce que|parce qu'|merci|svp|stp|s'il vous plait|"
    r"s'il te plait|please|thanks|thank you|cordialement)(?![\w])"
)
# In a secret given without a connector ("mdp soleil ne marche pas"), these end it too.
LOOSE_BREAK = re.compile(
    r"(?:ne|n'|pas|plus|qui|que|qu'|je|j'|il|elle|on|ca|c'est|c'etait|est|sont|a|ai|"
    r"marche|fonctionne|pour|sur|dans|depuis|avec|doesn't|does|not|don't|won't|isn't|is|"
    r"for|on|et|mais|car|ou|and|but|or)(?![\w])"
)
CLAUSE_PUNCT = ".,;"
SENTENCE_END = re.compile(r"[.;!?](?=\s|$)|\n")
TOKEN = re.compile(r"\S+")
# A secret-looking word: letters and digits, a capital inside, or a symbol inside.
_SECRET_LOOKING = re.compile(
    r"(?=.*[a-z])(?=.*\d)|[a-z][A-Z]|[A-Za-z0-9][^\w\s'\-.,;:!?\"][A-Za-z0-9]|^\d{4,}$"
)
# Words with digits that are no secret: an hour, an amount, a date, a rank, a postal code.
ORDINARY_TOKEN = re.compile(
    r"\d+(?:[.,]\d+)?(?:h\d{0,2}|hr?s?|min|mn|€|e|eur|euros?|k€?|ans?|j|jours?|mois|"
    r"er|ere|e|eme|ème|nd|nde|%)?|\d{1,2}[/.\-]\d{1,2}(?:[/.\-]\d{2,4})?|\d{1,2}h\d{2}",
    re.IGNORECASE,
)
# A token that looks like a password: letters and digits mixed, or with a symbol, 6+ chars.
PASSWORD_LIKE = re.compile(r"(?<!\S)(?=\S*[A-Za-z])(?=\S*(?:\d|[^\w\s]))[^\s]{6,}(?!\S)")
# ... but a French word written with its apostrophe or hyphen, or followed by a comma or a
# full stop, is a word: "c'était", "Saint-Denis", "aujourd'hui", "octobre,".
FRENCH_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*'?[.,;:?]*")
# "Soleil2024 c'est mon mot de passe": the secret comes first.
SECRET_BEFORE_KEYWORD = re.compile(
    r"(?<![\w'])(?:c'est|c est|est|sera|=|is)\s+(?:mon|ma|mes|le|la|les|my|the|votre|ton|ta)\s+"
    r"(?:(?:nouveau|nouvel|nouvelle|new)\s+)?"
    rf"(?:{STRONG_KEYWORD}|codes?)(?![\w])"
)
_LEAD_WORDS = frozenset("voici voila bon alors ok donc euh ben bah et so well here".split())
# Spoken number words: a long run of them is read as digits to find identifiers and cards.
NUMBER_WORD = re.compile(
    r"(?<![\w])(?:zero|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|"
    r"treize|quatorze|quinze|seize|vingts?|trente|quarante|cinquante|soixante|cent|cents|"
    r"mille|\d+)(?![\w])"
)
NUMBER_WORD_RUN = re.compile(
    rf"(?:{NUMBER_WORD.pattern}(?:[\s\-]+(?:et[\s\-]+)?)?){{5,}}(?:[a-z](?![\w]))?"
)

# --- what the conversation says ---------------------------------------------------------

# The person announces a secret: "je vais vous donner mon mot de passe", "voici mon code".
ANNOUNCE = re.compile(
    r"(?<![\w])(?:donne|donnes|donner|donnerai|envoie|envoyer|envoies|ecris|ecrire|ecrit|"
    r"tape|taper|tapes|voici|voila|tiens|tenez|dicte|dicter|dis|dire|dirai|communique|"
    r"communiquer|lis|lire|mets|mettre|mettrai|prends|cherche|attendez|attends|patientez|"
    r"prochain message|juste apres|"
    r"give|giving|send|sending|here is|here's|heres|wait)(?![\w])"
)
# ... unless they ask or talk about it: "comment changer mon mot de passe ?".
ABOUT_THE_SECRET = re.compile(
    r"(?<![\w])(?:oubli\w*|perdu\w*|bloque\w*|chang\w*|modifi\w*|reinitialis\w*|retrouv\w*|"
    r"recuper\w*|comment|pourquoi|quoi|quel\w*|ne|n'|pas|jamais|forgot|lost|reset|how|"
    r"why|what|never)(?![\w])"
)
# A bot question that asks for a credential ("Quel est votre identifiant ?").
ASKS = re.compile(
    r"(?:quel|quelle|donnez|indiquez|ecrivez|tapez|entrez|saisissez|dites|communiquez|"
    r"pouvez-vous me donner|what is|enter|type)\b[^?]*\?|\b(?:votre|your)\b[^?.]*\?"
)
NEVER_GIVE = re.compile(r"\b(?:ne donnez jamais|ne le donnez|never give|ne communiquez)\b")
# A message is "clearly something else" than the expected secret when the classifier is
# this sure of another intent (DIET's confidences on this model's test set: a correct
# intent is above 0.9 in 9 cases out of 10).
CLEAR_INTENT_CONFIDENCE = 0.9
MAX_YES_NO_WORDS = 3
# A passphrase is one to three words; a question to the assistant is longer.
MIN_CLEAR_WORDS = 3
# An answer that is a quantity with its unit ("35 heures", "1 200 €"): no secret.
QUANTITY_ANSWER = re.compile(
    r"(?:environ |a peu pres |a peu près )?\d[\d .,]*\s*(?:h|hr|heures?|€|e|eur|euros?)"
    r"(?: (?:brut|bruts|net|nets|par mois|et demie?|et quart))*"
)


# --- the masker ---------------------------------------------------------------------------


def _merge(spans: Iterable[Span]) -> List[Span]:
    merged: List[Span] = []
    for start, end in sorted(spans):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def _number_spans(text: str, low: str, spoken: bool = True) -> List[Span]:
    """Identifiers, cards, social security numbers, phones, IBANs, a CVV after a card."""
    spans: List[Span] = []
    card_ends: List[int] = []
    for match in DIGIT_RUN.finditer(text):
        letter = match.group("letter")
        end_digits = match.start("letter") if letter else match.end()
        run = text[match.start() : end_digits].rstrip(" .-")
        count = len(_digits(run))
        if letter and count == IDENTIFIER_DIGITS:
            spans.append(match.span())
        elif count >= LONG_NUMBER_DIGITS:
            spans.append((match.start(), match.start() + len(run)))
            card_ends.append(match.start() + len(run))
        elif count == PHONE_DIGITS and _digits(run).startswith("0"):
            spans.append((match.start(), match.start() + len(run)))
        elif match.group("plus") and count >= 9:
            spans.append((match.start(), match.start() + len(run)))
    for match in NIR.finditer(text):
        spans.append(match.span())
    for match in IBAN.finditer(text):
        country = match.group("country").replace(" ", "").lower()
        body = re.sub(r"[ .\-]", "", match.group("body"))
        if country in IBAN_COUNTRIES and len(body) >= IBAN_MIN_BODY and _digits(body):
            end = match.end("body")
            # The body may swallow a following word: keep only chunks with a digit or
            # capitals, as an IBAN has.
            end = _trim_iban(text, match.start("body"), end)
            if len(re.sub(r"[ .\-]", "", text[match.start("body") : end])) >= IBAN_MIN_BODY:
                spans.append((match.start(), end))
    for end in card_ends:
        sentence = SENTENCE_END.search(text, end)
        stop = sentence.start() if sentence else len(text)
        for match in CVV.finditer(text, end, stop):
            spans.append(match.span())
    for pattern in (EMAIL, SPOKEN_EMAIL):
        spans.extend(m.span() for m in pattern.finditer(text))
    if spoken and NUMBER_WORD_RUN.search(low):
        spans.extend(_spoken_number_spans(low))
    return spans


def _trim_iban(text: str, start: int, end: int) -> int:
    """The end of an IBAN's body, before any trailing lowercase word."""
    chunks = list(re.finditer(r"[A-Za-z0-9]+", text[start:end]))
    last = start
    for chunk in chunks:
        word = chunk.group()
        if word.isalpha() and not word.isupper() and len(word) > 1:
            break
        last = start + chunk.end()
    return last


def _spoken_number_spans(low: str) -> List[Span]:
    """Runs of number words that read as an identifier, a card or a phone number."""
    spans = []
    for match in NUMBER_WORD_RUN.finditer(low):
        if not re.search(r"[a-z]{2}", match.group()):
            continue  # digits only: already read as digits
        digits_text = spoken_numbers_to_digits(re.sub(r"\bzero\b", "zéro", match.group()))
        inner = _number_spans(digits_text, digits_text, spoken=False)
        count = len(_digits(digits_text))
        ends_with_letter = bool(re.search(r"(?<![\w])[a-z]$", match.group().strip()))
        if (
            inner
            or count >= LONG_NUMBER_DIGITS
            or (ends_with_letter and count == IDENTIFIER_DIGITS)
        ):
            spans.append(match.span())
    return spans


def _looks_secret(token: str) -> bool:
    word = token.strip("\"'.,;:!?()")
    return bool(_SECRET_LOOKING.search(word)) and not ORDINARY_TOKEN.fullmatch(word)


def _word(token: str) -> str:
    stripped = token.strip("\"'.,;:()«»")
    return stripped if stripped else token


def _skip_fillers(low: str, position: int) -> Tuple[int, bool, bool]:
    """The position after the filler words at `position`; whether a connector was seen,
    and whether it was a sign (":", "=")."""
    explicit = sign = False
    while True:
        match = FILLER.match(low, position) or CONNECTOR_PUNCT.match(low, position)
        if not match or match.end() == position:
            return position, explicit, sign
        connector = match.groupdict().get("connector")
        if connector:
            explicit = True
            sign = sign or connector in SIGN_CONNECTORS
        position = match.end()


def _not_a_secret(word: str) -> bool:
    return word in NOT_A_SECRET or ("'" in word and word.split("'")[0] + "'" in NOT_A_SECRET)


def _later_connector(low: str, position: int) -> Optional[int]:
    """In "le code qu'on m'a envoyé c'est X", the position of the later "c'est"."""
    stop = _clause_end(low, position)
    for count, token in enumerate(TOKEN.finditer(low, position, stop)):
        if count >= MAX_WORDS_BEFORE_CONNECTOR:
            return None
        word = _word(token.group())
        if word in ABOUT_WORDS or word in ("ne", "pas") or word.startswith("n'"):
            return None
        if LATER_CONNECTOR.match(low, token.start()):
            return token.start()
    return None


def _secret_after(
    text: str, low: str, position: int, weak: bool, again: bool = True
) -> Optional[Span]:
    """The secret after a keyword ending at `position`, or None."""
    if weak and NOT_CREDENTIAL_CODE.match(low, position):
        return None
    position, explicit, sign = _skip_fillers(low, position)
    first = TOKEN.search(low, position)
    if not first or "\n" in low[position : first.start()]:
        return None
    word = _word(first.group())
    if DESCRIPTION.match(low, first.start()):
        return None
    run = DIGIT_RUN.match(text, first.start())
    digits = len(_digits(run.group())) if run else 0
    spelled = SPELLED.match(low, first.start()) or SPOKEN_DIGITS.match(low, first.start())
    if not spelled and digits < MIN_CODE_DIGITS:
        if word in ABOUT_WORDS:
            return None
        described = weak and not explicit and not _looks_secret(text[first.start() : first.end()])
        if described or (not sign and _not_a_secret(word)):
            later = _later_connector(low, first.start()) if again else None
            return _secret_after(text, low, later, False, again=False) if later else None
    end = first.start()
    for token in TOKEN.finditer(low, first.start()):
        if end > first.start():
            gap = low[end : token.start()]
            if "\n" in gap or CLAUSE_BREAK.match(low, token.start()):
                break
            if not explicit and not spelled and LOOSE_BREAK.match(low, token.start()):
                break
            if not explicit and not spelled and run and digits >= MIN_CODE_DIGITS:
                break  # "code 318 442 par texto": the digits only
        end = token.end()
        raw = token.group()
        if raw[-1] in CLAUSE_PUNCT and len(raw) > 1 and raw[-2] not in CLAUSE_PUNCT:
            # "soleil," ends its clause; the comma is no part of the secret.
            end -= 1
            break
        if raw[-1] in CLAUSE_PUNCT + "!?" and len(raw) > 1:
            break
    if run and run.end() > end:
        end = run.end()
    start = first.start()
    while start < end and low[start] in "\"'":
        start += 1
    while end > start and low[end - 1] == '"':
        end -= 1
    return (start, end) if end > start else None


def _clause_end(low: str, position: int) -> int:
    match = SENTENCE_END.search(low, position)
    return match.start() if match else len(low)


def _keyword_spans(text: str, low: str) -> List[Span]:
    spans: List[Span] = []
    for match in KEYWORD.finditer(low):
        weak = match.group("weak") is not None
        if match.group("contact"):
            spans.extend(_contact_after(text, low, match.end()))
            continue
        secret = _secret_after(text, low, match.end(), weak)
        if secret:
            spans.append(secret)
        if not weak:
            # A safety net: in the rest of the sentence, secret-looking words go too.
            stop = _clause_end(low, match.end())
            for token in TOKEN.finditer(low, match.end(), stop):
                raw = text[token.start() : token.end()]
                if _looks_secret(raw) and not _is_ordinary_number(low, token):
                    spans.append(token.span())
    for match in SECRET_BEFORE_KEYWORD.finditer(low):
        spans.extend(_secret_before(text, low, match.start()))
    return spans


def _is_ordinary_number(low: str, token: re.Match) -> bool:
    """A year, or a number with its unit ("2024", "35h", "1200 €")."""
    word = token.group().strip(".,;:!?")
    if re.fullmatch(r"(?:19|20)\d\d", word):
        return True
    return bool(re.match(r"\s*(?:€|eur|euros?|h|heures?)\b", low[token.end() :]))


def _contact_after(text: str, low: str, position: int) -> List[Span]:
    """After "mon téléphone", "mon mail": digits and an address in the clause."""
    position, explicit, _sign = _skip_fillers(low, position)
    stop = _clause_end(low, position)
    spans = []
    for match in DIGIT_RUN.finditer(text, position, stop):
        if len(_digits(match.group())) >= 8:
            spans.append(match.span())
    if explicit:
        first = TOKEN.search(low, position, stop)
        if first and ("@" in low[first.start() : stop] or "arobase" in low[first.start() : stop]):
            spans.append((first.start(), stop))
    return spans


def _secret_before(text: str, low: str, position: int) -> List[Span]:
    """ "Soleil2024 c'est mon mot de passe": the words before, from the clause's start."""
    start = max(low.rfind(c, 0, position) for c in ".;!?\n") + 1
    tokens = list(TOKEN.finditer(low, start, position))
    while tokens and _word(tokens[0].group()) in _LEAD_WORDS:
        tokens.pop(0)
    if not tokens or len(tokens) > 4:
        return []
    first = _word(tokens[0].group())
    if first in NOT_A_SECRET and not _looks_secret(text[tokens[0].start() : tokens[0].end()]):
        return []
    return [(tokens[0].start(), tokens[-1].end())]


def _protected(low: str) -> List[Span]:
    return [m.span() for m in SUMMARY_LINK.finditer(low)] if "/resume/" in low else []


def _without(spans: List[Span], protected: List[Span]) -> List[Span]:
    if not protected:
        return spans
    kept = []
    for start, end in spans:
        pieces = [(start, end)]
        for p_start, p_end in protected:
            pieces = [
                piece
                for s, e in pieces
                for piece in ((s, min(e, p_start)), (max(s, p_end), e))
                if piece[1] > piece[0]
            ]
        kept.extend(pieces)
    return kept


def _aggressive_spans(text: str) -> List[Span]:
    """When credentials are known to be given: every secret-looking word too.

    Numbers alone are left to the other rules: the classifier may be wrong, and "mon code
    postal c'est 69008" must stay readable.
    """
    spans = [
        m.span()
        for m in PASSWORD_LIKE.finditer(text)
        if not ORDINARY_TOKEN.fullmatch(m.group()) and not FRENCH_WORD.fullmatch(m.group())
    ]
    for token in TOKEN.finditer(text):
        if _looks_secret(token.group()) and not token.group().strip(".,;:!?").isdigit():
            spans.append(token.span())
    # Spaced characters: "S o l e i l 2 0 2 4". Spaced digits alone are a number, left to
    # the number rules like any other ("j'ai appelé le 3 9 4 9", as the kiosk writes it).
    spans.extend(
        m.span()
        for m in re.finditer(r"(?<!\S)(?:\w ){3,}\w(?!\S)", text)
        if any(c.isalpha() for c in m.group())
    )
    return spans


def _normalised_spans(copy: Normalised, aggressive: bool) -> List[Span]:
    text = copy.text
    low = _lower(text)
    spans = _number_spans(text, low)
    spans.extend(_keyword_spans(text, low))
    if aggressive:
        spans.extend(_aggressive_spans(text))
    return _merge(_trimmed(text, _without(spans, _protected(low))))


def _trimmed(text: str, spans: Iterable[Span]) -> List[Span]:
    """Spans without the spaces at their ends."""
    trimmed = []
    for start, end in spans:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            trimmed.append((start, end))
    return trimmed


def _joined(text: str, spans: List[Span]) -> List[Span]:
    """Spans separated by spaces only become one ("[masqué] [masqué]" says no more)."""
    joined: List[Span] = []
    for start, end in spans:
        if joined and not text[joined[-1][1] : start].strip():
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return joined


def secret_spans(text: str, aggressive: bool = False) -> List[Span]:
    """Character spans of secrets in `text`, merged and sorted.

    `aggressive` also masks any secret-looking word (used when the person is known to be
    giving credentials).
    """
    if not text:
        return []
    copy = normalise(text)
    return _merge(copy.to_original(span) for span in _normalised_spans(copy, aggressive))


def _apply(text: str, spans: Sequence[Span]) -> str:
    if not spans:
        return text
    out, last = [], 0
    for start, end in spans:
        out.append(text[last:start])
        out.append(MASK)
        last = end
    out.append(text[last:])
    return "".join(out)


def mask_text(text: str, aggressive: bool = False) -> str:
    """`text` with every secret replaced by MASK."""
    if not text:
        return text
    return _apply(text, secret_spans(text, aggressive))


def mask_value(value: Any, aggressive: bool = False, fragments: Sequence[str] = ()) -> Any:
    """Masks every string inside a JSON-like value: dict keys and values, lists, strings.

    `fragments` are secrets already cut out of the person's message (`mask_message`): a
    copy of one anywhere in the value is masked too, and a number made of a secret's
    digits becomes MASK.
    """
    if isinstance(value, str):
        return mask_fragments(mask_text(value, aggressive), fragments)
    if isinstance(value, dict):
        return {
            mask_value(key, aggressive, fragments): mask_value(item, aggressive, fragments)
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [mask_value(item, aggressive, fragments) for item in value]
    if fragments and isinstance(value, (int, float)) and not isinstance(value, bool):
        return mask_number(value, fragments)
    return value


# --- conversation-aware masking -------------------------------------------------------


def announces_secret(text: str) -> bool:
    """True for "je vais vous donner mon mot de passe", "voici mon code :" (no secret yet)."""
    if not text:
        return False
    low = _lower(normalise(text).text)
    keyword = next(
        (m for m in KEYWORD.finditer(low) if not m.group("contact") and _is_credential(low, m)),
        None,
    )
    if keyword is None or MASK.lower() in low or secret_spans(text):
        return False
    if ABOUT_THE_SECRET.search(low):
        return False
    rest = low[keyword.end() :].strip(' .:=!"')
    return bool(ANNOUNCE.search(low)) or not rest or bool(re.fullmatch(_CONNECTORS, rest))


def _is_credential(low: str, keyword: re.Match) -> bool:
    return not (keyword.group("weak") and NOT_CREDENTIAL_CODE.match(low, keyword.end()))


def asks_for_secret(bot_text: str) -> bool:
    """True when a bot message asks for a credential ("Quel est votre code ?")."""
    if not bot_text:
        return False
    low = _lower(normalise(bot_text).text)
    if NEVER_GIVE.search(low):
        return False
    for sentence in re.split(r"(?<=[.!?\n])\s*", low):
        if "?" in sentence and ASKS.search(sentence):
            keyword = next(KEYWORD.finditer(sentence), None)
            if keyword and not keyword.group("contact") and _is_credential(sentence, keyword):
                return True
    return False


def secret_expected(
    user_text: Optional[str], bot_text: Optional[str], bot_action: Optional[str]
) -> bool:
    """Whether the next user message may be a secret given alone.

    `user_text` is the person's previous message, `bot_text` and `bot_action` the bot's
    last message since then and the response it came from. True when the person
    announced a secret ("je vais vous donner mon mot de passe"), when the bot asked for a
    credential, or when it has just answered a disclosed credential
    (`utter_disclose_credentials`): people then often send the secret again, alone.
    """
    return (
        announces_secret(user_text or "")
        or asks_for_secret(bot_text or "")
        or bot_action == CREDENTIALS_RESPONSE
    )


def clearly_not_a_secret(text: str, intent: Optional[str], confidence: float) -> bool:
    """A message that answers something else than an expected secret.

    A short yes or no ("oui", "non merci"), a quantity ("35 heures"), or a sentence of
    three words or more, without digits or secret-looking words, that the classifier is
    sure is another question than giving credentials.
    """
    said = words(text)
    if not said:
        return True
    if any(_looks_secret(token) for token in text.split()):
        return False
    if yes_or_no(text) is not None and len(said.split()) <= MAX_YES_NO_WORDS:
        return True
    if QUANTITY_ANSWER.fullmatch(spoken_numbers_to_digits(text).strip(" .!")):
        return True
    if any(c.isdigit() for c in spoken_numbers_to_digits(text)):
        return False  # a code, said or written
    unsure = {CREDENTIALS_INTENT, INFORM_INTENT, FALLBACK_INTENT, None, ""}
    return (
        intent not in unsure
        and confidence >= CLEAR_INTENT_CONFIDENCE
        and len(said.split()) >= MIN_CLEAR_WORDS
    )


@dataclass
class MaskedMessage:
    """A user message once masked: the text to store and what was taken out of it."""

    text: str
    spans: List[Span] = field(default_factory=list)  # in the original text
    whole: bool = False  # the whole message was a secret
    fragments: List[str] = field(default_factory=list)  # the secrets, to chase elsewhere


def mask_message(
    text: str,
    secret_expected: bool = False,
    intent: Optional[str] = None,
    confidence: float = 0.0,
    aggressive: bool = False,
) -> MaskedMessage:
    """One user message, masked knowing the conversation.

    When a secret was expected (`secret_expected`) the whole message is masked, unless it
    is clearly something else (`clearly_not_a_secret`).
    """
    if not text:
        return MaskedMessage(text or "")
    if secret_expected and _has_words(text) and not clearly_not_a_secret(text, intent, confidence):
        protected = _protected(_lower(text))
        spans = _merge(_without([(0, len(text))], protected))
        return MaskedMessage(_apply(text, spans), spans, True, _fragments(text, spans))
    spans = secret_spans(text, aggressive or secret_expected)
    return MaskedMessage(_apply(text, spans), spans, False, _fragments(text, spans))


def _has_words(text: str) -> bool:
    return any(c.isalnum() for c in text)


def _fragments(text: str, spans: Sequence[Span]) -> List[str]:
    """The secrets cut out of `text`, and their longer words (a bot may echo one)."""
    found: List[str] = []
    for start, end in spans:
        piece = text[start:end].strip()
        if not piece:
            continue
        found.append(piece)
        found.extend(w for w in re.findall(r"\w{4,}", piece) if w != piece)
    return found


def mask_fragments(text: str, fragments: Sequence[str]) -> str:
    """`text` with every copy of a known secret masked (case, accents and spaces aside).

    A number is found by its digits too: "482 913" is the secret "482913".
    """
    if not text or not fragments:
        return text
    copy = normalise(text)
    low = _lower(copy.text)
    spans: List[Span] = []
    for fragment in fragments:
        folded = _lower(normalise(fragment).text).strip()
        if len(folded) < 3:
            continue
        start = low.find(folded)
        while start >= 0:
            spans.append((start, start + len(folded)))
            start = low.find(folded, start + 1)
        digits = _digits(folded)
        if len(digits) >= 4 and len(digits) * 2 >= len(re.sub(r"\W", "", folded)):
            for run in DIGIT_RUN.finditer(low):
                if digits in _digits(run.group()):
                    spans.append(run.span())
    spans = _merge(_without(spans, _protected(low)))
    return _apply(text, _joined(text, _merge(copy.to_original(s) for s in spans)))


def mask_number(value: float, fragments: Sequence[str]) -> Any:
    """A number that repeats a secret's digits ("482913" read as 482913.0) becomes MASK."""
    whole = f"{value:.0f}" if float(value).is_integer() else str(value)
    digits = _digits(whole)
    if len(digits) >= 4 and any(digits in _digits(f) for f in fragments):
        return MASK
    return value


__all__ = [
    "MASK",
    "MaskedMessage",
    "Normalised",
    "announces_secret",
    "asks_for_secret",
    "clearly_not_a_secret",
    "mask_fragments",
    "mask_message",
    "mask_number",
    "mask_text",
    "mask_value",
    "normalise",
    "secret_expected",
    "secret_spans",
]
