"""Valence word lists (about -4..+4) for customer messages in the supported languages."""


def _table(spec: str) -> dict[str, float]:
    table: dict[str, float] = {}
    for item in spec.split():
        word, value = item.rsplit(":", 1)
        table[word.replace("_", " ")] = float(value)
    return table


WORDS: dict[str, float] = _table(
    # English, positive
    "love:3 loved:3 loving:2.5 great:3 awesome:3.1 amazing:3 excellent:3.2 fantastic:3.2"
    " perfect:3 best:3 good:1.9 nice:1.8 happy:2.7 glad:2.2 thanks:1.9 thank:1.8 thx:1.6"
    " ty:1.2 tysm:2.2 appreciate:2.2 appreciated:2.2 helpful:2 friendly:2.1 quick:1 fast:1.1"
    " smooth:1.5 easy:1.3 pleased:2.2 delighted:2.9 wonderful:3 beautiful:2.8 kudos:2.5"
    " impressed:2.5 impressive:2.4 recommend:1.5 enjoy:2 enjoyed:2.2 fun:2 cool:1.3 sweet:1.5"
    " superb:3 brilliant:2.8 outstanding:3 lovely:2.7 favorite:2 favourite:2 fav:1.8 yay:2.4"
    " wow:1.5 hero:2.3 heroes:2.3 rock:1.2 rocks:1.5 legend:2 grateful:2.5 resolved:1.6"
    " solved:1.6 comfortable:1.6 pleasant:2 courteous:2 professional:1.5 polite:1.8 kind:1.8"
    " well:0.6 better:1.3 fine:0.8 ok:0.4 okay:0.4 cheers:1.5 welcome:1.2 win:1.5 worth:1.2"
    " hope:0.8 excited:2.4 exciting:2.2 congrats:2.5 congratulations:2.5 lucky:1.8 fixed:1.3"
    " glad:2 satisfied:2 seamless:2 flawless:2.8 incredible:2.7 phenomenal:3 stellar:2.8"
    # English, negative
    " bad:-2.5 terrible:-3.1 horrible:-3.1 awful:-3.1 worst:-3.4 hate:-3 poor:-2.1"
    " disappointed:-2.4 disappointing:-2.4 frustrated:-2.3 frustrating:-2.3 angry:-2.6"
    " mad:-2 upset:-2.2 annoyed:-2 annoying:-2.2 ridiculous:-2.4 unacceptable:-2.7"
    " useless:-2.5 pathetic:-2.8 rude:-2.5 broken:-2 fail:-2 failed:-2 fails:-2 failure:-2.3"
    " sucks:-2.5 suck:-2.3 crap:-2.5 shit:-2.6 wtf:-2.5 scam:-3 fraud:-3 worse:-2.4"
    " delayed:-1.6 delay:-1.5 delays:-1.6 cancelled:-1.7 canceled:-1.7 lost:-1.8 stuck:-1.9"
    " stranded:-2.4 missed:-1.4 late:-1.4 wrong:-1.7 damaged:-2 missing:-1.6 nobody:-1.2"
    " waste:-2.2 wasted:-2.3 incompetent:-2.8 nightmare:-2.8 mess:-2 hell:-2.2 sad:-2"
    " unhappy:-2.4 complaint:-1.8 problem:-1.5 problems:-1.6 issue:-1.1 issues:-1.3"
    " error:-1.5 bug:-1.2 crash:-1.8 crashed:-2 crashing:-2 ignored:-2.1 ignoring:-2.1"
    " unprofessional:-2.6 disgusting:-3 disgrace:-3 shame:-2 shameful:-2.8 lied:-2.5"
    " liar:-2.7 lies:-2.3 unfortunately:-1.4 sadly:-1.4 ugh:-2 smh:-1.8 fuck:-2.5"
    " rip:-1 ruined:-2.6 ruin:-2.4 hassle:-1.8 joke:-1.2 sucked:-2.5 wait:-0.4 waiting:-1"
    " hours:-0.5 inexcusable:-2.8 deplorable:-3 pain:-1.8 grumpy:-1.8"
    " tired:-1.5 patience:-1 nowhere:-1.5 apology:-0.5 apologies:-0.5 hostage:-2.5 captive:-2"
    " h8:-3 stinks:-2.5 stink:-2.3 lacking:-2 doubt:-1.2 wish:-0.5 owe:-1.2 crazy:-1.2"
    " neveragain:-3 soaked:-1.5 hacked:-2.2 outage:-2 panne:-1.8"
    " compromised:-2.2 faulty:-2.2 defective:-2.3 unresponsive:-2 freezes:-1.6 froze:-1.6"
    " frozen:-1.2 glitch:-1.6 glitchy:-1.8 buggy:-1.8 laggy:-1.8 lagging:-1.6 malfunction:-2"
    " bricked:-2.5 overheating:-1.8"
    " störung:-1.8 storing:-1.8 caída:-1.5 caído:-1.5 unfreundlich:-2.2 scortese:-2.2"
    " onvriendelijk:-2.2 maleducado:-2.2 désagréable:-2.2 sbagliata:-1.2 sbagliato:-1.2"
    " péssimo:-3.2 péssima:-3.2 ótimos:3 urgently:-0.8"
    " lol:0.8 pls:0.1 still:-0.6 again:-0.6 seriously:-1"
    " overbooked:-2 refund:-0.6 nope:-1.2 never:-0.6 sorry:-0.4 unable:-1.2"
    " slow:-1.5 dirty:-2 cold:-0.6 confused:-1.2 confusing:-1.5 worried:-1.5 anxious:-1.5"
    " furious:-3.2 livid:-3.2 outrageous:-2.8 disaster:-2.8 trash:-2.6 garbage:-2.6"
    " overpriced:-2 expensive:-1 refused:-1.8 denied:-1.8 charged:-0.8 stolen:-2.4"
 " unavailable:-1.5 cheap:-1.2 supposedly:-1 horror:-2.5 horrendous:-3 jeopardy:-2"
 " indignation:-2.5 unreliable:-2.2 uncomfortable:-1.8 cramped:-1.6 misinformation:-2"
 " misinformed:-2 rebooked:-0.8 downgraded:-1.6 bumped:-1.4 inconvenience:-1.4"
 " inconvenienced:-1.8 excuse:-1.2 excuses:-1.6 clueless:-2.4 forgot:-1 forgotten:-1.4"
    # Spanish
    " bueno:1.9 buena:1.9 excelente:3.2 genial:3 gracias:1.9 encanta:3 encantó:3"
    " perfecto:3 perfecta:3 rápido:1.2 rápida:1.2 feliz:2.7 contento:2.2 contenta:2.2"
    " mejor:2 increíble:3 amable:2 malo:-2.5 mala:-2.5 pésimo:-3.2 pésima:-3.2 peor:-3"
    " fatal:-2.8 vergüenza:-2.8 decepcionado:-2.4 decepcionada:-2.4 molesto:-2 molesta:-2"
    " harto:-2.3 harta:-2.3 estafa:-3 nadie:-1.2 roto:-2 rota:-2 retraso:-1.5"
    " cancelado:-1.6 cancelada:-1.6 perdido:-1.8 perdida:-1.8 lamentable:-2.8 basura:-2.8"
    " funciona:0.8 ayuda:0.3 queja:-1.8 problema:-1.5 espera:-0.5 horrible:-3.1"
    # French
    " bien:1.5 bon:1.7 bonne:1.7 super:2.5 génial:3 merci:1.9 parfait:3 parfaite:3"
    " content:2.2 contente:2.2 ravi:2.8 ravie:2.8 top:2 rapide:1.2 mauvais:-2.5"
    " mauvaise:-2.5 nul:-2.8 nulle:-2.8 honte:-2.8 déçu:-2.4 déçue:-2.4 inadmissible:-2.8"
    " inacceptable:-2.7 arnaque:-3 pire:-3 retard:-1.5 annulé:-1.6 annulée:-1.6 perdu:-1.8"
    " cassé:-2 cassée:-2 énervé:-2.2 énervée:-2.2 marre:-2.4 lamentable:-2.8"
    " scandaleux:-3 scandale:-3 problème:-1.5 attente:-0.5 fonctionne:0.8 marche:0.6"
    # German
    " gut:1.9 toll:2.8 danke:1.9 perfekt:3 klasse:2.5 prima:2.5 zufrieden:2.2"
    " freundlich:2 schnell:1.2 schlecht:-2.5 schlechter:-2.5 schlechteste:-3.4"
    " furchtbar:-3 schrecklich:-3 katastrophe:-3 enttäuscht:-2.4 ärgerlich:-2.2"
    " unverschämt:-2.8 unverschämtheit:-3 sauer:-2 betrug:-3 kaputt:-2 verspätet:-1.5"
    " verspätung:-1.5 storniert:-1.2 verloren:-1.8 niemand:-1.2 mist:-2.3 frechheit:-2.8"
    " leider:-1.3 funktioniert:0.8 problem:-1.5 ärger:-2 wütend:-2.8 super:2.5"
    # Portuguese
    " bom:1.9 boa:1.9 ótimo:3 ótima:3 obrigado:1.9 obrigada:1.9 adorei:3 amei:3"
    " perfeito:3 satisfeito:2.2 satisfeita:2.2 ruim:-2.5 horrível:-3.1 terrível:-3.1"
    " pior:-3 vergonha:-2.8 chateado:-2.2 chateada:-2.2 absurdo:-2.5 golpe:-2.5"
    " atraso:-1.5 atrasado:-1.5 quebrado:-2 quebrada:-2 ninguém:-1.2 lixo:-3 demora:-1.5"
    # Italian
    " buono:1.9 ottimo:3 ottima:3 eccellente:3.2 grazie:1.9 perfetto:3 fantastico:3"
    " felice:2.7 contenta:2.2 gentile:2 gentilissimi:2.8 veloce:1.2 bravi:2.5 bravo:2.3"
    " pessimo:-3.2 pessima:-3.2 orribile:-3.1 terribile:-3.1 peggio:-3 peggiore:-3"
    " vergogna:-2.8 deluso:-2.4 delusa:-2.4 arrabbiato:-2.5 arrabbiata:-2.5 truffa:-3"
    " ritardo:-1.5 cancellato:-1.6 perso:-1.8 rotto:-2 rotta:-2 nessuno:-1.2 schifo:-3"
    " funziona:0.8 problema:-1.5"
    # Dutch
    " goed:1.9 geweldig:3 bedankt:1.9 dank:1.5 blij:2.5 tevreden:2.2 snel:1.2"
    " vriendelijk:2 fijn:2 slecht:-2.5 slechte:-2.5 vreselijk:-3 verschrikkelijk:-3"
    " waardeloos:-3 teleurgesteld:-2.4 boos:-2.3 belachelijk:-2.5 schandalig:-3"
    " oplichting:-3 vertraging:-1.5 geannuleerd:-1.6 kwijt:-1.8 kapot:-2 jammer:-1.5"
    " werkt:0.8 probleem:-1.5"
)

