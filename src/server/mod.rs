//! `claimtrack serve` (feature `server`): an HTTP API over the public [`Store`] API.
//!
//! This module owns everything HTTP: the routes, their JSON shapes and errors, bearer tokens and roles,
//! request logging, limits (body size, page size, request time) and graceful shutdown. It reaches the
//! data only through [`Store`] methods and [`crate::io`], so it serves whichever backend the store opens.
//!
//! Store calls block, so each request's work runs on tokio's blocking pool
//! ([`tokio::task::spawn_blocking`]) with a [`Store`] taken from a fixed pool of connections opened on
//! the same file (a `Store` is `Send`, not `Sync`: one task uses one at a time). The blocking pool has
//! [`ServeOptions::connections`] threads, so at most that many requests use the store at once; the
//! others wait their turn in the pool's queue, in order, and one whose request is gone (its time limit
//! struck, its client left) before its turn never runs. A thread that finishes a request takes the
//! next one queued without sleeping, so under load a request costs no thread wake-up on the way in:
//! on a small machine more threads only share the same cores, and a connection opened per request
//! would lose its prepared statements.
//!
//! ```no_run
//! use claimtrack::server::{ServeOptions, serve};
//! let options = ServeOptions::new("desk.db", "127.0.0.1:8080".parse()?);
//! serve(options, |addr| println!("listening on http://{addr}"))?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod api;
mod auth;
mod error;
mod factcheck;
mod json;
mod openapi;
mod page;

pub use api::{claim_json, claim_json_bytes};
use auth::{ANONYMOUS, Caller, Proof, ProofState};
pub use auth::{add_token, authenticate, hash_secret, new_secret};

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Extension;
use axum::Router;
use axum::extract::Path;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::http::{HeaderMap, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use serde_json::json;

use crate::{Error, OpenOptions, Result, Store};
use error::ApiError;

/// How [`serve`] runs: where the database is, where to listen, and the limits.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServeOptions {
    /// The database file (created if absent).
    pub db: PathBuf,
    /// The address to listen on (port 0 picks a free port; [`serve`] reports the one bound).
    pub listen: SocketAddr,
    /// Lets requests without a token search and read published reviews (nothing else).
    pub public_read: bool,
    /// Largest request body accepted, in bytes; a larger one is refused with 413.
    pub max_body_bytes: usize,
    /// Largest page a listing or search returns; larger `pageSize`/`limit` values are capped to it.
    pub max_page_size: usize,
    /// Longest a request may take before it is answered with 503 (a write already running still
    /// finishes, whole, or not at all).
    pub request_timeout: Duration,
    /// How the store is opened (durability, busy timeout).
    pub open: OpenOptions,
    /// How many connections to the store are kept open, which is also how many requests use it at once
    /// (at least 1); more requests wait for a free one, first come first served.
    pub connections: usize,
}

impl ServeOptions {
    /// Options with the defaults: no public reads, 10 MiB bodies, pages of at most 100, 30 s requests,
    /// two connections per core (at least 4, at most 16).
    pub fn new(db: impl Into<PathBuf>, listen: SocketAddr) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        Self {
            db: db.into(),
            listen,
            public_read: false,
            max_body_bytes: 10 << 20,
            max_page_size: 100,
            request_timeout: Duration::from_secs(30),
            open: OpenOptions::default(),
            connections: cores.saturating_mul(2).clamp(4, 16),
        }
    }
}

/// Stores opened on one file, each lent to one blocking task at a time. The blocking pool runs at most
/// [`ServeOptions::connections`] tasks at once, so there is always an idle store or room to open one,
/// and no more than that many are ever open: a store, once open, is kept with its cached statements for
/// the server's life.
struct Pool {
    path: PathBuf,
    options: OpenOptions,
    idle: Mutex<Vec<Pooled>>,
}

/// A pooled store and the actor it was last given (setting the same actor again is skipped).
struct Pooled {
    store: Store,
    actor: String,
}

impl Pool {
    fn take(&self) -> Result<Pooled> {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        match idle {
            Some(p) => Ok(p),
            None => {
                let store = Store::open_with(&self.path, &self.options)?;
                let actor = store.actor()?;
                Ok(Pooled { store, actor })
            }
        }
    }

    fn give(&self, pooled: Pooled) {
        self.idle.lock().unwrap_or_else(|e| e.into_inner()).push(pooled);
    }
}

