//! Sources: the people, agencies, bodies and collectives that say, relay or back claims.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::country::CountryCode;
use super::grade::Reliability;
use super::ids::SourceId;
use super::text::{self, MAX_NAME_CHARS, MAX_TEXT_CHARS};
use super::text_enum;
use crate::error::{Error, Result};

text_enum! {
    /// What kind of source it is.
    SourceKind, "source kind" {
        /// A named person (Kim Jong Un, Sergei Lavrov).
        Person => "person",
        /// A news or state news agency (KCNA, Tass).
        NewsAgency => "news_agency",
        /// A newspaper, broadcaster, website or other outlet.
        Outlet => "outlet",
        /// A government, ministry or state organ (the DPRK state, South Korea's defence ministry).
        GovernmentBody => "government_body",
        /// An intelligence service (South Korea's defence intelligence).
        IntelligenceService => "intelligence_service",
        /// A company, NGO, party, fact-checker or other organisation.
        Organisation => "organisation",
        /// A collective or anonymous source: "Russian media", "officials", "people familiar with…".
        Collective => "collective",
        /// A document, dataset or page (a treaty text, a Wikipedia article).
        Document => "document",
        /// A website speaking for itself, known by its address ("scoopertino.com"), with no organisation
        /// or person known behind it.
        Website => "website",
        /// An account on a platform ("a Facebook page", "@someone on X", "a TikTok user"): someone speaks,
        /// but whether a person, a group or an organisation is not known.
        PlatformAccount => "platform_account",
        /// Who or what it is cannot be told from what is known: a claimant given only by a name such as
        /// "Consulate General of Pakistan, France" in a feed that does not say. Better than a guess.
        Unknown => "unknown",
    }
}

text_enum! {
    /// How a source hangs from its parent in the affiliation tree.
    AffiliationKind, "affiliation" {
        /// Organisationally part of the parent (a ministry's intelligence arm).
        PartOf => "part_of",
        /// Formally separate but controlled by the parent (a state news agency).
        ControlledBy => "controlled_by",
    }
}

/// A stored source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// Its id.
    pub id: SourceId,
    /// Its usual name.
    pub name: String,
    /// Other names it goes by (KCNA for the Korean Central News Agency), in the order given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// What kind of source it is.
    pub kind: SourceKind,
    /// The country it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<CountryCode>,
    /// Its parent in the affiliation tree, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part_of: Option<SourceId>,
    /// How it hangs from `part_of` (meaningless when that is `None`).
    #[serde(default = "default_affiliation")]
    pub affiliation: AffiliationKind,
    /// Admiralty reliability grade.
    #[serde(default)]
    pub reliability: Reliability,
    /// Free notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// When it was recorded.
    #[serde(with = "super::rfc3339")]
    pub created_at: OffsetDateTime,
}

fn default_affiliation() -> AffiliationKind {
    AffiliationKind::PartOf
}

impl Source {
    /// Checks every field; the store calls this before writing.
    pub fn validate(&self) -> Result<()> {
        text::required("name", &self.name, MAX_NAME_CHARS)?;
        visible("name", &self.name)?;
        for alias in &self.aliases {
            text::required("alias", alias, MAX_NAME_CHARS)?;
            visible("alias", alias)?;
        }
        text::opt("notes", self.notes.as_deref(), MAX_TEXT_CHARS)?;
        if self.part_of == Some(self.id) {
            return Err(Error::AffiliationCycle {
                source_id: self.id.to_string(),
                parent: self.id.to_string(),
            });
        }
        Ok(())
    }

    /// Whether `name` is this source's name or one of its aliases, compared by [`name_key`](text::name_key)
    /// (case in any script, Unicode normal forms, invisible format characters and spacing ignored).
    pub fn answers_to(&self, name: &str) -> bool {
        let key = text::name_key(name);
        text::name_key(&self.name) == key || self.aliases.iter().any(|a| text::name_key(a) == key)
    }

    /// The aliases that say something the name and earlier aliases do not: an alias whose
    /// [`name_key`](text::name_key) equals the name's or an earlier alias's is dropped, the first spelling
    /// kept. [`Store::add_source`](crate::Store::add_source) and
    /// [`Store::update_source`](crate::Store::update_source) store only these, so "KCNA" and "kcna" on one
    /// source are one alias.
    pub fn distinct_aliases(&self) -> Vec<String> {
        let mut seen = vec![text::name_key(&self.name)];
        let mut kept = Vec::with_capacity(self.aliases.len());
        for alias in &self.aliases {
            let key = text::name_key(alias);
            if !seen.contains(&key) {
                seen.push(key);
                kept.push(alias.clone());
            }
        }
        kept
    }
}

/// Refuses a name or alias made only of invisible characters (its key would be empty and match nothing).
fn visible(field: &'static str, value: &str) -> Result<()> {
    if text::name_key(value).is_empty() {
        return Err(Error::invalid(
            field,
            format!(
                "has no visible characters (only format or space characters): {:?}",
                text::shorten(value, 40)
            ),
        ));
    }
    Ok(())
}

/// A source to be added: `NewSource::new("Korean Central News Agency", SourceKind::NewsAgency).alias("KCNA")`.
#[derive(Debug, Clone)]
#[must_use]
pub struct NewSource {
    name: String,
    aliases: Vec<String>,
    kind: SourceKind,
    country: Option<String>,
    part_of: Option<SourceId>,
    affiliation: AffiliationKind,
    reliability: Reliability,
    notes: Option<String>,
}

impl NewSource {
    /// A source with a name and kind; reliability F (cannot be judged) until graded.
    pub fn new(name: impl Into<String>, kind: SourceKind) -> Self {
        Self {
            name: name.into(),
            aliases: Vec::new(),
            kind,
            country: None,
            part_of: None,
            affiliation: AffiliationKind::PartOf,
            reliability: Reliability::F,
            notes: None,
        }
    }

    /// Adds another name it goes by.
    pub fn alias(mut self, alias: impl Into<String>) -> Self {
        self.aliases.push(alias.into());
        self
    }

    /// Sets the country, an ISO 3166-1 alpha-2 code (checked when stored).
    pub fn country(mut self, code: impl Into<String>) -> Self {
        self.country = Some(code.into());
        self
    }

    /// Makes it part of another source.
    pub fn part_of(mut self, parent: SourceId) -> Self {
        self.part_of = Some(parent);
        self.affiliation = AffiliationKind::PartOf;
        self
    }

    /// Makes it controlled by another source (a state news agency by its state).
    pub fn controlled_by(mut self, parent: SourceId) -> Self {
        self.part_of = Some(parent);
        self.affiliation = AffiliationKind::ControlledBy;
        self
    }

    /// Sets the Admiralty reliability grade.
    pub fn reliability(mut self, grade: Reliability) -> Self {
        self.reliability = grade;
        self
    }

    /// Sets free notes.
    pub fn notes(mut self, notes: impl Into<String>) -> Self {
        self.notes = Some(notes.into());
        self
    }

    /// The stored form, with a new id and creation time, checked.
    pub fn into_source(self) -> Result<Source> {
        let country = self.country.as_deref().map(CountryCode::new).transpose()?;
        let mut source = Source {
            id: SourceId::new(),
            name: self.name,
            aliases: self.aliases,
            kind: self.kind,
            country,
            part_of: self.part_of,
            affiliation: self.affiliation,
            reliability: self.reliability,
            notes: self.notes,
            created_at: super::now(),
        };
        source.validate()?;
        source.aliases = source.distinct_aliases();
        Ok(source)
    }
}
