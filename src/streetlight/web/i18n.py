"""English and French for every page: a gettext-style catalogue kept in code.

Templates call `_("English text")`; English is the message id and French comes from `FRENCH`. A
test reads every template and fails when a `_()` string has no French, or when a page holds text
outside `_()`. The language comes from `?lang=`, else the browser's Accept-Language, else English.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

Language = Literal["en", "fr"]
LANGUAGES: tuple[Language, ...] = ("en", "fr")
DEFAULT: Language = "en"

FRENCH: dict[str, str] = {
    # base.html
    "Streetlight": "Streetlight",
    "Skip to content": "Aller au contenu",
    "Français": "Français",
    "English": "English",
    "In an emergency, call 999.": "En cas d'urgence, appelez le 999.",
    "Staff sign-in": "Connexion du personnel",
    "Signed in as {name} ({role})": "Connecté·e en tant que {name} ({role})",
    "Sign out": "Se déconnecter",
    # home.html
    "Safer streets for women and girls": "Des rues plus sûres pour les femmes et les filles",
    "Streetlight helps the police keep women and girls safe in public places: it shows where "
    "violence and harassment happen, plans patrols there, and lets anyone check on the spot "
    "that a lone plain-clothes officer is genuine.": "Streetlight aide la police à protéger les "
    "femmes et les filles dans l'espace public : il montre où se produisent les violences et le "
    "harcèlement, y planifie les patrouilles et permet à chacun de vérifier sur place qu'un "
    "policier seul en civil est bien un vrai policier.",
    "If you feel unsafe now": "Si vous ne vous sentez pas en sécurité maintenant",
    "Call 999. If you cannot speak, call 999 from a mobile and press 55 when asked.": "Appelez "
    "le 999. Si vous ne pouvez pas parler, appelez le 999 depuis un portable et tapez 55 "
    "quand on vous le demande.",
    "Go into a shop or a house, knock on a door, wave down a bus or shout to a passer-by.": (
        "Entrez dans un magasin ou une maison, frappez à une porte, faites signe à un bus ou "
        "appelez un passant."
    ),
    # signin.html
    "Sign in": "Se connecter",
    "For police staff only. You need your password and the six-digit code from your "
    "authenticator app.": "Réservé au personnel de police. Il vous faut votre mot de passe et "
    "le code à six chiffres de votre application d'authentification.",
    "Username": "Identifiant",
    "Password": "Mot de passe",
    "Six-digit code": "Code à six chiffres",
    "Sign-in failed: check your username, password and code.": "Échec de la connexion : "
    "vérifiez votre identifiant, votre mot de passe et votre code.",
    "Too many failed attempts. Wait {minutes} minutes and try again.": "Trop de tentatives "
    "échouées. Attendez {minutes} minutes puis réessayez.",
    "You have been signed out.": "Vous êtes déconnecté·e.",
    "Please sign in to continue.": "Veuillez vous connecter pour continuer.",
    # dashboard.html
    "Dashboard": "Tableau de bord",
    "Your duty": "Votre service",
    "On duty since {time} UTC, {dress}, area: {area}.": "En service depuis {time} UTC, {dress}, "
    "secteur : {area}.",
    "Off duty.": "Hors service.",
    "in uniform": "en uniforme",
    "in plain clothes": "en civil",
    "Last position sent at {time} UTC.": "Dernière position envoyée à {time} UTC.",
    "Officer status": "Statut des agents",
    "Warrant number": "Numéro de matricule",
    "Suspend": "Suspendre",
    "Reinstate": "Réintégrer",
    "End duty": "Fin de service",
    "Done: {action} for {warrant}.": "Fait : {action} pour {warrant}.",
    "No officer has that warrant number.": "Aucun agent n'a ce numéro de matricule.",
    "suspended": "suspendu",
    "reinstated": "réintégré",
    "duty ended": "service terminé",
    "officer": "agent",
    "operator": "opérateur",
    "supervisor": "superviseur",
    "admin": "administrateur",
    # error.html
    "Not allowed": "Non autorisé",
    "You are not allowed to do this.": "Vous n'êtes pas autorisé·e à faire ceci.",
    "This form has expired. Go back, reload the page and try again.": "Ce formulaire a expiré. "
    "Revenez en arrière, rechargez la page et réessayez.",
    "Not found": "Introuvable",
    "There is no page at this address.": "Il n'y a pas de page à cette adresse.",
    "Back to the home page": "Retour à l'accueil",
    # verify.html, verify_result.html, _advice.html (routers/verify.py)
    "Check a police officer": "Vérifier un policier",
    "Check an officer": "Vérifier un policier",
    "Type this website's address yourself.": "Tapez vous-même l'adresse de ce site.",
    "Never follow a link, scan a QR code or call a phone number given to you by the officer or "
    "anyone with them.": "Ne suivez jamais un lien, ne scannez jamais un QR code et n'appelez "
    "jamais un numéro donné par le policier ou par quelqu'un qui l'accompagne.",
    "Ask the officer for their warrant number and the eight-digit code their app shows. An officer "
    "on duty can always give you both, and the control room will know about this stop.": "Demandez "
    "au policier son numéro de matricule et le code à huit chiffres affiché par son application. "
    "Un policier en service peut toujours vous donner les deux, et la salle de commandement sera "
    "informée de ce contrôle.",
    "Eight-digit code": "Code à huit chiffres",
    "Check": "Vérifier",
    "If the check does not confirm the officer, you will be told what to do, and the control room "
    "will be alerted.": "Si la vérification ne confirme pas le policier, on vous dira quoi faire "
    "et la salle de commandement sera alertée.",
    "We cannot confirm this is a police officer on duty.": "Nous ne pouvons pas confirmer qu'il "
    "s'agit d'un policier en service.",
    "Confirmed: this is a police officer on duty now.": "Confirmé : il s'agit d'un policier "
    "actuellement en service.",
    "Shout to a passer-by.": "Appelez un passant à l'aide.",
    "Go into a shop or a house, or knock on a door.": "Entrez dans un magasin ou une maison, ou "
    "frappez à une porte.",
    "Wave down a bus.": "Faites signe à un bus.",
    "Call 999.": "Appelez le 999.",
    "If you cannot speak, call 999 from a mobile and press 55 when asked.": "Si vous ne pouvez pas "
    "parler, appelez le 999 depuis un portable et tapez 55 quand on vous le demande.",
    "a stop": "un contrôle",
    "a search": "une fouille",
    "an arrest": "une interpellation",
    "a welfare check": "une vérification de votre sécurité",
    "looking for witnesses": "une recherche de témoins",
    "another reason": "un autre motif",
    "Photo of {name}": "Photo de {name}",
    "Name": "Nom",
    "Rank": "Grade",
    "Unit": "Unité",
    "On duty now.": "En service en ce moment.",
    "Reason given for this stop: {reason}, since {time} UTC.": "Motif donné pour ce contrôle : "
    "{reason}, depuis {time} UTC.",
    "Other officers": "Autres policiers",
    "Uniformed officers are on their way: about {minutes} minutes.": "Des policiers en uniforme "
    "arrivent : dans environ {minutes} minutes.",
    "The control room is sending uniformed officers.": "La salle de commandement envoie des "
    "policiers en uniforme.",
    "Uniformed officers have arrived.": "Des policiers en uniforme sont arrivés.",
    "Colleagues of this officer nearby: {count}, the nearest about {metres} metres away.": (
        "Collègues de ce policier à proximité : {count}, le plus proche à environ {metres} mètres."
    ),
    "The control room knows about this stop.": "La salle de commandement est informée de ce "
    "contrôle.",
    "Talk to the control room now": "Parler à la salle de commandement maintenant",
    "This code has now been used and cannot be used again.": "Ce code a été utilisé et ne peut "
    "plus servir.",
    "The control room has been alerted.": "La salle de commandement a été alertée.",
    "Thank you: the control room knows where you are.": "Merci : la salle de commandement sait où "
    "vous êtes.",
    "Tell the control room where you are (optional)": "Dites à la salle de commandement où vous "
    "êtes (facultatif)",
    "Where are you? A street, a shop, a bus stop": "Où êtes-vous ? Une rue, un magasin, un arrêt "
    "de bus",
    "Add my phone's location": "Ajouter la position de mon téléphone",
    "Send to the control room": "Envoyer à la salle de commandement",
    "Your phone's location will be sent.": "La position de votre téléphone sera envoyée.",
    "Your phone did not give a location: type where you are instead.": "Votre téléphone n'a pas "
    "donné de position : tapez plutôt où vous êtes.",
    "Check again": "Vérifier à nouveau",
    # chat.html
    "Talk to the control room": "Parler à la salle de commandement",
    "A police operator who can see this officer's stop will answer here.": "Un opérateur de "
    "police qui voit le contrôle de ce policier vous répondra ici.",
    "You": "Vous",
    "Control room": "Salle de commandement",
    "Your message": "Votre message",
    "Send": "Envoyer",
    "This page reloads every 20 seconds to show new messages.": "Cette page se recharge toutes "
    "les 20 secondes pour afficher les nouveaux messages.",
    # officer.html (routers/officer_app.py)
    "Officer app": "Application agent",
    "Verification code": "Code de vérification",
    "Read it out with your warrant number. It works once, until {time} UTC.": "Lisez-le à voix "
    "haute avec votre numéro de matricule. Il sert une fois, jusqu'à {time} UTC.",
    "Tell the person to type the force's address themselves: never give them a link, QR code or "
    "phone number.": "Dites à la personne de taper elle-même l'adresse de la police : ne lui "
    "donnez jamais de lien, de QR code ni de numéro de téléphone.",
    "Uniformed backup is on its way: about {minutes} minutes.": "Un renfort en uniforme arrive : "
    "dans environ {minutes} minutes.",
    "Backup requested: the control room is finding a uniformed unit.": "Renfort demandé : la "
    "salle de commandement cherche une unité en uniforme.",
    "Log an engagement": "Enregistrer une intervention",
    "Reason": "Motif",
    "Short note": "Courte note",
    "Position": "Position",
    "Position from this phone.": "Position donnée par ce téléphone.",
    "No position from this phone: type it, or leave it empty.": "Pas de position de ce "
    "téléphone : tapez-la, ou laissez vide.",
    "Filled in from this phone when location is allowed; or type it.": "Remplie par ce téléphone "
    "si la localisation est autorisée ; sinon tapez-la.",
    "Latitude": "Latitude",
    "Longitude": "Longitude",
    "Log and get a code": "Enregistrer et obtenir un code",
    "This duty": "Ce service",
    "backup: {status}": "renfort : {status}",
    "New code": "Nouveau code",
    "on its way": "en route",
    "not yet assigned": "pas encore affecté",
    "arrived": "arrivé",
    "cancelled": "annulé",
    "You are not on duty: start a duty before logging an engagement.": "Vous n'êtes pas en "
    "service : prenez votre service avant d'enregistrer une intervention.",
    "This form was already used for a different engagement: reload the page.": "Ce formulaire a "
    "déjà servi pour une autre intervention : rechargez la page.",
    # console.html, _console_live.html (routers/console.py)
    "Live": "En direct",
    "Connection lost: reconnecting…": "Connexion perdue : reconnexion…",
    "This page updates itself.": "Cette page se met à jour toute seule.",
    "Failed checks: possible impersonation": "Vérifications échouées : usurpation possible",
    "Shared location:": "Position partagée :",
    "Acknowledge": "Pris en compte",
    "None.": "Aucun.",
    "Open chats": "Conversations ouvertes",
    "Public": "Public",
    "Reply": "Répondre",
    "Backup requests": "Demandes de renfort",
    "{unit} ({warrant}), {metres} m, about {minutes} min": "{unit} ({warrant}), {metres} m, "
    "environ {minutes} min",
    "Mark arrived": "Marquer arrivé",
    "Engagements": "Interventions",
    "Confirm": "Confirmer",
    "Flag": "Signaler",
    "Confirmed checks": "Vérifications confirmées",
    "verified": "vérifié",
    "unknown warrant number": "matricule inconnu",
    "officer off duty": "agent hors service",
    "officer suspended": "agent suspendu",
    "no engagement logged": "aucune intervention enregistrée",
    "wrong code": "mauvais code",
    "expired code": "code expiré",
    "code already used": "code déjà utilisé",
    "too many attempts": "trop de tentatives",
    "error": "erreur",
    "open": "ouverte",
    "confirmed": "confirmée",
    "flagged": "signalée",
}

Translate = Callable[..., str]


def N_(message: str) -> str:  # noqa: N802 - gettext's name for "mark for translation"
    """Mark a message id in Python code (translated later, in the page); the catalogue test
    finds these too."""
    return message


def translator(language: Language) -> Translate:
    """`_(message, **values)`: the message in `language`, with `{name}` fields filled in."""

    def _(message: str, **values: object) -> str:
        text = FRENCH.get(message, message) if language == "fr" else message
        return text.format(**values) if values else text

    return _


def negotiate(query_lang: str | None, accept_language: str | None) -> Language:
    """`?lang=` wins, then the first supported language in Accept-Language by quality."""
    if query_lang in LANGUAGES:
        return query_lang
    best: tuple[float, int, Language] | None = None
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _sep, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in LANGUAGES:
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _eq, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality <= 0:
            continue
        candidate = (-quality, position, primary)
        if best is None or candidate < best:
            best = candidate
    return best[2] if best is not None else DEFAULT
