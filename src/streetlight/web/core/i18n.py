"""English and French for every page: a gettext-style catalogue kept in code.

Templates call `_("English text")`; English is the message id and French comes from `FRENCH`. A
test reads every template and fails when a `_()` string has no French, or when a page holds text
outside `_()`. The language comes from `?lang=`, else the browser's Accept-Language, else English.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Literal

from streetlight.web.core.i18n_conduct import CONDUCT_FRENCH
from streetlight.web.core.i18n_unit import UNIT_FRENCH

Language = Literal["en", "fr"]
LANGUAGES: tuple[Language, ...] = ("en", "fr")
DEFAULT: Language = "en"

FRENCH: dict[str, str] = {
    # base.html
    "Streetlight": "Streetlight",
    "Skip to content": "Aller au contenu",
    "Français": "Français",
    "English": "English",
    "In an emergency, call 999.": "En cas d'urgence, appelez le 999 (ou le 112).",
    "Staff sign-in": "Connexion du personnel",
    "Signed in as {name} ({role})": "Connexion : {name} ({role})",
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
    "le 999 (ou le 112). Si vous ne pouvez pas parler, appelez le 999 depuis un portable et composez le 55 "
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
    "You have been signed out.": "Votre session est fermée.",
    "Please sign in to continue.": "Veuillez vous connecter pour continuer.",
    "Use a security key instead of a code": "Utiliser une clé de sécurité au lieu d'un code",
    "Touch your security key, or confirm on your device.": "Touchez votre clé de sécurité, ou "
    "confirmez sur votre appareil.",
    "No security key answered. Try again, or use your code.": "Aucune clé de sécurité n'a "
    "répondu. Réessayez, ou utilisez votre code.",
    # security_keys.html (web/staff/security_keys.py), and the dashboard's link to it
    "Security keys": "Clés de sécurité",
    "A security key or passkey can replace the six-digit code when you sign in. You still type "
    "your password.": "Une clé de sécurité ou une clé d'accès peut remplacer le code à six "
    "chiffres lors de la connexion. Vous tapez toujours votre mot de passe.",
    "Your keys": "Vos clés",
    "added {date}": "ajoutée le {date}",
    "last used {date} UTC": "dernière utilisation le {date} UTC",
    "never used": "jamais utilisée",
    "Remove": "Retirer",
    "Remove the key {label}": "Retirer la clé {label}",
    "You have no security key yet: you sign in with your password and the code from your "
    "authenticator app.": "Vous n'avez pas encore de clé de sécurité : vous vous connectez avec "
    "votre mot de passe et le code de votre application d'authentification.",
    "Add a security key": "Ajouter une clé de sécurité",
    "Adding a key needs JavaScript and a browser that supports security keys.": "Pour ajouter "
    "une clé, il faut JavaScript et un navigateur qui prend en charge les clés de sécurité.",
    "A name for this key": "Un nom pour cette clé",
    "For example: blue key on my keyring": "Par exemple : clé bleue de mon trousseau",
    "The key was not added. Try again, or use another key.": "La clé n'a pas été ajoutée. "
    "Réessayez, ou utilisez une autre clé.",
    "This browser cannot use security keys.": "Ce navigateur ne peut pas utiliser de clés de "
    "sécurité.",
    "Back to the dashboard": "Retour au tableau de bord",
    "Security key added.": "Clé de sécurité ajoutée.",
    "Security key removed.": "Clé de sécurité retirée.",
    "That key was already removed.": "Cette clé avait déjà été retirée.",
    # dashboard.html
    "Dashboard": "Tableau de bord",
    "Your duty": "Votre service",
    "On duty since {time}, {dress}, area: {area}.": "En service depuis {time}, {dress}, "
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
    "unit_officer": "agent d'unité",
    "unit_supervisor": "superviseur d'unité",
    "auditor": "auditeur",
    # error.html
    "Not allowed": "Non autorisé",
    "You are not allowed to do this.": "Vous n'avez pas l'autorisation de faire ceci.",
    "This form has expired. Go back, reload the page and try again.": "Ce formulaire a expiré. "
    "Revenez en arrière, rechargez la page et réessayez.",
    "Cannot save this": "Enregistrement impossible",
    "Something typed in the form cannot be stored. Check it and try again.": "Une saisie du "
    "formulaire ne peut pas être enregistrée. Vérifiez-la et réessayez.",
    "Not found": "Introuvable",
    "There is no page at this address.": "Il n'y a pas de page à cette adresse.",
    "Back to the home page": "Retour à l'accueil",
    # verify.html, verify_result.html, _advice.html (web/verify/router.py)
    "Check a police officer": "Vérifier l'identité d'un policier",
    "Check an officer": "Vérifier l'identité d'un policier",
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
    "Shout to a passer-by.": "Criez pour alerter un passant.",
    "Go into a shop or a house, or knock on a door.": "Entrez dans un magasin ou une maison, ou "
    "frappez à une porte.",
    "Wave down a bus.": "Faites signe à un bus.",
    "Call 999.": "Appelez le 999.",
    "If you cannot speak, call 999 from a mobile and press 55 when asked.": "Si vous ne pouvez pas "
    "parler, appelez le 999 depuis un portable et composez le 55 quand on vous le demande.",
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
    "What the officer logged: {reason}, at {time}.": "Ce que le policier a enregistré : {reason}, "
    "à {time}.",
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
    "If you may have mistyped, check again": "Si vous avez pu faire une faute de frappe, "
    "vérifiez à nouveau",
    # report.html, report_done.html, receipt.html (web/reports/router.py, words.py,
    # forms.py)
    "Error:": "Erreur :",
    "Report a place where you feel unsafe": "Signaler un lieu où vous ne vous sentez pas en "
    "sécurité",
    "Tell the police about a place where you felt unsafe. You do not need to give your name. "
    "Reports help decide where officers patrol and what needs fixing, such as lighting.": "Dites "
    "à la police où vous ne vous sentiez pas en sécurité. Vous n'avez pas à donner votre "
    "nom. Les signalements aident à décider où les policiers patrouillent et ce qu'il faut "
    "réparer, comme l'éclairage.",
    "If you are in danger or a crime is happening now, call 999.": "Si vous êtes en danger ou si "
    "un délit est en train de se commettre, appelez le 999.",
    "Call 999": "Appeler le 999",
    "There is a problem": "Il y a un problème",
    "Where was it?": "Où était-ce ?",
    "Tap the map to put a pin where it happened, or use your location. You can also move the "
    "map and put the pin at its centre.": "Touchez la carte pour placer un marqueur là où c'est "
    "arrivé, ou utilisez votre position. Vous pouvez aussi déplacer la carte et placer le marqueur "
    "en son centre.",
    "The place you chose": "Le lieu que vous avez choisi",
    "Map of the area: tap to put a pin": "Carte du secteur : touchez pour placer un marqueur",
    "Use my location": "Utiliser ma position",
    "Put the pin at the centre of the map": "Placer le marqueur au centre de la carte",
    "Remove the pin": "Retirer le marqueur",
    "Pin placed. Tap again to move it.": "Marqueur placé. Touchez à nouveau pour le déplacer.",
    "Pin placed at your phone's location.": "Marqueur placé à la position de votre téléphone.",
    "Your phone did not give a location: tap the map or describe the place.": "Votre téléphone "
    "n'a pas donné de position : touchez la carte ou décrivez le lieu.",
    "That is outside the area this force covers.": "C'est en dehors du secteur couvert par "
    "cette police.",
    "Pin removed.": "Marqueur retiré.",
    "Your pin is still set.": "Votre marqueur est toujours placé.",
    "Pin placed on {street}. Tap the map to move it.": "Marqueur placé sur {street}. Touchez la "
    "carte pour le déplacer.",
    "Pin placed near {street}. Tap again to move it.": "Marqueur placé près de {street}. "
    "Touchez à nouveau pour le déplacer.",
    "Find a street": "Trouver une rue",
    "Type the name of a street and choose it from the list: the map goes there and the pin is "
    "put on it. You can then move the pin.": "Tapez le nom d'une rue et choisissez-la dans la "
    "liste : la carte s'y place et le marqueur y est mis. Vous pouvez ensuite déplacer le marqueur.",
    "Search": "Rechercher",
    "1 street found": "1 rue trouvée",
    "{count} streets found": "{count} rues trouvées",
    "No street found: check the spelling, or tap the map.": "Aucune rue trouvée : vérifiez "
    "l'orthographe, ou touchez la carte.",
    "Type at least 2 letters of the street's name.": "Tapez au moins 2 lettres du nom de la rue.",
    "The street finder is not working: tap the map or describe the place.": "La recherche de "
    "rue ne fonctionne pas : touchez la carte ou décrivez le lieu.",
    "Streets found": "Rues trouvées",
    "Describe the place": "Décrivez le lieu",
    "A street, a landmark, a bus stop or a park. Needed if you do not put a pin on the map.": (
        "Une rue, un repère connu, un arrêt de bus ou un parc. Nécessaire si vous ne placez pas "
        "de marqueur sur la carte."
    ),
    "What made you feel unsafe?": "Qu'est-ce qui vous a fait vous sentir en insécurité ?",
    "Choose all that apply.": "Cochez tout ce qui s'applique.",
    "The place": "Le lieu",
    "What someone did": "Ce que quelqu'un a fait",
    "Hidden corners or places to hide": "Recoins ou cachettes",
    "Poor layout: no clear view or way out": "Aménagement mal conçu : pas de vue dégagée ni "
    "d'issue",
    "Verbal harassment: comments, catcalls, insults": "Harcèlement verbal : remarques, "
    "sifflements, insultes",
    "An intimidating group": "Un groupe intimidant",
    "Something else": "Autre chose",
    "When was it?": "Quand était-ce ?",
    "Date": "Date",
    "Time of day": "Moment de la journée",
    "Choose a time": "Choisissez une heure",
    "Anything else you want to tell us (optional)": "Autre chose à nous dire (facultatif)",
    "Do not write names, phone numbers, car registrations or anything else that could identify "
    "you or someone else.": "N'écrivez ni noms, ni numéros de téléphone, ni immatriculations, "
    "ni rien qui permette de vous identifier ou d'identifier quelqu'un d'autre.",
    "Up to 1,000 characters.": "Jusqu'à 1 000 caractères.",
    "Rate the place (optional)": "Notez le lieu (facultatif)",
    "From 1 (very poor) to 5 (very good): the questions of a women's safety audit.": "De 1 (très "
    "mauvais) à 5 (très bon) : les questions d'un audit de sécurité des femmes.",
    "Lighting: can you see clearly?": "Éclairage : voit-on clairement ?",
    "Openness: can you see what is ahead and around you?": "Ouverture : voit-on ce qu'il y a "
    "devant et autour de soi ?",
    "Visibility: could other people see you?": "Visibilité : les autres pourraient-ils vous voir ?",
    "People: are there other people around, women among them?": "Présence : y a-t-il d'autres "
    "personnes, dont des femmes ?",
    "Security: is help nearby, such as police, guards or staff?": "Sécurité : de l'aide est-elle "
    "proche (police, agents de sécurité, personnel) ?",
    "Walkway: is the path even, wide and clear?": "Cheminement : le chemin est-il plat, large et "
    "dégagé ?",
    "Transport: is public transport close and frequent?": "Transports : les transports en commun "
    "sont-ils proches et fréquents ?",
    "No answer": "Sans réponse",
    "1 very poor": "1 très mauvais",
    "2 poor": "2 mauvais",
    "3 fair": "3 moyen",
    "4 good": "4 bon",
    "5 very good": "5 très bon",
    "Leave this empty": "Laissez ce champ vide",
    "Before you send": "Avant d'envoyer",
    "What we keep": "Ce que nous gardons",
    "The place, what happened, the date and a 3-hour time band, and your words if you write "
    "any.": "Le lieu, ce qui s'est passé, la date et une tranche de 3 heures, et votre texte si "
    "vous en écrivez un.",
    "Who sees it": "Qui le voit",
    "Police analysts only.": "Seulement les analystes de la police.",
    "What may be made public": "Ce qui peut être rendu public",
    "Only counts of reports for areas of 250 metres, and only for areas with at least 5 "
    "reports. Never your words or the exact place.": "Seulement des nombres de signalements par "
    "zone de 250 mètres, et seulement pour les zones d'au moins 5 signalements. Jamais votre "
    "texte ni le lieu exact.",
    "What we do not keep": "Ce que nous ne gardons pas",
    "Your IP address, an account or anything that identifies your phone or computer.": "Votre "
    "adresse IP, un compte ou quoi que ce soit qui identifie votre téléphone ou votre "
    "ordinateur.",
    "This is not a crime report.": "Ceci n'est pas un dépôt de plainte.",
    "To report a crime, call 101 or report it online.": "Pour signaler un délit, appelez le 101 "
    "ou signalez-le en ligne.",
    "Call 101": "Appeler le 101",
    "Send report": "Envoyer le signalement",
    "Choose at least one thing that made you feel unsafe.": "Cochez au moins une chose qui vous "
    "a fait vous sentir en insécurité.",
    "Enter the date it happened: today or a day in the past year.": "Indiquez la date : "
    "aujourd'hui ou un jour de l'année écoulée.",
    "Choose the time of day it happened.": "Choisissez le moment de la journée.",
    "Put a pin on the map or describe the place (up to 200 characters).": "Placez un marqueur sur "
    "la carte ou décrivez le lieu (200 caractères au plus).",
    "The pin could not be read: put it on the map again.": "Le marqueur n'a pas pu être lu : "
    "placez-le à nouveau sur la carte.",
    "The pin is outside the area this force covers: move it, or describe the place instead.": (
        "Le marqueur est en dehors du secteur couvert par cette police : déplacez-le, ou décrivez "
        "plutôt le lieu."
    ),
    "The map cannot be used at the moment: describe the place instead.": "La carte n'est pas "
    "disponible pour le moment : décrivez plutôt le lieu.",
    "Write at most 1,000 characters, in plain text, in the box for anything else.": "Écrivez "
    "1 000 caractères au plus, en texte simple, dans la case « autre chose ».",
    "Each score goes from 1 (very poor) to 5 (very good).": "Chaque note va de 1 (très mauvais) "
    "à 5 (très bon).",
    "Too many reports have been sent from this connection in the last hour. Please try again "
    "later.": "Trop de signalements ont été envoyés depuis cette connexion dans la dernière "
    "heure. Réessayez plus tard.",
    "You have already sent this report today.": "Vous avez déjà envoyé ce signalement aujourd'hui.",
    "This form has already been sent. To send another report, check the answers and send "
    "again.": "Ce formulaire a déjà été envoyé. Pour envoyer un autre signalement, vérifiez les "
    "réponses et envoyez à nouveau.",
    "This form has expired: check the answers and send again.": "Ce formulaire a expiré : "
    "vérifiez les réponses et envoyez à nouveau.",
    "That was very quick: check the answers and send again.": "C'était très rapide : vérifiez "
    "les réponses et envoyez à nouveau.",
    "Check this answer.": "Vérifiez cette réponse.",
    "Your report has been sent": "Votre signalement a été envoyé",
    "Thank you: your report has been sent.": "Merci : votre signalement a été envoyé.",
    "Your receipt code": "Votre code de suivi",
    "Copied.": "Copié.",
    "Could not copy: write the code down instead.": "Copie impossible : notez plutôt le code.",
    "Copy the code": "Copier le code",
    "Write it down or copy it now: it is shown only this once.": "Notez-le ou copiez-le "
    "maintenant : il n'est affiché que cette fois.",
    "We do not know who you are, so we cannot find it for you again.": "Nous ne savons pas qui "
    "vous êtes : nous ne pourrons donc pas le retrouver pour vous.",
    "To see what the force did about your report, enter the code on the receipt page.": "Pour "
    "voir ce que la police a fait de votre signalement, saisissez le code sur la page de suivi.",
    "Check a receipt": "Suivre un signalement",
    "An analyst reads every report. Reports are counted with others from the same area to "
    "decide where officers patrol and what needs fixing.": "Un analyste lit chaque signalement. "
    "Les signalements sont comptés avec ceux du même secteur pour décider où les policiers "
    "patrouillent et ce qu'il faut réparer.",
    "Report another place": "Signaler un autre lieu",
    "What happened to my report?": "Qu'est devenu mon signalement ?",
    "You said": "Votre signalement",
    "When": "Quand",
    "What made you feel unsafe": "Ce qui vous a fait vous sentir en insécurité",
    "Sent on": "Envoyé le",
    "We did": "Suite donnée",
    "The force's response, {date}:": "La réponse de la police, le {date} :",
    "Check another receipt": "Suivre un autre signalement",
    "Enter the receipt code you were given when you sent your report.": "Saisissez le code de "
    "suivi qui vous a été donné à l'envoi de votre signalement.",
    "Receipt code": "Code de suivi",
    "Sixteen letters and numbers, for example R7KX-94QM-2HFA-8ZCW.": "Seize lettres et "
    "chiffres, par exemple R7KX-94QM-2HFA-8ZCW.",
    "Look it up": "Consulter",
    "We could not find a report with that code. Check it and try again: letters and numbers "
    "only, dashes do not matter.": "Nous n'avons trouvé aucun signalement avec ce code. "
    "Vérifiez-le et réessayez : seuls comptent les lettres et les chiffres, pas les tirets.",
    "Too many codes have been tried from this connection. Try again in an hour.": "Trop de codes "
    "ont été essayés depuis cette connexion. Réessayez dans une heure.",
    "Received. An analyst has not read it yet.": "Reçu. Un analyste ne l'a pas encore lu.",
    "Read and accepted. It now counts in the force's picture of where people feel unsafe, which "
    "guides where officers patrol and what gets fixed.": "Lu et accepté. Il compte désormais "
    "dans la carte des lieux où l'on se sent en insécurité, qui guide les patrouilles et les "
    "réparations.",
    "Read. Someone else reported the same place and time, so the two reports are counted "
    "together.": "Lu. Quelqu'un d'autre a signalé le même lieu au même moment : les deux "
    "signalements sont comptés ensemble.",
    "Read, but it could not be used.": "Lu, mais il n'a pas pu être utilisé.",
    "January": "janvier",
    "February": "février",
    "March": "mars",
    "April": "avril",
    "May": "mai",
    "June": "juin",
    "July": "juillet",
    "August": "août",
    "September": "septembre",
    "October": "octobre",
    "November": "novembre",
    "December": "décembre",
    # safety.html (web/pages/safety.py), and the links to it and to /report
    "Staying safe": "Conseils de sécurité",
    "Report a place": "Signaler un lieu",
    "Follow up your report": "Suivre votre signalement",
    "Enter the code you were given to see what the police did.": "Saisissez le code de suivi "
    "que vous avez reçu pour voir la suite donnée par la police.",
    "Tell us about a place where you feel unsafe, without giving your name.": "Signalez-nous un "
    "lieu où vous ne vous sentez pas en sécurité, sans donner votre nom.",
    "What to do if you feel unsafe, and how to check a plain-clothes officer.": "Que faire si "
    "vous ne vous sentez pas en sécurité, et comment vérifier un policier en civil.",
    "Staying safe: the police's advice": "Conseils de sécurité de la police",
    "In an emergency, or if you are in danger now.": "En cas d'urgence, ou si vous êtes en danger "
    "maintenant.",
    "If you are worried or feel in danger": "Si vous avez peur ou êtes en danger",
    "Run into a house or a shop.": "Réfugiez-vous dans une maison ou un magasin.",
    "Knock on a door.": "Frappez à une porte.",
    "If you cannot speak:": "Si vous ne pouvez pas parler :",
    "call 999 from a mobile, listen, and press 55 when asked. The operator will know you need "
    "the police.": "appelez le 999 depuis un portable, écoutez, et composez le 55 quand on vous le "
    "demande. L'opérateur saura que vous avez besoin de la police.",
    "If a lone police officer in plain clothes stops you": "Si un policier seul en civil vous "
    "arrête",
    "A real officer expects to be asked and will answer. You can ask:": "Un vrai policier "
    "s'attend à ces questions et y répondra. Vous pouvez demander :",
    "Where are your colleagues?": "Où sont vos collègues ?",
    "Where have you come from?": "D'où venez-vous ?",
    "Why are you here?": "Pourquoi êtes-vous ici ?",
    "Why are you stopping me?": "Pourquoi m'arrêtez-vous ?",
    "Ask to hear their radio operator, or to speak to them.": "Demandez à entendre l'opérateur "
    "radio du policier, ou à lui parler.",
    "Other officers should arrive soon after: a lone officer in plain clothes does not deal with "
    "you alone for long.": "D'autres policiers devraient arriver peu après : un policier seul en "
    "civil ne reste pas longtemps seul avec vous.",
    "Check the officer yourself: ask for their warrant number and the code their app shows, and "
    "type this website's address yourself.": "Vérifiez le policier vous-même : demandez son "
    "numéro de matricule et le code affiché par son application, et tapez vous-même l'adresse "
    "de ce site.",
    "When it is not an emergency": "Quand ce n'est pas une urgence",
    "To tell us about a place where you feel unsafe:": "Pour nous signaler un lieu où vous ne "
    "vous sentez pas en sécurité :",
    "This page works without a connection once you have opened it.": "Cette page fonctionne sans "
    "connexion une fois que vous l'avez ouverte.",
    # chat.html
    "Talk to the control room": "Parler à la salle de commandement",
    "A police operator who can see this officer's stop will answer here.": "Un opérateur de "
    "police qui voit le contrôle de ce policier vous répondra ici.",
    "You": "Vous",
    "Control room": "Salle de commandement",
    "Your message": "Votre message",
    "Waiting for the control room to answer. Keep this page open.": "En attente de la réponse "
    "de la salle de commandement. Gardez cette page ouverte.",
    "Send": "Envoyer",
    "This page reloads every 20 seconds to show new messages.": "Cette page se recharge toutes "
    "les 20 secondes pour afficher les nouveaux messages.",
    # officer.html (web/officer/router.py)
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
    # console.html, _console_live.html (web/console/router.py)
    "Live": "En direct",
    "Connection lost: reconnecting…": "Connexion perdue : reconnexion…",
    "This page updates itself.": "Cette page se met à jour toute seule.",
    "Failed checks: possible impersonation": "Vérifications échouées : usurpation possible",
    "Shared location:": "Position partagée :",
    "Acknowledge": "Pris en compte",
    "None.": "Aucun.",
    "Chat with the public": "Conversation avec le public",
    "Public": "Public",
    "Reply": "Répondre",
    "Backup: {status}": "Renfort : {status}",
    "{unit} ({warrant}), {metres} m, about {minutes} min": "{unit} ({warrant}), {metres} m, "
    "environ {minutes} min",
    "Mark arrived": "Marquer arrivé",
    "Stops": "Contrôles",
    "Confirm": "Confirmer",
    "Flag": "Signaler",
    "Checked by the public: confirmed": "Vérifié par le public : confirmé",
    "From earlier stops": "Contrôles précédents",
    "{count} times since {time}": "{count} fois depuis {time}",
    "Each check": "Chaque vérification",
    "{position} (map)": "{position} (carte)",
    "Sound for new alerts": "Son pour les nouvelles alertes",
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
    # analyst: analyst_reports.html, analyst_report.html, analyst_map.html, _analyst_*.html
    # (web/analyst/router.py, map.py, desk.py)
    "analyst": "analyste",
    "Public reports": "Signalements du public",
    "Map of reports and crime hotspots": "Carte des signalements et des points chauds de la "
    "délinquance",
    "Moderation queue": "File de modération",
    "Back to the queue": "Retour à la file",
    "Status": "Statut",
    "Any": "Tous",
    "Time band": "Tranche horaire",
    "Show": "Afficher",
    "all": "tous",
    "pending": "en attente",
    "accepted": "accepté",
    "merged": "fusionné",
    "rejected as spam": "rejeté comme indésirable",
    "Reports {first} to {last}.": "Signalements {first} à {last}.",
    "No reports match these filters.": "Aucun signalement ne correspond à ces filtres.",
    "Pages": "Pages",
    "Previous page": "Page précédente",
    "Next page": "Page suivante",
    "Report #{id}": "Signalement n° {id}",
    "Submitted": "Envoyé le",
    "When it happened": "Quand",
    "What made them feel unsafe": "Ce qui a causé le sentiment d'insécurité",
    "Place": "Lieu",
    "None given.": "Non renseigné.",
    "Not located: a typed description only.": "Non placé : description écrite seulement.",
    "Free text, as written": "Texte libre, tel qu'écrit",
    "Free text (phone numbers, e-mail addresses and vehicle registrations hidden)": "Texte libre "
    "(numéros de téléphone, adresses e-mail et immatriculations masqués)",
    "Audit scores (1 very poor, 5 very good)": "Notes d'audit (1 très mauvais, 5 très bon)",
    "{factor}: {score}": "{factor} : {score}",
    "Possible duplicates": "Doublons possibles",
    "Merged into": "Fusionné dans",
    "What we did (shown to the reporter)": "Ce que nous avons fait (montré à l'auteur du "
    "signalement)",
    "Accept": "Accepter",
    "Reject as spam": "Rejeter comme indésirable",
    "Merge into report number": "Fusionner dans le signalement numéro",
    "Merge": "Fusionner",
    "What we did (the reporter sees this with their receipt code)": "Ce que nous avons fait "
    "(l'auteur du signalement le voit avec son code de suivi)",
    "Save the response": "Enregistrer la réponse",
    "Locate this report on the map": "Placer ce signalement sur la carte",
    "Save the position": "Enregistrer la position",
    "Streets this place may be on:": "Rues où ce lieu pourrait se trouver :",
    "Locate on {street}": "Placer sur {street}",
    "This page shows what the reporter wrote, unscrubbed; opening it is recorded in the audit "
    "log.": "Cette page montre le texte tel que l'auteur l'a écrit, non masqué ; son ouverture "
    "est inscrite au journal d'audit.",
    "The filters apply to the reports and the perception layer, and to the exports.": "Les "
    "filtres s'appliquent aux signalements, à la couche de perception et aux exports.",
    "Map": "Carte",
    "Report": "Signalement",
    "Reports": "Signalements",
    "Reports (exact points)": "Signalements (points exacts)",
    "Perception: reports per 250 m cell": "Perception : signalements par maille de 250 m",
    "Crime hotspots: top 5% of next month's forecast": "Points chauds de la délinquance : les 5 % "
    "de mailles en tête de la prévision du mois prochain",
    "This layer could not be loaded.": "Cette couche n'a pas pu être chargée.",
    "The map needs JavaScript. The moderation queue and the exports work without it.": "La "
    "carte a besoin de JavaScript. La file de modération et les exports fonctionnent sans.",
    "The layers": "Les couches",
    "Accepted reports where the reporter put them. Exact points are for analysts only and never "
    "leave the force.": "Les signalements acceptés, là où leurs auteurs les ont placés. Les "
    "points exacts sont réservés aux analystes et ne sortent jamais de la police.",
    "Accepted reports counted per 250 m cell. Not suppressed: cells with fewer than 5 reports "
    "show here, for analysts, but never in public maps or exports.": "Les signalements acceptés "
    "comptés par maille de 250 m. Sans masquage : les mailles de moins de 5 signalements "
    "apparaissent ici, pour les analystes, mais jamais sur les cartes publiques ni dans les "
    "exports.",
    "The 5% of 150 m cells with the highest forecast of violence and sexual offences next month "
    "(model {model}), from the incident store.": "Les 5 % de mailles de 150 m où la prévision "
    "de violences et d'infractions sexuelles pour le mois prochain est la plus forte (modèle "
    "{model}), d'après la base des faits enregistrés.",
    "Export at public precision": "Export à la précision publique",
    "For partners and open data: accepted reports counted per 250 m cell, only cells with at "
    "least 5 reports, times as three-hour bands; no points, dates or text. The filters above "
    "apply.": "Pour les partenaires et les données ouvertes : les signalements acceptés comptés "
    "par maille de 250 m, seulement les mailles d'au moins 5 signalements, les heures en "
    "tranches de trois heures ; ni points, ni dates, ni texte. Les filtres ci-dessus "
    "s'appliquent.",
    "Download GeoJSON": "Télécharger en GeoJSON",
    "Download CSV": "Télécharger en CSV",
    "There is no report #{id}.": "Il n'y a pas de signalement n° {id}.",
    "Report #{id}: {reason}": "Signalement n° {id} : {reason}",
    "Give the number of the report to merge into.": "Indiquez le numéro du signalement dans "
    "lequel fusionner.",
    "Give the position as two numbers: latitude and longitude.": "Indiquez la position par deux "
    "nombres : latitude et longitude.",
    "No crime data in the incident store yet: the hotspot layer is empty.": "Pas encore de "
    "données de délinquance dans la base : la couche des points chauds est vide.",
    "No hotspot forecast from the incident store: {reason}": "Pas de prévision des points "
    "chauds d'après la base : {reason}",
    "Crime hotspots: forecast for {month}, from crimes recorded up to {last}.": "Points chauds : "
    "prévision pour {month}, d'après les faits enregistrés jusqu'à {last}.",
    "Perception layer, not suppressed (analysts only): cells with reports: {cells}; accepted "
    "reports without a position: {unplaced}.": "Couche de perception, sans masquage (analystes "
    "seulement) : mailles avec des signalements : {cells} ; signalements acceptés sans "
    "position : {unplaced}.",
    "Accepted reports with a position: {count}.": "Signalements acceptés avec une position : "
    "{count}.",
    "Report #{id} accepted.": "Signalement n° {id} accepté.",
    "Report #{id} rejected as spam.": "Signalement n° {id} rejeté comme indésirable.",
    "Report #{id} merged into report #{into}.": "Signalement n° {id} fusionné dans le "
    "signalement n° {into}.",
    "Response saved for report #{id}: the reporter sees it with their receipt.": "Réponse "
    "enregistrée pour le signalement n° {id} : son auteur la voit avec son code de suivi.",
    "Report #{id} located.": "Signalement n° {id} placé sur la carte.",
    "Poor lighting": "Mauvais éclairage",
    "Isolated or deserted": "Isolé ou désert",
    "No CCTV": "Pas de vidéosurveillance",
    "Being followed": "Quelqu'un vous suivait",
    "Indecent exposure": "Exhibitionnisme",
    "Unwanted touching": "Attouchements",
    "Lighting": "Éclairage",
    "Openness": "Ouverture",
    "Visibility": "Visibilité",
    "People around": "Présence de monde",
    "Security": "Sécurité",
    "Walkway": "Cheminement",
    "Transport": "Transports",
    # Alerts that cannot be buried, codes burnt by wrong tries (console, officer app)
    "Not listed one by one": "Non listées une par une",
    "{first} to {last}: {unknown} checks of unknown warrant numbers, {refused} refused by the "
    "limits": "De {first} à {last} : {unknown} vérifications de matricules inconnus, {refused} "
    "refusées par les limites",
    "Someone entered wrong codes: give a new code.": "Quelqu'un a saisi de mauvais codes : "
    "donnez un nouveau code.",
    "Checks locked: too many wrong codes for your warrant number today. Every check of it "
    "fails until midnight UTC; tell the control room.": "Vérifications bloquées : trop de "
    "mauvais codes pour votre matricule aujourd'hui. Toute vérification échoue jusqu'à minuit "
    "UTC ; prévenez la salle de commandement.",
    "code burnt": "code grillé",
    "same unit as request {number}": "même unité que la demande {number}",
    # errors.py: the database away, a body over its cap
    "Service unavailable": "Service indisponible",
    "The service cannot answer right now. Try again in a few minutes. In an emergency, call "
    "999.": "Le service ne peut pas répondre pour le moment. Réessayez dans quelques minutes. "
    "En cas d'urgence, appelez le 999.",
    "Too much to send": "Envoi trop volumineux",
    "What was sent is too large for this form. Shorten it and try again. In an emergency, call "
    "999.": "Ce qui a été envoyé est trop volumineux pour ce formulaire. Raccourcissez-le et "
    "réessayez. En cas d'urgence, appelez le 999.",
    # The offender unit's staff pages (web/unit/): their own module, for length
    **UNIT_FRENCH,
    **CONDUCT_FRENCH,
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


def clock_time(at: datetime, zone: tzinfo, language: Language) -> str:
    """`at` as a wall clock in the force's zone, as each language writes it: 21:05, 21 h 05.
    Pages never say "UTC": the public reads the time on their own phone."""
    local = at.astimezone(zone)
    return local.strftime("%H h %M") if language == "fr" else local.strftime("%H:%M")
