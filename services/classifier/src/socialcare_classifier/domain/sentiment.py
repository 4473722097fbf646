"""Sentiment of customer messages: lexicon, emoji, negation, emphasis and complaint cues."""

import math
import re

from socialcare_classifier.domain.sentiment_lexicon import (
    BARE_NEGATION_VALENCE,
    BOOSTERS,
    CONTRASTS,
    EMOJI,
    EMOTICONS,
    IRREALIS,
    NEGATORS,
    POLITE_THANKS,
    SOFT_NEGATORS,
    STEMS,
    WORDS,
)
from socialcare_classifier.domain.text import CLAUSE_BREAK, URL_RE, prepare
from socialcare_contracts.events import Sentiment, SentimentLabel

NEGATIVE_AT = -0.15
POSITIVE_AT = 0.3
NEGATION_SCOPE = 3
NEGATION_FACTOR = -0.74

# Customer-care situations that are complaints even without an emotional word.
_PHRASES: tuple[tuple[float, str], ...] = (
    (
        -3.0,
        r"thanks? (?:you )?for nothing|never again|no clue|testing my patience|what a joke"
        r"|thanks a lot for \w+ing",
    ),
    (
        -2.5,
        r"waste of (?:my )?(?:time|money)|rip(?:ped)? ?off|fed up|sick (?:and tired )?of"
        r"|tired of|are you (?:kidding|serious)|kidding me|false advertising|j'en ai marre"
        r"|expect(?:ed)? (?:better|more)"
        r"|never (?:fly|flying|order|ordering|buy|buying|use|using|shop|shopping)",
    ),
    (
        -2.2,
        r"still (?:waiting|no|not|nothing|haven't|have not|hasn't|don't|can't|unable)"
        r"|been waiting|no (?:one|body) (?:is )?(?:answer|respond|help|pick|call|repl)\w*"
        r"|no (?:response|reply|answer|help|update|updates|refund|compensation|explanation)"
        r"|(?:not|isn't|doesn't|don't|won't|stopped|never) (?:work|working|works|arrived)"
        r"|(?:hasn't|didn't|haven't|never|not yet) (?:arrived|received|shown up|come)"
        r"|sigo esperando|no (?:me )?(?:funciona|ha llegado|llegó|responden)|todavía no"
        r"|(?:fonctionne|marche) (?:pas|plus)|toujours pas|pas (?:encore )?(?:reçu|arrivé)"
        r"|funktioniert (?:immer noch )?nicht|immer noch (?:nicht|kein)|nicht angekommen"
        r"|não (?:funciona|chegou|recebi|responde)|ainda não|non (?:funziona|è arrivat)"
        r"|non ho (?:ancora )?ricevuto|ancora (?:niente|nulla|non)|werkt (?:nog steeds )?niet"
        r"|nog steeds (?:niet|geen)|niet (?:aangekomen|ontvangen)",
    ),
    (
        -1.5,
        r"hung up|disconnected|impossible|get (?:its|your|their) act together|lack of"
        r"|supposed to|why (?:is|are|does|do|did|would|can't|won't|isn't|wasn't|hasn't|should)"
        r"|can't (?:get|reach|find|believe|talk|speak|even|seem)|\?\?|\?!|!\?"
        r"|(?:has|have)n't (?:heard|responded|replied)|(?:has|have) not (?:heard|responded)",
    ),
    (
        -2.0,
        r"not loading|won't load|blank page|keeps crashing|fora do ar|non carica|no carga"
        r"|ligt eruit|è giù|never (?:arrives|arrived|came|comes|showed)|twice|two times"
        r"|zweimal|deux fois|dos veces|duas vezes|due volte|twee keer|unable to|not able to"
        r"|no puedo|n'arrive pas|kann nicht|komme nicht|não consigo|non riesco|kan niet"
        r"|wacht al|warte seit|aspetto|esperando há|sigo esperando",
    ),
    (
        -1.8,
        r"on hold|lost (?:my )?(?:bag|bags|luggage|package|parcel|order)|missed (?:my )?"
        r"connection|where(?: is|'s) my|how (?:hard|difficult) is it|yet again|yet another"
        r"|\d+\s?(?:hours|hrs|hour|days|weeks|mins|minutes)\b",
    ),
    (
        # Factual complaints: what the company made the customer do, or left them without.
        -1.8,
        r"(?:made|making|make|forced|forcing) (?:me|us) (?:to )?(?:miss|wait|pay|sit|stand|sleep"
        r"|rebook|buy|spend|check|walk|run|call)|(?:had|have|having) to (?:wait|pay|walk|call|sit"
        r"|stand|sleep|rebook|buy|spend|drive|cancel|beg|chase|explain|repeat)"
        r"|(?:ran|run|running) out of|not so sure"
        r"|no (?:tv|tvs|wifi|power|food|water|outlets?|seats?|info|information|way|crew|gate"
        r"|pilot|agents?|staff|communication)\b|why no\b|what's up with|quit (?:being|\w+ing)"
        r"|should(?:n't| not) (?:take|have|be|happen|need)|should(?: have|'ve) (?:been|told|had)"
        r"|(?:been|keep|kept) (?:trying|calling)|get through|for (?:hours|days|ages)"
        r"|(?:an? |one |two |\d+ )?(?:hour|hr|day)s? (?:late|delay|behind|wait)",
    ),
    (
        2.5,
        r"well done|good job|great job|made my day|above and beyond|shout ?out|keep it up"
        r"|can't wait|cannot wait|you guys rock|no problem|no worries|can't complain"
        r"|lo máximo|au top|spitze",
    ),
)
_PHRASE_RES = tuple((value, re.compile(pattern)) for value, pattern in _PHRASES)

