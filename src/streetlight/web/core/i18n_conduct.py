"""French for the conduct-report pages (`web/conduct/`): the public's form and receipt pages.
Kept apart from the main catalogue (`i18n.FRENCH` takes it in), as the unit's is. A message the
other public pages already have ("When", "Receipt code") is translated there once."""

from __future__ import annotations

CONDUCT_FRENCH: dict[str, str] = {
    # conduct.html
    "Report an officer's conduct": "Signaler le comportement d'un policier",
    "Tell us about something a police officer did that worried you. You do not need to give "
    "your name or sign in, and nothing here records who you are.": "Dites-nous ce qu'a fait un "
    "policier et qui vous a inquiété. Vous n'avez pas à donner votre nom ni à vous connecter, "
    "et rien ici n'enregistre qui vous êtes.",
    "Your report is locked so that only the investigators it is sent to can read it. It never "
    "goes to the officer you report, to anyone who manages them, or to anyone you name.": "Votre "
    "signalement est verrouillé : seuls les enquêteurs à qui il est envoyé peuvent le lire. Il "
    "n'est jamais transmis au policier que vous signalez, ni à ses supérieurs, ni aux personnes "
    "que vous nommez.",
    "If you are in danger now, call 999.": "Si vous êtes en danger maintenant, appelez le 999 "
    "(ou le 112).",
    "Files are not kept when a form is refused: attach them again.": "Les fichiers ne sont pas "
    "gardés quand un formulaire est refusé : joignez-les à nouveau.",
    "Who are you?": "Qui êtes-vous ?",
    "A member of the public": "Un particulier",
    "I work for the police": "Je travaille pour la police",
    "Staff: you do not need to sign in, and it is better not to. Nothing links this report to "
    "your account.": "Personnel : vous n'avez pas à vous connecter, et mieux vaut ne pas le "
    "faire. Rien ne relie ce signalement à votre compte.",
    "Which officer?": "Quel policier ?",
    "Give what you know. Any one of these helps; none is needed.": "Donnez ce que vous savez. "
    "Chacun de ces éléments aide ; aucun n'est obligatoire.",
    "Warrant number": "Numéro de carte de police",
    "Shoulder number": "Numéro d'épaule",
    "Reference of a check you made on this site": "Référence d'une vérification faite sur ce site",
    "If you checked the officer on the verify page, paste the link of its chat page here.": "Si "
    "vous avez vérifié ce policier sur la page de vérification, collez ici le lien de sa page "
    "de discussion.",
    "Describe the officer": "Décrivez le policier",
    "Other officers involved": "Autres policiers impliqués",
    "Warrant or shoulder numbers, separated by commas. They will not receive your report "
    "either.": "Numéros de carte ou d'épaule, séparés par des virgules. Eux non plus ne "
    "recevront pas votre signalement.",
    "What happened?": "Que s'est-il passé ?",
    "What happened": "Ce qui s'est passé",
    "Where": "Où",
    "Photos or documents": "Photos ou documents",
    "Attach files (optional)": "Joindre des fichiers (facultatif)",
    "Up to {count} photos (JPEG, PNG, WebP), PDF or text files, 10 MB each. Photos are stripped "
    "of where and when they were taken before they are stored; remove such details from "
    "documents yourself.": "Jusqu'à {count} photos (JPEG, PNG, WebP), fichiers PDF ou texte, "
    "10 Mo chacun. Le lieu et l'heure de prise de vue sont retirés des photos avant leur "
    "enregistrement ; retirez vous-même ce genre de détails des documents.",
    "Send the report": "Envoyer le signalement",
    "Already reported? Read the replies with your receipt code": "Déjà signalé ? Lisez les "
    "réponses avec votre code de suivi",
    # public.py: refusals
    "Say what happened (up to 8,000 characters).": "Dites ce qui s'est passé (8 000 caractères "
    "au plus).",
    "The files could not be taken: at most 5 photos (JPEG, PNG, WebP), PDF or text files, 10 MB "
    "each and 25 MB in all.": "Les fichiers n'ont pas pu être acceptés : 5 photos (JPEG, PNG, "
    "WebP), fichiers PDF ou texte au plus, 10 Mo chacun et 25 Mo en tout.",
    "Name at most 5 other officers.": "Nommez 5 autres policiers au plus.",
    "Choose whether you are a member of the public or work for the police.": "Indiquez si vous "
    "êtes un particulier ou si vous travaillez pour la police.",
    "Too many reports have been sent from this connection. Please try again later.": "Trop de "
    "signalements ont été envoyés depuis cette connexion. Veuillez réessayer plus tard.",
    "Write at most 300 characters here.": "Écrivez 300 caractères au plus ici.",
    "Sent. The investigator will see it.": "Envoyé. L'enquêteur le verra.",
    "Write something or attach a file.": "Écrivez quelque chose ou joignez un fichier.",
    # conduct_done.html
    "Thank you for coming forward: your report has been sent.": "Merci d'avoir parlé : votre "
    "signalement a été envoyé.",
    "Write it down now: it is shown only this once.": "Notez-le maintenant : il n'est affiché "
    "qu'une fois.",
    "It is the only key to your report: we do not know who you are, and nobody, not even us, "
    "can find it for you again.": "C'est la seule clé de votre signalement : nous ne savons pas "
    "qui vous êtes, et personne, pas même nous, ne peut vous le retrouver.",
    "With the code you can read the investigators' replies, answer their questions and add "
    "information.": "Avec ce code, vous pouvez lire les réponses des enquêteurs, répondre à "
    "leurs questions et ajouter des informations.",
    "Read the replies": "Lire les réponses",
    "Your report will be acknowledged within 7 days, and you will hear what is being done "
    "within 3 months.": "La réception de votre signalement sera confirmée sous 7 jours, et vous "
    "saurez sous 3 mois ce qui est fait.",
    # conduct_receipt.html and the statuses
    "Your conduct report": "Votre signalement",
    "Sent on {date}.": "Envoyé le {date}.",
    "You, {date}": "Vous, {date}",
    "The investigator, {date}": "L'enquêteur, {date}",
    "Download {name}": "Télécharger {name}",
    "Answer or add information": "Répondre ou ajouter des informations",
    "Twenty letters and numbers in groups of four.": "Vingt lettres et chiffres par groupes de "
    "quatre.",
    "Open my report": "Ouvrir mon signalement",
    "Received. It has not been acknowledged yet.": "Reçu. Sa réception n'a pas encore été "
    "confirmée.",
    "Acknowledged: an investigator has your report.": "Réception confirmée : un enquêteur a "
    "votre signalement.",
    "Being looked into.": "En cours d'examen.",
    "We have asked you a question: please answer below.": "Nous vous avons posé une question : "
    "répondez ci-dessous, s'il vous plaît.",
    "Closed. Thank you for coming forward.": "Clos. Merci d'avoir parlé.",
    # Links from /verify, /safety and the staff dashboard
    "Worried about how this officer treated you? You can report it in confidence, now or "
    "later.": "Inquiet de la façon dont ce policier vous a traité ? Vous pouvez le signaler en "
    "toute confidentialité, maintenant ou plus tard.",
    "To tell us in confidence about an officer's conduct:": "Pour nous signaler en toute "
    "confidentialité le comportement d'un policier :",
    "Concerned about a colleague's conduct? Report it in confidence: you do not need to sign "
    "in, and nothing links the report to your account.": "Inquiet du comportement d'un "
    "collègue ? Signalez-le en toute confidentialité : inutile de vous connecter, rien ne relie "
    "le signalement à votre compte.",
    # The recipients' desk (desk_*.html, desk.py)
    "Conduct reports": "Signalements sur le comportement",
    "Reports are locked with your own key. Type your key password to unlock them for this "
    "session.": "Les signalements sont verrouillés par votre propre clé. Saisissez le mot de "
    "passe de votre clé pour les déverrouiller pendant cette session.",
    "Key password": "Mot de passe de la clé",
    "Unlock": "Déverrouiller",
    "Lock my key": "Verrouiller ma clé",
    "That password does not open your key. Try again.": "Ce mot de passe n'ouvre pas votre "
    "clé. Réessayez.",
    "Reports sent to you, newest first": "Signalements qui vous sont adressés, du plus récent "
    "au plus ancien",
    "Report {number}": "Signalement {number}",
    "Received": "Reçu",
    "Officer": "Policier",
    "Acknowledge by": "Accuser réception avant le",
    "Feedback by": "Répondre avant le",
    "{date} ({state})": "{date} ({state})",
    "described": "décrit",
    "escalated": "transmis à la hiérarchie",
    "Escalated": "Transmis à la hiérarchie",
    "Older reports": "Signalements plus anciens",
    "No report has been sent to you.": "Aucun signalement ne vous a été adressé.",
    "received": "reçu",
    "acknowledged": "réception confirmée",
    "investigating": "en cours d'examen",
    "waiting for the reporter": "en attente de l'auteur du signalement",
    "met": "respecté",
    "due soon": "bientôt dû",
    "overdue": "en retard",
    "The report and the conversation": "Le signalement et les échanges",
    "The reporter, {date}": "L'auteur du signalement, {date}",
    "Note by {name}, {date}": "Note de {name}, {date}",
    "{name} to the reporter, {date}": "{name} à l'auteur du signalement, {date}",
    "Reply to the reporter": "Répondre à l'auteur du signalement",
    "Message": "Message",
    "This is a question: wait for the reporter's answer": "C'est une question : attendre la "
    "réponse de l'auteur du signalement",
    "Send to the reporter": "Envoyer à l'auteur du signalement",
    "Internal note (the reporter does not see it)": "Note interne (l'auteur du signalement ne "
    "la voit pas)",
    "Add the note": "Ajouter la note",
    "Change the status": "Changer le statut",
    "Reports about the same officer": "Signalements sur le même policier",
    "Link another report about the same officer (its number)": "Relier un autre signalement "
    "sur le même policier (son numéro)",
    "The same person made both reports": "La même personne a fait les deux signalements",
    "Link": "Relier",
    "Who received this report, and why": "Qui a reçu ce signalement, et pourquoi",
    "Recipient": "Destinataire",
    "Received it": "L'a reçu",
    "Why": "Pourquoi",
    "yes": "oui",
    "no": "non",
    "Your reply has been sent to the reporter.": "Votre réponse a été envoyée à l'auteur du "
    "signalement.",
    "Your question has been sent to the reporter.": "Votre question a été envoyée à l'auteur "
    "du signalement.",
    "Note added. The reporter does not see notes.": "Note ajoutée. L'auteur du signalement ne "
    "voit pas les notes.",
    "Status changed.": "Statut modifié.",
    "Reports linked.": "Signalements reliés.",
    "Reports linked: the case has escalated to the senior recipients.": "Signalements reliés : "
    "le dossier a été transmis aux destinataires de rang supérieur.",
    "Not a recipient": "Pas destinataire",
    "Only staff enrolled to receive conduct reports can use this desk, and each sees only the "
    "reports sent to them.": "Seuls les membres du personnel inscrits comme destinataires "
    "peuvent utiliser cet espace, et chacun ne voit que les signalements qui lui sont adressés.",
    "Write something first.": "Écrivez d'abord quelque chose.",
    "Give the number of another report you receive.": "Indiquez le numéro d'un autre "
    "signalement que vous recevez.",
    "Handler changed: deadline reminders now go to them.": "Responsable modifié : les rappels "
    "d'échéance lui sont désormais envoyés.",
    "Choose a recipient of this report.": "Choisissez un destinataire de ce signalement.",
    "Handler": "Responsable",
    "nobody yet": "personne pour l'instant",
    "Assign": "Attribuer",
    "The page could not be shown, and nothing you wrote was kept or logged. Try again; if it "
    "happens again, call 101 to report it instead.": "La page n'a pas pu s'afficher, et rien de "
    "ce que vous avez écrit n'a été gardé ni journalisé. Réessayez ; si cela se reproduit, "
    "appelez le 101 pour le signaler.",
}
