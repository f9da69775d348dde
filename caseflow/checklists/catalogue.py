"""The realistic Flemish seed catalogue of checklist templates.

`flask --app caseflow seed-catalogue` loads this data: what a newcomer (and each
member of the family) usually has to arrange after arriving in Flanders, with the
official body to contact. Seeding is idempotent: templates and items are matched on
their `key`. Every text, condition and deadline below is only a starting point and
stays editable by admins afterwards; rules and thresholds change, so nothing here is
meant to be read as a constant by the application code.

Facts as gathered in November 2026 (see docs/domain.md). Deadlines are relative to
the case's arrival date. Texts are client-facing and available in en, nl and fr.
"""

TEMPLATES: list[dict] = [
    {
        "key": "arrival-flanders",
        "name": "Arrival in Flanders",
        "case_types": [],
        "items": [
            {
                "key": "municipal-registration-third-country",
                "category": "residence",
                "title": {
                    "en": "Register at the town hall",
                    "nl": "Inschrijving in de gemeente",
                    "fr": "Inscription à la commune",
                },
                "explanation": {
                    "en": (
                        "Register at the population service (burgerzaken) of your town hall"
                        " within 8 working days of arrival. Bring your passport with visa or"
                        " permit and your rental contract. See your municipality's website;"
                        " general information from the Immigration Office: dofi.ibz.be."
                    ),
                    "nl": (
                        "Schrijf je binnen 8 werkdagen na aankomst in bij de dienst"
                        " Burgerzaken van je gemeente. Breng je paspoort met visum of"
                        " vergunning en je huurcontract mee. Meer info op de website van je"
                        " gemeente en bij de Dienst Vreemdelingenzaken: dofi.ibz.be."
                    ),
                    "fr": (
                        "Inscrivez-vous au service Population de votre commune dans les 8"
                        " jours ouvrables suivant votre arrivée, avec votre passeport (visa ou"
                        " permis) et votre contrat de bail. Infos sur le site de votre commune"
                        " et auprès de l'Office des étrangers : dofi.ibz.be."
                    ),
                },
                "applies": {
                    "scope": "person",
                    "nationality_group": "third_country",
                    "household_roles": [],
                    "min_age": None,
                    "max_age": None,
                    "case_types": [],
                },
                "deadline": {"kind": "working_days", "days": 8},
                "required": True,
            },
            {
                "key": "municipal-registration-eu",
                "category": "residence",
                "title": {
                    "en": "Register at the town hall (EU/EEA/Swiss)",
                    "nl": "Inschrijving in de gemeente (EU/EER/Zwitserland)",
                    "fr": "Inscription à la commune (UE/EEE/Suisse)",
                },
                "explanation": {
                    "en": (
                        "Staying more than 3 months? Register at the population service"
                        " (burgerzaken) of your town hall within 3 months of arrival. You get"
                        " an annex 19 and then have 3 months to hand in your documents; after"
                        " a positive decision you receive an EU card. Info: your municipality"
                        " and the Immigration Office, dofi.ibz.be."
                    ),
                    "nl": (
                        "Blijf je langer dan 3 maanden? Schrijf je binnen 3 maanden na"
                        " aankomst in bij de dienst Burgerzaken van je gemeente. Je krijgt een"
                        " bijlage 19 en hebt daarna 3 maanden om je documenten in te dienen."
                        " Na een positieve beslissing krijg je een EU-kaart. Info: je gemeente"
                        " en de Dienst Vreemdelingenzaken, dofi.ibz.be."
                    ),
                    "fr": (
                        "Vous restez plus de 3 mois ? Inscrivez-vous au service Population de"
                        " votre commune dans les 3 mois. Vous recevez une annexe 19 et disposez"
                        " ensuite de 3 mois pour remettre vos documents ; après une décision"
                        " positive, vous recevez une carte UE. Infos : votre commune et"
                        " l'Office des étrangers, dofi.ibz.be."
                    ),
                },
                "applies": {
                    "scope": "person",
                    "nationality_group": "eu",
                    "household_roles": [],
                    "min_age": None,
                    "max_age": None,
                    "case_types": [],
                },
                "deadline": {"kind": "months", "months": 3},
                "required": True,
            },
            {
                "key": "police-address-check",
                "category": "residence",
                "title": {
                    "en": "Police address check",
                    "nl": "Woonstcontrole door de wijkagent",
                    "fr": "Contrôle de résidence par l'agent de quartier",
                },
                "explanation": {
                    "en": (
                        "After you register, the local police officer (wijkagent) visits your"
                        " home to check that you live there. Put your name on the letterbox"
                        " and doorbell and tell us when the visit has taken place. Info:"
                        " your local police, www.police.be."
                    ),
                    "nl": (
                        "Na je inschrijving komt de wijkagent langs om te controleren of je"
                        " echt op het adres woont. Zet je naam op de brievenbus en de bel en"
                        " laat ons weten wanneer de controle gebeurd is. Info: je lokale"
                        " politie, www.police.be."
                    ),
                    "fr": (
                        "Après votre inscription, l'agent de quartier passe chez vous pour"
                        " vérifier que vous habitez à cette adresse. Mettez votre nom sur la"
                        " boîte aux lettres et la sonnette, et prévenez-nous après sa visite."
                        " Infos : votre police locale, www.police.be."
                    ),
                },
                "applies": {
                    "scope": "household",
                    "nationality_group": None,
                    "household_roles": [],
                    "min_age": None,
                    "max_age": None,
                    "case_types": [],
                },
                "deadline": {"kind": "months", "months": 1},
                "required": False,
            },
            {
                "key": "residence-card-third-country",
                "category": "residence",
                "title": {
                    "en": "Collect your residence card",
                    "nl": "Verblijfskaart afhalen",
                    "fr": "Retirer votre carte de séjour",
                },
                "explanation": {
                    "en": (
                        "Once your residence is approved, the town hall invites you to collect"
                        " your electronic card: for example an A or B card (also for a single"
                        " permit), an H card (EU Blue Card) or an F card (family of an EU"
                        " citizen). Children under 12 get a separate document. The card is not"
                        " an identity document: keep your passport. Info: dofi.ibz.be."
                    ),
                    "nl": (
                        "Is je verblijf goedgekeurd, dan nodigt de gemeente je uit om je"
                        " elektronische kaart af te halen: bijvoorbeeld een A- of B-kaart (ook"
                        " bij een gecombineerde vergunning), een H-kaart (Europese blauwe"
                        " kaart) of een F-kaart (familielid van een EU-burger). Kinderen onder"
                        " 12 krijgen een apart document. De kaart is geen identiteitsbewijs:"
                        " hou je paspoort bij. Info: dofi.ibz.be."
                    ),
                    "fr": (
                        "Une fois le séjour accordé, la commune vous invite à retirer votre"
                        " carte électronique : par exemple une carte A ou B (aussi pour un"
                        " permis unique), H (carte bleue européenne) ou F (membre de la famille"
                        " d'un citoyen UE). Les enfants de moins de 12 ans reçoivent un autre"
                        " document. La carte n'est pas une pièce d'identité. Infos :"
                        " dofi.ibz.be."
                    ),
                },
                "applies": {
                    "scope": "person",
                    "nationality_group": "third_country",
                    "household_roles": [],
                    "min_age": None,
                    "max_age": None,
                    "case_types": [],
                },
                "deadline": {"kind": "none"},
                "required": True,
            },
            {
                "key": "residence-card-eu",
                "category": "residence",
                "title": {
                    "en": "Collect your EU card",
                    "nl": "EU-kaart afhalen",
                    "fr": "Retirer votre carte UE",
                },
                "explanation": {
                    "en": (
                        "The decision on your registration follows within 6 months of your"
                        " application. The town hall then invites you to collect your EU card"
                        " (or EU+ card for permanent residence). Children under 12 get a"
                        " separate document. The card is not an identity document: keep your"
                        " passport or ID card. Info: dofi.ibz.be."
                    ),
                    "nl": (
                        "De beslissing over je inschrijving volgt binnen 6 maanden na je"
                        " aanvraag. Daarna nodigt de gemeente je uit om je EU-kaart af te halen"
                        " (of EU+-kaart bij duurzaam verblijf). Kinderen onder 12 krijgen een"
                        " apart document. De kaart is geen identiteitsbewijs: hou je paspoort"
                        " of identiteitskaart bij. Info: dofi.ibz.be."
                    ),
                    "fr": (
                        "La décision sur votre inscription intervient dans les 6 mois de votre"
                        " demande. La commune vous invite ensuite à retirer votre carte UE (ou"
                        " UE+ pour le séjour permanent). Les enfants de moins de 12 ans"
                        " reçoivent un autre document. La carte n'est pas une pièce d'identité :"
                        " gardez votre passeport ou carte d'identité. Infos : dofi.ibz.be."
                    ),
                },
                "applies": {
                    "scope": "person",
                    "nationality_group": "eu",
                    "household_roles": [],
                    "min_age": None,
                    "max_age": None,
                    "case_types": [],
                },
                "deadline": {"kind": "months", "months": 6},
                "required": True,
            },
            {
                "key": "single-permit-renewal",
                "category": "work",
                "title": {
                    "en": "Renew your single permit",
                    "nl": "Gecombineerde vergunning verlengen",
                    "fr": "Renouveler votre permis unique",
                },
                "explanation": {
                    "en": (
                        "Your single permit must be renewed between 6 and 2 months before it"
                        " expires. Your employer submits the renewal application to the"
                        " Flemish government; check with them that it has been sent in time."
                        " Info: www.vlaanderen.be."
                    ),
                    "nl": (
                        "Je gecombineerde vergunning moet je verlengen tussen 6 en 2 maanden"
                        " voor ze vervalt. Je werkgever dient de aanvraag tot verlenging in bij"
                        " de Vlaamse overheid; vraag na of dat op tijd gebeurd is. Info:"
                        " www.vlaanderen.be."
                    ),
                    "fr": (
                        "Votre permis unique doit être renouvelé entre 6 et 2 mois avant son"
                        " expiration. Votre employeur introduit la demande auprès de"
                        " l'administration flamande ; vérifiez avec lui qu'elle a été envoyée"
                        " à temps. Infos : www.vlaanderen.be."
                    ),
                },
                "applies": {
                    "scope": "person",
                    "nationality_group": "third_country",
                    "household_roles": ["main_applicant"],
                    "min_age": None,
                    "max_age": None,
                    "case_types": ["Knowledge worker (non-EU)", "Researcher"],
                },
                "deadline": {"kind": "expiry_window", "from_months": 6, "to_months": 2},
                "required": False,
            },
            {
                "key": "insz-bis-number",
                "category": "residence",
                "title": {
                    "en": "Social security number (INSZ or BIS)",
                    "nl": "Rijksregister- of BIS-nummer (INSZ)",
                    "fr": "Numéro NISS ou BIS",
                },
                "explanation": {
                    "en": (
                        "Your social security number (INSZ) is your national register number,"
                        " shown on your residence card. If you are not in the national register"
                        " yet, your employer or health fund can request a BIS number. We only"
                        " note that you have one, never the number itself. Info:"
                        " www.socialsecurity.be."
                    ),
                    "nl": (
                        "Je INSZ-nummer is je rijksregisternummer; het staat op je"
                        " verblijfskaart. Sta je nog niet in het rijksregister, dan kan je"
                        " werkgever of ziekenfonds een BIS-nummer aanvragen. Wij noteren alleen"
                        " dat je een nummer hebt, nooit het nummer zelf. Info:"
                        " www.socialsecurity.be."
                    ),
                    "fr": (
                        "Votre NISS est votre numéro de registre national, repris sur votre"
                        " carte de séjour. Si vous n'êtes pas encore au registre national,"
                        " votre employeur ou votre mutualité peut demander un numéro BIS. Nous"
                        " notons seulement que vous en avez un, jamais le numéro. Infos :"
                        " www.socialsecurity.be."
                    ),
                },
                "applies": {
                    "scope": "person",
                    "nationality_group": None,
                    "household_roles": [],
                    "min_age": None,
                    "max_age": None,
                    "case_types": [],
                },
                "deadline": {"kind": "calendar_days", "days": 30},
                "required": True,
            },
            {
                "key": "health-fund-membership",
                "category": "health",
                "title": {
                    "en": "Join a health fund",
                    "nl": "Aansluiten bij een ziekenfonds",
                    "fr": "S'affilier à une mutualité",
                },
                "explanation": {
                    "en": (
                        "Health insurance is compulsory in Belgium. Join a recognised health"
                        " fund (ziekenfonds) of your choice or the public Auxiliary Fund"
                        " HZIV/CAAMI (www.caami-hziv.fgov.be). A partner without their own"
                        " income can be registered as a dependant of the working partner."
                    ),
                    "nl": (
                        "Een ziekteverzekering is verplicht in België. Sluit je aan bij een"
                        " erkend ziekenfonds naar keuze of bij de openbare Hulpkas HZIV"
                        " (www.caami-hziv.fgov.be). Een partner zonder eigen inkomen kan je"
                        " als persoon ten laste inschrijven."
                    ),
                    "fr": (
                        "L'assurance soins de santé est obligatoire en Belgique. Affiliez-vous"
                        " à la mutualité reconnue de votre choix ou à la Caisse auxiliaire"
                        " publique CAAMI (www.caami-hziv.fgov.be). Un partenaire sans revenus"
                        " propres peut être inscrit comme personne à charge."
                    ),
                },
                "applies": {
                    "scope": "person",
                    "nationality_group": None,
                    "household_roles": [],
                    "min_age": 18,
                    "max_age": None,
                    "case_types": [],
                },
                "deadline": {"kind": "months", "months": 1},
                "required": True,
            },
            {
                "key": "health-fund-children",
                "category": "health",
                "title": {
                    "en": "Add your child to the health fund",
                    "nl": "Kind inschrijven bij het ziekenfonds",
                    "fr": "Inscrire votre enfant à la mutualité",
                },
                "explanation": {
                    "en": (
                        "Children are insured as dependants of a parent. Ask your health fund"
                        " (or HZIV/CAAMI, www.caami-hziv.fgov.be) to add your child, so that"
                        " doctor's visits and medicines are reimbursed."
                    ),
                    "nl": (
                        "Kinderen zijn verzekerd als persoon ten laste van een ouder. Vraag je"
                        " ziekenfonds (of de HZIV, www.caami-hziv.fgov.be) om je kind in te"
                        " schrijven, zodat doktersbezoeken en geneesmiddelen terugbetaald"
                        " worden."
                    ),
                    "fr": (
                        "Les enfants sont assurés comme personnes à charge d'un parent."
                        " Demandez à votre mutualité (ou à la CAAMI, www.caami-hziv.fgov.be)"
                        " d'inscrire votre enfant, pour le remboursement des consultations et"
                        " des médicaments."
                    ),
                },
                "applies": {
                    "scope": "person",
                    "nationality_group": None,
                    "household_roles": [],
                    "min_age": None,
                    "max_age": 17,
                    "case_types": [],
                },
                "deadline": {"kind": "months", "months": 1},
                "required": True,
            },
            {
                "key": "flemish-social-protection",
                "category": "health",
                "title": {
                    "en": "Flemish social protection (care premium)",
                    "nl": "Vlaamse sociale bescherming (zorgpremie)",
                    "fr": "Protection sociale flamande (prime de soins)",
                },
                "explanation": {
                    "en": (
                        "From the year you turn 26, everyone living in Flanders must join a"
                        " care fund (zorgkas) and pay a small yearly premium, the zorgpremie."
                        " Most health funds have one. It pays a care budget if you ever need"
                        " long-term care. Info: www.vlaamsesocialebescherming.be."
                    ),
                    "nl": (
                        "Vanaf het jaar waarin je 26 wordt, moet iedereen die in Vlaanderen"
                        " woont aangesloten zijn bij een zorgkas en jaarlijks een zorgpremie"
                        " betalen. De meeste ziekenfondsen hebben een zorgkas. Je krijgt zo"
                        " een zorgbudget als je later veel zorg nodig hebt. Info:"
                        " www.vlaamsesocialebescherming.be."
                    ),
                    "fr": (
                        "Dès l'année de vos 26 ans, toute personne habitant en Flandre doit"
                        " s'affilier à une caisse d'assurance soins (zorgkas) et payer une"
                        " prime annuelle (zorgpremie). La plupart des mutualités en ont une."
                        " Elle donne droit à un budget de soins en cas de besoin. Infos :"
                        " www.vlaamsesocialebescherming.be."
                    ),
                },
                "applies": {
                    "scope": "person",
                    "nationality_group": None,
                    "household_roles": [],
                    "min_age": 18,
                    "max_age": None,
                    "case_types": [],
                },
                "deadline": {"kind": "year_turning", "age": 26},
                "required": False,
            },
            {
                "key": "bank-account",
                "category": "money",
                "title": {
                    "en": "Open a Belgian bank account",
                    "nl": "Belgische bankrekening openen",
                    "fr": "Ouvrir un compte bancaire belge",
                },
                "explanation": {
                    "en": (
                        "Open a bank account in Belgium for your salary, rent and child"
                        " benefit. If a bank refuses, every legal resident has the right to the"
                        " basic banking service (basisbankdienst). If that is refused too,"
                        " contact the FPS Economy: www.economie.fgov.be."
                    ),
                    "nl": (
                        "Open een Belgische bankrekening voor je loon, huur en Groeipakket."
                        " Weigert een bank, dan heeft iedere wettig verblijvende inwoner recht"
                        " op de basisbankdienst. Wordt ook die geweigerd, neem dan contact op"
                        " met de FOD Economie: www.economie.fgov.be."
                    ),
                    "fr": (
                        "Ouvrez un compte en Belgique pour votre salaire, votre loyer et les"
                        " allocations familiales. Si une banque refuse, tout résident légal a"
                        " droit au service bancaire de base. En cas de nouveau refus,"
                        " contactez le SPF Economie : www.economie.fgov.be."
                    ),
                },
                "applies": {
                    "scope": "household",
                    "nationality_group": None,
                    "household_roles": [],
                    "min_age": None,
                    "max_age": None,
                    "case_types": [],
                },
                "deadline": {"kind": "calendar_days", "days": 30},
                "required": True,
            },
            {
                "key": "child-benefit-groeipakket",
                "category": "family_school",
                "title": {
                    "en": "Child benefit (Groeipakket)",
                    "nl": "Groeipakket aanvragen",
                    "fr": "Allocations familiales (Groeipakket)",
                },
                "explanation": {
                    "en": (
                        "Children living in Flanders are entitled to the Groeipakket, the"
                        " Flemish child benefit. Choose one of the five payers (FONS, Infino,"
                        " KidsLife, MyFamily or Parentia) and apply with them; the benefit is"
                        " paid into your bank account. Info: www.groeipakket.be."
                    ),
                    "nl": (
                        "Kinderen die in Vlaanderen wonen, hebben recht op het Groeipakket."
                        " Kies een van de vijf uitbetalers (FONS, Infino, KidsLife, MyFamily of"
                        " Parentia) en vraag het bij hen aan; het bedrag wordt op je"
                        " bankrekening gestort. Info: www.groeipakket.be."
                    ),
                    "fr": (
                        "Les enfants qui habitent en Flandre ont droit au Groeipakket, les"
                        " allocations familiales flamandes. Choisissez l'une des cinq caisses"
                        " (FONS, Infino, KidsLife, MyFamily ou Parentia) et faites la demande"
                        " chez elle ; le montant est versé sur votre compte. Infos :"
                        " www.groeipakket.be."
                    ),
                },
                "applies": {
                    "scope": "person",
                    "nationality_group": None,
                    "household_roles": [],
                    "min_age": None,
                    "max_age": 17,
                    "case_types": [],
                },
                "deadline": {"kind": "months", "months": 3},
                "required": True,
            },
            {
                "key": "school-enrolment",
                "category": "family_school",
                "title": {
                    "en": "Enrol your child in school",
                    "nl": "Kind inschrijven in een school",
                    "fr": "Inscrire votre enfant à l'école",
                },
                "explanation": {
                    "en": (
                        "School is compulsory from 1 September of the year your child turns 5;"
                        " children can start nursery school from the age of 2.5. Many towns"
                        " use a central online registration (aanmelden) before you enrol at"
                        " the school. Info: your municipality and onderwijs.vlaanderen.be."
                    ),
                    "nl": (
                        "Je kind is leerplichtig vanaf 1 september van het jaar waarin het 5"
                        " wordt; naar de kleuterschool kan vanaf 2,5 jaar. In veel gemeenten"
                        " meld je je kind eerst centraal online aan voor je inschrijft in de"
                        " school. Info: je gemeente en onderwijs.vlaanderen.be."
                    ),
                    "fr": (
                        "L'école est obligatoire dès le 1er septembre de l'année des 5 ans de"
                        " votre enfant ; l'école maternelle est possible dès 2 ans et demi."
                        " Dans beaucoup de communes, il faut d'abord un enregistrement central"
                        " en ligne (aanmelden). Infos : votre commune et"
                        " onderwijs.vlaanderen.be."
                    ),
                },
                "applies": {
                    "scope": "person",
                    "nationality_group": None,
                    "household_roles": [],
                    "min_age": 2,
                    "max_age": 17,
                    "case_types": [],
                },
                "deadline": {"kind": "school_start", "age": 5},
                "required": True,
            },
            {
                "key": "okan-reception-class",
                "category": "family_school",
                "title": {
                    "en": "Reception class for newcomers (OKAN)",
                    "nl": "Onthaalklas voor anderstalige nieuwkomers (OKAN)",
                    "fr": "Classe d'accueil pour primo-arrivants (OKAN)",
                },
                "explanation": {
                    "en": (
                        "Newcomers aged 12 to 17 who speak little Dutch can start secondary"
                        " school in an OKAN reception class: intensive Dutch lessons, then a"
                        " move to a regular class. Ask a secondary school with OKAN or your"
                        " municipality. Info: onderwijs.vlaanderen.be."
                    ),
                    "nl": (
                        "Nieuwkomers van 12 tot 17 jaar die weinig Nederlands spreken, kunnen"
                        " in het secundair starten in een OKAN-klas: intensief Nederlands,"
                        " daarna overstappen naar een gewone klas. Vraag het aan een secundaire"
                        " school met OKAN of aan je gemeente. Info: onderwijs.vlaanderen.be."
                    ),
                    "fr": (
                        "Les jeunes de 12 à 17 ans qui parlent peu le néerlandais peuvent"
                        " commencer le secondaire dans une classe d'accueil OKAN : néerlandais"
                        " intensif, puis passage dans une classe ordinaire. Adressez-vous à une"
                        " école secondaire avec OKAN ou à votre commune. Infos :"
                        " onderwijs.vlaanderen.be."
                    ),
                },
                "applies": {
                    "scope": "person",
                    "nationality_group": None,
                    "household_roles": [],
                    "min_age": 12,
                    "max_age": 17,
                    "case_types": [],
                },
                "deadline": {"kind": "none"},
                "required": False,
            },
            {
                "key": "civic-integration",
                "category": "integration",
                "title": {
                    "en": "Civic integration and Dutch lessons",
                    "nl": "Inburgering en lessen Nederlands",
                    "fr": "Intégration civique et cours de néerlandais",
                },
                "explanation": {
                    "en": (
                        "The civic integration programme (inburgering) helps you find your way"
                        " in Flanders: a course on Belgian society, Dutch lessons (NT2) via the"
                        " Huis van het Nederlands, VDAB registration and participation. We will"
                        " tell you whether it is compulsory for you. Contact the Agentschap"
                        " Integratie en Inburgering: www.inburgering.be."
                    ),
                    "nl": (
                        "Het inburgeringstraject helpt je je weg te vinden in Vlaanderen: een"
                        " cursus maatschappelijke oriëntatie, lessen Nederlands (NT2) via het"
                        " Huis van het Nederlands, inschrijving bij VDAB en participatie. Wij"
                        " zeggen je of het voor jou verplicht is. Contact: Agentschap"
                        " Integratie en Inburgering, www.inburgering.be."
                    ),
                    "fr": (
                        "Le parcours d'intégration civique (inburgering) vous aide à trouver"
                        " vos repères en Flandre : cours d'orientation sociale, néerlandais"
                        " (NT2) via le Huis van het Nederlands, inscription au VDAB et"
                        " participation. Nous vous dirons s'il est obligatoire pour vous."
                        " Contact : Agentschap Integratie en Inburgering, www.inburgering.be."
                    ),
                },
                "applies": {
                    "scope": "person",
                    "nationality_group": "third_country",
                    "household_roles": [],
                    "min_age": 18,
                    "max_age": None,
                    "case_types": [],
                },
                "deadline": {"kind": "months", "months": 3},
                "required": False,
            },
            {
                "key": "diploma-recognition",
                "category": "work",
                "title": {
                    "en": "Diploma recognition (NARIC-Vlaanderen)",
                    "nl": "Diploma-erkenning (NARIC-Vlaanderen)",
                    "fr": "Reconnaissance de diplôme (NARIC-Vlaanderen)",
                },
                "explanation": {
                    "en": (
                        "Looking for a job, or working in a regulated profession such as"
                        " doctor, nurse or teacher? Have your foreign diploma recognised by"
                        " NARIC-Vlaanderen. Apply online and allow a few months. Info:"
                        " www.naricvlaanderen.be."
                    ),
                    "nl": (
                        "Zoek je werk, of wil je werken in een gereglementeerd beroep zoals"
                        " arts, verpleegkundige of leerkracht? Laat je buitenlands diploma"
                        " erkennen door NARIC-Vlaanderen. Vraag het online aan en reken op"
                        " enkele maanden. Info: www.naricvlaanderen.be."
                    ),
                    "fr": (
                        "Vous cherchez un emploi ou voulez exercer une profession réglementée"
                        " (médecin, infirmier, enseignant...) ? Faites reconnaître votre"
                        " diplôme étranger par NARIC-Vlaanderen. La demande se fait en ligne et"
                        " prend quelques mois. Infos : www.naricvlaanderen.be."
                    ),
                },
                "applies": {
                    "scope": "person",
                    "nationality_group": None,
                    "household_roles": ["main_applicant", "partner"],
                    "min_age": 18,
                    "max_age": None,
                    "case_types": [],
                },
                "deadline": {"kind": "none"},
                "required": False,
            },
            {
                "key": "driving-licence-non-eu",
                "category": "mobility",
                "title": {
                    "en": "Exchange your non-EU driving licence",
                    "nl": "Niet-Europees rijbewijs omwisselen",
                    "fr": "Échange du permis de conduire non européen",
                },
                "explanation": {
                    "en": (
                        "A recognised non-EU driving licence may be used for 185 days after"
                        " your registration; then exchange it for a Belgian licence at the"
                        " driving licence desk of your town hall. If your licence cannot be"
                        " exchanged, you will need to pass the Belgian exams. Info:"
                        " mobilit.belgium.be."
                    ),
                    "nl": (
                        "Met een erkend niet-Europees rijbewijs mag je rijden tot 185 dagen na"
                        " je inschrijving; wissel het daarna om voor een Belgisch rijbewijs bij"
                        " de dienst rijbewijzen van je gemeente. Kan je rijbewijs niet"
                        " omgewisseld worden, dan moet je de Belgische examens afleggen. Info:"
                        " mobilit.belgium.be."
                    ),
                    "fr": (
                        "Un permis non européen reconnu peut être utilisé pendant 185 jours"
                        " après votre inscription ; échangez-le ensuite contre un permis belge"
                        " au service permis de conduire de votre commune. Si l'échange n'est"
                        " pas possible, vous devrez passer les examens belges. Infos :"
                        " mobilit.belgium.be."
                    ),
                },
                "applies": {
                    "scope": "person",
                    "nationality_group": "third_country",
                    "household_roles": [],
                    "min_age": 18,
                    "max_age": None,
                    "case_types": [],
                },
                "deadline": {"kind": "calendar_days", "days": 185},
                "required": False,
            },
            {
                "key": "driving-licence-eu",
                "category": "mobility",
                "title": {
                    "en": "Exchange your EU driving licence",
                    "nl": "Europees rijbewijs omwisselen",
                    "fr": "Échange du permis de conduire européen",
                },
                "explanation": {
                    "en": (
                        "An EU/EEA driving licence without an end date (valid for life) must"
                        " be exchanged for a Belgian licence within 2 years of registering."
                        " A licence with an end date stays valid until it expires. Exchange at"
                        " the driving licence desk of your town hall. Info: mobilit.belgium.be."
                    ),
                    "nl": (
                        "Een Europees rijbewijs zonder einddatum (levenslang geldig) moet je"
                        " binnen 2 jaar na je inschrijving omwisselen voor een Belgisch"
                        " rijbewijs. Een rijbewijs met einddatum blijft geldig tot het"
                        " vervalt. Omwisselen doe je bij de dienst rijbewijzen van je gemeente."
                        " Info: mobilit.belgium.be."
                    ),
                    "fr": (
                        "Un permis européen sans date de fin (valable à vie) doit être échangé"
                        " contre un permis belge dans les 2 ans de votre inscription. Un"
                        " permis avec date de fin reste valable jusqu'à son expiration."
                        " L'échange se fait au service permis de conduire de votre commune."
                        " Infos : mobilit.belgium.be."
                    ),
                },
                "applies": {
                    "scope": "person",
                    "nationality_group": "eu",
                    "household_roles": [],
                    "min_age": 18,
                    "max_age": None,
                    "case_types": [],
                },
                "deadline": {"kind": "months", "months": 24},
                "required": False,
            },
            {
                "key": "expat-tax-regime",
                "category": "tax",
                "title": {
                    "en": "Special tax regime for expats",
                    "nl": "Bijzonder belastingstelsel voor expats",
                    "fr": "Régime fiscal spécial pour impatriés",
                },
                "explanation": {
                    "en": (
                        "Employees and researchers recruited from abroad may qualify for a"
                        " special tax regime (impatriates). You and your employer must apply"
                        " together within 3 months of your first working day. Ask your"
                        " employer whether you qualify. Info: FPS Finance, finance.belgium.be."
                    ),
                    "nl": (
                        "Werknemers en onderzoekers die uit het buitenland aangeworven zijn,"
                        " komen mogelijk in aanmerking voor het bijzonder belastingstelsel voor"
                        " ingekomen belastingplichtigen. Je werkgever en jij vragen het samen"
                        " aan binnen 3 maanden na je eerste werkdag. Info: FOD Financiën,"
                        " finance.belgium.be."
                    ),
                    "fr": (
                        "Les salariés et chercheurs recrutés à l'étranger peuvent bénéficier"
                        " du régime spécial d'imposition des contribuables impatriés. Votre"
                        " employeur et vous devez le demander ensemble dans les 3 mois de votre"
                        " premier jour de travail. Infos : SPF Finances, finance.belgium.be."
                    ),
                },
                "applies": {
                    "scope": "person",
                    "nationality_group": None,
                    "household_roles": ["main_applicant"],
                    "min_age": None,
                    "max_age": None,
                    "case_types": ["Knowledge worker (non-EU)", "Researcher", "EU citizen"],
                },
                "deadline": {"kind": "months", "months": 3},
                "required": False,
            },
        ],
    },
    {
        "key": "posted-workers",
        "name": "Posted workers",
        "case_types": ["Posted worker"],
        "items": [
            {
                "key": "limosa-declaration",
                "category": "work",
                "title": {
                    "en": "Limosa declaration",
                    "nl": "Limosa-melding",
                    "fr": "Déclaration Limosa",
                },
                "explanation": {
                    "en": (
                        "Before you start working in Belgium, your employer must file a Limosa"
                        " declaration with the Belgian social security. Ask your employer for"
                        " the L1 receipt and keep it with you at work. Info: www.limosa.be."
                    ),
                    "nl": (
                        "Voor je begint te werken in België, moet je werkgever een"
                        " Limosa-melding doen bij de Belgische sociale zekerheid. Vraag je"
                        " werkgever om het ontvangstbewijs L1 en hou het bij je op het werk."
                        " Info: www.limosa.be."
                    ),
                    "fr": (
                        "Avant que vous ne commenciez à travailler en Belgique, votre employeur"
                        " doit faire une déclaration Limosa auprès de la sécurité sociale"
                        " belge. Demandez-lui l'accusé de réception L1 et gardez-le sur vous"
                        " au travail. Infos : www.limosa.be."
                    ),
                },
                "applies": {
                    "scope": "person",
                    "nationality_group": None,
                    "household_roles": ["main_applicant"],
                    "min_age": None,
                    "max_age": None,
                    "case_types": [],
                },
                "deadline": {"kind": "calendar_days", "days": 0},
                "required": True,
            },
            {
                "key": "a1-form",
                "category": "work",
                "title": {
                    "en": "A1 form (social security abroad)",
                    "nl": "A1-formulier (sociale zekerheid in het buitenland)",
                    "fr": "Formulaire A1 (sécurité sociale à l'étranger)",
                },
                "explanation": {
                    "en": (
                        "As a posted worker you stay insured in your home country. Your"
                        " employer requests the A1 form (or a certificate of coverage from a"
                        " non-EU country with a treaty) from the social security institution"
                        " there. Keep a copy with you. Info: www.socialsecurity.be."
                    ),
                    "nl": (
                        "Als gedetacheerde werknemer blijf je verzekerd in je thuisland. Je"
                        " werkgever vraagt daar het A1-formulier aan (of een"
                        " detacheringsattest bij een verdragsland buiten de EU) bij de sociale"
                        " zekerheid. Hou een kopie bij je. Info: www.socialsecurity.be."
                    ),
                    "fr": (
                        "Travailleur détaché, vous restez assuré dans votre pays d'origine."
                        " Votre employeur y demande le formulaire A1 (ou un certificat de"
                        " détachement pour un pays hors UE lié par une convention) auprès de la"
                        " sécurité sociale. Gardez-en une copie. Infos : www.socialsecurity.be."
                    ),
                },
                "applies": {
                    "scope": "person",
                    "nationality_group": None,
                    "household_roles": ["main_applicant"],
                    "min_age": None,
                    "max_age": None,
                    "case_types": [],
                },
                "deadline": {"kind": "calendar_days", "days": 30},
                "required": True,
            },
        ],
    },
]
