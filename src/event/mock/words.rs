//! The vocabulary of mock events: people, parkings, facilities, sports, reasons. Seed 1 is a
//! French parking service, so its people and places are French; seed 2's facilities are
//! French or American, and their currency, time zone and people follow.

use super::rng::Rand;

pub(crate) const FRENCH_FIRST: &[&str] = &[
    "Jean",
    "Marie",
    "Pierre",
    "Sophie",
    "Luc",
    "Camille",
    "Thomas",
    "Léa",
    "Nicolas",
    "Chloé",
    "Julien",
    "Manon",
    "Antoine",
    "Inès",
    "Mathieu",
    "Élodie",
    "François",
    "Hélène",
    "Hugo",
    "Zoé",
    "Théo",
    "Noémie",
    "Jérôme",
    "Gaëlle",
    "Jean-Baptiste",
    "Marie-Claire",
    "Sébastien",
    "Céline",
    "Amélie",
    "Rémi",
];

pub(crate) const FRENCH_LAST: &[&str] = &[
    "Dupont",
    "Martin",
    "Bernard",
    "Dubois",
    "Durand",
    "Lefèvre",
    "Moreau",
    "Laurent",
    "Simon",
    "Michel",
    "Garcia",
    "Roux",
    "Fournier",
    "Girard",
    "Bonnet",
    "Mercier",
    "Lambert",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Muller",
    "Henry",
    "Chevalier",
    "Gauthier",
    "Perrin",
    "Morel",
    "Lemaire",
    "Fontaine",
    "Béranger",
];

pub(crate) const ENGLISH_FIRST: &[&str] = &[
    "Emily", "James", "Olivia", "Michael", "Sarah", "David", "Jessica", "Daniel", "Ashley", "Ryan",
    "Megan", "Kevin", "Lauren", "Brian", "Hannah", "Tyler", "Grace", "Ethan",
];

pub(crate) const ENGLISH_LAST: &[&str] = &[
    "Johnson", "Smith", "Williams", "Brown", "Miller", "Davis", "Wilson", "Anderson", "Thompson",
    "Moore", "Taylor", "Clark", "Lewis", "Walker", "Hall", "Young",
];

const FRENCH_MAIL: &[&str] = &[
    "gmail.com",
    "orange.fr",
    "free.fr",
    "laposte.net",
    "outlook.fr",
    "sfr.fr",
    "hotmail.fr",
    "yahoo.fr",
];

const US_MAIL: &[&str] = &[
    "gmail.com",
    "outlook.com",
    "yahoo.com",
    "icloud.com",
    "aol.com",
];

/// Someone who appears in an event: an id, a name, and an email derived from the name.
#[derive(Clone, Debug)]
pub(crate) struct Person {
    pub id: String,
    pub first: &'static str,
    pub last: &'static str,
    pub email: String,
}

impl Person {
    pub(crate) fn new(r: &mut Rand, id: String, english: bool) -> Person {
        let (firsts, lasts, domains) = if english {
            (ENGLISH_FIRST, ENGLISH_LAST, US_MAIL)
        } else {
            (FRENCH_FIRST, FRENCH_LAST, FRENCH_MAIL)
        };
        let first = r.pick(firsts);
        let last = r.pick(lasts);
        let (f, l) = (mailbox_part(first), mailbox_part(last));
        let local = match r.below(4) {
            0 => format!("{f}.{l}"),
            1 => format!("{f}{l}"),
            2 => format!("{}{l}", &f[..1]),
            _ => format!("{f}.{l}{}", r.between(1, 99)),
        };
        let email = format!("{local}@{}", r.pick(domains));
        Person {
            id,
            first,
            last,
            email,
        }
    }

    pub(crate) fn name(&self) -> String {
        format!("{} {}", self.first, self.last)
    }
}

/// A name as it appears in an email address: lower case, accents dropped.
pub(crate) fn mailbox_part(name: &str) -> String {
    name.chars()
        .filter_map(|c| {
            let c = c.to_lowercase().next().unwrap_or(c);
            let folded = match c {
                'à' | 'â' | 'ä' => 'a',
                'é' | 'è' | 'ê' | 'ë' => 'e',
                'î' | 'ï' => 'i',
                'ô' | 'ö' => 'o',
                'ù' | 'û' | 'ü' => 'u',
                'ç' => 'c',
                'a'..='z' | '0'..='9' | '-' => c,
                _ => return None,
            };
            Some(folded)
        })
        .collect()
}