# Word starts that carry valence in every inflection ("cancelled", "frustrating", "thankful").
STEMS: dict[str, float] = _table(
    "cancel:-1.6 delay:-1.5 disappoint:-2.4 frustrat:-2.3 horribl:-3 terribl:-3"
    " incompeten:-2.8 unprofession:-2.6 ridicul:-2.3 annoy:-2 infuriat:-3 irritat:-2"
    " outrag:-2.8 disgust:-3 pathetic:-2.8 useless:-2.5 hate:-3 screw:-2 rude:-2.5 suck:-2.5"
    " stupid:-2.3 dumb:-2 idiot:-2.7 lousy:-2.5 crap:-2.5 strand:-2.3 misera:-2.8"
    " overbook:-2 overcharg:-2.3 unhelpful:-2.3 unaccept:-2.7 mislead:-2.2 complain:-1.5"
    " fuck:-2.5 damn:-1.8 broke:-1.8 ignor:-1.8 worst:-3.4"
    " thank:1.9 love:3 awesom:3.1 amaz:3 excellen:3.2 fantastic:3.2 appreciat:2.2"
    " wonderful:3 delight:2.9 impress:2.4 recommend:1.5 enjoy:2 helpful:2 friendl:2"
    " brillian:2.8 beautif:2.8 grateful:2.5 gratitude:2.5 gracias:1.9 merci:1.9"
)

