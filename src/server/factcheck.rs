//! `GET /v1alpha1/claims:search`, answering as Google's Fact Check Tools API does, so an existing client
//! works by changing its base URL.
//!
//! Parameters: `query` (required here: the words searched, as [`Store::search`] reads them),
//! `languageCode`, `reviewPublisherSiteFilter`, `maxAgeDays`, `pageSize` (default 10), `pageToken` (the
//! `nextPageToken` of the previous page) and `offset`; others (such as `key`) are ignored. Only claims
//! with a review that counts are returned (superseded and retracted reviews are never published), each
//! as `{text, claimant, claimDate, claimReview: [{publisher: {name, site}, url, title, reviewDate,
//! textualRating, languageCode}]}`, best match first.
//!
//! The API's dates are RFC 3339 timestamps; a date the desk knows only to the month or year is given as
//! the first instant of that month or year (the claim's own JSON keeps the precision).

use axum::Extension;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::Shared;
use super::api::{ApiResult, Params};
use super::auth::Caller;
use super::error::ApiError;
use crate::io::claimreview::verdict_words;
use crate::{ClaimId, PartialDate, Result, Store};

/// Most matches looked through for one page when filters drop many of them.
const MAX_SCAN: usize = 10_000;

/// The filters of one search.
struct Filters {
    language: Option<String>,
    site: Option<String>,
    newer_than: Option<OffsetDateTime>,
}