/// Seed 1's parkings: name and address.
pub(crate) const PARKINGS: &[(&str, &str)] = &[
    ("Parking Charles de Gaulle", "1 Rue de la Paix, 75002 Paris"),
    ("Parking Gare de Lyon", "193 Rue de Bercy, 75012 Paris"),
    ("Parking Montparnasse", "17 Rue du Départ, 75014 Paris"),
    ("Parking Opéra Garnier", "8 Rue Scribe, 75009 Paris"),
    (
        "Parking Bastille",
        "2 Boulevard Richard-Lenoir, 75011 Paris",
    ),
    (
        "Parking Saint-Germain-des-Prés",
        "169 Boulevard Saint-Germain, 75006 Paris",
    ),
    ("Parking Louvre Rivoli", "1 Rue de Marengo, 75001 Paris"),
    ("Parking Gare du Nord", "18 Rue de Dunkerque, 75010 Paris"),
    (
        "Parking La Défense Centre",
        "15 Place de la Défense, 92400 Courbevoie",
    ),
    (
        "Parking Porte Maillot",
        "2 Place de la Porte Maillot, 75017 Paris",
    ),
];

pub(crate) const CANCELLATION_REASONS: &[&str] = &[
    "Plans changed",
    "Trip cancelled",
    "Flight delayed",
    "Booked the wrong dates",
    "Found a parking closer to my destination",
];

pub(crate) const REFUND_REASONS: &[&str] = &[
    "Booking cancelled by user",
    "Parking unavailable on arrival",
    "Duplicate payment",
    "Booking cancelled by the operator",
];

/// Card failures: the message seed 1 shows, with Stripe-style decline codes.
pub(crate) const CARD_FAILURES: &[(&str, &str)] = &[
    ("Insufficient funds", "card_declined"),
    ("Card expired", "expired_card"),
    ("Incorrect security code", "incorrect_cvc"),
    (
        "Authentication required by the card issuer",
        "authentication_required",
    ),
    ("Card reported lost", "lost_card"),
    ("Processing error, please try again", "processing_error"),
];

pub(crate) const TICKET_SUBJECTS: &[&str] = &[
    "Impossible d'ouvrir la barrière du parking",
    "Remboursement non reçu",
    "QR code illisible à la borne",
    "Double prélèvement sur ma carte",
    "Modifier les dates de ma réservation",
    "Facture introuvable dans mon espace",
    "Place réservée occupée à mon arrivée",
];

pub(crate) const TICKET_COMMENTS: &[&str] = &[
    "Bonjour, pouvez-vous me donner des nouvelles de ma demande ?",
    "Nous avons transmis votre demande au gestionnaire du parking.",
    "Voici la capture d'écran du message d'erreur.",
    "Le remboursement a été initié, il apparaîtra sous 3 à 5 jours ouvrés.",
    "Merci, le problème est réglé de mon côté.",
];

pub(crate) const TICKET_RESOLUTIONS: &[&str] = &[
    "Remboursement effectué sur la carte d'origine",
    "Nouveau QR code généré et envoyé par email",
    "Réservation modifiée aux nouvelles dates",
    "Facture renvoyée par email",
    "Prélèvement en double annulé par la banque",
];

pub(crate) const ESCALATION_REASONS: &[&str] = &[
    "Pas de réponse sous 24 heures",
    "Client mécontent, demande un geste commercial",
    "Incident technique sur plusieurs parkings",
];

/// A seed-2 facility: its name, time zone, currency and sports.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FacilityDef {
    pub name: &'static str,
    pub timezone: &'static str,
    pub currency: &'static str,
    pub sports: &'static [&'static str],
    /// American facilities have English-speaking members and accept Venmo and Zelle.
    pub us: bool,
}

pub(crate) const FACILITIES: &[FacilityDef] = &[
    FacilityDef {
        name: "Tennis Club de Boulogne",
        timezone: "Europe/Paris",
        currency: "EUR",
        sports: &["tennis", "padel"],
        us: false,
    },
    FacilityDef {
        name: "Padel Arena Lyon",
        timezone: "Europe/Paris",
        currency: "EUR",
        sports: &["padel"],
        us: false,
    },
    FacilityDef {
        name: "Centre Sportif Marcel Cerdan",
        timezone: "Europe/Paris",
        currency: "EUR",
        sports: &["basketball", "volleyball", "badminton"],
        us: false,
    },
    FacilityDef {
        name: "Riverside Racquet Club",
        timezone: "America/New_York",
        currency: "USD",
        sports: &["tennis", "pickleball"],
        us: true,
    },
    FacilityDef {
        name: "Bay Area Pickleball Center",
        timezone: "America/Los_Angeles",
        currency: "USD",
        sports: &["pickleball"],
        us: true,
    },
    FacilityDef {
        name: "Lakeshore Sports Complex",
        timezone: "America/Chicago",
        currency: "USD",
        sports: &["soccer", "basketball", "volleyball"],
        us: true,
    },
];