_SARCASM_RE = re.compile(
    r"thanks? (?:you )?(?:so much |a lot )?for (?:nothing|losing|delaying|cancel+ing|ruining"
    r"|wasting|ignoring|making me wait|leaving|stranding|overcharging|the delay|the runaround)"
    r"|#not\b|/s\b|yeah right|oh great|just great|just perfect|love (?:it )?(?:when|how)"
    r"|love being|nothing like|so much for|🙄"
)
# Thanks trailing off after a wait ("Finally got an agent after another hour. Thanks…") is
# the grudging kind: read as sarcasm, not as praise.
_GRUDGING_THANKS_RE = re.compile(r"\bthanks?(?: you)?\s*(?:…|\.{2,})")
_WAITED_RE = re.compile(
    r"\bfinally\b|another (?:hour|day|week|\d+)|after (?:\d+|an?|two|three|several) (?:more )?"
    r"(?:hours?|days?|weeks?|calls?|tries)|(?:hours?|days?|weeks?) later")
# Complaint hashtags glue words together (#baggagefail, #worstairline): read their parts.
_HASHTAG_CUE_RE = re.compile(
    r"#\w*(?:fail|worst|never ?again|sucks|fml|scam|ripoff|shame|bad|terrible|awful|poor)\w*")
_EMOJI_RE = re.compile("|".join(re.escape(e) for e in sorted(EMOJI, key=len, reverse=True)))
_EMOTICON_RE = re.compile(
    r"(?:(?<=\s)|^)("
    + "|".join(re.escape(e) for e in sorted(EMOTICONS, key=len, reverse=True))
    + r")(?=\s|$|[.!?,])",
    re.IGNORECASE,
)
_CJK_RE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]")
# Longest first: a negated phrase is consumed before its positive stem can match.
_CJK_CUES: tuple[tuple[str, float], ...] = tuple(
    sorted(
        {
            "良くない": -2.0,
            "よくない": -2.0,
            "ありがとう": 2.0,
            "感謝": 2.0,
            "最悪": -3.2,
            "最高": 3.0,
            "ひどい": -2.5,
            "酷い": -2.5,
            "遅い": -1.5,
            "届かない": -2.0,
            "届いていません": -2.0,
            "届きません": -2.0,
            "困って": -2.0,
            "助かり": 2.0,
            "嬉しい": 2.5,
            "うれしい": 2.5,
            "素晴らしい": 3.0,
            "残念": -2.0,
            "怒": -2.5,
            "壊れ": -2.0,
            "できません": -1.2,
            "使えない": -2.0,
            "返金": -0.6,
            "まだ": -0.8,
            "大好き": 3.0,
            "좋지 않": -2.0,
            "안 좋": -2.0,
            "감사": 2.0,
            "고마": 2.0,
            "최악": -3.2,
            "최고": 3.0,
            "실망": -2.4,
            "화가": -2.5,
            "짜증": -2.5,
            "불편": -1.6,
            "좋아요": 2.2,
            "좋네요": 2.2,
            "좋": 1.5,
            "안 돼": -1.8,
            "안돼": -1.8,
            "안 와": -1.8,
            "아직": -0.8,
            "환불": -0.6,
            "고장": -2.0,
            "먹통": -2.0,
            "障害": -1.8,
            "繋がらない": -1.8,
            "嬉し": 2.5,
            "親切": 2.0,
            "二重": -1.5,
            "助か": 2.0,
            "늦": -1.2,
            "사랑": 2.8,
            "谢谢": 2.0,
            "垃圾": -3.0,
            "太差": -3.0,
            "很好": 2.0,
            "失望": -2.4,
            "生气": -2.5,
            "还没": -1.2,
        }.items(),
        key=lambda kv: len(kv[0]),
        reverse=True,
    )
)


_ELONGATED_RE = re.compile(r"(\w)\1{2,}")


