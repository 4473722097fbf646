"""Hand-written word and character profiles for the Latin-script languages we detect.

Function words dominate short texts, so they carry most of the weight; a few common
customer-care words help when a message has almost no function words ("flight delayed").
"""

STOPWORDS: dict[str, str] = {
    "en": (
        "the a an and or but is are was were be been am i i'm im you your you're my me we our"
        " us they their them it it's its this that these those to of in on at for with from by"
        " not no don't can't cannot won't didn't doesn't isn't wasn't haven't have has had do"
        " does did will would could should just still what when where why how who which there"
        " here so very really too again about please thanks thank any all some if then than"
        " get got been up out off only now"
    ),
    "es": (
        "el la los las un una unos unas y o pero es son fue era soy estoy está están estaba"
        " de del al en con sin por para que qué quién cómo como cuando cuándo donde dónde mi"
        " mis tu tus su sus nos yo me te se le les lo no sí muy ya aún todavía hoy nada este"
        " esta esto ese esa hay han ha he tengo tiene pero porque gracias favor ayuda también"
        " nunca siempre otra vez día días hace"
    ),
    "fr": (
        "le la les un une des et ou mais est sont était suis je j'ai tu il elle nous vous ils"
        " elles on de du au aux en dans sur avec sans pour par que qui quoi quand comment où"
        " mon ma mes ton ta tes son sa ses notre votre vos leur ce cet cette ces ne pas plus"
        " rien jamais très déjà encore toujours aujourd'hui merci c'est n'est j'ai bonjour"
        " pourquoi parce avoir été fait depuis"
    ),
    "de": (
        "der die das ein eine einen einem einer und oder aber ist sind war bin ich du er sie vielen"
        " es wir ihr mich mir mein meine meinen dein sein ihre unser euer von zu mit ohne für"
        " auf an in im am bei nach aus über nicht kein keine keinen noch schon sehr immer nie"
        " wieder wann warum wie wo was wer heute danke bitte hallo seit habe hat haben wurde"
        " wird auch nur doch mal jetzt geht"
    ),
    "pt": (
        "o a os as um uma uns umas e ou mas é são foi era sou estou está estão de do da dos"
        " das em no na nos nas com sem por para pelo pela que quem como quando onde meu minha"
        " meus minhas seu sua seus suas eu você vocês ele ela nós não sim muito já ainda hoje"
        " nada isso esse essa este esta obrigado obrigada também nunca sempre tenho tem foram"
        " até porque vez dias"
    ),
    "it": (
        "il lo la i gli le un uno una e o ma è sono era ero sto sta stanno di del della dei"
        " delle al alla in nel nella con senza per da che chi come quando dove mio mia miei"
        " mie tuo tua suo sua io tu lui lei noi voi loro non sì molto già ancora oggi niente"
        " nulla questo questa quello quella grazie anche mai sempre ho hai ha abbiamo perché"
        " ci mi ti si ne più"
    ),
    "nl": (
        "de het een en of maar is zijn was ben ik jij je u hij zij wij we jullie mijn mij"
        " me jouw uw zijn haar ons onze van te met zonder voor op aan in bij naar uit over"
        " niet geen nog al heel erg altijd nooit weer wanneer waarom hoe waar wat wie vandaag"
        " bedankt dank alsjeblieft hallo sinds heb heeft hebben wordt werd ook alleen toch"
        " dit dat deze die er"
    ),
    # Catalan: only its own words, so the profiles do not push Catalan towards Spanish.
    "ca": (
        "els però és són sóc estic amb sense què quan meva meves nosaltres vosaltres molt"
        " avui aquest aquesta això tinc gràcies mai vegada vegades perquè ningú encara ahir"
        " comanda feu heu han d'arribar l'aplicació"
    ),
    # Galician, which lingua does not know: only words neither Portuguese nor Spanish
    # write, so that their weight says "Galician" and not "Iberian".
    "gl": (
        "unha unhas grazas moito moita moitos moitas xa hoxe onte mañá tamén aínda coa coas"
        " polo pola polos polas dende deica ninguén ningunha algunha vostede vós teño tiña"
        " fixen xente xeito máis cando iso isto bos boas miña miñas túa súa dúas dous"
        " podedes facedes tedes sodes estades sen hai agardando mensaxe axuda atopei moi ben"
        " vergoña servizo contrasinal choiva tenda rapaces xeral subscrición dixo dixen"
        " dixeron dixéronme"
    ),
}

