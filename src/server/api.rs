//! The JSON API over the model: reading a claim with everything known about it, search, similar
//! claims, creating records, revising and retracting them, importing and exporting files.

use std::collections::HashSet;

use axum::Extension;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::Shared;
use super::auth::Caller;
use super::error::ApiError;
use crate::io::{ImportOptions, ImportReport, bundle, claimreview, csv, factcheck, jsonl};
use crate::{
    ClaimId, ClaimKind, ClaimLink, Credibility, EvidenceId, LinkKind, Mode, NewAttribution, NewClaim,
    NewEvidence, NewPublication, NewReview, NewSource, PartialDate, PublicationId, Quantity, Rating,
    Reliability, ReviewId, Role, SourceId, SourceKind, Stance, Store, Verdict,
};

pub(crate) type ApiResult<T> = std::result::Result<T, ApiError>;

/// Query parameters as given (repeated names kept; the first one counts).
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    pub(crate) fn from(
        q: std::result::Result<Query<Vec<(String, String)>>, QueryRejection>,
    ) -> ApiResult<Self> {
        match q {
            Ok(Query(v)) => Ok(Params(v)),
            Err(e) => Err(ApiError::invalid("query", e.body_text())),
        }
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// A non-negative integer parameter.
    pub(crate) fn number(&self, name: &str) -> ApiResult<Option<u64>> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => {
                let v = v.trim();
                match v.parse::<u64>() {
                    Ok(n) => Ok(Some(n)),
                    // All digits but too many: as large as a number gets (page sizes are capped anyway).
                    Err(_) if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) => Ok(Some(u64::MAX)),
                    Err(_) => Err(ApiError::invalid(
                        name,
                        format!("must be a whole number ≥ 0, got {:?}", shorten(v)),
                    )),
                }
            }
        }
    }

    /// A page size: `default` when absent, refused when 0, capped at the server's maximum.
    pub(crate) fn page_size(&self, name: &str, default: usize, max: usize) -> ApiResult<usize> {
        match self.number(name)? {
            None => Ok(default.min(max)),
            Some(0) => Err(ApiError::invalid(name, "must be at least 1")),
            Some(n) => Ok(usize::try_from(n).unwrap_or(usize::MAX).min(max)),
        }
    }
}

/// An id from the path or a parameter, refused with 400 naming `field` when it is not one.
pub(crate) fn parse_id<I: std::str::FromStr>(field: &str, s: &str) -> ApiResult<I> {
    s.parse::<I>()
        .map_err(|_| ApiError::invalid(field.to_string(), format!("not an id: {:?}", shorten(s))))
}

fn shorten(s: &str) -> String {
    s.chars().take(60).collect()
}

/// Reads a request body of at most the server's limit (413 above it).
pub(crate) async fn read_body(
    state: &Shared,
    headers: &HeaderMap,
    body: Body,
) -> ApiResult<axum::body::Bytes> {
    let limit = state.options.max_body_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(ApiError::too_large(limit));
    }
    axum::body::to_bytes(body, limit).await.map_err(|e| {
        if e.to_string().contains("length limit") {
            ApiError::too_large(limit)
        } else {
            ApiError::invalid("body", format!("could not be read: {e}"))
        }
    })
}

/// Parses a JSON body; a wrong field is a 400 naming its path (`relays[1].source`).
pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> ApiResult<T> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        // serde names a missing field in its message only; the field is what the caller must fix.
        let missing = inner
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next())
            .map(|name| {
                if path == "." {
                    name.to_string()
                } else {
                    format!("{path}.{name}")
                }
            });
        let field = match missing {
            Some(m) => m,
            None if path == "." => "body".to_string(),
            None => path,
        };
        ApiError::invalid(field, inner)
    })?;
    de.end()
        .map_err(|e| ApiError::invalid("body", format!("trailing characters after the JSON value: {e}")))?;
    Ok(value)
}