/// Tokens verified on earlier requests, by the SHA-256 of their secret, kept at most this many.
const VERIFIED_TOKENS: usize = 1024;

/// What every handler shares.
pub(crate) struct AppState {
    pool: Pool,
    options: ServeOptions,
    /// Tokens verified on earlier requests, by the SHA-256 of their secret: a request presenting one
    /// is let through the gate with its name and role, and checked against the store on the
    /// connection of its own store call (see [`Caller::proof`]), so a token costs one trip to the pool
    /// per request, not two, and a revocation, by any process, refuses the very next request.
    verified: Mutex<HashMap<[u8; 32], crate::Token>>,
}

pub(crate) type Shared = Arc<AppState>;

impl AppState {
    /// Runs `f` on the blocking pool with a store whose history actor is the caller's name, once the
    /// caller's token is confirmed on that same connection (a token revoked meanwhile is refused with
    /// 401 and `f` does not run).
    pub(crate) async fn with_store<T, F>(
        self: &Arc<Self>,
        caller: &Caller,
        f: F,
    ) -> std::result::Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T> + Send + 'static,
    {
        self.with_store_in(caller, false, f).await
    }

    /// [`with_store`](Self::with_store) for work that only reads: the token's check and the work read
    /// one snapshot (on SQLite one read transaction instead of two; the store's own reads in `f` join
    /// it). A revocation committed before the request's check still refuses it. `f` must not write.
    pub(crate) async fn read_with_store<T, F>(
        self: &Arc<Self>,
        caller: &Caller,
        f: F,
    ) -> std::result::Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T> + Send + 'static,
    {
        self.with_store_in(caller, true, f).await
    }

    async fn with_store_in<T, F>(
        self: &Arc<Self>,
        caller: &Caller,
        one_snapshot: bool,
        f: F,
    ) -> std::result::Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T> + Send + 'static,
    {
        let checked = caller.clone();
        let out = self
            .run_with_store(&caller.name, move |s| {
                let work = || {
                    if let Err(e) = checked.confirm(s) {
                        return Ok(Err(e));
                    }
                    Ok(f(s).map_err(ApiError::from))
                };
                if one_snapshot { s.snapshot(work) } else { work() }
            })
            .await?;
        if caller
            .proof
            .as_ref()
            .is_some_and(|p| p.state() == ProofState::Refused)
        {
            self.forget(caller);
        }
        out
    }

    /// Runs `f` on the blocking pool with a store whose history actor is `actor`, with no token check:
    /// for the gate's own lookups.
    async fn run_with_store<T, F>(self: &Arc<Self>, actor: &str, f: F) -> std::result::Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T> + Send + 'static,
    {
        let task = self.start_with_store_as(actor, f);
        let _unstarted = AbortUnstarted(task.abort_handle());
        let joined = task.await;
        match joined {
            Ok(out) => out.map_err(ApiError::from),
            Err(e) => Err(ApiError::internal(format!("the request's task failed: {e}"))),
        }
    }

    /// Drops a refused token from the verified ones.
    fn forget(&self, caller: &Caller) {
        if let Some(proof) = &caller.proof {
            self.verified
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&proof.hash);
        }
    }

    /// Confirms the caller's token, then queues `f` on the blocking pool with a store whose history actor is the caller's name, without waiting for it to finish: for work that
    /// outlives the handler (an export streamed to the client). The connection is the task's until `f`
    /// returns.
    pub(crate) async fn start_with_store<T, F>(
        self: &Arc<Self>,
        caller: &Caller,
        f: F,
    ) -> std::result::Result<tokio::task::JoinHandle<Result<T>>, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T> + Send + 'static,
    {
        // The answer starts before `f` ends, so the token is confirmed first, on a trip of its own
        // (exports are rare; a refusal must be a 401, not a cut-off body).
        if caller.proof.is_some() {
            self.with_store(caller, |_| Ok(())).await?;
        }
        Ok(self.start_with_store_as(&caller.name, f))
    }

    /// Queues `f` on the blocking pool, to run with a store whose history actor is `actor` once a
    /// thread is free, without waiting for it, and with no token check.
    fn start_with_store_as<T, F>(self: &Arc<Self>, actor: &str, f: F) -> tokio::task::JoinHandle<Result<T>>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T> + Send + 'static,
    {
        let state = Arc::clone(self);
        let actor = actor.to_string();
        tokio::task::spawn_blocking(move || {
            let mut pooled = state.pool.take()?;
            if pooled.actor != actor {
                // A store whose actor could not be set is dropped, not returned to the pool.
                pooled.store.set_actor(&actor)?;
                pooled.actor = actor;
            }
            let out = f(&pooled.store);
            // A store whose call failed is still usable: every write rolls back as a whole.
            state.pool.give(pooled);
            out
        })
    }
}