NEGATORS = frozenset(
    "not no never don't doesn't didn't isn't wasn't aren't weren't can't cannot won't"
    " haven't hasn't hadn't shouldn't wouldn't couldn't ain't dont doesnt didnt isnt wasnt"
    " arent cant wont havent hasnt nor neither hardly without nothing"
    " nunca ni sin jamás tampoco pas jamais sans aucun aucune nicht kein keine keinen"
    " keiner nie niemals ohne não nem sem non mai senza né niet geen nooit zonder".split()
)

# Negative contractions are complaints in themselves when they have nothing to negate.
BARE_NEGATION_VALENCE = -0.5

# Words that make a clause hypothetical: "would be nice if", "I wish", "might want to".
IRREALIS = frozenset(
    "would could wish if might should hope hopefully ojalá si si hätte wäre würde se zou".split()
)
POLITE_THANKS = frozenset(
    "thanks thank thx ty gracias merci danke obrigado obrigada grazie bedankt".split()
)

# "no" negates in English and Spanish alike; kept apart as it also starts cue phrases.
SOFT_NEGATORS = frozenset({"no"})

BOOSTERS: dict[str, float] = _table(
    "very:0.3 so:0.25 really:0.3 extremely:0.45 super:0.3 totally:0.3 absolutely:0.4"
    " completely:0.35 incredibly:0.4 truly:0.3 highly:0.3 such:0.2 too:0.2 most:0.3"
    " fucking:0.5 freaking:0.4 bloody:0.4 seriously:0.3 beyond:0.3 utterly:0.4"
    " muy:0.3 tan:0.25 súper:0.3 très:0.3 vraiment:0.3 trop:0.25 tellement:0.3"
    " sehr:0.3 echt:0.3 wirklich:0.3 total:0.3 muito:0.3 tão:0.25 molto:0.3 davvero:0.3"
    " troppo:0.25 heel:0.3 erg:0.3 zo:0.25 ontzettend:0.4"
    " slightly:-0.3 kinda:-0.25 somewhat:-0.3 barely:-0.4 little:-0.2 bit:-0.2 poco:-0.3"
    " etwas:-0.25 pouco:-0.3 beetje:-0.3"
)