async fn json_body<T: DeserializeOwned>(state: &Shared, headers: &HeaderMap, body: Body) -> ApiResult<T> {
    let bytes = read_body(state, headers, body).await?;
    parse_json(&bytes)
}

fn created(id: impl serde::Serialize) -> Response {
    (StatusCode::CREATED, axum::Json(json!({ "id": id }))).into_response()
}

// ---- reading --------------------------------------------------------------------------------------

/// Everything known about one claim, as `GET /v1/claims/{id}` answers it: the claim, its attributions
/// and chains, evidence (all versions, and which count), summary, conflicts, reviews (and which count),
/// links and linked claims, the sources and publications named, and its history.
///
/// ```
/// use claimtrack::{NewClaim, Store, server::claim_json};
/// let store = Store::open_in_memory()?;
/// let id = store.add_claim(NewClaim::factual("Troops were deployed"))?;
/// let v = claim_json(&store, id)?;
/// assert_eq!(v["claim"]["text"], "Troops were deployed");
/// assert_eq!(v["history"].as_array().map(Vec::len), Some(1));
/// # Ok::<(), claimtrack::Error>(())
/// ```
pub fn claim_json(store: &Store, id: ClaimId) -> crate::Result<Value> {
    let (read, weighed) = crate::analysis::read_and_weigh(store, id)?;
    serde_json::to_value(ClaimView::new(id, &read, &weighed)).map_err(json_error)
}

/// [`claim_json`] as JSON text, the very bytes `serde_json::to_vec(&claim_json(store, id)?)` gives (keys
/// in sorted order at every level), written without building the [`Value`] tree: what
/// `GET /v1/claims/{id}` answers.
///
/// ```
/// use claimtrack::{NewClaim, Store, server::{claim_json, claim_json_bytes}};
/// let store = Store::open_in_memory()?;
/// let id = store.add_claim(NewClaim::factual("Troops were deployed"))?;
/// let text = claim_json_bytes(&store, id)?;
/// assert_eq!(text, serde_json::to_vec(&claim_json(&store, id)?).unwrap());
/// # Ok::<(), claimtrack::Error>(())
/// ```
pub fn claim_json_bytes(store: &Store, id: ClaimId) -> crate::Result<Vec<u8>> {
    let (read, weighed) = crate::analysis::read_and_weigh(store, id)?;
    let mut out = Vec::with_capacity(8 << 10);
    super::json::to_sorted_json(&ClaimView::new(id, &read, &weighed), &mut out).map_err(json_error)?;
    Ok(out)
}

fn json_error(e: serde_json::Error) -> crate::Error {
    crate::Error::invalid("claim", format!("cannot be written as JSON: {e}"))
}

/// The answer of a claim read, borrowing its parts: one read of the records
/// ([`crate::store::ClaimRead`]) and what is weighed from them ([`crate::analysis::Weighed`]). Its
/// members are written in sorted key order ([`claim_json`]'s `Value` is a sorted map), so the field
/// order here does not matter.
#[derive(serde::Serialize)]
struct ClaimView<'a> {
    claim: Option<&'a crate::Claim>,
    attributions: &'a [crate::Attribution],
    chains: &'a [crate::analysis::AttributionChain],
    evidence: &'a [crate::Evidence],
    /// The evidence records that count: those without a standing in the bundle.
    current_evidence: Vec<EvidenceId>,
    summary: &'a crate::analysis::EvidenceSummary,
    conflicts: &'a [crate::analysis::Conflict],
    reviews: &'a [crate::Review],
    current_reviews: Vec<ReviewId>,
    links: &'a [ClaimLink],
    linked_claims: Vec<&'a crate::Claim>,
    sources: &'a [crate::Source],
    source_names: SourceNames<'a>,
    publications: &'a [crate::Publication],
    history: &'a [crate::Change],
}