/// Cancels a blocking task that has not started yet when the request waiting for it goes away (its
/// time limit struck, or its client left): a queued request that nobody waits for does nothing. A task
/// already running is not stopped (tokio cannot stop one): it finishes, a write whole.
struct AbortUnstarted(tokio::task::AbortHandle);

impl Drop for AbortUnstarted {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Runs the server until SIGINT or SIGTERM, then stops taking connections, lets requests in flight
/// finish (a write in progress commits or rolls back whole) and returns.
///
/// The database is opened (and created, or brought up to date) before the port is bound, so a bad file
/// is refused before anything listens. `ready` is called with the bound address once the server
/// accepts connections.
pub fn serve(options: ServeOptions, ready: impl FnOnce(SocketAddr)) -> Result<()> {
    // Open once up front: refuses a damaged or too-new file before binding, and migrates a new one.
    let first = Store::open_with(&options.db, &options.open)?;
    let actor = first.actor()?;
    let connections = options.connections.max(1);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // One thread per connection is all the store's work can use, and the bound on how many
        // requests use the store at once (see `Pool`).
        .max_blocking_threads(connections)
        .build()?;
    let state = Arc::new(AppState {
        pool: Pool {
            path: options.db.clone(),
            options: options.open.clone(),
            idle: Mutex::new(vec![Pooled { store: first, actor }]),
        },
        options,
        verified: Mutex::new(HashMap::new()),
    });
    // Kept outside the runtime: the pooled stores are dropped on this thread once the runtime is gone
    // (a PostgreSQL client closes its connection with a runtime of its own, which cannot start inside
    // another runtime's async context).
    let keep = Arc::clone(&state);
    let result = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(state.options.listen).await?;
        let addr = listener.local_addr()?;
        let app = router(Arc::clone(&state));
        ready(addr);
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown_signal())
            .await
            .map_err(Error::Io)
    });
    // Blocking tasks still running (a write whose request timed out) finish before the runtime goes.
    runtime.shutdown_timeout(Duration::from_secs(60));
    drop(keep);
    result
}

async fn shutdown_signal() {
    let ctrl_c = async {
        // If the handler cannot be installed, only SIGTERM stops the server.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    log_line(format_args!(
        "claimtrack serve: shutting down; finishing requests in flight"
    ));
}

/// Every route, as (method, path): the router is built from [`route_for`] over this list, and a test
/// checks `/openapi.json` documents exactly these.
pub(crate) const ROUTES: &[(&str, &str)] = &[
    ("GET", "/healthz"),
    ("GET", "/openapi.json"),
    ("GET", "/v1alpha1/claims:search"),
    ("GET", "/claims/{id}"),
    ("GET", "/v1/claims"),
    ("POST", "/v1/claims"),
    ("GET", "/v1/claims/{id}"),
    ("GET", "/v1/claims/{id}/history"),
    ("POST", "/v1/claims/{id}/attributions"),
    ("POST", "/v1/claims/{id}/evidence"),
    ("POST", "/v1/claims/{id}/reviews"),
    ("POST", "/v1/claims/{id}/links"),
    ("POST", "/v1/evidence/{id}/revise"),
    ("POST", "/v1/evidence/{id}/retract"),
    ("POST", "/v1/reviews/{id}/correct"),
    ("POST", "/v1/reviews/{id}/retract"),
    ("POST", "/v1/sources"),
    ("GET", "/v1/sources/{id}"),
    ("POST", "/v1/publications"),
    ("GET", "/v1/search"),
    ("GET", "/v1/similar"),
    ("POST", "/v1/import"),
    ("GET", "/v1/export"),
    ("GET", "/v1/tokens"),
];