# Words that are not function words yet strongly suggest a language in customer messages.
CONTENT_WORDS: dict[str, str] = {
    "en": (
        "order delivery package shipping refund flight delayed cancelled customer service"
        " help account password app website store worst great love thank awesome guys"
        " waiting hours days bag luggage support never ever"
        # Internet English: alone in a short tweet it would leave lingua guessing.
        " thx thnx tysvm ty pls plz lol lmao lmfao omg wtf idk btw ur u yes yeah yay okay"
        " dm fav rt"
    ),
    "es": (
        "pedido envío entrega reembolso cuenta contraseña tienda servicio cliente llegó"
        " funciona horas semanas pésimo excelente genial hola compra ayuda espera"
    ),
    "fr": (
        "commande livraison colis remboursement compte mot passe magasin service client"
        " reçu fonctionne heures semaines nul génial super attente salut achat aide"
    ),
    "de": (
        "bestellung lieferung paket rückerstattung konto passwort laden kundenservice"
        " funktioniert stunden wochen schlecht toll super warte angekommen hilfe"
    ),
    "pt": (
        "pedido entrega encomenda reembolso conta senha loja atendimento cliente chegou"
        " funciona horas semanas péssimo ótimo excelente olá compra ajuda"
    ),
    "it": (
        "ordine consegna pacco rimborso account password negozio servizio clienti arrivato"
        " funziona ore settimane pessimo ottimo ciao acquisto aiuto attesa"
    ),
    "nl": (
        "bestelling levering pakket terugbetaling account wachtwoord winkel klantenservice"
        " werkt uur weken slecht geweldig super wachten aangekomen hulp storing jullie"
    ),
}

# Letters that only some of the languages write.
CHAR_CUES: dict[str, tuple[str, ...]] = {
    "ñ": ("es",),
    "¿": ("es",),
    "¡": ("es",),
    "ã": ("pt",),
    "õ": ("pt",),
    "ç": ("fr", "pt"),
    "ß": ("de",),
    "ä": ("de",),
    "ö": ("de",),
    "ü": ("de",),
    "è": ("fr", "it"),
    "ê": ("fr", "pt"),
    "à": ("fr", "it", "pt"),
    "ù": ("fr",),
    "â": ("fr", "pt"),
    "î": ("fr",),
    "ô": ("fr", "pt"),
    "œ": ("fr",),
    "ò": ("it",),
    "ì": ("it",),
    "í": ("es", "pt"),
    "ó": ("es", "pt"),
    "ú": ("es", "pt"),
    "á": ("es", "pt"),
}

SUFFIX_CUES: dict[str, tuple[str, ...]] = {
    "ción": ("es",),
    "ciones": ("es",),
    "ção": ("pt",),
    "ções": ("pt",),
    "zione": ("it",),
    "zioni": ("it",),
    "mente": ("es", "it", "pt"),
    "ung": ("de",),
    "heit": ("de",),
    "keit": ("de",),
    "lich": ("de",),
    "lijk": ("nl",),
    "heid": ("nl",),
    "tje": ("nl",),
    "eux": ("fr",),
    "aux": ("fr",),
    "ment": ("fr", "en"),
    "ness": ("en",),
    "ing": ("en",),
    "tion": ("en", "fr"),
    "ly": ("en",),
}

LANGUAGES: tuple[str, ...] = tuple(STOPWORDS)


def _word_table() -> dict[str, tuple[tuple[str, float], ...]]:
    # A word shared by several languages splits its weight between them.
    owners: dict[str, dict[str, float]] = {}
    for table, weight in ((STOPWORDS, 1.0), (CONTENT_WORDS, 0.6)):
        for lang, words in table.items():
            for word in words.split():
                owners.setdefault(word, {})
                owners[word][lang] = max(owners[word].get(lang, 0.0), weight)
    return {
        word: tuple((lang, w / len(langs)) for lang, w in langs.items())
        for word, langs in owners.items()
    }


WORD_WEIGHTS = _word_table()