CONTRASTS = frozenset("but however though although pero sino mais aber mas però maar".split())

EMOJI: dict[str, float] = {
    "😀": 2.2,
    "😃": 2.3,
    "😄": 2.4,
    "😁": 2.2,
    "😆": 2,
    "😊": 2.5,
    "🙂": 1.5,
    "😍": 3,
    "🥰": 3,
    "😘": 2.4,
    "❤": 2.7,
    "💕": 2.6,
    "💖": 2.7,
    "💙": 2.3,
    "💚": 2.3,
    "💛": 2.3,
    "💜": 2.3,
    "🧡": 2.3,
    "👍": 2,
    "👏": 2,
    "🙌": 2.3,
    "🎉": 2.4,
    "✨": 1.2,
    "🙏": 1.5,
    "😉": 1.2,
    "🥳": 2.5,
    "💯": 1.5,
    "⭐": 1.5,
    "🌟": 1.8,
    "✅": 1,
    "😎": 1.8,
    "🤩": 2.8,
    "☺": 2.2,
    "😇": 2,
    "🤗": 2.2,
    "👌": 1.8,
    "💪": 1.5,
    "😂": 0.4,
    "🤣": 0.4,
    "😅": 0.2,
    "😡": -3,
    "🤬": -3.3,
    "😠": -2.8,
    "😤": -2.3,
    "😞": -2.1,
    "😔": -1.8,
    "😢": -2,
    "😭": -2,
    "😩": -2.3,
    "😫": -2.3,
    "🙄": -2,
    "😒": -2,
    "😑": -1.2,
    "😐": -0.6,
    "😕": -1.4,
    "🙁": -1.8,
    "☹": -2.1,
    "👎": -2.5,
    "💔": -2.5,
    "🤦": -2,
    "😖": -2,
    "😣": -2,
    "🤮": -3,
    "🤢": -2.5,
    "💩": -2.5,
    "😬": -1,
    "😱": -1.5,
    "😰": -1.8,
    "😓": -1.5,
    "🥺": -0.8,
    "😪": -1.2,
    "😴": -0.8,
    "🤔": -0.3,
    "⏳": -0.6,
    "⌛": -0.6,
}

EMOTICONS: dict[str, float] = {
    ":)": 2,
    ":-)": 2,
    ":d": 2.4,
    ":-d": 2.4,
    "=)": 2,
    ";)": 1.5,
    ";-)": 1.5,
    "<3": 2.5,
    "xd": 1.8,
    ":p": 1.2,
    ":(": -2,
    ":-(": -2,
    ":'(": -2.3,
    ">:(": -2.8,
    ":/": -1.2,
    ":-/": -1.2,
    ":|": -0.6,
    "d:": -1.5,
    "=(": -2,
}