pub(crate) async fn claims_search(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    query: std::result::Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> ApiResult<axum::Json<Value>> {
    caller.require_public_read()?;
    let p = Params::from(query)?;
    let text = p
        .get("query")
        .filter(|q| !q.trim().is_empty())
        .ok_or_else(|| ApiError::invalid("query", "is required"))?
        .to_string();
    let page_size = p.page_size("pageSize", 10, state.options.max_page_size)?;
    let offset = match (p.get("pageToken").filter(|t| !t.is_empty()), p.number("offset")?) {
        (Some(t), _) => t
            .parse::<usize>()
            .map_err(|_| ApiError::invalid("pageToken", "is not a token this server gave"))?,
        (None, Some(o)) => usize::try_from(o).unwrap_or(usize::MAX),
        (None, None) => 0,
    };
    if offset >= MAX_SCAN {
        return Err(ApiError::invalid(
            "pageToken",
            format!("pages end at result {MAX_SCAN}"),
        ));
    }
    let newer_than = match p.number("maxAgeDays")? {
        None => None,
        Some(days) => {
            let days = i64::try_from(days).unwrap_or(i64::MAX).min(1_000_000);
            Some(OffsetDateTime::now_utc() - time::Duration::days(days))
        }
    };
    let filters = Filters {
        language: p
            .get("languageCode")
            .map(|l| l.trim().to_ascii_lowercase())
            .filter(|l| !l.is_empty()),
        site: p
            .get("reviewPublisherSiteFilter")
            .map(site_key)
            .filter(|s| !s.is_empty()),
        newer_than,
    };
    let (claims, more) = state
        .with_store(&caller.name, move |s| {
            search(s, &text, &filters, offset, page_size)
        })
        .await?;
    let mut out = Map::new();
    out.insert("claims".into(), Value::Array(claims));
    if more {
        out.insert("nextPageToken".into(), json!((offset + page_size).to_string()));
    }
    Ok(axum::Json(Value::Object(out)))
}

/// The page `offset..offset+page_size` of the filtered matches, and whether more follow.
fn search(
    store: &Store,
    text: &str,
    f: &Filters,
    offset: usize,
    page_size: usize,
) -> Result<(Vec<Value>, bool)> {
    let want = offset.saturating_add(page_size).saturating_add(1);
    let mut limit = want.saturating_mul(2).clamp(20, MAX_SCAN);
    loop {
        let hits = store.search(text, limit)?;
        let exhausted = hits.len() < limit;
        let mut found = Vec::new();
        for h in &hits {
            if let Some(c) = render(store, h.claim, f)? {
                found.push(c);
                if found.len() >= want {
                    break;
                }
            }
        }
        if found.len() >= want || exhausted || limit >= MAX_SCAN {
            let more = found.len() > offset + page_size;
            let page = found.into_iter().skip(offset).take(page_size).collect();
            return Ok((page, more));
        }
        limit = limit.saturating_mul(4).min(MAX_SCAN);
    }
}

fn rfc3339(d: &PartialDate) -> Option<String> {
    d.start().format(&Rfc3339).ok()
}

/// A site as the API names it: the host of a URL or a bare domain, lower-case, without `www.`.
fn site_key(s: &str) -> String {
    let s = s.trim();
    let rest = s.split_once("://").map_or(s, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = host.split(':').next().unwrap_or("");
    let host = host.to_ascii_lowercase();
    host.strip_prefix("www.").map(str::to_string).unwrap_or(host)
}

/// One claim in the API's shape, or `None` when it has no published review or the filters drop it.
fn render(store: &Store, id: ClaimId, f: &Filters) -> Result<Option<Value>> {
    let claim = store.claim(id)?;
    if let Some(lang) = &f.language {
        let ok = claim.language.as_deref().is_some_and(|l| {
            l.eq_ignore_ascii_case(lang) || l.to_ascii_lowercase().starts_with(&format!("{lang}-"))
        });
        if !ok {
            return Ok(None);
        }
    }
    let attributions = store.attributions_of(id)?;
    let first = attributions
        .iter()
        .find(|a| a.speaker.is_some() || a.said_on.is_some());
    // When the claim was made: its own date (Fact Check Tools' claimDate, AVeriTeC's claim_date), else the
    // date of its first attribution.
    let made_on = claim.made_on.or_else(|| first.and_then(|a| a.said_on));
    let mut newest = made_on.map(|d| d.start());
    let mut reviews = Vec::new();
    for r in store.current_reviews_of(id)? {
        let publisher = match r.reviewer {
            Some(s) => Some(store.source(s)?),
            None => None,
        };
        let site = r.url.as_deref().map(site_key).filter(|s| !s.is_empty());
        if let Some(want) = &f.site {
            let matches = site
                .as_deref()
                .is_some_and(|s| s == want || s.ends_with(&format!(".{want}")));
            if !matches {
                continue;
            }
        }
        if let Some(d) = r.reviewed_on {
            newest = newest.max(Some(d.start()));
        }
        let mut m = Map::new();
        let mut p = Map::new();
        if let Some(src) = &publisher {
            p.insert("name".into(), json!(src.name));
        }
        if let Some(s) = &site {
            p.insert("site".into(), json!(s));
        }
        if !p.is_empty() {
            m.insert("publisher".into(), Value::Object(p));
        }
        if let Some(u) = &r.url {
            m.insert("url".into(), json!(u));
        }
        if let Some(t) = &r.rationale {
            m.insert("title".into(), json!(t));
        }
        if let Some(d) = r.reviewed_on.as_ref().and_then(rfc3339) {
            m.insert("reviewDate".into(), json!(d));
        }
        let rating = r
            .label
            .clone()
            .unwrap_or_else(|| r.verdict.map_or("No verdict", verdict_words).to_string());
        m.insert("textualRating".into(), json!(rating));
        if let Some(l) = &claim.language {
            m.insert("languageCode".into(), json!(l));
        }
        reviews.push(Value::Object(m));
    }
    if reviews.is_empty() {
        return Ok(None);
    }
    if let Some(limit) = f.newer_than {
        if newest.is_none_or(|n| n < limit) {
            return Ok(None);
        }
    }
    let mut c = Map::new();
    c.insert("text".into(), json!(claim.text));
    if let Some(speaker) = first.and_then(|a| a.speaker) {
        c.insert("claimant".into(), json!(store.source(speaker)?.name));
    }
    if let Some(d) = made_on.as_ref().and_then(rfc3339) {
        c.insert("claimDate".into(), json!(d));
    }
    c.insert("claimReview".into(), Value::Array(reviews));
    Ok(Some(Value::Object(c)))
}

#[cfg(test)]
mod tests {
    use super::site_key;

    #[test]
    fn sites_are_hosts() {
        assert_eq!(
            site_key("https://www.PolitiFact.com/factchecks/2020/x"),
            "politifact.com"
        );
        assert_eq!(site_key("fullfact.org"), "fullfact.org");
        assert_eq!(site_key("http://user@desk.example:8080/a?b"), "desk.example");
        assert_eq!(site_key(""), "");
    }
}
