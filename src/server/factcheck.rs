//! `GET /v1alpha1/claims:search`, answering as Google's Fact Check Tools API does, so an existing client
//! works by changing its base URL.
//!
//! Parameters: `query` (the words searched, as [`Store::search`] reads them), `languageCode`,
//! `reviewPublisherSiteFilter` (a site: the host of the reviews' URLs, without `www.`), `maxAgeDays`,
//! `pageSize` (default 10), `pageToken` (the `nextPageToken` of the previous page) and `offset`; others
//! (such as `key`) are ignored. One of `query` and `reviewPublisherSiteFilter` is required, as in Google's
//! API. Only claims with a review that counts are returned (superseded and retracted reviews are never
//! published), each as `{text, claimant, claimDate, claimReview: [{publisher: {name, site}, url, title,
//! reviewDate, textualRating, languageCode}]}`: best match first with a query; with a site alone, the
//! site's newest review first ([`Store::claims_reviewed_on_site`], an index walk: its page token names
//! the last review shown, so no page costs more than its own rows and [`MAX_SCAN`] filtered ones).
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
use crate::model::review::site_key;
use crate::{ClaimId, Error, PartialDate, Result, ReviewId, Store};

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
        .map(str::to_string);
    let page_size = p.page_size("pageSize", 10, state.options.max_page_size)?;
    let site = p
        .get("reviewPublisherSiteFilter")
        .map(site_key)
        .filter(|s| !s.is_empty());
    let newer_than = max_age(&p)?;
    let language = p
        .get("languageCode")
        .map(|l| l.trim().to_ascii_lowercase())
        .filter(|l| !l.is_empty());
    let Some(text) = text else {
        let site = site.ok_or_else(|| {
            ApiError::invalid(
                "query",
                "is required unless reviewPublisherSiteFilter names a site",
            )
        })?;
        let after = match p.get("pageToken").filter(|t| !t.is_empty()) {
            None => None,
            Some(t) => Some(t.parse::<ReviewId>().map_err(|_| bad_token())?),
        };
        let filters = Filters {
            language,
            site: Some(site.clone()),
            newer_than,
        };
        let (claims, next) = state
            .read_with_store(&caller, move |s| {
                // One read snapshot for the page (on SQLite one read transaction, not one per statement).
                match s.snapshot(|| by_site(s, &site, &filters, after, page_size)) {
                    // The token names no review: not one this server gave.
                    Err(Error::NotFound { kind: "review", .. }) => Ok(None),
                    other => other.map(Some),
                }
            })
            .await?
            .ok_or_else(bad_token)?;
        let mut out = Map::new();
        out.insert("claims".into(), Value::Array(claims));
        if let Some(next) = next {
            out.insert("nextPageToken".into(), json!(next.to_string()));
        }
        return Ok(axum::Json(Value::Object(out)));
    };
    let offset = match (p.get("pageToken").filter(|t| !t.is_empty()), p.number("offset")?) {
        (Some(t), _) => t.parse::<usize>().map_err(|_| bad_token())?,
        (None, Some(o)) => usize::try_from(o).unwrap_or(usize::MAX),
        (None, None) => 0,
    };
    if offset >= MAX_SCAN {
        return Err(ApiError::invalid(
            "pageToken",
            format!("pages end at result {MAX_SCAN}"),
        ));
    }
    let filters = Filters {
        language,
        site,
        newer_than,
    };
    let (claims, more) = state
        .read_with_store(&caller, move |s| {
            // One read snapshot for the search and every claim shown (on SQLite one read transaction
            // instead of one per statement).
            s.snapshot(|| search(s, &text, &filters, offset, page_size))
        })
        .await?;
    let mut out = Map::new();
    out.insert("claims".into(), Value::Array(claims));
    if more {
        out.insert("nextPageToken".into(), json!((offset + page_size).to_string()));
    }
    Ok(axum::Json(Value::Object(out)))
}

fn bad_token() -> ApiError {
    ApiError::invalid("pageToken", "is not a token this server gave")
}

/// The time `maxAgeDays` reaches back to, if given.
fn max_age(p: &Params) -> std::result::Result<Option<OffsetDateTime>, ApiError> {
    Ok(p.number("maxAgeDays")?.map(|days| {
        let days = i64::try_from(days).unwrap_or(i64::MAX).min(1_000_000);
        OffsetDateTime::now_utc() - time::Duration::days(days)
    }))
}

/// One page of the claims reviewed on `site`, newest review first, after the review `after`, and the
/// page token of the next page (the last review looked at) when more may follow. Looks at no more than
/// [`MAX_SCAN`] of the site's claims: when the other filters drop that many, the page is shorter (even
/// empty) and its token goes on from there.
fn by_site(
    store: &Store,
    site: &str,
    f: &Filters,
    after: Option<ReviewId>,
    page_size: usize,
) -> Result<(Vec<Value>, Option<ReviewId>)> {
    let step = page_size.saturating_add(1).clamp(20, 1_000);
    let mut page = Vec::new();
    let mut cursor = after;
    let mut last_shown = after;
    let mut scanned = 0_usize;
    loop {
        let rows = store.claims_reviewed_on_site(site, cursor, step)?;
        let exhausted = rows.len() < step;
        for (review, claim) in rows {
            if let Some(c) = render(store, claim, f)? {
                if page.len() == page_size {
                    // One more follows: the next page starts after the last one shown.
                    return Ok((page, last_shown));
                }
                page.push(c);
                last_shown = Some(review);
            }
            cursor = Some(review);
            scanned += 1;
            if scanned >= MAX_SCAN {
                return Ok((page, cursor));
            }
        }
        if exhausted {
            return Ok((page, None));
        }
    }
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
        // The claims only: their snippets are not part of the answer.
        let hits = store.search_claims(text, limit)?;
        let exhausted = hits.len() < limit;
        let mut found = Vec::new();
        for h in &hits {
            if let Some(c) = render(store, *h, f)? {
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
            Some(s) => Some(store.source_name(s)?),
            None => None,
        };
        let site = r.site();
        // The site exactly (as the index of a search by site alone holds it), not its subdomains.
        if f.site.is_some() && site != f.site {
            continue;
        }
        if let Some(d) = r.reviewed_on {
            newest = newest.max(Some(d.start()));
        }
        let mut m = Map::new();
        let mut p = Map::new();
        if let Some(name) = &publisher {
            p.insert("name".into(), json!(name));
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
        c.insert("claimant".into(), json!(store.source_name(speaker)?));
    }
    if let Some(d) = made_on.as_ref().and_then(rfc3339) {
        c.insert("claimDate".into(), json!(d));
    }
    c.insert("claimReview".into(), Value::Array(reviews));
    Ok(Some(Value::Object(c)))
}

#[cfg(test)]
mod tests {
    use crate::model::review::site_key;

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
