//! Publications: where claims appear (an article, a broadcast, a report to parliament).
//!
//! A publication is known by its title, its URL, or both: much real data gives only a link. A link to a
//! copy in the Internet Archive's Wayback Machine (`https://web.archive.org/web/<timestamp>/<url>`) is
//! understood: the publication's `url` is the original address, and the archive copy is kept beside it in
//! `archive_url`, so that a desk's archived links do not all look like one "web.archive.org" page.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::date::PartialDate;
use super::ids::{PublicationId, SourceId};
use super::text::{self, MAX_NAME_CHARS};
use crate::error::{Error, Result};

/// A stored publication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publication {
    /// Its id.
    pub id: PublicationId,
    /// Headline or title, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Where it can be read: its original address (never a web archive's wrapper, see `archive_url`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// A copy in a web archive (`https://web.archive.org/web/20201130144023/https://example.org/a`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive_url: Option<String>,
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
    /// Checks every field; the store calls this before writing. A publication needs a title or a URL.
    pub fn validate(&self) -> Result<()> {
        match &self.title {
            Some(t) => text::required("title", t, MAX_NAME_CHARS)?,
            None if self.url.is_none() && self.archive_url.is_none() => {
                return Err(Error::invalid(
                    "title",
                    "a publication needs a title or a URL; it has neither",
                ));
            }
            None => {}
        }
        if let Some(u) = &self.url {
            text::url(u)?;
            if web_archive_original(u).is_some() {
                return Err(Error::invalid(
                    "url",
                    format!(
                        "{:?} is a web archive copy: give it as archive_url (NewPublication::url splits it)",
                        text::shorten(u, 80)
                    ),
                ));
            }
        }
        if let Some(u) = &self.archive_url {
            text::url(u)?;
        }
        if let Some(l) = &self.language {
            text::language(l)?;
        }
        Ok(())
    }

    /// What to call it: its title, else its URL, else its archive copy's URL.
    pub fn display_name(&self) -> &str {
        self.title
            .as_deref()
            .or(self.url.as_deref())
            .or(self.archive_url.as_deref())
            .unwrap_or_default()
    }
}

/// The original address inside a Wayback Machine URL (`http(s)://web.archive.org/web/<timestamp>/<url>`,
/// the timestamp optionally followed by a mode such as `id_`); `None` for any other URL. An original
/// given without a scheme (`…/web/2020/example.org/a`) is read as `http://`.
///
/// # Example
/// ```
/// use claimtrack::web_archive_original;
/// assert_eq!(
///     web_archive_original("https://web.archive.org/web/20201130144023/https://checkyourfact.com/a"),
///     Some("https://checkyourfact.com/a".to_string())
/// );
/// assert_eq!(web_archive_original("https://example.org/web/1/https://x.org"), None);
/// ```
pub fn web_archive_original(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let (host, path) = rest.split_once('/')?;
    let host = host.to_ascii_lowercase();
    if host != "web.archive.org" && host != "wayback.archive.org" {
        return None;
    }
    let path = path.strip_prefix("web/")?;
    let (stamp, original) = path.split_once('/')?;
    let digits = stamp.bytes().take_while(u8::is_ascii_digit).count();
    let mode = &stamp[digits..];
    let mode_ok = mode.is_empty()
        || (mode.ends_with('_') && mode[..mode.len() - 1].bytes().all(|b| b.is_ascii_alphabetic()));
    if digits == 0 || digits > 14 || !mode_ok || original.is_empty() {
        return None;
    }
    let original = if original.starts_with("http://") || original.starts_with("https://") {
        original.to_string()
    } else if let Some(x) = original
        .strip_prefix("http:/")
        .or_else(|| original.strip_prefix("https:/"))
    {
        // Some copies collapse the double slash of the original's scheme.
        let scheme = if original.starts_with("https") {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{x}")
    } else if original.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.is_empty() && scheme.bytes().all(|b| b.is_ascii_alphabetic()) && !scheme.contains('.')
    }) && !original
        .split_once(':')
        .is_some_and(|(_, rest)| rest.bytes().next().is_some_and(|b| b.is_ascii_digit()))
    {
        // Another scheme (`javascript:`, `mailto:`): not a web page the archive copied.
        return None;
    } else {
        format!("http://{original}")
    };
    text::url(&original).ok()?;
    Some(original)
}

/// The host a URL names, lower-cased and without a leading `www.` (`"checkyourfact.com"`); the original's
/// host for a web archive copy. `None` when the URL has no host.
///
/// # Example
/// ```
/// use claimtrack::site_of;
/// assert_eq!(site_of("https://WWW.Example.org:8080/a?b"), Some("example.org".to_string()));
/// assert_eq!(
///     site_of("https://web.archive.org/web/2020/https://scoopertino.com/x"),
///     Some("scoopertino.com".to_string())
/// );
/// assert_eq!(site_of("mailto:someone"), None);
/// ```
pub fn site_of(url: &str) -> Option<String> {
    let original = web_archive_original(url);
    let url = original.as_deref().unwrap_or(url);
    let (_, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    };
    let host = host.trim_end_matches('.').to_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
    (!host.is_empty()).then_some(host)
}

/// A publication to be added.
#[derive(Debug, Clone)]
#[must_use]
pub struct NewPublication {
    title: Option<String>,
    url: Option<String>,
    archive_url: Option<String>,
    publisher: Option<SourceId>,
    published: Option<PartialDate>,
    retrieved: Option<PartialDate>,
    language: Option<String>,
}

impl NewPublication {
    /// A publication with a title.
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: Some(title.into()),
            url: None,
            archive_url: None,
            publisher: None,
            published: None,
            retrieved: None,
            language: None,
        }
    }
    /// A publication known only by its URL (a web archive copy is split as by [`url`](Self::url)).
    ///
    /// # Example
    /// ```
    /// use claimtrack::{NewPublication, Store};
    /// let store = Store::open_in_memory()?;
    /// let id = store.add_publication(NewPublication::at_url(
    ///     "https://web.archive.org/web/20201202085933/https://scoopertino.com/about-scoopertino/",
    /// ))?;
    /// let p = store.publication(id)?;
    /// assert_eq!(p.title, None);
    /// assert_eq!(p.url.as_deref(), Some("https://scoopertino.com/about-scoopertino/"));
    /// assert!(p.archive_url.unwrap().starts_with("https://web.archive.org/web/20201202085933/"));
    /// assert_eq!(store.find_publication_by_url("https://scoopertino.com/about-scoopertino/")?.map(|p| p.id), Some(id));
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn at_url(url: impl Into<String>) -> Self {
        Self {
            title: None,
            url: None,
            archive_url: None,
            publisher: None,
            published: None,
            retrieved: None,
            language: None,
        }
        .url(url)
    }
    /// Sets the URL. A web archive copy (`https://web.archive.org/web/<timestamp>/<url>`) is understood:
    /// the original address becomes the URL and the copy the [`archive_url`](Self::archive_url).
    pub fn url(mut self, url: impl Into<String>) -> Self {
        let url = url.into();
        match web_archive_original(&url) {
            Some(original) => {
                self.url = Some(original);
                self.archive_url = Some(url);
            }
            None => self.url = Some(url),
        }
        self
    }
    /// Sets the URL of a copy in a web archive, as given.
    pub fn archive_url(mut self, url: impl Into<String>) -> Self {
        self.archive_url = Some(url.into());
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
            archive_url: self.archive_url,
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