def _word_valence(word: str) -> float:
    value = WORDS.get(word)
    if value is not None:
        return value
    if _ELONGATED_RE.search(word):
        # "sloooow", "soooo bad": drawn-out words keep their meaning (and their emphasis).
        for squeezed in (_ELONGATED_RE.sub(r"\1\1", word), _ELONGATED_RE.sub(r"\1", word)):
            value = WORDS.get(squeezed)
            if value is not None:
                return value * 1.3
    for k in range(min(len(word), 11), 3, -1):
        value = STEMS.get(word[:k])
        if value is not None:
            return value
    return 0.0


def _lexicon_sum(tokens: tuple[str, ...], caps: frozenset[str], question: bool) -> float:
    valences = [_word_valence(t) if t != CLAUSE_BREAK else 0.0 for t in tokens]
    contrast_at = max((i for i, t in enumerate(tokens) if t in CONTRASTS), default=-1)
    total = 0.0
    negated_until = -1
    negation_used = True
    irrealis = False
    last = len(tokens) - 1
    for i, token in enumerate(tokens):
        if token == CLAUSE_BREAK or token in NEGATORS or (token in SOFT_NEGATORS and i < last):
            if not negation_used and "'" in tokens[negated_until - NEGATION_SCOPE]:
                total += BARE_NEGATION_VALENCE
            negation_used = True
            if token == CLAUSE_BREAK:
                negated_until, irrealis = -1, False
            else:
                negated_until, negation_used = i + NEGATION_SCOPE, False
            continue
        if token in IRREALIS:
            irrealis = True
        value = valences[i]
        if not value or (token in BOOSTERS and i < last and valences[i + 1]):
            continue
        if i > 0 and tokens[i - 1] in BOOSTERS:
            value *= 1.0 + BOOSTERS[tokens[i - 1]]
        if token in caps:
            value *= 1.5
        if i <= negated_until:
            value *= NEGATION_FACTOR
            negation_used = True
        if value > 0 and (irrealis or (question and token in POLITE_THANKS)):
            # "Would be nice if..." and "Can you check? Thanks" are requests, not praise.
            value *= 0.3
        if contrast_at >= 0:
            # After "but" is what the customer means; before it is politeness.
            value *= 1.5 if i > contrast_at else 0.5
        total += value
    if not negation_used and "'" in tokens[negated_until - NEGATION_SCOPE]:
        total += BARE_NEGATION_VALENCE
    return total


def _symbols_sum(raw: str) -> float:
    seen: dict[str, int] = {}
    total = 0.0
    for m in _EMOJI_RE.finditer(raw):
        emoji = m.group(0)
        seen[emoji] = seen.get(emoji, 0) + 1
        # A row of the same emoji is one feeling, not five.
        if seen[emoji] <= 2:
            total += EMOJI[emoji]
    no_urls = URL_RE.sub(" ", raw)
    total += sum(EMOTICONS[m.group(1).lower()] for m in _EMOTICON_RE.finditer(no_urls))
    return total


def _cjk_sum(text: str) -> float:
    total = 0.0
    for cue, value in _CJK_CUES:
        if cue in text:
            total += value * text.count(cue)
            text = text.replace(cue, " ")
    return total


def score_text(text: str) -> float:
    """Raw valence sum before squashing; positive is good."""
    prepared = prepare(text)
    lower = prepared.lower
    caps = [w for w in prepared.cased_words if len(w) > 2 and w.isupper()]
    shouting = len(caps) >= 3 and len(caps) * 2 >= len(prepared.words)
    # Shouting is scored as a whole below; single capitalised words are emphasis.
    total = _lexicon_sum(
        prepared.tokens,
        frozenset() if shouting else frozenset(w.lower() for w in caps),
        "?" in text,
    )
    for value, pattern in _PHRASE_RES:
        total += value * len(pattern.findall(lower))
    total += _symbols_sum(text)
    total -= 2.0 * len(_HASHTAG_CUE_RE.findall(text.lower()))
    if _CJK_RE.search(text):
        total += _cjk_sum(prepared.clean)
    if (_SARCASM_RE.search(lower) or _SARCASM_RE.search(text)
            or (_GRUDGING_THANKS_RE.search(lower) and _WAITED_RE.search(lower))):
        total = -abs(total) - 1.5
    if shouting:
        total = total * 1.3 if total else -1.0
    bangs = min(text.count("!"), 4)
    if bangs and total:
        total += math.copysign(0.3 * bangs, total)
    return total


def analyze_sentiment(text: str) -> Sentiment:
    """Label and score (-1..1) of a message's sentiment."""
    return lexicon_sentiment(score_text(text))


def lexicon_sentiment(total: float) -> Sentiment:
    """The lexicon's label and score (-1..1) for a raw valence sum (``score_text``)."""
    score = total / math.sqrt(total * total + 15.0)
    if score <= NEGATIVE_AT:
        label = SentimentLabel.NEGATIVE
    elif score >= POSITIVE_AT:
        label = SentimentLabel.POSITIVE
    else:
        label = SentimentLabel.NEUTRAL
    return Sentiment(label=label, score=round(max(-1.0, min(1.0, score)), 4))