impl<'a> ClaimView<'a> {
    fn new(id: ClaimId, read: &'a crate::store::ClaimRead, weighed: &'a crate::analysis::Weighed) -> Self {
        let b = &read.bundle;
        let withdrawn_evidence: HashSet<EvidenceId> = b.evidence_standings.iter().map(|s| s.id).collect();
        let withdrawn_reviews: HashSet<ReviewId> = b.review_standings.iter().map(|s| s.id).collect();
        ClaimView {
            claim: b.claims.iter().find(|c| c.id == id),
            attributions: &b.attributions,
            chains: &weighed.chains,
            evidence: &b.evidence,
            current_evidence: b
                .evidence
                .iter()
                .map(|e| e.id)
                .filter(|e| !withdrawn_evidence.contains(e))
                .collect(),
            summary: &weighed.summary,
            conflicts: &weighed.conflicts,
            reviews: &b.reviews,
            current_reviews: b
                .reviews
                .iter()
                .map(|r| r.id)
                .filter(|r| !withdrawn_reviews.contains(r))
                .collect(),
            links: &b.links,
            linked_claims: b.claims.iter().filter(|c| c.id != id).collect(),
            sources: &b.sources,
            source_names: SourceNames(&b.sources),
            publications: &b.publications,
            history: &read.history,
        }
    }
}

/// Each source's name by its id, as a JSON object.
struct SourceNames<'a>(&'a [crate::Source]);

impl serde::Serialize for SourceNames<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|x| (x.id, &x.name)))
    }
}