/// A bookable resource of a sport: its name and its resource type.
pub(crate) fn resource(r: &mut Rand, sport: &str) -> (String, &'static str) {
    let n = r.between(1, 8);
    match sport {
        "tennis" => (format!("Court {n}"), "court"),
        "padel" => (format!("Padel Court {n}"), "court"),
        "pickleball" => (format!("Pickleball Court {n}"), "court"),
        "badminton" => (format!("Badminton Court {n}"), "court"),
        "basketball" => (format!("Basketball Court {}", r.between(1, 3)), "court"),
        "volleyball" => (format!("Volleyball Court {}", r.between(1, 3)), "court"),
        "soccer" => (
            format!("Field {}", char::from(b'A' + r.below(4) as u8)),
            "field",
        ),
        _ => (format!("Room {n}"), "room"),
    }
}

/// The skills a coach works on, per sport.
pub(crate) fn skills(sport: &str) -> &'static [&'static str] {
    match sport {
        "tennis" => &[
            "Forehand", "Backhand", "Serve", "Volley", "Footwork", "Return",
        ],
        "padel" => &[
            "Bandeja",
            "Vibora",
            "Wall play",
            "Lob",
            "Volley",
            "Positioning",
        ],
        "pickleball" => &["Dink", "Third-shot drop", "Serve", "Volley", "Kitchen play"],
        "basketball" => &["Dribbling", "Shooting", "Passing", "Defense", "Rebounding"],
        "soccer" => &[
            "Passing",
            "First touch",
            "Shooting",
            "Dribbling",
            "Positioning",
        ],
        "volleyball" => &["Serve", "Setting", "Spike", "Dig", "Block"],
        "badminton" => &["Smash", "Clear", "Drop shot", "Net play", "Footwork"],
        _ => &["Fitness", "Coordination"],
    }
}

pub(crate) const BOOKING_TYPES: &[&str] = &[
    "court_rental",
    "lesson",
    "clinic",
    "league_match",
    "open_play",
];

pub(crate) const PARTICIPANT_ROLES: &[&str] = &["player", "guest"];

pub(crate) const SEED2_CANCEL_REASONS: &[&str] = &[
    "Schedule conflict",
    "Weather",
    "Injury",
    "Not enough players",
    "Facility maintenance",
];

pub(crate) const SUBSCRIPTION_PLANS: &[(&str, &str, f64)] = &[
    ("plan_starter", "Starter", 49.0),
    ("plan_growth", "Growth", 149.0),
    ("plan_pro", "Pro", 299.0),
    ("plan_enterprise", "Enterprise", 899.0),
];

pub(crate) const SUBSCRIPTION_CANCEL_REASONS: &[&str] = &[
    "Too expensive",
    "Switching to another provider",
    "Facility closing",
    "Missing features",
];

pub(crate) const ENTITLEMENTS: &[(&str, i64)] = &[
    ("bookings_per_month", 2000),
    ("active_users", 500),
    ("resources", 20),
    ("coaches", 10),
    ("storage_gb", 50),
];

pub(crate) const BLOCK_TYPES: &[&str] = &["lesson", "clinic", "camp", "private_training"];

pub(crate) const BLOCK_REASONS: &[&str] = &[
    "Weekly junior clinic",
    "Private lessons block",
    "Holiday camp",
    "Team training before the regional tournament",
];

pub(crate) const REJECTION_REASONS: &[&str] = &[
    "Court already reserved for a league match",
    "Outside the coach's allowed hours",
    "Too many blocks this week",
];

pub(crate) const SESSION_TYPES: &[&str] = &["private_lesson", "group_lesson", "clinic", "camp"];

pub(crate) const ROLES: &[&str] = &["member", "coach", "staff", "facility_admin", "parent"];

pub(crate) const RELATIONSHIPS: &[&str] = &["mother", "father", "guardian"];

pub(crate) const PARENT_PERMISSIONS: &[&str] = &[
    "view_bookings",
    "book_sessions",
    "view_feedback",
    "manage_payments",
    "receive_notifications",
];

pub(crate) const SETTINGS: &[&str] = &[
    "booking_window_days",
    "cancellation_policy",
    "no_show_fee",
    "check_in_grace_minutes",
    "operating_hours",
    "payment_methods",
    "reminder_schedule",
];

/// Found items: description and category.
pub(crate) const LOST_ITEMS: &[(&str, &str)] = &[
    ("Black Wilson tennis racket", "sports_equipment"),
    ("Blue stainless steel water bottle", "bottle"),
    ("Set of keys with a red keyring", "keys"),
    ("Grey hoodie, size M", "clothing"),
    ("Phone in a green case", "electronics"),
    ("Prescription glasses in a brown case", "accessories"),
];

pub(crate) const FOUND_LOCATIONS: &[&str] = &[
    "Locker room",
    "Reception",
    "Court bench",
    "Parking lot",
    "Café area",
];

pub(crate) const USER_AGENTS: &[&str] = &[
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "SlotBase/3.2.1 (Android 14; Pixel 8)",
    "SlotBase/3.2.0 (iOS 17.5; iPhone15,2)",
];
