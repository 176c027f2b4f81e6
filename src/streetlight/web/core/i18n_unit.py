"""French for the offender unit's staff pages (`web/unit/`), kept apart from the public pages'
catalogue (`i18n.FRENCH` takes it in) because it is long and only staff read it. English law
and its acronyms (PACE, DVPN, DVPO) are kept as they are: they name English procedures. A
message the public pages already have ("open", "cancelled", "When") is translated there once."""

from __future__ import annotations

UNIT_FRENCH: dict[str, str] = {
    # Navigation and the dashboard's links (pages/templates/dashboard.html, _unit_nav.html)
    "Offender unit": "Unité auteurs",
    "Offender unit: caseload": "Unité auteurs : dossiers",
    "Caseload": "Dossiers",
    "Bail and orders": "Contrôle et ordonnances",
    "Unit dashboard": "Tableau de bord de l'unité",
    "Audit log": "Journal d'audit",
    "Audit log of the casework": "Journal d'audit des dossiers",
    # The caseload (unit_caseload.html, _unit_task.html)
    "My caseload": "Mes dossiers",
    "The unit's caseload": "Les dossiers de l'unité",
    "Open tasks": "Tâches ouvertes",
    "{count} of {total} overdue, shown first.": "{count} sur {total} en retard, affichées en "
    "premier.",
    "Due": "Échéance",
    "Task": "Tâche",
    "Person": "Personne",
    "Assigned to": "Attribuée à",
    "No open tasks.": "Aucune tâche ouverte.",
    "People": "Personnes",
    "Offences": "Infractions",
    "Review due": "Réexamen prévu",
    "Held by": "Suivie par",
    "Person {short}": "Personne {short}",
    "suspect in {suspect}, victim in {victim}": "suspect dans {suspect}, victime dans {victim}",
    "{open} ({overdue} overdue)": "{open} ({overdue} en retard)",
    "due now": "à faire maintenant",
    "Nobody is on this caseload.": "Personne n'est suivi dans ces dossiers.",
    "Reviews due": "Réexamens à faire",
    "These records are past their review date: each may be kept only on a recorded decision.": (
        "Ces dossiers ont dépassé leur date de réexamen : chacun ne peut être conservé que sur "
        "une décision enregistrée."
    ),
    "review due {date}": "réexamen prévu le {date}",
    "{days} days overdue": "{days} jours de retard",
    "nobody yet": "personne pour l'instant",
    "Save": "Enregistrer",
    "Task updated.": "Tâche mise à jour.",
    "That task cannot be changed: it does not exist, or it is not yours to change.": (
        "Cette tâche ne peut pas être modifiée : elle n'existe pas, ou il ne vous revient pas "
        "de la modifier."
    ),
    "The record was erased. The audit log keeps who erased it, when and why.": (
        "Le dossier a été effacé. Le journal d'audit garde qui l'a effacé, quand et pourquoi."
    ),
    # A person's record (unit_person.html)
    "Your opening of this record is in the audit log.": "Votre consultation de ce dossier est "
    "inscrite au journal d'audit.",
    "Date of birth": "Date de naissance",
    "Sex": "Sexe",
    "Self-defined ethnicity": "Origine ethnique déclarée",
    "nobody": "personne",
    "not recorded": "non renseigné",
    "Victims": "Victimes",
    "crime {ref}, {relationship}: safeguarding {status}": "infraction {ref}, {relationship} : "
    "protection {status}",
    "Suspects of offences against this person": "Suspects des infractions contre cette personne",
    "crime {ref}": "infraction {ref}",
    "Orders": "Ordonnances",
    "protecting this person, against {name}": "protégeant cette personne, contre {name}",
    "against this person, protecting {name}": "contre cette personne, protégeant {name}",
    "against this person": "contre cette personne",
    "{ref}: from {starts} until {expires}": "{ref} : du {starts} au {expires}",
    "further order": "nouvel ordre du tribunal",
    "Last breached {when}": "Dernière violation le {when}",
    "Timeline": "Chronologie",
    "{group}, crime {ref}, reported {reported}: {part}": "{group}, infraction {ref}, signalée le "
    "{reported} : {part}",
    "safeguarding {status}": "protection {status}",
    "crime {ref}: {outcome}": "infraction {ref} : {outcome}",
    "crime {ref}, until {expires}": "infraction {ref}, jusqu'au {expires}",
    "decided: {decision}; next review {date}": "décision : {decision} ; prochain réexamen {date}",
    "none": "aucun",
    "Nothing recorded yet.": "Rien d'enregistré pour l'instant.",
    "Where the offences were": "Lieux des infractions",
    "{count} offence locations, north up": "{count} lieux d'infraction, nord en haut",
    "crime {ref}: {part}": "infraction {ref} : {part}",
    "{metres} m": "{metres} m",
    "as suspect": "comme suspect",
    "as victim": "comme victime",
    "as witness": "comme témoin",
    "No offence of this person has a location.": "Aucune infraction de cette personne n'a de lieu.",
    "Review": "Réexamen",
    "{when}: {decision} by {who}, next review {date}. Reason: {reason}": "{when} : {decision} "
    "par {who}, prochain réexamen {date}. Motif : {reason}",
    "No review decision recorded yet.": "Aucune décision de réexamen enregistrée pour l'instant.",
    "someone since removed": "une personne depuis retirée",
    "Decision": "Décision",
    "Keep the record until the next review": "Conserver le dossier jusqu'au prochain réexamen",
    "Erase the record and everything only it holds": "Effacer le dossier et tout ce qui "
    "n'appartient qu'à lui",
    "Next review (when keeping)": "Prochain réexamen (si conservé)",
    "Reason (kept in the audit log: no names)": "Motif (gardé au journal d'audit : aucun nom)",
    "Record the decision": "Enregistrer la décision",
    "Review recorded: the record is kept until its next review.": "Réexamen enregistré : le "
    "dossier est conservé jusqu'à son prochain réexamen.",
    "Give a reason (at most 500 characters): it is kept in the audit log.": "Donnez un motif "
    "(500 caractères au plus) : il est gardé au journal d'audit.",
    "Give the date of the next review, after today and within ten years.": "Donnez la date du "
    "prochain réexamen, après aujourd'hui et dans les dix ans.",
    "Choose whether to keep or erase the record.": "Choisissez de conserver ou d'effacer le "
    "dossier.",
    "Subject access export": "Export pour droit d'accès",
    "Everything held on this person as a file, for a subject access request. Other people are "
    "not named; read the free text before sending it.": "Tout ce qui est détenu sur cette "
    "personne, en un fichier, pour une demande de droit d'accès. Les autres personnes ne sont "
    "pas nommées ; relisez le texte libre avant de l'envoyer.",
    "Request reference or reason (kept in the audit log)": "Référence de la demande ou motif "
    "(gardé au journal d'audit)",
    "Download the export": "Télécharger l'export",
    # The reason asked before opening someone off one's caseload, and not found
    "Why do you need this record?": "Pourquoi avez-vous besoin de ce dossier ?",
    "This address is not a person on your caseload. If it is someone you need to look at, say "
    "why: your reason and your opening of the record are kept in the audit log, which the "
    "unit's auditor reads.": "Cette adresse n'est pas celle d'une personne de vos dossiers. "
    "S'il s'agit de quelqu'un que vous devez consulter, dites pourquoi : votre motif et votre "
    "consultation sont gardés au journal d'audit, que lit l'auditeur de l'unité.",
    "Reason (no names: a case or referral number)": "Motif (aucun nom : un numéro d'affaire ou "
    "de signalement)",
    "Open the record": "Ouvrir le dossier",
    "There is no such person in the unit's casework.": "Cette personne n'existe pas dans les "
    "dossiers de l'unité.",
    # The board (unit_board.html)
    "Everything ending in the next 14 days, lapsed without a decision, or breached, most urgent "
    "first, with the action it needs.": "Tout ce qui prend fin dans les 14 prochains jours, a "
    "expiré sans décision ou a été violé, le plus urgent en premier, avec l'action requise.",
    "Nothing on the board: no bail or order needs action now.": "Rien à traiter : aucun "
    "contrôle ni aucune ordonnance ne demande d'action maintenant.",
    "Breached": "Violée",
    "Lapsed without a decision": "Expiré sans décision",
    "Ending within 14 days": "Prend fin dans les 14 jours",
    "The whole board": "Tout le tableau",
    "{first} to {last} of {total}, most urgent first.": "{first} à {last} sur {total}, le plus "
    "urgent en premier.",
    "The next {count}": "Les {count} suivants",
    "more than {count}": "plus de {count}",
    "Harm list": "Classement par gravité",
    "rank {rank}, {standing}": "rang {rank}, {standing}",
    "{first} to {last} of {total}, most overdue tasks first.": "{first} à {last} sur {total}, "
    "les tâches les plus en retard en premier.",
    "The {count} most urgent are listed here; every task is on its person's page.": "Les "
    "{count} plus urgentes sont listées ici ; chaque tâche figure sur la page de sa personne.",
    "Bail ends on {date}: charge, or ask {authority} to extend it before then (PACE "
    "s47ZD-ZG); otherwise record release under investigation or no further action.": "La "
    "libération sous caution prend fin le {date} : inculpez, ou demandez à {authority} de la "
    "prolonger avant cette date (PACE s47ZD-ZG) ; sinon, enregistrez une libération pendant "
    "l'enquête ou un classement.",
    "Bail ended on {date} with no decision recorded: record the charge, further bail or "
    "release under investigation, and tell the victim.": "La libération sous caution a pris fin "
    "le {date} sans décision enregistrée : enregistrez l'inculpation, une nouvelle caution ou "
    "une libération pendant l'enquête, et informez la victime.",
    "The notice ends on {date}: a DVPO application must be heard before then (Crime and "
    "Security Act 2010 s27).": "L'avis prend fin le {date} : une demande de DVPO doit être "
    "entendue avant cette date (Crime and Security Act 2010 s27).",
    "The DVPO ends on {date}: with the victim, consider a non-molestation order or other "
    "longer protection.": "La DVPO prend fin le {date} : avec la victime, envisagez une "
    "ordonnance de non-harcèlement ou une autre protection plus longue.",
    "The order ends on {date}: ask the protected person whether to apply to renew or vary "
    "it.": "L'ordonnance prend fin le {date} : demandez à la personne protégée s'il faut "
    "demander son renouvellement ou sa modification.",
    "The notice ended on {date} with no DVPO after it: record why, and check the victim's "
    "safety.": "L'avis a pris fin le {date} sans DVPO ensuite : enregistrez pourquoi, et "
    "vérifiez la sécurité de la victime.",
    "The order ended on {date} with no order after it: check the protected person's safety "
    "and record whether a new order is needed.": "L'ordonnance a pris fin le {date} sans "
    "ordonnance ensuite : vérifiez la sécurité de la personne protégée et enregistrez s'il en "
    "faut une nouvelle.",
    "Breached on {date}: arrest; the person must be brought before a magistrates' court "
    "within 24 hours (Crime and Security Act 2010 s26 and s29).": "Violée le {date} : "
    "interpellez ; la personne doit être présentée à un tribunal de première instance dans "
    "les 24 heures (Crime and Security Act 2010 s26 et s29).",
    "Breached on {date}: breaching this order is a criminal offence; record it, arrest and "
    "tell the protected person.": "Violée le {date} : violer cette ordonnance est une "
    "infraction pénale ; enregistrez-la, interpellez et informez la personne protégée.",
    "The victim's views on bail conditions have not been recorded: seek them.": "L'avis de la "
    "victime sur les conditions de la caution n'a pas été recueilli : demandez-le.",
    # The dashboard (unit_dashboard.html)
    "Counts only: each arrest, charge and outcome in the month it happened; the time to "
    "arrest runs from the crime's report (an arrest before the report counts as none).": (
        "Des comptes seulement : chaque interpellation, inculpation et issue dans le mois où "
        "elle a eu lieu ; le délai d'interpellation court depuis le signalement de "
        "l'infraction (une interpellation antérieure au signalement compte pour zéro)."
    ),
    "Arrests": "Interpellations",
    "Charges": "Inculpations",
    "Outcomes": "Issues",
    "Median time from report to arrest": "Délai médian du signalement à l'interpellation",
    "Median time to arrest": "Délai médian d'interpellation",
    "By month": "Par mois",
    "Month": "Mois",
    "Offence group": "Groupe d'infractions",
    "all groups": "tous les groupes",
    "By offence group, over the twelve months": "Par groupe d'infractions, sur les douze mois",
    "Outcome": "Issue",
    "No outcomes recorded in these months.": "Aucune issue enregistrée ces mois-ci.",
    "{days} days": "{days} jours",
    "no arrests": "aucune interpellation",
    # The auditor's log (unit_audit.html)
    "Who consulted, changed, disclosed or erased which record, when and why. Records are "
    "named by their token only; their content is not shown here.": "Qui a consulté, modifié, "
    "communiqué ou effacé quel dossier, quand et pourquoi. Les dossiers ne sont désignés que "
    "par leur jeton ; leur contenu n'est pas affiché ici.",
    "Action": "Action",
    "Person token": "Jeton de la personne",
    "Who": "Qui",
    "Subject": "Objet",
    "Why and what": "Pourquoi et quoi",
    "Reason: {reason}": "Motif : {reason}",
    "Recipient: {recipient}": "Destinataire : {recipient}",
    "Decision: {decision}, next review {date}": "Décision : {decision}, prochain réexamen {date}",
    "Changed: {columns}": "Modifié : {columns}",
    "Answered {status}": "Réponse {status}",
    "{people} people listed": "{people} personnes listées",
    "Older entries": "Entrées plus anciennes",
    "No entries.": "Aucune entrée.",
    # Errors of the unit's pages (web/unit/desk.py)
    "Something went wrong": "Une erreur s'est produite",
    "The page could not be shown. Nothing about the people in the casework was logged. Try "
    "again; if it happens again, tell the system's administrator the time.": "La page n'a pas "
    "pu être affichée. Rien sur les personnes des dossiers n'a été journalisé. Réessayez ; si "
    "cela se reproduit, donnez l'heure à l'administrateur du système.",
    # The casework's words (web/unit/words.py)
    "suspect": "suspect",
    "victim": "victime",
    "witness": "témoin",
    "not yet assessed": "pas encore évaluée",
    "action needed": "action nécessaire",
    "in place": "en place",
    "support declined": "soutien refusé",
    "closed": "close",
    "partner": "partenaire",
    "ex-partner": "ex-partenaire",
    "family": "famille",
    "acquaintance": "connaissance",
    "stranger": "inconnu",
    "relationship not known": "relation inconnue",
    "female": "féminin",
    "male": "masculin",
    "Arrest": "Interpellation",
    "Safeguard the victim": "Protéger la victime",
    "Apply for an order": "Demander une ordonnance",
    "Review bail": "Réexaminer la caution",
    "Interview": "Audition",
    "Other task": "Autre tâche",
    "in progress": "en cours",
    "done": "faite",
    "Pre-charge bail": "Libération sous caution avant inculpation",
    "Released under investigation": "Libéré pendant l'enquête",
    "an inspector": "un inspecteur",
    "a superintendent": "un commissaire",
    "an assistant chief constable or commander": "un directeur adjoint de la police",
    "a magistrates' court": "un tribunal de première instance",
    "Domestic violence protection notice": "Avis de protection contre les violences "
    "domestiques (DVPN)",
    "Domestic violence protection order": "Ordonnance de protection contre les violences "
    "domestiques (DVPO)",
    "Non-molestation order": "Ordonnance de non-harcèlement",
    "Restraining order": "Ordonnance restrictive",
    "Stalking protection order": "Ordonnance de protection contre le harcèlement obsessionnel",
    "Sexual harm prevention order": "Ordonnance de prévention des atteintes sexuelles",
    "retain": "conserver",
    "erase": "effacer",
    "Offence": "Infraction",
    "Charged": "Inculpé",
    "Bail": "Caution",
    "Order": "Ordonnance",
    "Order breached": "Ordonnance violée",
    "import": "import",
    "consultation": "consultation",
    "alteration": "modification",
    "disclosure": "communication",
    "review": "réexamen",
    "erasure": "effacement",
    "list viewed": "liste consultée",
    "refused": "refus",
    # The harm ranking's list (unit_list.html, the person page's "Ranking" section)
    "Harm ranking list": "Liste de classement par gravité",
    "Ranking": "Classement",
    "The list is a prompt, not a decision: nobody is tasked from it until a supervisor adopts "
    "them, with a reason. Decisions expire and come back for review (adopt and not now after "
    "{adopt} months, remove after {remove} months).": (
        "La liste est une alerte, pas une décision : personne n'en reçoit de tâche avant qu'un "
        "encadrant ne l'ait retenu, motif à l'appui. Les décisions expirent et reviennent en "
        "réexamen (retenir et pas maintenant après {adopt} mois, retirer après {remove} mois)."
    ),
    "You see the people you hold whom a supervisor has adopted.": (
        "Vous voyez les personnes que vous suivez et qu'un encadrant a retenues."
    ),
    "V100: summed harm (CCHI days) of VAWG allegations, 365 days": (
        "V100 : gravité cumulée (jours CCHI) des signalements VAWG, 365 jours"
    ),
    "RFGV: recency, frequency, gravity and victims of domestic abuse, 3 years": (
        "RFGV : récence, fréquence, gravité et victimes des violences conjugales, 3 ans"
    ),
    "Count of VAWG allegations, 365 days (for comparison)": (
        "Nombre de signalements VAWG, 365 jours (pour comparaison)"
    ),
    "Most recent VAWG allegation, 365 days (for comparison)": (
        "Signalement VAWG le plus récent, 365 jours (pour comparaison)"
    ),
    "Refreshed as of {date} by {who} at {when}: the first {listed} of {ranked} people ranked.": (
        "Actualisée au {date} par {who} le {when} : les {listed} premières des {ranked} "
        "personnes classées."
    ),
    "This list has not been refreshed yet.": "Cette liste n'a pas encore été actualisée.",
    "How many people to list": "Nombre de personnes à lister",
    "Refresh the list as of today": "Actualiser la liste à la date du jour",
    "Rank {rank}:": "Rang {rank} :",
    "Score {score}": "Score {score}",
    "Earlier decision, now expired:": "Décision antérieure, expirée :",
    "{decision} on {when} by {who}, until {until}. Reason: {reason}": (
        "{decision} le {when} par {who}, jusqu'au {until}. Motif : {reason}"
    ),
    "Why: offence by offence": "Pourquoi : infraction par infraction",
    "Details": "Précisions",
    "Create a task from the list": "Créer une tâche depuis la liste",
    "Nobody to show on this list.": "Personne à afficher sur cette liste.",
    "Rank {rank} as of {date}, score {score}": "Rang {rank} au {date}, score {score}",
    "Not on any harm ranking list.": "Sur aucune liste de classement par gravité.",
    "List decisions": "Décisions sur la liste",
    "The list was refreshed as of today. Earlier decisions stand.": (
        "La liste a été actualisée à la date du jour. Les décisions antérieures restent valables."
    ),
    "Decision recorded, with its reason, in the audit log.": (
        "Décision enregistrée, avec son motif, au journal d'audit."
    ),
    "Task created from the list.": "Tâche créée depuis la liste.",
    "Choose adopt, not now or remove.": "Choisissez retenir, pas maintenant ou retirer.",
    "The list keeps 1 to 1000 people.": "La liste compte de 1 à 1000 personnes.",
    "Nobody is tasked from the list until a supervisor has adopted them: record an adopt "
    "decision first (or renew one that has expired).": (
        "Personne ne reçoit de tâche depuis la liste avant qu'un encadrant ne l'ait retenu : "
        "enregistrez d'abord une décision de le retenir (ou renouvelez celle qui a expiré)."
    ),
    "Choose the task and a due date.": "Choisissez la tâche et une échéance.",
    "adopt": "retenir",
    "not now": "pas maintenant",
    "remove": "retirer",
    "needs a decision": "décision à prendre",
    "adopted": "retenu",
    "removed": "retiré",
    "list refreshed": "liste actualisée",
    # Crime linkage on a person's record (unit_person.html, people.py, words.py)
    "Offences that may be theirs": "Infractions qui pourraient être les siennes",
    "Unsolved offences most like this person's offences as suspect, by crime linkage: a prompt "
    "for investigation, never evidence in itself. The model learns from the unit's own solved "
    "offences, so any bias in whose offences get solved carries over to whose are suggested.": (
        "Infractions non élucidées les plus proches de celles dont cette personne est suspecte, "
        "par rapprochement criminel : une piste d'enquête, jamais une preuve en soi. Le modèle "
        "apprend des infractions élucidées de l'unité : tout biais dans celles qui sont "
        "élucidées se retrouve dans celles qu'il propose."
    ),
    "The {shown} most alike of {compared} unsolved offences within a year of their {series} "
    "offences as suspect (model: {model}). Score: the log Bayes factor of the most alike pair.": (
        "Les {shown} plus proches de {compared} infractions non élucidées à moins d'un an de ses "
        "{series} infractions comme suspect (modèle : {model}). Score : le logarithme du facteur "
        "de Bayes de la paire la plus proche."
    ),
    "{type}, between {start} and {end}": "{type}, entre {start} et {end}",
    "{type}, {when}": "{type}, {when}",
    "Evidence: {strength} (score {score})": "Indice : {strength} (score {score})",
    "Most like their crime {ref}: {breakdown}": (
        "Le plus proche de son infraction {ref} : {breakdown}"
    ),
    "Decision on crime {ref}": "Décision sur l'infraction {ref}",
    "Accept for investigation": "Retenir pour enquête",
    "If accepted, give me a task to investigate it, due in {days} days": (
        "Si elle est retenue, me confier une tâche d'enquête, à faire sous {days} jours"
    ),
    "Reject": "Écarter",
    "Nothing to show: no unsolved offence within a year of an offence of theirs as suspect, or "
    "too few solved offences to learn from.": (
        "Rien à montrer : aucune infraction non élucidée à moins d'un an d'une infraction dont "
        "cette personne est suspecte, ou trop peu d'infractions élucidées pour apprendre."
    ),
    "Linkage decisions": "Décisions de rapprochement",
    "Crime {ref}: {decision} on {when} by {who} (score {score}, model {model}). Reason: {reason}": (
        "Infraction {ref} : {decision} le {when} par {who} (score {score}, modèle {model}). "
        "Motif : {reason}"
    ),
    "Choose accept for investigation or reject, for an offence still listed.": (
        "Choisissez retenir pour enquête ou écarter, pour une infraction encore listée."
    ),
    "accepted for investigation": "retenue pour enquête",
    "rejected": "écartée",
    "against a link": "contre un lien",
    "weak": "faible",
    "positive": "positif",
    "strong": "fort",
    "very strong": "très fort",
}
