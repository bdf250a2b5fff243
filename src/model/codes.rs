//! Harmonised code lists: service languages, unit status, operator, tenure, population kind.
//!
//! Each city maps its own codes onto these in its city profile (`[codes.*]`).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! code_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $code)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The harmonised code written in files.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The harmonised codes joined for messages, e.g. `fi, sv, en, se`.
            pub fn expected() -> String {
                Self::ALL.iter().map(|v| v.code()).collect::<Vec<_>>().join(", ")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }

        impl FromStr for $name {
            type Err = ();
            fn from_str(s: &str) -> Result<Self, ()> {
                match s { $($code => Ok($name::$variant),)+ _ => Err(()) }
            }
        }
    };
}

code_enum!(
    /// Service language of a unit or a place (palvelukieli).
    Language {
        /// Finnish (suomi).
        Finnish = "fi",
        /// Swedish (ruotsi / svenska).
        Swedish = "sv",
        /// English.
        English = "en",
        /// Northern Sami (saame / sámegiella).
        Sami = "se",
    }
);

code_enum!(
    /// Life-cycle status of a service location.
    Status {
        /// In operation.
        Active = "active",
        /// Decided or proposed; opens in `opening_year`.
        Planned = "planned",
        /// In operation but closing in `closing_year`.
        Closing = "closing",
        /// No longer in operation since `closing_year`.
        Closed = "closed",
    }
);

code_enum!(
    /// Who runs a unit (ylläpitäjä).
    Operator {
        /// Run by the city itself (kunnallinen).
        Municipal = "municipal",
        /// Private unit, e.g. funded by service vouchers (yksityinen).
        Private = "private",
        /// Purchased service (ostopalvelu).
        Purchased = "purchased",
    }
);

code_enum!(
    /// Whether the city owns or leases the premises (omistus / vuokra).
    Tenure {
        /// Owned by the city.
        Owned = "owned",
        /// Leased from another owner.
        Leased = "leased",
    }
);

code_enum!(
    /// Whether a population figure is observed or forecast (ennuste).
    PopulationKind {
        /// Observed population on a statistical date.
        Observed = "observed",
        /// Population forecast (väestöennuste).
        Forecast = "forecast",
    }
);

code_enum!(
    /// Language group of residents (kieliryhmä), as population statistics give it.
    LanguageGroup {
        /// Everyone, language not broken down.
        All = "all",
        /// Finnish-speaking, incl. Sami (suomenkieliset).
        Finnish = "fi",
        /// Swedish-speaking (ruotsinkieliset).
        Swedish = "sv",
        /// Other native languages (vieraskieliset).
        Other = "other",
    }
);

code_enum!(
    /// How a demand area is defined.
    DemandAreaKind {
        /// A 250 m × 250 m grid cell of the national (YKR / INSPIRE) grid.
        Grid250m = "grid_250m",
        /// A 1 km × 1 km grid cell.
        Grid1km = "grid_1km",
        /// A statistical area (osa-alue, tilastoalue).
        StatisticalArea = "statistical_area",
    }
);

/// Which places each language group may take (palvelukieli): a per-city rule of the city
/// profile, `[language_rules]`. Shared places (no language) are open to every group.
///
/// The default is the rule Finnish cities apply to early childhood education: Finnish
/// speakers take Finnish places, Swedish speakers Swedish places, speakers of other
/// languages and children whose language is not broken down take Finnish places. A city
/// with English or Sámi places says who may take them, e.g. `other = ["fi", "en"]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LanguageRules {
    /// Place languages Finnish speakers may take (default `["fi"]`).
    #[serde(default = "finnish_places")]
    pub fi: Vec<Language>,
    /// Place languages Swedish speakers may take (default `["sv"]`).
    #[serde(default = "swedish_places")]
    pub sv: Vec<Language>,
    /// Place languages speakers of other languages may take (default `["fi"]`).
    #[serde(default = "finnish_places")]
    pub other: Vec<Language>,
    /// Place languages children without a language breakdown may take (default `["fi"]`).
    #[serde(default = "finnish_places")]
    pub all: Vec<Language>,
}

fn finnish_places() -> Vec<Language> {
    vec![Language::Finnish]
}

fn swedish_places() -> Vec<Language> {
    vec![Language::Swedish]
}

impl Default for LanguageRules {
    fn default() -> Self {
        LanguageRules { fi: finnish_places(), sv: swedish_places(), other: finnish_places(), all: finnish_places() }
    }
}

impl LanguageRules {
    /// The place languages `group` may take.
    pub fn of(&self, group: LanguageGroup) -> &[Language] {
        match group {
            LanguageGroup::Finnish => &self.fi,
            LanguageGroup::Swedish => &self.sv,
            LanguageGroup::Other => &self.other,
            LanguageGroup::All => &self.all,
        }
    }

    /// Whether children of `group` may take a place of `place` (`None`: shared places).
    pub fn allows(&self, group: LanguageGroup, place: Option<Language>) -> bool {
        place.is_none_or(|l| self.of(group).contains(&l))
    }

    /// The language groups that may take places of `place`; empty when no child ever can.
    pub fn groups_taking(&self, place: Language) -> Vec<LanguageGroup> {
        LanguageGroup::ALL.iter().copied().filter(|&g| self.of(g).contains(&place)).collect()
    }
}
