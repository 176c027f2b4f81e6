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
