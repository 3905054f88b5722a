//! Publications: where claims appear (an article, a broadcast, a report to parliament).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::date::PartialDate;
use super::ids::{PublicationId, SourceId};
use super::text::{self, MAX_NAME_CHARS};
use crate::error::Result;

/// A stored publication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publication {
    /// Its id.
    pub id: PublicationId,
    /// Headline or title.
    pub title: String,
    /// Where it can be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Who published it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<SourceId>,
    /// When it was published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<PartialDate>,
    /// When the desk retrieved it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retrieved: Option<PartialDate>,
    /// Its language, a BCP 47 tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// When it was recorded.
    #[serde(with = "super::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl Publication {
    /// Checks every field; the store calls this before writing.
    pub fn validate(&self) -> Result<()> {
        text::required("title", &self.title, MAX_NAME_CHARS)?;
        if let Some(u) = &self.url {
            text::url(u)?;
        }
        if let Some(l) = &self.language {
            text::language(l)?;
        }
        Ok(())
    }
}

/// A publication to be added.
#[derive(Debug, Clone)]
#[must_use]
pub struct NewPublication {
    title: String,
    url: Option<String>,
    publisher: Option<SourceId>,
    published: Option<PartialDate>,
    retrieved: Option<PartialDate>,
    language: Option<String>,
}

impl NewPublication {
    /// A publication with a title.
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            url: None,
            publisher: None,
            published: None,
            retrieved: None,
            language: None,
        }
    }
    /// Sets the URL.
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }
    /// Sets the publisher.
    pub fn publisher(mut self, publisher: SourceId) -> Self {
        self.publisher = Some(publisher);
        self
    }
    /// Sets the publication date.
    pub fn published(mut self, date: PartialDate) -> Self {
        self.published = Some(date);
        self
    }
    /// Sets the retrieval date.
    pub fn retrieved(mut self, date: PartialDate) -> Self {
        self.retrieved = Some(date);
        self
    }
    /// Sets the language (BCP 47, checked when stored).
    pub fn language(mut self, tag: impl Into<String>) -> Self {
        self.language = Some(tag.into());
        self
    }
    /// The stored form, with a new id and creation time, checked.
    pub fn into_publication(self) -> Result<Publication> {
        let p = Publication {
            id: PublicationId::new(),
            title: self.title,
            url: self.url,
            publisher: self.publisher,
            published: self.published,
            retrieved: self.retrieved,
            language: self.language,
            created_at: super::now(),
        };
        p.validate()?;
        Ok(p)
    }
}
