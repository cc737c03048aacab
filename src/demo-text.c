/*
 * demo-text: the invented organisation, people, topics and phrases the
 * demo generator composes mail from.  See src/demo-text.h.
 *
 * Everything here is fiction: the Régie des Eaux du Val-de-Brenne, its
 * staff, its suppliers and the press do not exist, every domain is under
 * .example and phone numbers are in ranges set aside for fiction.
 */
#include <stddef.h>

#include "demo-text.h"

#define ORG(o) (1ul << (o))

#define O(id, n, d, a, ph, st, m) \
	[DEMO_ORG_##id] = {.name = n, .domain = d, .address = a, .phone = ph, \
			   .phone_style = DEMO_PHONE_##st, .mx = m}

const struct demo_org demo_orgs[DEMO_ORGS] = {
	O(REVB, "Régie des Eaux du Val-de-Brenne", "eaux-valbrenne.example",
	  "4, quai des Tanneurs – 45990 Saint-Aubin-sur-Brenne", "Tél. : +33 1 99 00", FR,
	  "mx1.eaux-valbrenne.example"),
	O(FREEMAIL, NULL, "courriel.example", NULL, NULL, NONE, "mx.courriel.example"),
	O(VAUDRENNE, "Mairie de Vaudrenne", "mairie-vaudrenne.example",
	  "1, place de la Mairie – 45991 Vaudrenne", "Tél. : +33 1 99 00", FR,
	  "smtp.mairie-vaudrenne.example"),
	O(STAUBIN, "Ville de Saint-Aubin-sur-Brenne", "mairie-saint-aubin.example",
	  "Hôtel de ville – 45990 Saint-Aubin-sur-Brenne", "Tél. : +33 1 99 00", FR,
	  "mx.mairie-saint-aubin.example"),
	O(ROCHEVAL, "Rocheval Travaux Publics SAS", "rocheval-tp.example",
	  "ZA des Grands Champs – 45993 Bois-Rigaud", "Tél. : +33 1 99 00", FR,
	  "mail.rocheval-tp.example"),
	O(RIVIERE, "Rivière & Mercier, avocats associés", "riviere-mercier-avocats.example",
	  "18, rue du Palais – 45000 Orléans", "Tél. : +33 1 99 00", FR,
	  "mx.riviere-mercier-avocats.example"),
	O(VAUTRIN, "Cabinet Vautrin – Avocat au barreau", "vautrin-avocat.example",
	  "7 bis, boulevard Saint-Jean – 45000 Orléans", "Tél. : +33 1 99 00", FR,
	  "mx.vautrin-avocat.example"),
	O(HYDROSYS, "Hydrosys Instruments Ltd", "hydrosys.example",
	  "Unit 4, Riverside Park, London SE1", "Tel: +44 20 7946 0", 3, "mail.hydrosys.example"),
	O(BLACKWOOD, "Blackwood Asset Advisory", "blackwood-advisory.example",
	  "1200, rue Sherbrooke Ouest, Montréal (Québec)", "Tél. : +1 514 555-01", 2,
	  "mx.blackwood-advisory.example"),
	O(ECHO, "L'Écho du Val – rédaction", "echo-du-val.example", "Rédaction de Saint-Aubin",
	  "Tél. : +33 1 99 00", FR, "mx.echo-du-val.example"),
	O(RADIO, "Radio Val-de-Brenne", "radio-valbrenne.example", NULL, NULL, NONE,
	  "mx.radio-valbrenne.example"),
	O(AGENCE, "Agence de l'eau Loire-Brenne", "agence-eau-loirebrenne.example",
	  "Délégation Brenne amont", "Tél. : +33 1 99 00", FR, "mx.agence-eau-loirebrenne.example"),
	O(CRC, "Chambre régionale des comptes Centre-Brenne", "crc-centrebrenne.example", NULL,
	  "Tél. : +33 1 99 00", FR, "mx.crc-centrebrenne.example"),
	O(KANEDA, "Kaneda Pump Works", "kaneda-pumps.example", NULL, NULL, NONE,
	  "mx.kaneda-pumps.example"),
	O(SEVER, "Severpribor", "severpribor.example", NULL, NULL, NONE, "mx.severpribor.example"),
	O(NIMBUS, "Nimbus IT Services", "nimbus-services.example", "Service Desk",
	  "Tel: +91 80 5550 ", 4, "smtp.nimbus-services.example"),
	O(LABO, "Laboratoire départemental d'analyses", "labo-brenne.example",
	  "Pôle eaux – 45992 Sainte-Ysoline", "Tél. : +33 1 99 00", FR, "mx.labo-brenne.example"),
	O(AQUATERRA, "Aquaterra Réseaux", "aquaterra-reseaux.example", NULL, "Tél. : +33 1 99 00",
	  FR, "mx.aquaterra-reseaux.example"),
	O(HOSTILE, "Service Facturation", "factures-express.example", NULL, NULL, NONE,
	  "mx.factures-express.example"),
};

#define P(name, login, title, org, dept, lang, client, zone) \
	{name, login, title, DEMO_ORG_##org, DEMO_##dept, DEMO_##lang, DEMO_##client, DEMO_TZ_##zone}

const struct demo_person demo_people[] = {
	/* Staff of the Régie. */
	P("Hélène Lefèvre", "helene.lefevre", "Directrice générale", REVB, DG, FR, OUTLOOK, PARIS),
	P("Bertrand Castaing", "bertrand.castaing", "Directeur général adjoint", REVB, DG, FR, OUTLOOK, PARIS),
	P("Sylvie Marchetti", "sylvie.marchetti", "Assistante de direction", REVB, DG, FR, OUTLOOK, PARIS),
	P("Jérôme Dubois", "jerome.dubois", "Directeur administratif et financier", REVB, FIN, FR, OUTLOOK, PARIS),
	P("Nadège Peyrot", "nadege.peyrot", "Responsable budget", REVB, FIN, FR, THUNDERBIRD, PARIS),
	P("Thierry Vasseur", "thierry.vasseur", "Comptable", REVB, FIN, FR, OLDWEB, PARIS),
	P("Amélie Courtois", "amelie.courtois", "Gestionnaire paie", REVB, FIN, FR, OUTLOOK, PARIS),
	P("Régis Fabre", "regis.fabre", "Contrôleur de gestion", REVB, FIN, FR, THUNDERBIRD, PARIS),
	P("Maëlle Guérin", "maelle.guerin", "Responsable des marchés publics", REVB, PROC, FR, OUTLOOK, PARIS),
	P("Stéphane Roux-Delmas", "stephane.roux-delmas", "Acheteur", REVB, PROC, FR, THUNDERBIRD, PARIS),
	P("Inès Belkacem", "ines.belkacem", "Juriste marchés", REVB, PROC, FR, OUTLOOK, PARIS),
	P("Grégoire Lenoir", "gregoire.lenoir", "Assistant marchés", REVB, PROC, FR, OLDWEB, PARIS),
	P("Bénédicte Aubry", "benedicte.aubry", "Responsable des affaires juridiques", REVB, LEGAL, FR, OUTLOOK, PARIS),
	P("François-Xavier Pélissier", "fx.pelissier", "Juriste", REVB, LEGAL, FR, APPLE, PARIS),
	P("Didier Hamelin", "didier.hamelin", "Directeur de l'exploitation", REVB, OPS, FR, OUTLOOK, PARIS),
	P("Christophe Barrère", "christophe.barrere", "Chef du service réseau", REVB, OPS, FR, MOBILE, PARIS),
	P("Yannick Le Goff", "yannick.legoff", "Technicien réseau", REVB, OPS, FR, MOBILE, PARIS),
	P("Laurent Chassagne", "laurent.chassagne", "Chef d'équipe astreinte", REVB, OPS, FR, MOBILE, PARIS),
	P("Kévin Da Silva", "kevin.dasilva", "Fontainier", REVB, OPS, FR, OLDWEB, PARIS),
	P("Sébastien Rigaud", "sebastien.rigaud", "Responsable de l'usine de Montcalais", REVB, OPS, FR, THUNDERBIRD, PARIS),
	P("Patrice Gouin", "patrice.gouin", "Électromécanicien", REVB, OPS, FR, OLDWEB, PARIS),
	P("Margaret O'Brien", "margaret.obrien", "Ingénieure procédés", REVB, OPS, EN, APPLE, PARIS),
	P("Noël Thévenin", "noel.thevenin", "Responsable SIG", REVB, OPS, FR, THUNDERBIRD, PARIS),
	P("Jean-Baptiste Moulin", "jb.moulin", "Technicien télérelève", REVB, OPS, FR, THUNDERBIRD, PARIS),
	P("Cécile Lemaître", "cecile.lemaitre", "Responsable qualité de l'eau", REVB, LAB, FR, OUTLOOK, PARIS),
	P("Anaïs Deschamps", "anais.deschamps", "Technicienne de laboratoire", REVB, LAB, FR, THUNDERBIRD, PARIS),
	P("Olivier Bréhat", "olivier.brehat", "Chimiste", REVB, LAB, FR, APPLE, PARIS),
	P("Zoé Garnier", "zoe.garnier", "Préleveuse", REVB, LAB, FR, MOBILE, PARIS),
	P("Claire Fontanel", "claire.fontanel", "Responsable de la communication", REVB, COM, FR, APPLE, PARIS),
	P("Julien Ravel", "julien.ravel", "Chargé de communication", REVB, COM, FR, APPLE, PARIS),
	P("Agnès Morvan", "agnes.morvan", "Chargée des relations usagers", REVB, COM, FR, OUTLOOK, PARIS),
	P("Isabelle Chauvet", "isabelle.chauvet", "Directrice des ressources humaines", REVB, HR, FR, OUTLOOK, PARIS),
	P("Loïc Perrot", "loic.perrot", "Chargé de recrutement", REVB, HR, FR, OUTLOOK, PARIS),
	P("Solène Marin", "solene.marin", "Assistante RH", REVB, HR, FR, THUNDERBIRD, PARIS),
	P("Frédéric Nguyen", "frederic.nguyen", "Responsable informatique", REVB, IT, FR, THUNDERBIRD, PARIS),
	P("Damien Kervella", "damien.kervella", "Administrateur systèmes", REVB, IT, FR, THUNDERBIRD, PARIS),
	P("Priya Raman", "priya.raman", "Développeuse", REVB, IT, EN, APPLE, PARIS),
	P("Véronique Lacôte", "veronique.lacote", "Responsable clientèle", REVB, BILL, FR, OUTLOOK, PARIS),
	P("Mathieu Sauvage", "mathieu.sauvage", "Chargé de facturation", REVB, BILL, FR, OLDWEB, PARIS),
	P("Océane Bouvier", "oceane.bouvier", "Conseillère clientèle", REVB, BILL, FR, OUTLOOK, PARIS),
	P("Hervé Quémener", "herve.quemener", "Chargé de recouvrement", REVB, BILL, FR, OLDWEB, PARIS),
	P("Antoine Berthelot", "antoine.berthelot", "Responsable travaux neufs", REVB, WORKS, FR, OUTLOOK, PARIS),
	P("Raphaël Joubert", "raphael.joubert", "Ingénieur études", REVB, WORKS, FR, THUNDERBIRD, PARIS),
	P("Thérèse Vidal", "therese.vidal", "Dessinatrice projeteuse", REVB, WORKS, FR, OLDWEB, PARIS),
	P("David Morgan", "david.morgan", "Project engineer", REVB, WORKS, EN, WEBMAIL, LONDON),
	P("Rémi Carpentier", "remi.carpentier", "Magasinier", REVB, OPS, FR, OLDWEB, PARIS),
	P("Lucie Hébert", "lucie.hebert", "Stagiaire communication", REVB, COM, FR, MOBILE, PARIS),
	P("Aurélien Dupré", "aurelien.dupre", "Contrôleur interne", REVB, FIN, FR, THUNDERBIRD, PARIS),
	P("Béatrice Saint-Clair", "beatrice.saint-clair", "Secrétaire du conseil d'administration", REVB, DG, FR, OUTLOOK, PARIS),
	P("Gaëtan Morel", "gaetan.morel", "Technicien supervision", REVB, OPS, FR, THUNDERBIRD, PARIS),
	P("Emily Carter", "emily.carter", "European projects officer", REVB, DG, EN, WEBMAIL, PARIS),
	P("Yves Le Floch", "yves.lefloch", "Responsable sécurité", REVB, OPS, FR, OUTLOOK, PARIS),
	P("Sandrine Poulain", "sandrine.poulain", "Accueil", REVB, BILL, FR, OUTLOOK, PARIS),
	/* The board: elected officials, writing from their town halls or home. */
	P("Gérard Lapointe", "g.lapointe", "Président du conseil d'administration, maire de Vaudrenne", VAUDRENNE, BOARD, FR, OLDWEB, PARIS),
	P("Monique Le Bihan", "monique.lebihan", "Vice-présidente", FREEMAIL, BOARD, FR, WEBMAIL, PARIS),
	P("Jean-Claude Méry", "jc.mery", "Administrateur", FREEMAIL, BOARD, FR, OLDWEB, PARIS),
	P("Françoise Aubert", "francoise.aubert", "Adjointe au maire, administratrice", STAUBIN, BOARD, FR, OUTLOOK, PARIS),
	P("Patrick Delorme", "patrick.delorme45", "Administrateur", FREEMAIL, BOARD, FR, MOBILE, PARIS),
	P("Hélène Cazenave", "h.cazenave", "Administratrice, représentante des usagers", FREEMAIL, BOARD, FR, WEBMAIL, PARIS),
	P("Joseph N'Diaye", "joseph.ndiaye", "Administrateur", STAUBIN, BOARD, FR, APPLE, PARIS),
	P("Édith Roussel", "edith.roussel", "Administratrice", FREEMAIL, BOARD, FR, OUTLOOK, PARIS),
	/* Outside contacts. */
	P("Marc Rocheval", "m.rocheval", "Président", ROCHEVAL, EXT, FR, OUTLOOK, PARIS),
	P("Nathalie Boyer", "n.boyer", "Conductrice de travaux", ROCHEVAL, EXT, FR, MOBILE, PARIS),
	P("Anne-Sophie Rivière", "as.riviere", "Avocate associée", RIVIERE, EXT, FR, OUTLOOK, PARIS),
	P("Paul Mercier", "p.mercier", "Avocat", RIVIERE, EXT, FR, OUTLOOK, PARIS),
	P("Étienne Vautrin", "contact", "Avocat", VAUTRIN, EXT, FR, OUTLOOK, PARIS),
	P("Gareth Hughes", "gareth.hughes", "Key Account Manager", HYDROSYS, EXT, EN, OUTLOOK, LONDON),
	P("Sarah Whitfield", "sarah.whitfield", "Service Engineer", HYDROSYS, EXT, EN, WEBMAIL, LONDON),
	P("Geneviève Tremblay", "gtremblay", "Associée principale", BLACKWOOD, EXT, FR, THUNDERBIRD, MONTREAL),
	P("Daniel O'Connor", "doconnor", "Senior Consultant", BLACKWOOD, EXT, EN, APPLE, MONTREAL),
	P("Thomas Girardin", "t.girardin", "Journaliste", ECHO, EXT, FR, WEBMAIL, PARIS),
	P("Camille Besson", "camille.besson", "Journaliste", RADIO, EXT, FR, MOBILE, PARIS),
	P("Philippe Granger", "philippe.granger", "Chargé d'interventions", AGENCE, EXT, FR, OUTLOOK, PARIS),
	P("Laure Debray", "laure.debray", "Première conseillère", CRC, EXT, FR, OUTLOOK, PARIS),
	P("Arjun Mehta", "arjun.mehta", "Service Desk Analyst", NIMBUS, EXT, EN, OUTLOOK, KOLKATA),
	P("Hugues Marchal", "h.marchal", "Responsable du pôle eaux", LABO, EXT, FR, THUNDERBIRD, PARIS),
	P("Olivier Pasquier", "o.pasquier", "Chargé d'affaires", AQUATERRA, EXT, FR, WEBMAIL, PARIS),
	P("Kenichi Yamamoto", "k-yamamoto", "Overseas Sales", KANEDA, EXT, EN, OUTLOOK, TOKYO),
	P("Irina Sokolova", "i.sokolova", "Export Department", SEVER, EXT, EN, OUTLOOK, MOSCOW),
};
const unsigned demo_people_count = sizeof(demo_people) / sizeof(demo_people[0]);

const struct demo_list demo_lists[DEMO_LISTS] = {
	[DEMO_LIST_CONSEIL] = {"conseil", "Conseil d'administration de la Régie", "[conseil] "},
	[DEMO_LIST_TOUS] = {"tous", "Tout le personnel", "[Tous] "},
	[DEMO_LIST_ASTREINTE] = {"astreinte", "Astreinte réseau", ""},
};

/* ---------------------------------------------------------------- topics */

static const char *const budget_subj_fr[] = {
	"Budget primitif {year} : arbitrages",
	"DM n°2 – ajustement des crédits d'investissement",
	"Préparation du budget {nextyear}",
	"Reports de crédits {year}",
	"Tableau de bord financier – {month}",
	"Urgent : dépassement sur la ligne 2315 (travaux réseau)",
};
static const char *const budget_subj_en[] = {
	"{year} budget: final figures",
	"Capital spending forecast for {nextyear}",
	"Monthly financial dashboard ({month})",
};
static const char *const budget_fr[] = {
	"le budget d'investissement est en hausse de {pct} par rapport à l'an dernier.",
	"il reste {amount} non engagés sur la ligne des travaux de réseau.",
	"la provision pour le litige Rocheval doit être portée à {bigamount}.",
	"je vous joins {doc} mis à jour avec les derniers engagements.",
	"les arbitrages doivent être rendus avant le {day} pour passer au conseil.",
	"le renouvellement de la conduite {street} représente à lui seul {bigamount}.",
	"la trésorerie restera tendue jusqu'au versement de la subvention de l'agence de l'eau.",
	"pouvez-vous me confirmer le montant des restes à réaliser sur {site} ?",
	"la hausse des charges de personnel ({pct}) s'explique surtout par les astreintes.",
	"le compte administratif fait apparaître un excédent de {amount}.",
	"nous devrons sans doute emprunter {bigamount} pour la rénovation de l'usine de {site}.",
	"la commission des finances se réunira le {day} à {time}.",
	"les dépenses d'énergie dépassent déjà de {amount} la prévision annuelle.",
	"j'ai besoin de ta validation pour la décision modificative avant {time}.",
};
static const char *const budget_en[] = {
	"capital spending is up {pct} on last year, mostly because of the works at {site}.",
	"we still have {amount} uncommitted on the network renewal line.",
	"please find attached {doc} with the latest commitments.",
	"the board needs the final figures by {day}.",
	"the reserve for the Rocheval dispute should be raised to {bigamount}.",
	"cash flow will stay tight until the water agency grant is paid.",
	"could you confirm the carry-over amounts for {site}?",
	"staff costs rose by {pct}, mainly because of on-call allowances.",
};
static const char *const budget_files_fr[] = {
	"Budget primitif {year} v{n}", "Tableau_suivi_engagements_{month}", "DM2_projet",
	"Prévisions d'investissement {nextyear}", "Synthèse financière",
};
static const char *const budget_files_en[] = {
	"Budget {year} final", "Capex forecast {nextyear}",
};

static const char *const proc_subj_fr[] = {
	"Appel d'offres {ref} – renouvellement des canalisations {street}",
	"AO {ref} : analyse des offres",
	"Commission d'appel d'offres du {day}",
	"Question d'un candidat – marché {ref}",
	"Avenant n°{n} au marché {ref}",
	"Consultation compteurs télérelevés",
};
static const char *const proc_subj_en[] = {
	"Tender {ref}: clarification request",
	"Quotation for flow meters – {site} plant",
	"Invitation to tender {ref}",
};
static const char *const proc_fr[] = {
	"le dossier de consultation a été mis en ligne ce matin sur la plateforme.",
	"nous avons reçu {n} offres, dont deux hors délai.",
	"l'offre de {company} est la moins-disante mais son mémoire technique est faible.",
	"la date limite de remise des offres est fixée au {day} à {time}.",
	"un candidat demande si une variante en fonte ductile est autorisée.",
	"le rapport d'analyse des offres doit être signé avant la commission.",
	"l'écart entre la première et la deuxième offre est de {amount}.",
	"merci de vérifier que le cahier des clauses techniques mentionne bien la remise en état de la chaussée.",
	"je propose de négocier avec les trois premiers candidats.",
	"l'estimation du maître d'œuvre était de {bigamount} HT.",
	"la lettre de rejet aux candidats non retenus partira le {day}.",
	"{company} demande une prolongation du délai de remise de huit jours.",
	"le marché {ref} arrive à échéance à la fin de l'année.",
};
static const char *const proc_en[] = {
	"the tender documents were published this morning.",
	"we received {n} bids; two arrived after the deadline.",
	"could you confirm whether ductile iron variants are allowed?",
	"our best price for the {n} units is {amount} excluding VAT, with delivery in eight weeks.",
	"the quotation remains valid for 90 days.",
	"please note that the calibration certificates are included in the price.",
	"the deadline for bids is {day} at {time}.",
};
static const char *const proc_files_fr[] = {
	"Rapport d'analyse des offres {ref}", "CCTP_{ref}", "Mémoire technique", "Avenant n°{n}",
	"Règlement de consultation",
};
static const char *const proc_files_en[] = {
	"Quotation {ref}", "Technical datasheet",
};

static const char *const dispute_subj_fr[] = {
	"Litige Rocheval – pénalités de retard",
	"Mise en demeure – marché {ref}",
	"Expertise judiciaire chantier {street}",
	"Projet de mémoire en défense",
	"Rocheval : proposition de protocole transactionnel",
	"CONFIDENTIEL – stratégie contentieux Rocheval",
};
static const char *const dispute_subj_en[] = {
	"Rocheval dispute – summary for the consultants",
};
static const char *const dispute_fr[] = {
	"Rocheval conteste les pénalités de retard, soit {bigamount}.",
	"l'expert judiciaire a fixé la prochaine réunion sur site au {day} à {time}.",
	"les malfaçons relevées {street} sont documentées dans le constat d'huissier.",
	"notre avocate recommande de ne pas répondre avant la réception du rapport d'expertise.",
	"la mise en demeure a été envoyée en recommandé avec accusé de réception.",
	"Rocheval réclame {bigamount} au titre des travaux supplémentaires.",
	"je vous rappelle que ce dossier est strictement confidentiel.",
	"la proposition de transaction à {amount} me semble acceptable si elle met fin à tous les contentieux.",
	"merci de ne rien transmettre à la presse sans validation de la direction.",
	"le tribunal administratif a renvoyé l'audience au {day}.",
	"il faudrait retrouver les comptes rendus de chantier ({month} {year}).",
	"Me Vautrin, pour Rocheval, demande la communication des ordres de service.",
	"les photos prises par {colleague} montrent clairement les défauts de compactage.",
	"je ne suis pas certaine que nos propres retards de paiement nous permettent de tenir cette position.",
};
static const char *const dispute_en[] = {
	"Rocheval disputes the late-delivery penalties, which come to {bigamount}.",
	"the court-appointed expert will visit the site on {day}.",
	"our lawyer advises against any comment until the expert report is in.",
	"this matter is strictly confidential.",
	"the defects found on {street} are documented in the bailiff's report.",
};
static const char *const dispute_files_fr[] = {
	"Mise en demeure Rocheval", "Constat d'huissier {street}", "Projet de mémoire v{n}",
	"Protocole transactionnel – projet",
};
static const char *const dispute_files_en[] = {
	"Dispute summary",
};

static const char *const board_subj_fr[] = {
	"Convocation – conseil d'administration du {day}",
	"Ordre du jour du prochain conseil",
	"Projet de procès-verbal de la séance du {day}",
	"Délibération tarifs {nextyear} – pour avis",
	"Pouvoir pour le conseil du {day}",
	"Question diverse : rapport de la chambre régionale des comptes",
};
static const char *const board_subj_en[] = {
	"Board meeting on {day}: papers",
};
static const char *const board_fr[] = {
	"vous trouverez ci-joint la convocation et l'ordre du jour du conseil.",
	"le quorum n'ayant pas été atteint, la séance est reportée au {day}.",
	"je ne pourrai pas être présent et donne pouvoir à {colleague}.",
	"le projet de procès-verbal est soumis à vos observations jusqu'au {day}.",
	"la délibération sur les tarifs sera présentée en point {n}.",
	"plusieurs administrateurs souhaitent un point à huis clos sur le litige Rocheval.",
	"la séance aura lieu à {time} dans la salle du conseil.",
	"merci de me faire savoir si vous souhaitez ajouter une question diverse.",
	"le président demande que les documents soient envoyés au moins cinq jours avant la séance.",
	"l'emprunt de {bigamount} a été adopté à l'unanimité moins une abstention.",
	"je trouve anormal que nous apprenions ces chiffres par la presse.",
	"les documents sont aussi consultables sur l'extranet des élus : {url}",
};
static const char *const board_en[] = {
	"please find the board papers attached.",
	"I will not be able to attend and give my proxy to {colleague}.",
	"the meeting will start at {time} in the board room.",
	"the draft minutes are open for comments until {day}.",
	"the rates resolution is item {n} on the agenda.",
};
static const char *const board_files_fr[] = {
	"Convocation CA {day}", "Procès-verbal CA {month} {year}", "Délibération tarifs {nextyear}",
	"Rapport de présentation",
};
static const char *const board_files_en[] = {
	"Board papers {month} {year}",
};

static const char *const press_subj_fr[] = {
	"Demande d'interview – qualité de l'eau à {site}",
	"Question de L'Écho du Val sur la hausse des tarifs",
	"Projet de communiqué de presse",
	"Coupure d'eau {street} : réponse au journaliste",
	"Revue de presse du {day}",
	"Votre réaction sur le contentieux Rocheval ?",
};
static const char *const press_subj_en[] = {
	"Press inquiry: nitrate levels",
};
static const char *const press_fr[] = {
	"un journaliste de L'Écho du Val souhaite interroger la directrice sur les nitrates.",
	"je vous propose les éléments de langage ci-dessous, à valider avant {time}.",
	"nous ne commenterons pas une procédure en cours.",
	"le sujet doit passer au journal de {time} sur Radio Val-de-Brenne.",
	"pouvez-vous me confirmer le nombre d'abonnés touchés par la coupure ({count} foyers ?).",
	"l'article paru ce matin contient plusieurs erreurs sur le prix du mètre cube.",
	"je préfère une réponse écrite plutôt qu'une interview en direct.",
	"le communiqué sera diffusé sur le site et sur les réseaux sociaux.",
	"je prépare un article sur le contentieux avec l'entreprise Rocheval : la Régie a-t-elle provisionné ce risque ?",
	"mon article doit être bouclé ce soir, une réponse avant {time} serait idéale.",
};
static const char *const press_en[] = {
	"a reporter is asking about nitrate levels at {site}.",
	"we will not comment on ongoing proceedings.",
	"the story is due to run on {day}.",
	"the reporter's deadline is {time} today.",
	"I would rather answer in writing than on air.",
};
static const char *const press_files_fr[] = {
	"Communiqué de presse {day}", "Éléments de langage", "Revue de presse",
};
static const char *const press_files_en[] = {
	"Press release",
};

static const char *const quality_subj_fr[] = {
	"Résultats d'analyses – {site}, semaine {n}",
	"Dépassement nitrates au captage de {site}",
	"Turbidité élevée après les orages",
	"Plan d'échantillonnage {year}",
	"Chlore résiduel trop bas {street}",
};
static const char *const quality_subj_en[] = {
	"Lab results for {site}",
};
static const char *const quality_fr[] = {
	"les nitrates atteignent {mgl} au captage de {site}, pour une limite de 50 mg/l.",
	"la turbidité est revenue à la normale depuis hier soir.",
	"le laboratoire départemental confirme l'absence de bactéries coliformes.",
	"il faut prévenir l'agence régionale de santé avant {time}.",
	"je propose de renforcer la chloration sur le réseau de {site}.",
	"les prélèvements de contrôle seront faits le {day}.",
	"le rapport mensuel qualité est disponible sur l'intranet : {url}",
	"le mélange avec l'eau de {site} devrait faire baisser la teneur en nitrates.",
	"le chlore résiduel mesuré {street} n'est que de 0,05 mg/l.",
	"deux échantillons sur {n} sont non conformes.",
	"la sonde de turbidité de {site} dérive encore, il faudra la réétalonner.",
};
static const char *const quality_en[] = {
	"nitrate levels reached {mgl} at the {site} well, against a 50 mg/L limit.",
	"turbidity has been back to normal since last night.",
	"the lab confirms that no coliform bacteria were found.",
	"the monthly quality report is on the intranet: {url}",
	"we should increase chlorination on the {site} network.",
	"two samples out of {n} failed.",
};
static const char *const quality_files_fr[] = {
	"Résultats analyses {site} S{n}", "Plan d'échantillonnage {year}", "Bulletin ARS",
};
static const char *const quality_files_en[] = {
	"Lab results {site}",
};

static const char *const incident_subj_fr[] = {
	"Casse conduite {street}",
	"Fuite importante à {site}",
	"Astreinte du week-end : compte rendu",
	"Coupure programmée {street} le {day}",
	"Alarme pompe n°{n} – station de {site}",
	"URGENT – plus d'eau {street}",
};
static const char *const incident_subj_en[] = {
	"Main break on {street}",
};
static const char *const incident_fr[] = {
	"casse sur la conduite de 150 en fonte {street}, l'équipe d'astreinte est sur place.",
	"environ {count} abonnés sont privés d'eau depuis {time}.",
	"la réparation devrait être terminée vers {time}.",
	"il faudra une coupure programmée le {day} pour changer la vanne.",
	"le pompage de {site} s'est arrêté deux fois cette nuit, défaut du variateur.",
	"les pertes sont estimées à {m3}.",
	"la voirie demande la remise en état de la chaussée sous huit jours.",
	"merci de prévenir l'accueil pour les appels des usagers.",
	"j'ai mis les photos du chantier sur le partage réseau.",
	"l'entreprise de terrassement peut intervenir dès demain matin.",
	"les pertes ont augmenté de {pct} sur ce secteur depuis le début de l'année.",
	"la supervision a remonté une alarme de niveau bas au réservoir de {site} à {time}.",
};
static const char *const incident_en[] = {
	"main break on {street}; the on-call team is on site.",
	"about {count} customers have been without water since {time}.",
	"the repair should be finished around {time}.",
	"we will need a planned shutdown on {day} to replace the valve.",
	"losses are estimated at {m3}.",
	"the roads department wants the surface repaired within a week.",
};
static const char *const incident_files_fr[] = {
	"Photo fuite {street}", "Compte rendu astreinte", "Plan de coupure {street}",
};
static const char *const incident_files_en[] = {
	"Site photo",
};

static const char *const hr_subj_fr[] = {
	"Recrutement technicien réseau – candidatures",
	"Planning des congés d'été",
	"Formation habilitation électrique",
	"Entretiens annuels – rappel",
	"Note de service : astreintes {year}",
	"Départ en retraite de {colleague}",
};
static const char *const hr_subj_en[] = {
	"Network technician vacancy",
};
static const char *const hr_fr[] = {
	"nous avons reçu {count} candidatures pour le poste de technicien réseau.",
	"les entretiens auront lieu le {day} à partir de {time}.",
	"merci de saisir vos congés d'été avant le {day}.",
	"la formation habilitation électrique est obligatoire pour les agents d'exploitation.",
	"le nouveau planning d'astreinte est disponible sur l'intranet : {url}",
	"un pot de départ sera organisé le {day} à {time} en salle du conseil.",
	"la prime d'astreinte sera revalorisée de {pct} au 1er janvier.",
	"le comité technique doit être consulté sur la réorganisation du service clientèle.",
	"deux agents ont dépassé leur quota d'heures supplémentaires en {month}.",
};
static const char *const hr_en[] = {
	"we received {count} applications for the network technician post.",
	"interviews will take place on {day} from {time}.",
	"the new on-call rota is on the intranet: {url}",
	"please book your summer leave before {day}.",
};
static const char *const hr_files_fr[] = {
	"Planning astreintes {year}", "Fiche de poste technicien réseau", "Note de service",
};
static const char *const hr_files_en[] = {
	"Job description",
};

static const char *const it_subj_fr[] = {
	"Migration de la messagerie ce week-end",
	"Mot de passe expiré ?",
	"Panne du serveur de fichiers",
	"Télérelève : export des index de {month}",
	"Sauvegardes – incident du {day}",
};
static const char *const it_subj_en[] = {
	"Ticket {ticket}: backup job failed",
	"Mail server migration – weekend plan",
	"VPN certificate renewal",
};
static const char *const it_fr[] = {
	"la messagerie sera indisponible samedi de {time} à 18 h.",
	"ne cliquez pas sur les liens des courriels qui vous demandent votre mot de passe.",
	"le serveur de fichiers a redémarré, les partages sont de nouveau accessibles.",
	"la sauvegarde de la nuit a échoué, le support de Nimbus est prévenu.",
	"l'export de télérelève contient {count} compteurs sans index.",
	"merci de redémarrer votre poste avant lundi pour appliquer les mises à jour.",
	"le nouveau portail est accessible ici : {url}",
	"le disque du serveur de supervision est plein à {pct} près.",
};
static const char *const it_en[] = {
	"the mail server migration is scheduled for Saturday from {time}.",
	"ticket {ticket} has been escalated to our second-level team.",
	"last night's backup job failed with error 0x8007000E.",
	"please reboot the file server after hours; we will monitor remotely.",
	"the VPN certificate expires on {day}.",
	"could you grant remote access to the supervision server?",
};
static const char *const it_files_fr[] = {
	"Procédure migration messagerie", "Export télérelève {month}",
};
static const char *const it_files_en[] = {
	"Incident report {ref}", "Migration runbook",
};

static const char *const tariff_subj_fr[] = {
	"Grille tarifaire {nextyear}",
	"Réclamation usager – facture de {amount}",
	"Impayés : relance du trimestre",
	"Fuite après compteur : demande d'écrêtement",
};
static const char *const tariff_subj_en[] = {
	"Customer complaint about a {amount} bill",
};
static const char *const tariff_fr[] = {
	"l'usager conteste une facture de {amount} après une fuite après compteur.",
	"la loi permet un écrêtement de la facture si la fuite est réparée sous un mois.",
	"le prix du mètre cube passerait de 1,92 € à 1,98 € HT.",
	"le taux d'impayés atteint {pct} sur le trimestre.",
	"{count} dossiers ont été transmis au Trésor public pour recouvrement.",
	"je propose un échéancier en six mensualités.",
	"la part abonnement reste inchangée.",
	"l'usager menace de saisir le médiateur de l'eau.",
};
static const char *const tariff_en[] = {
	"the customer disputes a {amount} bill after a leak on the private side.",
	"the unpaid rate reached {pct} this quarter.",
	"the customer is threatening to go to the water ombudsman.",
	"I suggest a payment plan over six months.",
};
static const char *const tariff_files_fr[] = {
	"Grille tarifaire {nextyear}", "Liste impayés {month}", "Courrier usager",
};
static const char *const tariff_files_en[] = {
	"Rates {nextyear}",
};

static const char *const grant_subj_fr[] = {
	"Dossier de subvention – agence de l'eau",
	"Pièces manquantes pour l'aide {ref}",
	"Versement du solde de la subvention",
};
static const char *const grant_subj_en[] = {
	"EU funding call – water efficiency",
};
static const char *const grant_fr[] = {
	"l'agence de l'eau accorde une aide de {pct} du montant des travaux.",
	"il manque l'attestation de démarrage des travaux pour compléter le dossier.",
	"le solde de {bigamount} sera versé sur présentation des factures acquittées.",
	"le comité d'attribution se réunit le {day}.",
	"merci de transmettre le plan de financement actualisé.",
	"la convention d'aide doit être signée par le président avant le {day}.",
	"le dossier a été jugé complet par l'agence le {day}.",
	"sans l'aide de l'agence, le programme de renouvellement devra être étalé sur deux ans.",
};
static const char *const grant_en[] = {
	"the call for proposals closes on {day}.",
	"we could apply together with two other utilities.",
	"the budget must show at least {pct} of own funding.",
	"I can draft the technical annex if someone takes the financial part.",
};
static const char *const grant_files_fr[] = {
	"Plan de financement", "Dossier de demande d'aide {ref}",
};
static const char *const grant_files_en[] = {
	"Call for proposals summary",
};

static const char *const audit_subj_fr[] = {
	"Contrôle de la chambre régionale des comptes",
	"Rapport d'observations provisoires – réponse",
	"Demande de pièces n°{n} de la CRC",
};
static const char *const audit_subj_en[] = {
	"Audit: request for documents",
};
static const char *const audit_fr[] = {
	"la chambre régionale des comptes demande les contrats de délégation depuis 2010.",
	"le rapport provisoire relève l'absence de mise en concurrence pour {n} marchés.",
	"nous avons deux mois pour répondre aux observations provisoires.",
	"je souhaite que chaque direction relise les passages qui la concernent.",
	"le rapport définitif sera communicable au public après sa présentation au conseil.",
	"la chambre s'interroge sur la rémunération des astreintes.",
	"merci de rassembler les pièces demandées dans {doc}.",
};
static const char *const audit_en[] = {
	"the auditors are asking for the delegation contracts since 2010.",
	"we have two months to answer the provisional observations.",
	"each department should check the paragraphs about its work.",
};
static const char *const audit_files_fr[] = {
	"Réponse aux observations provisoires", "Demande de pièces n°{n}",
};
static const char *const audit_files_en[] = {
	"Audit request",
};

static const char *const supplier_subj_fr[] = {
	"Commande sondes – {site}",
};
static const char *const supplier_subj_en[] = {
	"Quotation {ref} – ultrasonic flow meters",
	"Delivery schedule for the {site} order",
	"Calibration visit – {site} plant",
	"Invoice {ref} overdue",
};
static const char *const supplier_fr[] = {
	"pouvez-vous nous envoyer le bon de commande signé ?",
	"la livraison est prévue semaine {n}.",
	"le devis de {company} est plus cher de {pct}.",
	"la sonde livrée à {site} ne correspond pas à la commande.",
};
static const char *const supplier_en[] = {
	"please find attached our quotation for {n} ultrasonic flow meters.",
	"delivery is planned for week {n}, subject to customs clearance.",
	"our engineer can carry out the calibration on {day}.",
	"invoice {ref} for {amount} is now 60 days overdue.",
	"the sensors are covered by a two-year warranty.",
	"could you send us the purchase order number?",
	"I am afraid the price increase is due to the exchange rate.",
	"the {site} plant will need two of the probes replaced.",
};
static const char *const supplier_files_fr[] = {
	"Bon de commande {ref}",
};
static const char *const supplier_files_en[] = {
	"Quotation {ref}", "Calibration certificate", "Invoice {ref}",
};

static const char *const consult_subj_fr[] = {
	"Étude de gestion patrimoniale – rapport préliminaire",
	"Atelier priorités de renouvellement",
};
static const char *const consult_subj_en[] = {
	"Asset management study – draft report",
	"Workshop on network renewal priorities",
	"Interview schedule, week of {day}",
};
static const char *const consult_fr[] = {
	"notre rapport préliminaire recommande de renouveler {pct} du réseau chaque année.",
	"nous aimerions rencontrer l'équipe du réseau le {day}.",
	"pouvez-vous nous transmettre l'extrait SIG des matériaux de conduites ?",
	"le modèle de risque classe la conduite {street} parmi les dix plus critiques.",
	"l'atelier aura lieu le {day} à {time}.",
	"le rapport final sera remis avant la fin du mois de {month}.",
};
static const char *const consult_en[] = {
	"our draft report recommends renewing {pct} of the network each year.",
	"we would like to interview the network team on {day}.",
	"the risk model ranks the {street} main among the ten most critical.",
	"we need the GIS extract of pipe materials and installation dates.",
	"the workshop will take place on {day} at {time}.",
};
static const char *const consult_files_fr[] = {
	"Rapport préliminaire gestion patrimoniale",
};
static const char *const consult_files_en[] = {
	"Draft report v{n}", "Workshop agenda",
};

static const char *const social_subj_fr[] = {
	"Pot de fin d'année",
	"Covoiturage pour la formation du {day}",
	"Gâteaux pour l'anniversaire de {colleague}",
	"Objet trouvé en salle de pause",
};
static const char *const social_subj_en[] = {
	"Leaving drinks for {colleague}",
};
static const char *const social_fr[] = {
	"rendez-vous à {time} en salle de pause, chacun apporte quelque chose.",
	"il reste deux places dans ma voiture pour jeudi.",
	"qui a oublié un parapluie rouge dans la salle de réunion ?",
	"merci à tous pour votre participation !",
	"n'oubliez pas de signer la carte pour {colleague}.",
	"la collecte pour le cadeau de {colleague} se termine vendredi.",
	"le traiteur livre à {time}, merci de libérer la grande table.",
	"les photos de la soirée sont sur le partage commun.",
};
static const char *const social_en[] = {
	"drinks at {time} in the staff room, everyone welcome!",
	"there is cake in the kitchen, help yourselves.",
	"please sign the card for {colleague} before Friday.",
};
static const char *const social_files_fr[] = {
	"Affiche pot",
};
static const char *const social_files_en[] = {
	"Invitation",
};

#define TOPIC_TEXT(p)                                                                   \
	.subjects = {DEMO_STRINGS(p##_subj_fr), DEMO_STRINGS(p##_subj_en)},             \
	.sentences = {DEMO_STRINGS(p##_fr), DEMO_STRINGS(p##_en)},                      \
	.files = {DEMO_STRINGS(p##_files_fr), DEMO_STRINGS(p##_files_en)}

const struct demo_topic demo_topics[] = {
	{.key = "budget", .weight = 12, .english = 8,
	 .depts = DEMO_DEPT(DEMO_FIN) | DEMO_DEPT(DEMO_DG) | DEMO_DEPT(DEMO_WORKS),
	 .orgs = 0, .list = -1, .attach = DEMO_ATT_XLS | DEMO_ATT_CSV | DEMO_ATT_PDF,
	 .attach_pct = 25, .table = 1, TOPIC_TEXT(budget)},
	{.key = "procurement", .weight = 12, .english = 12,
	 .depts = DEMO_DEPT(DEMO_PROC) | DEMO_DEPT(DEMO_WORKS) | DEMO_DEPT(DEMO_FIN),
	 .orgs = ORG(DEMO_ORG_AQUATERRA) | ORG(DEMO_ORG_ROCHEVAL) | ORG(DEMO_ORG_HYDROSYS),
	 .list = -1, .attach = DEMO_ATT_PDF | DEMO_ATT_DOCX | DEMO_ATT_XLS, .attach_pct = 25,
	 .table = 1, TOPIC_TEXT(proc)},
	{.key = "dispute", .weight = 8, .english = 5,
	 .depts = DEMO_DEPT(DEMO_LEGAL) | DEMO_DEPT(DEMO_DG) | DEMO_DEPT(DEMO_WORKS),
	 .orgs = ORG(DEMO_ORG_ROCHEVAL) | ORG(DEMO_ORG_RIVIERE) | ORG(DEMO_ORG_VAUTRIN),
	 .list = -1, .attach = DEMO_ATT_PDF | DEMO_ATT_DOCX | DEMO_ATT_PNG, .attach_pct = 25,
	 .table = 0, TOPIC_TEXT(dispute)},
	{.key = "board", .weight = 9, .english = 3,
	 .depts = DEMO_DEPT(DEMO_BOARD) | DEMO_DEPT(DEMO_DG),
	 .orgs = 0, .list = DEMO_LIST_CONSEIL, .list_pct = 70,
	 .attach = DEMO_ATT_PDF | DEMO_ATT_DOCX, .attach_pct = 30, .table = 0,
	 TOPIC_TEXT(board)},
	{.key = "press", .weight = 6, .english = 5,
	 .depts = DEMO_DEPT(DEMO_COM) | DEMO_DEPT(DEMO_DG) | DEMO_DEPT(DEMO_LAB),
	 .orgs = ORG(DEMO_ORG_ECHO) | ORG(DEMO_ORG_RADIO), .list = -1,
	 .attach = DEMO_ATT_PDF | DEMO_ATT_PNG, .attach_pct = 15, .table = 0,
	 TOPIC_TEXT(press)},
	{.key = "quality", .weight = 9, .english = 8,
	 .depts = DEMO_DEPT(DEMO_LAB) | DEMO_DEPT(DEMO_OPS),
	 .orgs = ORG(DEMO_ORG_LABO), .list = -1, .attach = DEMO_ATT_PDF | DEMO_ATT_CSV,
	 .attach_pct = 20, .table = 1, TOPIC_TEXT(quality)},
	{.key = "incident", .weight = 10, .english = 4,
	 .depts = DEMO_DEPT(DEMO_OPS) | DEMO_DEPT(DEMO_WORKS) | DEMO_DEPT(DEMO_BILL),
	 .orgs = 0, .list = DEMO_LIST_ASTREINTE, .list_pct = 35, .attach = DEMO_ATT_PNG,
	 .attach_pct = 20, .table = 0, TOPIC_TEXT(incident)},
	{.key = "hr", .weight = 6, .english = 4,
	 .depts = DEMO_DEPT(DEMO_HR) | DEMO_DEPT(DEMO_OPS) | DEMO_DEPT(DEMO_BILL),
	 .orgs = 0, .list = DEMO_LIST_TOUS, .list_pct = 25,
	 .attach = DEMO_ATT_PDF | DEMO_ATT_DOCX, .attach_pct = 15, .table = 0, TOPIC_TEXT(hr)},
	{.key = "it", .weight = 6, .english = 30,
	 .depts = DEMO_DEPT(DEMO_IT) | DEMO_DEPT(DEMO_OPS), .orgs = ORG(DEMO_ORG_NIMBUS),
	 .list = DEMO_LIST_TOUS, .list_pct = 20, .attach = DEMO_ATT_PDF | DEMO_ATT_CSV,
	 .attach_pct = 10, .table = 0, TOPIC_TEXT(it)},
	{.key = "tariff", .weight = 6, .english = 3,
	 .depts = DEMO_DEPT(DEMO_BILL) | DEMO_DEPT(DEMO_FIN), .orgs = 0, .list = -1,
	 .attach = DEMO_ATT_PDF | DEMO_ATT_XLS, .attach_pct = 15, .table = 1,
	 TOPIC_TEXT(tariff)},
	{.key = "grant", .weight = 5, .english = 15,
	 .depts = DEMO_DEPT(DEMO_FIN) | DEMO_DEPT(DEMO_WORKS) | DEMO_DEPT(DEMO_DG),
	 .orgs = ORG(DEMO_ORG_AGENCE), .list = -1, .attach = DEMO_ATT_PDF | DEMO_ATT_XLS,
	 .attach_pct = 25, .table = 1, TOPIC_TEXT(grant)},
	{.key = "audit", .weight = 4, .english = 5,
	 .depts = DEMO_DEPT(DEMO_DG) | DEMO_DEPT(DEMO_FIN) | DEMO_DEPT(DEMO_LEGAL),
	 .orgs = ORG(DEMO_ORG_CRC), .list = -1, .attach = DEMO_ATT_PDF | DEMO_ATT_DOCX,
	 .attach_pct = 25, .table = 0, TOPIC_TEXT(audit)},
	{.key = "supplier", .weight = 5, .english = 85,
	 .depts = DEMO_DEPT(DEMO_OPS) | DEMO_DEPT(DEMO_PROC) | DEMO_DEPT(DEMO_LAB),
	 .orgs = ORG(DEMO_ORG_HYDROSYS), .list = -1, .attach = DEMO_ATT_PDF,
	 .attach_pct = 30, .table = 1, TOPIC_TEXT(supplier)},
	{.key = "consulting", .weight = 4, .english = 55,
	 .depts = DEMO_DEPT(DEMO_DG) | DEMO_DEPT(DEMO_OPS) | DEMO_DEPT(DEMO_WORKS),
	 .orgs = ORG(DEMO_ORG_BLACKWOOD), .list = -1, .attach = DEMO_ATT_PDF | DEMO_ATT_DOCX,
	 .attach_pct = 25, .table = 0, TOPIC_TEXT(consult)},
	{.key = "social", .weight = 3, .english = 5,
	 .depts = DEMO_DEPT(DEMO_HR) | DEMO_DEPT(DEMO_COM) | DEMO_DEPT(DEMO_OPS) |
		  DEMO_DEPT(DEMO_BILL) | DEMO_DEPT(DEMO_FIN),
	 .orgs = 0, .list = DEMO_LIST_TOUS, .list_pct = 50, .attach = DEMO_ATT_PNG,
	 .attach_pct = 10, .table = 0, TOPIC_TEXT(social)},
};
const unsigned demo_topics_count = sizeof(demo_topics) / sizeof(demo_topics[0]);

/* ---------------------------------------------------------------- phrases */

static const char *const fr_greet_one[] = {
	"Bonjour {first},", "{first},", "Bonjour {first}", "Salut {first},", "Bonsoir {first},",
	"Re-bonjour {first},",
};
static const char *const fr_greet_all[] = {
	"Bonjour à tous,", "Bonjour,", "Chers collègues,", "Bonjour à toutes et à tous,",
};
static const char *const fr_greet_formal[] = {
	"Madame, Monsieur,", "Bonjour,", "Maître,", "Madame la Directrice,",
};
static const char *const fr_lead_in[] = {
	"Pour rappel, ", "Comme convenu, ", "Suite à notre échange, ", "Pour information, ",
	"Je vous confirme que ", "Je te signale que ", "Par ailleurs, ", "Enfin, ",
	"Petite précision : ", "D'après {colleague}, ", "Sauf erreur de ma part, ",
};
static const char *const fr_ack[] = {
	"Merci pour ton retour.", "Merci pour ces éléments.", "Bien reçu, merci.",
	"Je reviens vers vous au sujet de votre message.", "Merci, c'est noté.",
	"Désolé pour le délai de réponse.", "Vu avec {colleague} ce matin.",
	"Je complète ce que dit {colleague} :",
};
static const char *const fr_short[] = {
	"OK pour moi.", "Vu, je m'en occupe.", "Merci !", "D'accord, on en parle demain.",
	"Je valide.", "Bien noté, merci.", "Je suis en congé jusqu'à lundi, je regarde à mon retour.",
	"Peux-tu m'appeler ?", "Ça me va.", "Non, surtout pas avant le conseil.",
};
static const char *const fr_forward[] = {
	"Pour info.", "Pour information, voir ci-dessous.", "Qu'en penses-tu ?", "Peux-tu traiter ?",
	"À traiter en priorité, merci.", "Je te transfère, pour suite à donner.",
	"Pour info, à ne pas diffuser.",
};
static const char *const fr_closing[] = {
	"Je reste à votre disposition pour tout complément.", "Merci d'avance.",
	"N'hésite pas si tu as des questions.", "Bonne journée.", "Bon week-end à tous.",
	"Merci de me tenir informé.", "On en reparle à la réunion de service.",
};
static const char *const fr_signoff[] = {
	"Cordialement,", "Bien cordialement,", "Bien à vous,", "Merci,", "À bientôt,",
	"Bonne soirée,", "Sincères salutations,", "Amicalement,",
};
static const char *const fr_docs[] = {
	"le tableau de suivi", "le projet de délibération", "la note de synthèse",
	"le compte rendu de la réunion", "le cahier des charges", "le planning prévisionnel",
	"la version corrigée", "le dossier partagé",
};
static const char *const fr_list_items[] = {
	"Approbation du procès-verbal de la séance précédente",
	"Budget supplémentaire {year}",
	"Tarifs de l'eau {nextyear}",
	"Marché {ref} : attribution",
	"Point d'information sur le litige Rocheval",
	"Rapport annuel sur le prix et la qualité du service",
	"Emprunt pour la rénovation de l'usine de {site}",
	"Convention avec l'agence de l'eau",
	"Plan de renouvellement des compteurs",
	"Questions diverses",
};
static const char *const fr_table_rows[] = {
	"Travaux réseau", "Usine de {site}", "Compteurs", "Études", "Informatique", "Véhicules",
	"Énergie", "Réactifs de traitement", "Personnel", "Honoraires d'avocats",
};
static const char *const fr_table_head[] = {
	"Poste\tPrévu\tRéalisé\tÉcart",
	"Ligne\tBudget {year}\tEngagé\tReste",
};

static const char *const en_greet_one[] = {
	"Hi {first},", "Dear {first},", "{first},", "Hello {first},", "Morning {first},",
};
static const char *const en_greet_all[] = {
	"Hi all,", "Hello everyone,", "Dear colleagues,", "Hi team,",
};
static const char *const en_greet_formal[] = {
	"Dear Sir or Madam,", "Dear Ms Lefèvre,", "Good afternoon,", "Hello,",
};
static const char *const en_lead_in[] = {
	"Just a reminder that ", "As agreed, ", "Further to our call, ", "FYI, ", "To confirm, ",
	"Also, ", "Finally, ", "According to {colleague}, ",
};
static const char *const en_ack[] = {
	"Thanks for getting back to me.", "Thanks, that's helpful.", "Noted, thanks.",
	"Sorry for the slow reply.", "I checked with {colleague} this morning.",
};
static const char *const en_short[] = {
	"Sounds good.", "Will do.", "Thanks!", "Agreed.", "Let's discuss tomorrow.",
	"I'm out of the office until Monday; I'll look at it then.", "Can you call me?",
};
static const char *const en_forward[] = {
	"FYI.", "See below.", "What do you think?", "Could you deal with this?",
	"Forwarding for your records.",
};
static const char *const en_closing[] = {
	"Let me know if you need anything else.", "Thanks in advance.",
	"Happy to discuss.", "Have a good weekend.", "Please keep me posted.",
};
static const char *const en_signoff[] = {
	"Best regards,", "Kind regards,", "Thanks,", "Cheers,", "Best,", "Regards,",
};
static const char *const en_docs[] = {
	"the tracking spreadsheet", "the draft resolution", "the briefing note", "the minutes",
	"the specifications", "the updated schedule",
};
static const char *const en_list_items[] = {
	"Approval of the previous minutes", "Supplementary budget {year}", "{nextyear} water rates",
	"Contract {ref}: award", "Update on the Rocheval dispute", "Any other business",
};
static const char *const en_table_rows[] = {
	"Network works", "{site} plant", "Meters", "Studies", "IT", "Vehicles", "Energy",
};
static const char *const en_table_head[] = {
	"Item\tPlanned\tActual\tVariance",
};

const struct demo_phrases demo_phrases[DEMO_LANGS] = {
	[DEMO_FR] = {
		.greet_one = DEMO_STRINGS(fr_greet_one),
		.greet_all = DEMO_STRINGS(fr_greet_all),
		.greet_formal = DEMO_STRINGS(fr_greet_formal),
		.lead_in = DEMO_STRINGS(fr_lead_in),
		.ack = DEMO_STRINGS(fr_ack),
		.short_reply = DEMO_STRINGS(fr_short),
		.forward = DEMO_STRINGS(fr_forward),
		.closing = DEMO_STRINGS(fr_closing),
		.signoff = DEMO_STRINGS(fr_signoff),
		.docs = DEMO_STRINGS(fr_docs),
		.list_items = DEMO_STRINGS(fr_list_items),
		.table_rows = DEMO_STRINGS(fr_table_rows),
		.table_head = DEMO_STRINGS(fr_table_head),
		.months = {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
			   "septembre", "octobre", "novembre", "décembre"},
		.days = {"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"},
		.mobile_sig = "Envoyé de mon iPhone",
	},
	[DEMO_EN] = {
		.greet_one = DEMO_STRINGS(en_greet_one),
		.greet_all = DEMO_STRINGS(en_greet_all),
		.greet_formal = DEMO_STRINGS(en_greet_formal),
		.lead_in = DEMO_STRINGS(en_lead_in),
		.ack = DEMO_STRINGS(en_ack),
		.short_reply = DEMO_STRINGS(en_short),
		.forward = DEMO_STRINGS(en_forward),
		.closing = DEMO_STRINGS(en_closing),
		.signoff = DEMO_STRINGS(en_signoff),
		.docs = DEMO_STRINGS(en_docs),
		.list_items = DEMO_STRINGS(en_list_items),
		.table_rows = DEMO_STRINGS(en_table_rows),
		.table_head = DEMO_STRINGS(en_table_head),
		.months = {"January", "February", "March", "April", "May", "June", "July", "August",
			   "September", "October", "November", "December"},
		.days = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
			 "Saturday"},
		.mobile_sig = "Sent from my iPhone",
	},
};

static const char *const sites[] = {
	"Montcalais", "Fontvieille", "Croix-Haute", "Vaudrenne", "Moulin-Brûlé", "Sainte-Ysoline",
	"Bois-Rigaud", "Saulnay-le-Vieux",
};
static const char *const streets[] = {
	"rue des Tanneurs", "avenue de la Gare", "chemin du Lavoir", "rue Pasteur",
	"boulevard Victor-Hugo", "impasse des Saules", "route de Vaudrenne", "rue de l'Église",
	"quai de la Brenne", "place du Marché",
};
static const char *const companies[] = {
	"Rocheval TP", "Aquaterra Réseaux", "Ferrand Canalisations", "Hydréa Ingénierie",
	"Sotrélec", "Bâti-Brenne",
};
const struct demo_strings demo_sites = DEMO_STRINGS(sites);
const struct demo_strings demo_streets = DEMO_STRINGS(streets);
const struct demo_strings demo_companies = DEMO_STRINGS(companies);

/* ---------------------------------------------------------------- foreign charsets */

const char demo_text_ja_subject[] = "【ご案内】水中ポンプ出荷予定について";
const char demo_text_ja_body[] =
	"ヴァル・ド・ブレンヌ水道公社\n"
	"ルフェーヴル様\n"
	"\n"
	"いつも大変お世話になっております。\n"
	"金田ポンプ製作所の山本でございます。\n"
	"\n"
	"ご注文いただきました水中ポンプ（型式 KP-150）3台の出荷予定をご案内いたします。\n"
	"\n"
	"出荷日：2016年4月12日\n"
	"到着予定：2016年5月下旬（ル・アーヴル港経由）\n"
	"\n"
	"詳細は添付の資料をご確認ください。\n"
	"ご不明な点がございましたら、お気軽にお問い合わせください。\n"
	"\n"
	"今後ともよろしくお願い申し上げます。\n"
	"\n"
	"-- \n"
	"山本 健一\n"
	"金田ポンプ製作所 海外営業部\n";
const char demo_text_ja_delay_subject[] = "納期変更のお知らせ";
const char demo_text_ja_delay_body[] =
	"ルフェーヴル様\n"
	"\n"
	"いつも大変お世話になっております。\n"
	"部品の入荷が遅れているため、出荷日が一週間ほど遅れる見込みです。\n"
	"ご迷惑をおかけし、誠に申し訳ございません。\n"
	"\n"
	"今後ともよろしくお願い申し上げます。\n"
	"\n"
	"-- \n"
	"山本 健一\n"
	"金田ポンプ製作所 海外営業部\n";

const char demo_text_ru_subject[] = "Коммерческое предложение: ультразвуковые расходомеры";
const char demo_text_ru_body[] =
	"Уважаемые коллеги,\n"
	"\n"
	"Благодарим за ваш запрос. Направляем коммерческое предложение на поставку\n"
	"ультразвуковых расходомеров серии УР-200 для станции Монкале.\n"
	"\n"
	"Цена за единицу: 4 800 евро, срок поставки: 8 недель.\n"
	"Предложение действительно до конца месяца.\n"
	"\n"
	"С уважением,\n"
	"Ирина Соколова\n"
	"ООО Северприбор, отдел экспорта\n";

/* Codes checked against the ISO-2022-JP encoder of another implementation. */
const struct demo_jis demo_jis_table[] = {
	{0x3001, 0x2122}, /* 、 */
	{0x3002, 0x2123}, /* 。 */
	{0x3010, 0x215A}, /* 【 */
	{0x3011, 0x215B}, /* 】 */
	{0x30FB, 0x2126}, /* ・ */
	{0x30FC, 0x213C}, /* ー */
	{0x4E00, 0x306C}, /* 一 */
	{0x4E0A, 0x3E65}, /* 上 */
	{0x4E0B, 0x323C}, /* 下 */
	{0x4E0D, 0x4954}, /* 不 */
	{0x4E16, 0x4024}, /* 世 */
	{0x4E2D, 0x4366}, /* 中 */
	{0x4E88, 0x4D3D}, /* 予 */
	{0x4ECA, 0x3A23}, /* 今 */
	{0x4ED8, 0x4955}, /* 付 */
	{0x4F5C, 0x3A6E}, /* 作 */
	{0x5065, 0x3772}, /* 健 */
	{0x5165, 0x467E}, /* 入 */
	{0x516C, 0x3878}, /* 公 */
	{0x5185, 0x4662}, /* 内 */
	{0x51FA, 0x3D50}, /* 出 */
	{0x5230, 0x457E}, /* 到 */
	{0x53F0, 0x4266}, /* 台 */
	{0x5408, 0x3967}, /* 合 */
	{0x54C1, 0x494A}, /* 品 */
	{0x554F, 0x4C64}, /* 問 */
	{0x55B6, 0x3144}, /* 営 */
	{0x578B, 0x373F}, /* 型 */
	{0x5909, 0x4A51}, /* 変 */
	{0x5916, 0x3330}, /* 外 */
	{0x5927, 0x4267}, /* 大 */
	{0x5B9A, 0x446A}, /* 定 */
	{0x5C71, 0x3B33}, /* 山 */
	{0x5E74, 0x472F}, /* 年 */
	{0x5F0F, 0x3C30}, /* 式 */
	{0x5F8C, 0x3865}, /* 後 */
	{0x60D1, 0x4F47}, /* 惑 */
	{0x6240, 0x3D6A}, /* 所 */
	{0x6587, 0x4A38}, /* 文 */
	{0x6599, 0x4E41}, /* 料 */
	{0x65E5, 0x467C}, /* 日 */
	{0x65EC, 0x3D5C}, /* 旬 */
	{0x660E, 0x4C40}, /* 明 */
	{0x66F4, 0x3939}, /* 更 */
	{0x6708, 0x376E}, /* 月 */
	{0x671F, 0x347C}, /* 期 */
	{0x672C, 0x4B5C}, /* 本 */
	{0x6848, 0x3046}, /* 案 */
	{0x696D, 0x3648}, /* 業 */
	{0x69D8, 0x4D4D}, /* 様 */
	{0x6C17, 0x3524}, /* 気 */
	{0x6C34, 0x3F65}, /* 水 */
	{0x6CE8, 0x436D}, /* 注 */
	{0x6D77, 0x3324}, /* 海 */
	{0x6DFB, 0x453A}, /* 添 */
	{0x6E2F, 0x3941}, /* 港 */
	{0x70B9, 0x4540}, /* 点 */
	{0x7530, 0x4544}, /* 田 */
	{0x7531, 0x4D33}, /* 由 */
	{0x7533, 0x3F3D}, /* 申 */
	{0x7740, 0x4365}, /* 着 */
	{0x77E5, 0x434E}, /* 知 */
	{0x78BA, 0x334E}, /* 確 */
	{0x793E, 0x3C52}, /* 社 */
	{0x7D0D, 0x473C}, /* 納 */
	{0x7D30, 0x3A59}, /* 細 */
	{0x7D4C, 0x3750}, /* 経 */
	{0x8377, 0x3259}, /* 荷 */
	{0x88FD, 0x403D}, /* 製 */
	{0x898B, 0x382B}, /* 見 */
	{0x8A33, 0x4C75}, /* 訳 */
	{0x8A71, 0x4F43}, /* 話 */
	{0x8A73, 0x3E5C}, /* 詳 */
	{0x8A8D, 0x4727}, /* 認 */
	{0x8AA0, 0x403F}, /* 誠 */
	{0x8CC7, 0x3B71}, /* 資 */
	{0x8EFD, 0x375A}, /* 軽 */
	{0x8FBC, 0x397E}, /* 込 */
	{0x8FF7, 0x4C42}, /* 迷 */
	{0x9031, 0x3D35}, /* 週 */
	{0x9045, 0x4359}, /* 遅 */
	{0x9053, 0x463B}, /* 道 */
	{0x90E8, 0x4974}, /* 部 */
	{0x91D1, 0x3662}, /* 金 */
	{0x9593, 0x3456}, /* 間 */
	{0x9858, 0x346A}, /* 願 */
	{0xFF08, 0x214A}, /* （ */
	{0xFF09, 0x214B}, /* ） */
	{0xFF1A, 0x2127}, /* ： */
};
const unsigned demo_jis_count = sizeof(demo_jis_table) / sizeof(demo_jis_table[0]);