pub(crate) async fn get_claim(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    caller.require(Role::Read)?;
    let id: ClaimId = parse_id("id", &id)?;
    let body = state
        .read_with_store(&caller, move |s| claim_json_bytes(s, id))
        .await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

pub(crate) async fn claim_history(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Value>> {
    caller.require(Role::Read)?;
    let id: ClaimId = parse_id("id", &id)?;
    let changes = state
        .read_with_store(&caller, move |s| s.claim_history(id))
        .await?;
    Ok(axum::Json(json!({ "changes": changes })))
}

pub(crate) async fn list_claims(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    query: std::result::Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> ApiResult<axum::Json<Value>> {
    caller.require(Role::Read)?;
    let p = Params::from(query)?;
    let limit = p.page_size("limit", 50, state.options.max_page_size)?;
    let after: Option<ClaimId> = p.get("after").map(|a| parse_id("after", a)).transpose()?;
    let claims = state
        .read_with_store(&caller, move |s| s.claims_page(after, limit))
        .await?;
    let next = if claims.len() == limit {
        claims.last().map(|c| c.id)
    } else {
        None
    };
    Ok(axum::Json(json!({ "claims": claims, "next_after": next })))
}

pub(crate) async fn get_source(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Value>> {
    caller.require(Role::Read)?;
    let id: SourceId = parse_id("id", &id)?;
    let source = state.read_with_store(&caller, move |s| s.source(id)).await?;
    Ok(axum::Json(json!(source)))
}

pub(crate) async fn search(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    query: std::result::Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> ApiResult<axum::Json<Value>> {
    caller.require(Role::Read)?;
    let p = Params::from(query)?;
    let q = p
        .get("q")
        .ok_or_else(|| ApiError::invalid("q", "is required"))?
        .to_string();
    let limit = p.page_size("limit", 20, state.options.max_page_size)?;
    let hits = state
        .read_with_store(&caller, move |s| s.search(&q, limit))
        .await?;
    Ok(axum::Json(json!({ "hits": hits })))
}

pub(crate) async fn similar(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    query: std::result::Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> ApiResult<axum::Json<Value>> {
    caller.require(Role::Read)?;
    let p = Params::from(query)?;
    let text = p
        .get("text")
        .ok_or_else(|| ApiError::invalid("text", "is required"))?
        .to_string();
    let limit = p.page_size("limit", 10, state.options.max_page_size)?;
    let found = state
        .read_with_store(&caller, move |s| s.similar_claims(&text, limit))
        .await?;
    Ok(axum::Json(json!({ "similar": found })))
}

pub(crate) async fn list_tokens(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
) -> ApiResult<axum::Json<Value>> {
    caller.require(Role::Admin)?;
    let tokens = state.read_with_store(&caller, |s| s.tokens()).await?;
    Ok(axum::Json(json!({ "tokens": tokens })))
}

// ---- creating -------------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceBody {
    name: String,
    kind: SourceKind,
    #[serde(default)]
    aliases: Vec<String>,
    country: Option<String>,
    part_of: Option<SourceId>,
    controlled_by: Option<SourceId>,
    reliability: Option<Reliability>,
    notes: Option<String>,
}

pub(crate) async fn create_source(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    caller.require(Role::Write)?;
    let b: SourceBody = json_body(&state, &headers, body).await?;
    if b.part_of.is_some() && b.controlled_by.is_some() {
        return Err(ApiError::invalid(
            "controlled_by",
            "give part_of or controlled_by, not both",
        ));
    }
    let mut new = NewSource::new(b.name, b.kind);
    for a in b.aliases {
        new = new.alias(a);
    }
    if let Some(c) = b.country {
        new = new.country(c);
    }
    if let Some(p) = b.part_of {
        new = new.part_of(p);
    }
    if let Some(p) = b.controlled_by {
        new = new.controlled_by(p);
    }
    if let Some(r) = b.reliability {
        new = new.reliability(r);
    }
    if let Some(n) = b.notes {
        new = new.notes(n);
    }
    let id = state.with_store(&caller, move |s| s.add_source(new)).await?;
    Ok(created(id))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PublicationBody {
    title: String,
    url: Option<String>,
    publisher: Option<SourceId>,
    published: Option<PartialDate>,
    retrieved: Option<PartialDate>,
    language: Option<String>,
}

pub(crate) async fn create_publication(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    caller.require(Role::Write)?;
    let b: PublicationBody = json_body(&state, &headers, body).await?;
    let mut new = NewPublication::new(b.title);
    if let Some(u) = b.url {
        new = new.url(u);
    }
    if let Some(p) = b.publisher {
        new = new.publisher(p);
    }
    if let Some(d) = b.published {
        new = new.published(d);
    }
    if let Some(d) = b.retrieved {
        new = new.retrieved(d);
    }
    if let Some(l) = b.language {
        new = new.language(l);
    }
    let id = state.with_store(&caller, move |s| s.add_publication(new)).await?;
    Ok(created(id))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClaimBody {
    text: String,
    #[serde(default = "factual")]
    kind: ClaimKind,
    language: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    quantities: Vec<Quantity>,
    about: Option<PartialDate>,
    made_on: Option<PartialDate>,
}

fn factual() -> ClaimKind {
    ClaimKind::Factual
}

pub(crate) async fn create_claim(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    caller.require(Role::Write)?;
    let b: ClaimBody = json_body(&state, &headers, body).await?;
    let mut new = NewClaim::new(b.text, b.kind);
    if let Some(l) = b.language {
        new = new.language(l);
    }
    for t in b.tags {
        new = new.tag(t);
    }
    for q in b.quantities {
        new = new.quantity(q);
    }
    if let Some(d) = b.about {
        new = new.about(d);
    }
    if let Some(d) = b.made_on {
        new = new.made_on(d);
    }
    let id = state.with_store(&caller, move |s| s.add_claim(new)).await?;
    Ok(created(id))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RelayBody {
    source: SourceId,
    #[serde(default = "summary")]
    mode: Mode,
}

fn summary() -> Mode {
    Mode::Summary
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AttributionBody {
    speaker: Option<SourceId>,
    #[serde(default)]
    relays: Vec<RelayBody>,
    publication: Option<PublicationId>,
    mode: Option<Mode>,
    quote: Option<String>,
    said_on: Option<PartialDate>,
}

pub(crate) async fn create_attribution(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    caller.require(Role::Write)?;
    let claim: ClaimId = parse_id("id", &id)?;
    let b: AttributionBody = json_body(&state, &headers, body).await?;
    let mut new = match (b.speaker, b.publication) {
        (Some(s), p) => {
            let n = NewAttribution::said_by(s);
            match p {
                Some(p) => n.in_publication(p),
                None => n,
            }
        }
        (None, Some(p)) => NewAttribution::by_publication(p),
        (None, None) => {
            return Err(ApiError::invalid(
                "speaker",
                "give a speaker, or a publication that makes the claim in its own voice",
            ));
        }
    };
    for r in b.relays {
        new = new.via_as(r.source, r.mode);
    }
    if let Some(q) = b.quote {
        new = new.quote(q);
    }
    if let Some(m) = b.mode {
        new = new.mode(m);
    }
    if let Some(d) = b.said_on {
        new = new.said_on(d);
    }
    let id = state
        .with_store(&caller, move |s| s.attribute(claim, new))
        .await?;
    Ok(created(id))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EvidenceBody {
    source: SourceId,
    stance: Stance,
    credibility: Option<Credibility>,
    excerpt: Option<String>,
    publication: Option<PublicationId>,
    as_of: Option<PartialDate>,
    /// Only for revisions: why the earlier record is superseded.
    reason: Option<String>,
}

impl EvidenceBody {
    fn into_new(self) -> (NewEvidence, Option<String>) {
        let mut new = NewEvidence::new(self.source, self.stance);
        if let Some(c) = self.credibility {
            new = new.credibility(c);
        }
        if let Some(x) = self.excerpt {
            new = new.excerpt(x);
        }
        if let Some(p) = self.publication {
            new = new.in_publication(p);
        }
        if let Some(d) = self.as_of {
            new = new.as_of(d);
        }
        (new, self.reason)
    }
}

pub(crate) async fn create_evidence(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    caller.require(Role::Write)?;
    let claim: ClaimId = parse_id("id", &id)?;
    let b: EvidenceBody = json_body(&state, &headers, body).await?;
    if b.reason.is_some() {
        return Err(ApiError::invalid("reason", "only a revision has a reason"));
    }
    let (new, _) = b.into_new();
    let id = state
        .with_store(&caller, move |s| s.add_evidence(claim, new))
        .await?;
    Ok(created(id))
}

pub(crate) async fn revise_evidence(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    caller.require(Role::Write)?;
    let old: EvidenceId = parse_id("id", &id)?;
    let b: EvidenceBody = json_body(&state, &headers, body).await?;
    let (new, reason) = b.into_new();
    let reason = reason.ok_or_else(|| ApiError::invalid("reason", "is required"))?;
    let id = state
        .with_store(&caller, move |s| s.revise_evidence(old, new, &reason))
        .await?;
    Ok(created(id))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReasonBody {
    reason: String,
}

pub(crate) async fn retract_evidence(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<axum::Json<Value>> {
    caller.require(Role::Write)?;
    let id: EvidenceId = parse_id("id", &id)?;
    let b: ReasonBody = json_body(&state, &headers, body).await?;
    state
        .with_store(&caller, move |s| s.retract_evidence(id, &b.reason))
        .await?;
    Ok(axum::Json(json!({ "retracted": id })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReviewBody {
    verdict: Verdict,
    label: Option<String>,
    rating: Option<Rating>,
    rationale: Option<String>,
    reviewer: Option<SourceId>,
    reviewed_on: Option<PartialDate>,
    url: Option<String>,
    /// Only for corrections: why the earlier review is superseded.
    reason: Option<String>,
}

impl ReviewBody {
    fn into_new(self) -> (NewReview, Option<String>) {
        let mut new = NewReview::new(self.verdict);
        if let Some(l) = self.label {
            new = new.label(l);
        }
        if let Some(r) = self.rating {
            new = new.rating(r);
        }
        if let Some(r) = self.rationale {
            new = new.rationale(r);
        }
        if let Some(r) = self.reviewer {
            new = new.by(r);
        }
        if let Some(d) = self.reviewed_on {
            new = new.on(d);
        }
        if let Some(u) = self.url {
            new = new.url(u);
        }
        (new, self.reason)
    }
}

pub(crate) async fn create_review(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    caller.require(Role::Write)?;
    let claim: ClaimId = parse_id("id", &id)?;
    let b: ReviewBody = json_body(&state, &headers, body).await?;
    if b.reason.is_some() {
        return Err(ApiError::invalid("reason", "only a correction has a reason"));
    }
    let (new, _) = b.into_new();
    let id = state
        .with_store(&caller, move |s| s.add_review(claim, new))
        .await?;
    Ok(created(id))
}

pub(crate) async fn correct_review(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    caller.require(Role::Write)?;
    let old: ReviewId = parse_id("id", &id)?;
    let b: ReviewBody = json_body(&state, &headers, body).await?;
    let (new, reason) = b.into_new();
    let reason = reason.ok_or_else(|| ApiError::invalid("reason", "is required"))?;
    let id = state
        .with_store(&caller, move |s| s.correct_review(old, new, &reason))
        .await?;
    Ok(created(id))
}

pub(crate) async fn retract_review(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<axum::Json<Value>> {
    caller.require(Role::Write)?;
    let id: ReviewId = parse_id("id", &id)?;
    let b: ReasonBody = json_body(&state, &headers, body).await?;
    state
        .with_store(&caller, move |s| s.retract_review(id, &b.reason))
        .await?;
    Ok(axum::Json(json!({ "retracted": id })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LinkBody {
    kind: LinkKind,
    to: ClaimId,
    note: Option<String>,
}

pub(crate) async fn create_link(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    caller.require(Role::Write)?;
    let from: ClaimId = parse_id("id", &id)?;
    let b: LinkBody = json_body(&state, &headers, body).await?;
    let mut link = ClaimLink::new(from, b.kind, b.to)?;
    if let Some(n) = b.note {
        link = link.with_note(n);
    }
    let id = state.with_store(&caller, move |s| s.add_link(&link)).await?;
    Ok(created(id))
}

// ---- files ----------------------------------------------------------------------------------------

pub(crate) async fn import(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    query: std::result::Result<Query<Vec<(String, String)>>, QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<axum::Json<ImportReport>> {
    caller.require(Role::Admin)?;
    let p = Params::from(query)?;
    let format = p
        .get("format")
        .ok_or_else(|| {
            ApiError::invalid(
                "format",
                "is required: bundle, jsonl, claimreview or factcheck-api",
            )
        })?
        .to_string();
    // ClaimReview and Fact Check Tools skip what they cannot read unless asked to be all or nothing.
    let strict = match p.get("strict") {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(ApiError::invalid(
                "strict",
                format!("expected true or false, found {:?}", shorten(other)),
            ));
        }
    };
    let bytes = read_body(&state, &headers, body).await?;
    // ClaimReview and Fact Check Tools keep what they can read; when that is nothing at all the import
    // failed, whatever the report says (the CLI exits 1 in the same case).
    let lenient_format = matches!(format.as_str(), "claimreview" | "factcheck-api");
    let report = state
        .with_store(&caller, move |s| {
            let input: &[u8] = &bytes;
            let options = || {
                if strict {
                    ImportOptions::default().strict()
                } else {
                    ImportOptions::default()
                }
            };
            match format.as_str() {
                "bundle" => bundle::import(s, &bundle::read_bundle(input)?, options()),
                "jsonl" => jsonl::import(s, input, options()),
                "claimreview" => claimreview::import(s, input, options()),
                "factcheck-api" => factcheck::import(s, input, options()),
                other => Err(crate::Error::Invalid {
                    field: "format",
                    reason: format!(
                        "{:?} is not one of: bundle, jsonl, claimreview, factcheck-api",
                        shorten(other)
                    ),
                }),
            }
        })
        .await?;
    if lenient_format && report.inserted + report.updated + report.unchanged == 0 {
        let first = report
            .issues
            .first()
            .map(|i| {
                format!(
                    ": {} at {}: {}",
                    i.kind.as_str(),
                    shorten(&i.location),
                    shorten(&i.message)
                )
            })
            .unwrap_or_else(|| ": the file holds no record".to_string());
        return Err(ApiError::invalid(
            "body",
            format!(
                "nothing could be imported ({} issue(s)){first}",
                report.issues.len()
            ),
        ));
    }
    Ok(axum::Json(report))
}

pub(crate) async fn export(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    query: std::result::Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> ApiResult<Response> {
    caller.require(Role::Read)?;
    let p = Params::from(query)?;
    let format = p
        .get("format")
        .ok_or_else(|| ApiError::invalid("format", "is required: bundle, jsonl, claimreview, csv or dot"))?
        .to_string();
    let claim: Option<ClaimId> = p.get("claim").map(|c| parse_id("claim", c)).transpose()?;
    // The whole store is streamed in every format; one claim's export is built first.
    let whole = match (format.as_str(), claim) {
        ("jsonl", None) => Some(Streamed::Jsonl),
        ("csv", None) => Some(Streamed::Csv),
        ("bundle", None) => Some(Streamed::Bundle),
        ("claimreview", None) => Some(Streamed::ClaimReview),
        _ => None,
    };
    if let Some(what) = whole {
        return stream_export(&state, &caller, what).await;
    }
    let (bytes, content_type) = state
        .read_with_store(&caller, move |s| {
            if let Some(c) = claim {
                s.claim(c)?;
            }
            let mut out = Vec::new();
            let ty = match (format.as_str(), claim) {
                ("bundle", Some(c)) => {
                    (
                        bundle::write_bundle(&bundle::export_claim(s, c)?, &mut out)?,
                        "application/json",
                    )
                        .1
                }
                ("jsonl", Some(c)) => (jsonl::export_claim(s, c, &mut out)?, "application/x-ndjson").1,
                ("claimreview", Some(c)) => {
                    (claimreview::export_claim(s, c, &mut out)?, "application/ld+json").1
                }
                ("dot", Some(c)) => (crate::io::dot::export_claim(s, c, &mut out)?, "text/vnd.graphviz").1,
                ("csv", Some(_)) => {
                    return Err(crate::Error::Invalid {
                        field: "claim",
                        reason: "the csv format lists every claim".into(),
                    });
                }
                ("dot", None) => {
                    return Err(crate::Error::Invalid {
                        field: "claim",
                        reason: "the dot format draws one claim: give claim=ID".into(),
                    });
                }
                (other, _) => {
                    return Err(crate::Error::Invalid {
                        field: "format",
                        reason: format!(
                            "{:?} is not one of: bundle, jsonl, claimreview, csv, dot",
                            shorten(other)
                        ),
                    });
                }
            };
            Ok((out, ty))
        })
        .await?;
    Ok(([(header::CONTENT_TYPE, content_type)], bytes).into_response())
}

/// The exports of the whole store that are streamed.
#[derive(Clone, Copy)]
enum Streamed {
    Jsonl,
    Csv,
    Bundle,
    ClaimReview,
}

/// Bytes an export hands to the response at a time.
const EXPORT_CHUNK: usize = 64 << 10;

/// Chunks an export may have written that the client has not yet taken: with [`EXPORT_CHUNK`], what a
/// streamed export holds in memory, however large the store.
const EXPORT_CHUNKS_IN_FLIGHT: usize = 4;

/// The response body's end of an export: what the export wrote, in chunks.
struct BodyWriter {
    buf: Vec<u8>,
    tx: tokio::sync::mpsc::Sender<std::io::Result<axum::body::Bytes>>,
    sent: u64,
    /// The body was dropped: the client went away (or the server is closing the connection).
    gone: bool,
}

impl BodyWriter {
    fn send(&mut self) -> std::io::Result<()> {
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(EXPORT_CHUNK));
        let n = chunk.len() as u64;
        // Waits while the client is behind: the export goes no faster than the client reads.
        if self.tx.blocking_send(Ok(chunk.into())).is_err() {
            self.gone = true;
            return Err(std::io::Error::new(
                std::io::ErrorKind::BrokenPipe,
                "the client went away",
            ));
        }
        self.sent += n;
        Ok(())
    }
}

impl std::io::Write for BodyWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= EXPORT_CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.buf.is_empty() {
            self.send()?;
        }
        Ok(())
    }
}

/// The chunks of a streamed export, as the response body reads them.
struct Chunks(tokio::sync::mpsc::Receiver<std::io::Result<axum::body::Bytes>>);

impl futures_core::Stream for Chunks {
    type Item = std::io::Result<axum::body::Bytes>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.0.poll_recv(cx)
    }
}

/// How a streamed export ended.
enum Ended {
    /// Written whole.
    Whole,
    /// The client went away after this many bytes.
    Gone(u64),
}

/// Streams the whole store in any format, exactly as the library writes it (JSON Lines and bundles from
/// one read snapshot, as `claimtrack export` does), in chunks, holding no more than a few of them in
/// memory. The export keeps its connection to the store (on PostgreSQL, its REPEATABLE READ transaction)
/// until it has written the last byte, or until the client goes away: then it stops, its transaction
/// ends and the connection goes back to the pool. An error after the first bytes cuts the response off
/// (the client sees a truncated body, never a complete-looking one) and is logged.
async fn stream_export(state: &Shared, caller: &Caller, what: Streamed) -> ApiResult<Response> {
    let (tx, rx) = tokio::sync::mpsc::channel(EXPORT_CHUNKS_IN_FLIGHT);
    let failed = tx.clone();
    let task = state
        .start_with_store(caller, move |s| {
            let mut w = BodyWriter {
                buf: Vec::with_capacity(EXPORT_CHUNK),
                tx,
                sent: 0,
                gone: false,
            };
            let written = match what {
                Streamed::Jsonl => jsonl::export(s, &mut w),
                Streamed::Csv => csv::export(s, &mut w),
                Streamed::Bundle => bundle::export_to(s, &mut w),
                Streamed::ClaimReview => claimreview::export(s, &mut w),
            };
            match written {
                Ok(()) => Ok(Ended::Whole),
                Err(_) if w.gone => Ok(Ended::Gone(w.sent)),
                Err(e) => Err(e),
            }
        })
        .await?;
    let actor = caller.name.clone();
    tokio::spawn(async move {
        let outcome = match task.await {
            Ok(Ok(Ended::Whole)) => return,
            Ok(Ok(Ended::Gone(n))) => format!("stopped after {n} bytes: the client went away"),
            Ok(Err(e)) => e.to_string(),
            Err(e) => format!("the export's task failed: {e}"),
        };
        super::log_line(format_args!(
            "claimtrack serve: GET /v1/export actor={actor:?}: {outcome}"
        ));
        // Ends the body with an error, so the client cannot take it for a whole export.
        let _ = failed.send(Err(std::io::Error::other(outcome))).await;
    });
    let content_type = match what {
        Streamed::Jsonl => "application/x-ndjson",
        Streamed::Csv => "text/csv; charset=utf-8",
        Streamed::Bundle => "application/json",
        Streamed::ClaimReview => "application/ld+json",
    };
    Ok((
        [(header::CONTENT_TYPE, content_type)],
        Body::from_stream(Chunks(rx)),
    )
        .into_response())
}