/// The handler of one entry of [`ROUTES`].
fn route_for(method: &str, path: &str) -> Option<MethodRouter<Shared>> {
    Some(match (method, path) {
        ("GET", "/healthz") => get(healthz),
        ("GET", "/openapi.json") => get(openapi_json),
        ("GET", "/v1alpha1/claims:search") => get(factcheck::claims_search),
        ("GET", "/claims/{id}") => get(claim_page),
        ("GET", "/v1/claims") => get(api::list_claims),
        ("POST", "/v1/claims") => post(api::create_claim),
        ("GET", "/v1/claims/{id}") => get(api::get_claim),
        ("GET", "/v1/claims/{id}/history") => get(api::claim_history),
        ("POST", "/v1/claims/{id}/attributions") => post(api::create_attribution),
        ("POST", "/v1/claims/{id}/evidence") => post(api::create_evidence),
        ("POST", "/v1/claims/{id}/reviews") => post(api::create_review),
        ("POST", "/v1/claims/{id}/links") => post(api::create_link),
        ("POST", "/v1/evidence/{id}/revise") => post(api::revise_evidence),
        ("POST", "/v1/evidence/{id}/retract") => post(api::retract_evidence),
        ("POST", "/v1/reviews/{id}/correct") => post(api::correct_review),
        ("POST", "/v1/reviews/{id}/retract") => post(api::retract_review),
        ("POST", "/v1/sources") => post(api::create_source),
        ("GET", "/v1/sources/{id}") => get(api::get_source),
        ("POST", "/v1/publications") => post(api::create_publication),
        ("GET", "/v1/search") => get(api::search),
        ("GET", "/v1/similar") => get(api::similar),
        ("POST", "/v1/import") => post(api::import),
        ("GET", "/v1/export") => get(api::export),
        ("GET", "/v1/tokens") => get(api::list_tokens),
        _ => return None,
    })
}

fn router(state: Shared) -> Router {
    let mut paths: Vec<(&str, MethodRouter<Shared>)> = Vec::new();
    for (method, path) in ROUTES {
        let Some(r) = route_for(method, path) else {
            continue;
        };
        match paths.iter_mut().find(|(p, _)| p == path) {
            Some((_, existing)) => {
                let merged = std::mem::take(existing).merge(r);
                *existing = merged;
            }
            None => paths.push((path, r)),
        }
    }
    let mut app = Router::new();
    for (path, r) in paths {
        app = app.route(path, r.fallback(method_not_allowed));
    }
    app.fallback(not_found)
        .layer(middleware::from_fn_with_state(Arc::clone(&state), gate))
        .with_state(state)
}

/// Writes one line to the server's log (standard error) with a single write: `eprintln!` on the
/// unbuffered stderr writes each piece of its format on its own, about fifteen system calls for a
/// request's line, a measurable part of a claim read's cost under load. A failed write (a closed or
/// broken log pipe) is ignored: it must not fail the request or panic, as `eprintln!` would.
pub(crate) fn log_line(line: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut text = line.to_string();
    text.push('\n');
    let _ = std::io::stderr().write_all(text.as_bytes());
}

/// Every request passes here: the bearer token is checked (a wrong or revoked one is refused with 401
/// before any handler runs), the caller attached for the handler, the time limit applied, and one log
/// line written with the actor, status and duration.
async fn gate(State(state): State<Shared>, req: Request, next: Next) -> Response {
    use axum::body::HttpBody as _;
    let started = Instant::now();
    let method = req.method().clone();
    // A clone of the URI shares its bytes: the log line's path costs no copy.
    let uri = req.uri().clone();
    let work = async {
        // The body is read whole (up to the limit) before anything is decided: a request refused
        // without its body read would make the server close the connection mid-upload. A request
        // without a body (a GET, mostly) is passed on as it came.
        let mut req = if req.body().is_end_stream() {
            req
        } else {
            let (parts, body) = req.into_parts();
            let bytes = match api::read_body(&state, &parts.headers, body).await {
                Ok(b) => b,
                Err(e) => return (ANONYMOUS.to_string(), e.into_response()),
            };
            Request::from_parts(parts, axum::body::Body::from(bytes))
        };
        let authorization = req.headers().get(axum::http::header::AUTHORIZATION).cloned();
        let caller = match identify(&state, authorization).await {
            Ok(c) => c,
            Err(e) => return (ANONYMOUS.to_string(), e.into_response()),
        };
        let name = caller.name.clone();
        req.extensions_mut().insert(caller.clone());
        let response = next.run(req).await;
        // A token answered from the cache whose request made no store call (a route without one, or a
        // refusal before it) is checked now, before anything is answered.
        if caller
            .proof
            .as_ref()
            .is_some_and(|p| p.state() == ProofState::Unchecked)
        {
            let checked = caller.clone();
            let confirmed = state
                .run_with_store(ANONYMOUS, move |s| Ok(checked.confirm(s)))
                .await
                .and_then(|r| r);
            if let Err(e) = confirmed {
                state.forget(&caller);
                return (ANONYMOUS.to_string(), e.into_response());
            }
        }
        if caller
            .proof
            .as_ref()
            .is_some_and(|p| p.state() == ProofState::Refused)
        {
            return (ANONYMOUS.to_string(), response);
        }
        (name, response)
    };
    let (actor, response) = match tokio::time::timeout(state.options.request_timeout, work).await {
        Ok(r) => r,
        Err(_) => (
            ANONYMOUS.to_string(),
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "timeout",
                format!(
                    "the request took longer than {} s",
                    state.options.request_timeout.as_secs_f64()
                ),
            )
            .into_response(),
        ),
    };
    log_line(format_args!(
        "claimtrack serve: {method} {} {} actor={actor:?} {:.1}ms",
        uri.path(),
        response.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    ));
    response
}

/// The caller named by the request's `Authorization: Bearer` header, or an anonymous one without it.
async fn identify(
    state: &Shared,
    authorization: Option<axum::http::HeaderValue>,
) -> std::result::Result<Caller, ApiError> {
    let public_read = state.options.public_read;
    let Some(header) = authorization else {
        return Ok(Caller {
            name: ANONYMOUS.into(),
            role: None,
            public_read,
            proof: None,
        });
    };
    let secret = header
        .to_str()
        .ok()
        .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::unauthorized("the Authorization header must be `Bearer <token>`"))?;
    let hash = auth::hash_secret(secret);
    // A hit only tells the handler who is asking; the store is asked on the request's own connection.
    let known = state
        .verified
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&hash)
        .cloned();
    if let Some(token) = known {
        return Ok(Caller {
            name: token.name,
            role: Some(token.role),
            public_read,
            proof: Some(Arc::new(Proof::new(hash))),
        });
    }
    let token = state
        .run_with_store(ANONYMOUS, move |s| auth::authenticate_hash(s, &hash))
        .await?
        .ok_or_else(auth::revoked)?;
    {
        let mut verified = state.verified.lock().unwrap_or_else(|e| e.into_inner());
        if verified.len() >= VERIFIED_TOKENS {
            verified.clear();
        }
        verified.insert(hash, token.clone());
    }
    Ok(Caller {
        name: token.name,
        role: Some(token.role),
        public_read,
        proof: None,
    })
}

async fn healthz(
    State(state): State<Shared>,
) -> std::result::Result<axum::Json<serde_json::Value>, ApiError> {
    let version = state.run_with_store("healthz", |s| s.schema_version()).await?;
    Ok(axum::Json(json!({ "status": "ok", "schema_version": version })))
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such route")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this route does not take that method",
    )
}

async fn openapi_json() -> axum::Json<serde_json::Value> {
    axum::Json(openapi::document())
}

/// `GET /claims/{id}`: the claim page for `Accept: text/html`, the claim's JSON otherwise. Anonymous
/// callers (with `--public-read`) get it only when the claim has a published review, and then as JSON
/// only the published ClaimReview markup.
async fn claim_page(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> std::result::Result<Response, ApiError> {
    caller.require_public_read()?;
    let id: crate::ClaimId = api::parse_id("id", &id)?;
    let html = headers
        .get(header::ACCEPT)
        .and_then(|a| a.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    let public = caller.is_public();
    enum Answer {
        Page(String),
        Json(serde_json::Value),
        Text(Vec<u8>),
        Unpublished,
    }
    let answer = state
        .read_with_store(&caller, move |s| {
            if public && s.current_reviews_of(id)?.is_empty() {
                // Existence of unpublished work is not told to anonymous readers.
                s.claim(id)?;
                return Ok(Answer::Unpublished);
            }
            Ok(if html {
                Answer::Page(page::claim_page(s, id)?)
            } else if public {
                Answer::Json(json!({ "claimReview": crate::io::claimreview::claim_reviews(s, id)? }))
            } else {
                Answer::Text(api::claim_json_bytes(s, id)?)
            })
        })
        .await?;
    Ok(match answer {
        Answer::Page(p) => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], p).into_response(),
        Answer::Json(v) => axum::Json(v).into_response(),
        Answer::Text(t) => ([(header::CONTENT_TYPE, "application/json")], t).into_response(),
        Answer::Unpublished => {
            ApiError::unauthorized("this claim has no published review; reading it needs a token")
                .into_response()
        }
    })
}
