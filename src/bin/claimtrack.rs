//! `claimtrack`: the command-line face of the library, for scripts and newsroom tools in any language.
//!
//! Every command takes `--db PATH` (default `claimtrack.db`, or `$CLAIMTRACK_DB`) and `--json`. Output
//! goes to stdout; errors go to stderr with exit code 1 (2 when the arguments do not parse).

use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use claimtrack::io::{ImportOptions, bundle, claimreview, csv, dot, factcheck, jsonl, labels};
use claimtrack::{
    ClaimId, ClaimKind, Credibility, Durability, Error, NewAttribution, NewClaim, NewEvidence, NewReview,
    NewSource, OpenOptions, PublicationId, Reliability, Result, SourceId, SourceKind, Stance, Store, Verdict,
};
use clap::{Parser, Subcommand, ValueEnum};
use serde_json::{Value, json};

#[path = "claimtrack/output.rs"]
mod output;

#[derive(Parser)]
#[command(
    name = "claimtrack",
    version,
    about = "Track fact-checking claims, their sources, attributions and evidence"
)]
struct Cli {
    /// The database: an SQLite file, or a PostgreSQL URL (`postgres://user@host/desk`).
    #[arg(long, global = true, env = "CLAIMTRACK_DB", default_value = "claimtrack.db")]
    db: PathBuf,
    /// Print results (and errors, on stderr) as JSON.
    #[arg(long, global = true)]
    json: bool,
    /// Make every commit survive power loss (`synchronous=FULL`: an fsync per commit). Without it a
    /// crash never corrupts the database, but after a power loss the last commits may roll back.
    #[arg(long, global = true)]
    durable: bool,
    /// Who is making the changes, as recorded in the history (default: "unknown"); one line, no control
    /// characters.
    #[arg(long, global = true, env = "CLAIMTRACK_ACTOR")]
    actor: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the database (or bring an existing one up to date).
    Init,
    /// Import a file (`-` for stdin) in one transaction: all of it or none of it.
    Import {
        /// The file's format.
        #[arg(long, short)]
        format: ImportFormat,
        /// The file, or `-` for standard input.
        file: String,
        /// ClaimReview and Fact Check Tools: refuse the whole file at the first record that cannot be
        /// read (or repeats a key), naming it, instead of skipping and listing it. The other formats are
        /// always all or nothing.
        #[arg(long)]
        strict: bool,
    },
    /// Export the store, or one claim with everything linked to it.
    Export {
        /// The output format.
        #[arg(long, short)]
        format: ExportFormat,
        /// Export only this claim (required for `dot`).
        #[arg(long)]
        claim: Option<String>,
        /// Write to this file instead of stdout.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Add a source; prints its id.
    AddSource {
        /// Its usual name.
        name: String,
        /// person, news_agency, outlet, government_body, intelligence_service, organisation, collective,
        /// document.
        #[arg(long)]
        kind: String,
        /// Another name it goes by (repeatable).
        #[arg(long)]
        alias: Vec<String>,
        /// ISO 3166-1 alpha-2 country code.
        #[arg(long)]
        country: Option<String>,
        /// The source it is part of (id or name).
        #[arg(long, conflicts_with = "controlled_by")]
        part_of: Option<String>,
        /// The source that controls it (id or name), e.g. a state over its news agency.
        #[arg(long)]
        controlled_by: Option<String>,
        /// Admiralty reliability grade, A–F.
        #[arg(long)]
        reliability: Option<String>,
    },
    /// Add a claim; prints its id.
    AddClaim {
        /// The statement.
        text: String,
        /// factual, opinion, prediction or pledge.
        #[arg(long, default_value = "factual")]
        kind: String,
        /// Its language (BCP 47).
        #[arg(long)]
        language: Option<String>,
        /// A tag (repeatable).
        #[arg(long)]
        tag: Vec<String>,
    },
    /// Record who said a claim and through whom; prints the attribution's id.
    Attribute {
        /// The claim.
        claim: String,
        /// Who said it (id or name).
        #[arg(long)]
        speaker: String,
        /// A source that relayed it, from the speaker outwards (id or name; repeatable).
        #[arg(long)]
        via: Vec<String>,
        /// The words, quoted verbatim.
        #[arg(long)]
        quote: Option<String>,
        /// The publication it appeared in (id).
        #[arg(long)]
        publication: Option<String>,
        /// When it was said (YYYY, YYYY-MM, YYYY-MM-DD or an RFC 3339 instant).
        #[arg(long)]
        said_on: Option<String>,
    },
    /// Record a source's stance on a claim; prints the evidence id.
    Evidence {
        /// The claim.
        claim: String,
        /// The source (id or name).
        #[arg(long)]
        source: String,
        /// supports, refutes, mixed or neutral.
        #[arg(long)]
        stance: String,
        /// The words that carry the stance.
        #[arg(long)]
        excerpt: Option<String>,
        /// Admiralty credibility, 1–6.
        #[arg(long)]
        credibility: Option<u8>,
        /// When the source took the stance.
        #[arg(long)]
        as_of: Option<String>,
    },
    /// Record a verdict on a claim; prints the review id.
    Review {
        /// The claim.
        claim: String,
        /// false, mostly_false, mixed, mostly_true, true, unverifiable — or a known label such as
        /// "Pants on Fire!" or "barely-true", which is then kept as the label. Without it, the verdict
        /// is read from --label, and a label that maps to none gives a review without a verdict.
        #[arg(long, required_unless_present = "label")]
        verdict: Option<String>,
        /// Who reviewed it (id or name).
        #[arg(long)]
        reviewer: Option<String>,
        /// Why.
        #[arg(long)]
        rationale: Option<String>,
        /// The publisher's own label, verbatim.
        #[arg(long)]
        label: Option<String>,
        /// Where the review can be read.
        #[arg(long)]
        url: Option<String>,
    },
    /// Show a claim: its attributions, evidence, reviews and links.
    Show {
        /// The claim.
        claim: String,
    },
    /// Full-text search over claim texts, quotes and excerpts, best match first.
    Search {
        /// Words to look for (plain words: quotes, operators and `*` are taken literally).
        query: String,
        /// Most results to show.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Has this been checked already? Stored claims worded like TEXT, most alike first; an exact repeat
    /// (ignoring case, Unicode forms, invisible characters and spacing) always comes first.
    Similar {
        /// The claim's wording.
        text: String,
        /// Most results to show.
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
    /// A claim's full change record: the claim's own changes and those of its attributions, evidence,
    /// reviews and links, oldest first.
    History {
        /// The claim.
        claim: String,
    },
    /// Count the records of every kind.
    Stats,
    /// Check the database: SQLite integrity, foreign keys, claimtrack's invariants. Exit 0 only if all
    /// pass.
    Check,
    /// Rebuild the full-text index from the records (when `check` reports `search_index`: rows written
    /// by hand, outside claimtrack).
    Reindex,
    /// Move a desk between databases: copy everything (records, history, API tokens) from one store into
    /// an empty one, SQLite or PostgreSQL, in one transaction on the target. The source is not changed.
    Copy {
        /// The store to copy from (default: --db).
        #[arg(long)]
        from: Option<PathBuf>,
        /// The store to copy into: a new file, or an empty PostgreSQL database (`postgres://…`).
        #[arg(long)]
        to: PathBuf,
    },
    /// Serve the database over HTTP (a JSON API, Fact Check Tools search, claim pages) until SIGINT or
    /// SIGTERM; creates the database if absent.
    #[cfg(feature = "server")]
    Serve(ServeArgs),
    /// Manage the bearer tokens `serve` accepts.
    #[cfg(feature = "server")]
    #[command(subcommand)]
    Token(TokenCommand),
}

/// `claimtrack token …`.
#[cfg(feature = "server")]
#[derive(Subcommand)]
enum TokenCommand {
    /// Make a token; prints its secret, once (only a hash is stored).
    Add {
        /// Its name, recorded as the actor of every change made with it.
        name: String,
        /// read, write or admin (admin also imports and manages tokens).
        #[arg(long)]
        role: String,
    },
    /// List the tokens (names, roles, when made, when revoked); never their secrets.
    List,
    /// Revoke a token: it is refused from now on.
    Revoke {
        /// The token's name.
        name: String,
    },
    /// Who made and revoked the tokens, and when (from the history, oldest first); never their secrets.
    History {
        /// Only this token's changes.
        name: Option<String>,
    },
}

/// `claimtrack serve`'s options.
#[cfg(feature = "server")]
#[derive(clap::Args)]
struct ServeArgs {
    /// The address to listen on (port 0 picks a free one; the address bound is printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: std::net::SocketAddr,
    /// Let requests without a token search and read published reviews (nothing else).
    #[arg(long)]
    public_read: bool,
    /// Largest request body, in bytes (larger ones get 413).
    #[arg(long, default_value_t = 10 << 20)]
    max_body: usize,
    /// Largest page a search or listing returns.
    #[arg(long, default_value_t = 100)]
    max_page: usize,
    /// Longest a request may run before it is answered with 503: seconds, or a number ending in `ms`
    /// or `s` (`250ms`, `30s`); at least 1 ms. A write already running still finishes, whole.
    #[arg(long, default_value = "30", value_parser = parse_time_limit)]
    timeout: std::time::Duration,
    /// Connections to the database kept open, which is also how many requests use it at once (the
    /// others wait their turn). Default: two per core, at least 4, at most 16.
    #[arg(long)]
    connections: Option<usize>,
}

#[derive(Clone, Copy, ValueEnum)]
enum ImportFormat {
    /// claimtrack bundle JSON.
    Bundle,
    /// claimtrack JSON Lines.
    Jsonl,
    /// schema.org ClaimReview JSON-LD.
    Claimreview,
    /// Google Fact Check Tools claims:search results.
    FactcheckApi,
    /// FEVER JSON Lines (paper_dev.jsonl and the like).
    Fever,
    /// LIAR TSV (train.tsv, valid.tsv, test.tsv).
    Liar,
    /// Climate-FEVER CSV (climate-fever.csv).
    ClimateFever,
    /// AVeriTeC JSON (dev.json, train.json).
    Averitec,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum ExportFormat {
    /// claimtrack bundle JSON.
    Bundle,
    /// claimtrack JSON Lines.
    Jsonl,
    /// schema.org ClaimReview JSON-LD.
    Claimreview,
    /// One row per claim, free-text cells a spreadsheet would run as formulas written as text.
    Csv,
    /// One row per claim, every cell exactly as stored (for programs, not spreadsheets).
    CsvVerbatim,
    /// Graphviz DOT of one claim.
    Dot,
}

/// What a command failed with.
enum Failure {
    /// A library error.
    Lib(Error),
    /// A problem with what the command was given that the library does not know about (no database at
    /// the path, a source name that matches nothing).
    Input(String),
    /// `check` found problems (already printed).
    CheckFailed,
    /// stdout was closed (`claimtrack … | head`): stop quietly.
    BrokenPipe,
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        match &e {
            Error::Io(io) if io.kind() == io::ErrorKind::BrokenPipe => Failure::BrokenPipe,
            _ => Failure::Lib(e),
        }
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        if e.kind() == io::ErrorKind::BrokenPipe {
            Failure::BrokenPipe
        } else {
            Failure::Lib(Error::Io(e))
        }
    }
}

type Outcome = std::result::Result<(), Failure>;

fn main() -> ExitCode {
    // A bug must not print a Rust backtrace at a newsroom script; say what happened in one line.
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown".into());
        eprintln!("claimtrack: internal error ({what}); please report it");
    }));
    let cli = Cli::parse();
    let json = cli.json;
    match run(cli) {
        Ok(()) | Err(Failure::BrokenPipe) => ExitCode::SUCCESS,
        Err(Failure::CheckFailed) => ExitCode::from(1),
        Err(Failure::Input(msg)) => {
            report_error(json, "input", &msg);
            ExitCode::from(1)
        }
        Err(Failure::Lib(e)) => {
            report_error(json, kind_of(&e), &e.to_string());
            ExitCode::from(1)
        }
    }
}

fn kind_of(e: &Error) -> &'static str {
    match e {
        Error::Invalid { .. } => "invalid",
        Error::NotFound { .. } => "not_found",
        Error::Duplicate { .. } => "duplicate",
        Error::Conflict { .. } => "conflict",
        Error::StillReferenced { .. } => "still_referenced",
        Error::AffiliationCycle { .. } => "affiliation_cycle",
        Error::SchemaTooNew { .. } => "schema_too_new",
        Error::Migration { .. } => "migration",
        Error::Corrupt { .. } => "corrupt",
        Error::Busy => "busy",
        Error::Parse { .. } => "parse",
        Error::Io(_) => "io",
        Error::Database(_) => "database",
        _ => "error",
    }
}

fn report_error(json: bool, kind: &str, message: &str) {
    let mut err = io::stderr().lock();
    let _ = if json {
        writeln!(
            err,
            "{}",
            json!({ "error": { "kind": kind, "message": message } })
        )
    } else {
        writeln!(err, "claimtrack: error: {message}")
    };
}

/// The options every command opens the database with.
fn options(cli: &Cli) -> OpenOptions {
    let mut o = OpenOptions::new();
    if cli.durable {
        o = o.durability(Durability::Full);
    }
    if let Some(a) = &cli.actor {
        o = o.actor(a.clone());
    }
    o
}

/// Whether `--db` names a PostgreSQL database rather than a file.
fn is_url(path: &Path) -> bool {
    path.to_str()
        .is_some_and(|s| s.starts_with("postgres://") || s.starts_with("postgresql://"))
}

fn open_existing(path: &Path, options: &OpenOptions) -> std::result::Result<Store, Failure> {
    if !is_url(path) && !path.exists() {
        return Err(Failure::Input(format!(
            "no database at {}; create one with `claimtrack init --db {}`",
            path.display(),
            path.display()
        )));
    }
    Ok(Store::open_with(path, options)?)
}

fn print(json: bool, value: Value, human: &str) -> Outcome {
    let mut out = io::stdout().lock();
    if json {
        serde_json::to_writer(&mut out, &value).map_err(|e| Failure::Lib(Error::Io(e.into())))?;
        out.write_all(b"\n")?;
    } else {
        out.write_all(human.as_bytes())?;
        if !human.ends_with('\n') {
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    Ok(())
}

fn run(cli: Cli) -> Outcome {
    let json = cli.json;
    let opts = options(&cli);
    match cli.command {
        Command::Init => {
            if cli.db.as_os_str() == ":memory:" || cli.db.to_string_lossy().starts_with("file:") {
                return Err(Failure::Input(format!(
                    "--db {}: give a file; an in-memory database or URI would vanish when the command ends",
                    cli.db.display()
                )));
            }
            let existed = if is_url(&cli.db) {
                has_schema(&cli.db)
            } else {
                cli.db.exists() && std::fs::metadata(&cli.db).map(|m| m.len() > 0).unwrap_or(false)
            };
            let store = Store::open_with(&cli.db, &options(&cli))?;
            let version = store.schema_version()?;
            let what = if existed { "up to date" } else { "created" };
            print(
                json,
                json!({ "db": redact(&cli.db.display().to_string()), "schema_version": version, "created": !existed }),
                &format!(
                    "{}: {what} (schema version {version})",
                    redact(&cli.db.display().to_string())
                ),
            )
        }
        Command::Import { format, file, strict } => {
            let store = open_existing(&cli.db, &opts)?;
            import(&store, format, &file, strict, json)
        }
        Command::Export {
            format,
            claim,
            output,
        } => {
            let store = open_existing(&cli.db, &opts.clone().read_only())?;
            let claim = claim.map(|c| claim_id(&c)).transpose()?;
            export(&store, &cli.db, format, claim, output.as_deref())
        }
        Command::AddSource {
            name,
            kind,
            alias,
            country,
            part_of,
            controlled_by,
            reliability,
        } => {
            let store = open_existing(&cli.db, &opts)?;
            let mut new = NewSource::new(name, kind.parse::<SourceKind>()?);
            for a in alias {
                new = new.alias(a);
            }
            if let Some(c) = country {
                new = new.country(c);
            }
            if let Some(p) = part_of {
                new = new.part_of(source_ref(&store, &p, "--part-of")?);
            }
            if let Some(p) = controlled_by {
                new = new.controlled_by(source_ref(&store, &p, "--controlled-by")?);
            }
            if let Some(r) = reliability {
                new = new.reliability(r.parse::<Reliability>()?);
            }
            let id = store.add_source(new)?;
            print(json, json!({ "id": id }), &id.to_string())
        }
        Command::AddClaim {
            text,
            kind,
            language,
            tag,
        } => {
            let store = open_existing(&cli.db, &opts)?;
            let mut new = NewClaim::new(text, kind.parse::<ClaimKind>()?);
            if let Some(l) = language {
                new = new.language(l);
            }
            for t in tag {
                new = new.tag(t);
            }
            let id = store.add_claim(new)?;
            print(json, json!({ "id": id }), &id.to_string())
        }
        Command::Attribute {
            claim,
            speaker,
            via,
            quote,
            publication,
            said_on,
        } => {
            let store = open_existing(&cli.db, &opts)?;
            let claim = claim_id(&claim)?;
            let mut new = NewAttribution::said_by(source_ref(&store, &speaker, "--speaker")?);
            for v in via {
                new = new.via(source_ref(&store, &v, "--via")?);
            }
            if let Some(q) = quote {
                new = new.quote(q);
            }
            if let Some(p) = publication {
                new = new.in_publication(p.parse::<PublicationId>()?);
            }
            if let Some(d) = said_on {
                new = new.said_on(d.parse()?);
            }
            let id = store.attribute(claim, new)?;
            print(json, json!({ "id": id }), &id.to_string())
        }
        Command::Evidence {
            claim,
            source,
            stance,
            excerpt,
            credibility,
            as_of,
        } => {
            let store = open_existing(&cli.db, &opts)?;
            let claim = claim_id(&claim)?;
            let mut new = NewEvidence::new(
                source_ref(&store, &source, "--source")?,
                stance.parse::<Stance>()?,
            );
            if let Some(x) = excerpt {
                new = new.excerpt(x);
            }
            if let Some(c) = credibility {
                let c = Credibility::try_from(c)
                    .map_err(|_| Failure::Input(format!("--credibility must be 1 to 6, got {c}")))?;
                new = new.credibility(c);
            }
            if let Some(d) = as_of {
                new = new.as_of(d.parse()?);
            }
            let id = store.add_evidence(claim, new)?;
            print(json, json!({ "id": id }), &id.to_string())
        }
        Command::Review {
            claim,
            verdict,
            reviewer,
            rationale,
            label,
            url,
        } => {
            let store = open_existing(&cli.db, &opts)?;
            let claim = claim_id(&claim)?;
            let mut new = match (verdict, &label) {
                (Some(verdict), _) => match verdict.parse::<Verdict>() {
                    Ok(v) => NewReview::new(v),
                    Err(e) => {
                        let m = labels::map_label(&verdict);
                        if !m.is_mapped() {
                            return Err(e.into());
                        }
                        m.new_review()
                    }
                },
                (None, Some(l)) => NewReview::with_verdict(labels::map_label(l).verdict),
                (None, None) => NewReview::unrated(),
            };
            if let Some(l) = label {
                new = new.label(l);
            }
            if let Some(r) = reviewer {
                new = new.by(source_ref(&store, &r, "--reviewer")?);
            }
            if let Some(r) = rationale {
                new = new.rationale(r);
            }
            if let Some(u) = url {
                new = new.url(u);
            }
            let id = store.add_review(claim, new)?;
            print(json, json!({ "id": id }), &id.to_string())
        }
        Command::Show { claim } => {
            let store = open_existing(&cli.db, &opts.clone().read_only())?;
            show(&store, claim_id(&claim)?, json)
        }
        Command::Stats => {
            let store = open_existing(&cli.db, &opts.clone().read_only())?;
            let c = store.counts()?;
            let verdicts = store.verdict_counts()?;
            let mut human = format!(
                "sources       {}\npublications  {}\nclaims        {}\nattributions  {}\nevidence      {}\nlinks         {}\nreviews       {}",
                c.sources, c.publications, c.claims, c.attributions, c.evidence, c.links, c.reviews
            );
            // Reviews that count, by verdict; "no verdict" is a rating that maps to none.
            for (v, n) in &verdicts {
                // At least one space: "mostly_false" and "unverifiable" fill the twelve columns.
                human.push_str(&format!("\n  {:<12} {n}", Verdict::words_of(*v)));
            }
            let mut value = serde_json::to_value(c).unwrap_or(Value::Null);
            if let Value::Object(m) = &mut value {
                let by: serde_json::Map<String, Value> = verdicts
                    .iter()
                    .map(|(v, n)| (Verdict::text_of(*v).to_string(), json!(n)))
                    .collect();
                m.insert("verdicts".into(), Value::Object(by));
            }
            print(json, value, &human)
        }
        Command::Search { query, limit } => {
            let store = open_existing(&cli.db, &opts.clone().read_only())?;
            let hits = store.search(&query, limit)?;
            let mut human = String::new();
            for h in &hits {
                // One line each: a claim text may hold line breaks (snippets never do).
                let text = h.claim_text.split_whitespace().collect::<Vec<_>>().join(" ");
                human.push_str(&format!("{}  {text}\n    {}\n", h.claim, h.snippet));
            }
            if hits.is_empty() {
                human.push_str("no matches");
            } else if limit > claimtrack::analysis::SEARCH_RANK_WINDOW && hits.len() < limit {
                // Say why a large --limit may return fewer hits than exist.
                human.push_str(&format!(
                    "{} hits (a query with a common word ranks at most the newest {} matches of each field)",
                    hits.len(),
                    claimtrack::analysis::SEARCH_RANK_WINDOW
                ));
            }
            print(json, json!({ "hits": hits }), &human)
        }
        Command::Similar { text, limit } => {
            let store = open_existing(&cli.db, &opts.clone().read_only())?;
            let found = store.similar_claims(&text, limit)?;
            let mut human = String::new();
            for s in &found {
                let one_line = s.text.split_whitespace().collect::<Vec<_>>().join(" ");
                human.push_str(&format!("{}  {:.2}  {one_line}\n", s.claim, s.score));
            }
            if found.is_empty() {
                human.push_str("no similar claims");
            }
            print(json, json!({ "similar": found }), &human)
        }
        Command::History { claim } => {
            let store = open_existing(&cli.db, &opts.clone().read_only())?;
            let changes = store.claim_history(claim_id(&claim)?)?;
            print(json, json!({ "changes": changes }), &changes_text(&changes))
        }
        Command::Check => {
            let store = open_existing(&cli.db, &opts)?;
            let report = store.check()?;
            let mut human = String::new();
            for p in &report.problems {
                human.push_str(&format!("{}: {}\n", p.check, p.message));
            }
            human.push_str(&if report.is_ok() {
                format!("ok: {} checks passed", report.checks.len())
            } else {
                format!("{} problem(s) found", report.problems.len())
            });
            let ok = report.is_ok();
            let printed = print(
                json,
                json!({ "ok": ok, "checks": report.checks, "problems": report.problems }),
                &human,
            );
            // The verdict outlives a closed pipe: `claimtrack check | head -1` must still fail on a
            // damaged database.
            match printed {
                Ok(()) | Err(Failure::BrokenPipe) if !ok => Err(Failure::CheckFailed),
                other => other,
            }
        }
        Command::Copy { from, to } => copy(from.as_deref().unwrap_or(&cli.db), &to, &opts, json),
        Command::Reindex => {
            let store = open_existing(&cli.db, &opts)?;
            store.rebuild_search_index()?;
            print(json, json!({ "reindexed": true }), "search index rebuilt")
        }
        #[cfg(feature = "server")]
        Command::Serve(args) => serve(&cli.db, opts, args, json),
        #[cfg(feature = "server")]
        Command::Token(cmd) => {
            // Listing tokens and their history only reads: read-only, like the other readers (a user
            // who may only read the file can run them and leaves no -wal/-shm behind).
            let reads = matches!(cmd, TokenCommand::List | TokenCommand::History { .. });
            let store = if reads {
                open_existing(&cli.db, &opts.clone().read_only())?
            } else {
                open_existing(&cli.db, &opts)?
            };
            token(&store, cmd, json)
        }
    }
}

/// A request time limit: whole seconds (`30`), or a whole number of milliseconds or seconds with its
/// unit (`250ms`, `30s`); zero is refused.
#[cfg(feature = "server")]
fn parse_time_limit(text: &str) -> std::result::Result<std::time::Duration, String> {
    let t = text.trim();
    let (digits, millis) = match t.strip_suffix("ms") {
        Some(d) => (d, true),
        None => (t.strip_suffix('s').unwrap_or(t), false),
    };
    let n: u64 = digits
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a time such as 30, 30s or 250ms"))?;
    if n == 0 {
        return Err("the time limit must be at least 1 ms".into());
    }
    Ok(if millis {
        std::time::Duration::from_millis(n)
    } else {
        std::time::Duration::from_secs(n)
    })
}

/// Whether the PostgreSQL database at `url` already holds claimtrack's schema (`init` then says "up to
/// date", not "created"); false when it cannot be asked (the open that follows reports why).
fn has_schema(url: &Path) -> bool {
    #[cfg(feature = "postgres")]
    if let Some(url) = url.to_str() {
        return claimtrack::postgres_schema_version(url).is_ok_and(|v| v > 0);
    }
    let _ = url;
    false
}

/// A database name fit to print: a URL's password replaced by `***`, wherever the PostgreSQL client
/// would find one — in the user part (which the client reads up to the first `@`, so a password may
/// hold an unencoded `/`, `?` or `@`) or as a `password` parameter of the query (its key may be
/// percent-encoded).
fn redact(db: &str) -> String {
    let Some((scheme, rest)) = db.split_once("://") else {
        return db.to_string();
    };
    let (user_part, host_and_more) = match rest.find('@') {
        Some(first_at) => {
            // Up to the last `@` before the host's end: a password with an unencoded `@` is masked whole.
            let host_end = rest[first_at..]
                .find(['/', '?'])
                .map_or(rest.len(), |i| first_at + i);
            let at = rest[..host_end].rfind('@').unwrap_or(first_at);
            let user_part = match rest[..first_at].split_once(':') {
                Some((name, _)) => format!("{name}:***@"),
                None => rest[..=at].to_string(),
            };
            (user_part, &rest[at + 1..])
        }
        None => (String::new(), rest),
    };
    let shown = match host_and_more.split_once('?') {
        Some((host, query)) => {
            let params: Vec<String> = query
                .split('&')
                .map(|kv| match kv.split_once('=') {
                    Some((k, _)) if percent_decoded(k).eq_ignore_ascii_case("password") => format!("{k}=***"),
                    _ => kv.to_string(),
                })
                .collect();
            format!("{host}?{}", params.join("&"))
        }
        None => host_and_more.to_string(),
    };
    format!("{scheme}://{user_part}{shown}")
}

/// `s` with its `%XX` escapes decoded (invalid UTF-8 shown as U+FFFD).
fn percent_decoded(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An error about a database given as `--db` (the store names it `db`) for one given as `field`.
fn named(field: &'static str, e: Error) -> Error {
    match e {
        Error::Invalid { field: "db", reason } => Error::Invalid { field, reason },
        e => e,
    }
}

fn copy(from: &Path, to: &Path, opts: &OpenOptions, json: bool) -> Outcome {
    if from == to {
        return Err(Failure::Input(format!(
            "--from and --to name the same database ({})",
            to.display()
        )));
    }
    let source = open_existing(from, &opts.clone().read_only()).map_err(|f| match f {
        Failure::Lib(e) => Failure::Lib(named("from", e)),
        other => other,
    })?;
    // A file made by this command is removed again when the copy fails: no half-made desk is left.
    let created = !is_url(to) && !to.exists();
    let result = Store::open_with(to, opts)
        .map_err(|e| named("to", e))
        .and_then(|target| {
            let report = source.copy_to(&target);
            drop(target);
            report
        });
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            if created {
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = to.as_os_str().to_owned();
                    p.push(suffix);
                    let _ = std::fs::remove_file(PathBuf::from(p));
                }
            }
            return Err(e.into());
        }
    };
    let tables: serde_json::Map<String, Value> =
        report.tables.iter().map(|(t, n)| (t.clone(), json!(n))).collect();
    let shown = |p: &Path| redact(&p.display().to_string());
    print(
        json,
        json!({ "from": shown(from), "to": shown(to), "rows": report.rows(), "tables": tables }),
        &format!(
            "copied {} rows from {} to {} ({})",
            report.rows(),
            shown(from),
            shown(to),
            report
                .tables
                .iter()
                .filter(|(_, n)| *n > 0)
                .map(|(t, n)| format!("{t} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
}

#[cfg(feature = "server")]
fn serve(db: &Path, opts: OpenOptions, args: ServeArgs, json: bool) -> Outcome {
    let mut options = claimtrack::server::ServeOptions::new(db, args.listen);
    options.public_read = args.public_read;
    options.max_body_bytes = args.max_body;
    options.max_page_size = args.max_page.max(1);
    options.request_timeout = args.timeout;
    if let Some(n) = args.connections {
        options.connections = n.max(1);
    }
    options.open = opts;
    claimtrack::server::serve(options, |addr| {
        // Scripts and tests read the address from this first line (port 0 picks a free one).
        let _ = print(
            json,
            json!({ "listening": format!("http://{addr}") }),
            &format!("claimtrack: listening on http://{addr}"),
        );
    })?;
    Ok(())
}

#[cfg(feature = "server")]
fn token(store: &Store, cmd: TokenCommand, json: bool) -> Outcome {
    match cmd {
        TokenCommand::Add { name, role } => {
            let (token, secret) = claimtrack::server::add_token(store, &name, role.parse()?)?;
            print(
                json,
                json!({ "name": token.name, "role": token.role, "secret": secret }),
                &secret,
            )
        }
        TokenCommand::List => {
            let tokens = store.tokens()?;
            let mut human = String::new();
            // RFC 3339, as the JSON output and the history give times.
            let when = |t: time::OffsetDateTime| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_else(|_| t.to_string())
            };
            for t in &tokens {
                human.push_str(&format!("{}\t{}\tcreated {}", t.name, t.role, when(t.created_at)));
                if let Some(r) = t.revoked_at {
                    human.push_str(&format!("\trevoked {}", when(r)));
                }
                human.push('\n');
            }
            if tokens.is_empty() {
                human.push_str("no tokens");
            }
            print(json, json!({ "tokens": tokens }), &human)
        }
        TokenCommand::Revoke { name } => {
            let t = store.revoke_token(&name)?;
            print(json, json!({ "revoked": t.name }), &format!("revoked {}", t.name))
        }
        TokenCommand::History { name } => {
            let changes = store.token_history(name.as_deref())?;
            let mut human = changes_text(&changes);
            if changes.is_empty() {
                human.push_str("no token changes");
            }
            print(json, json!({ "changes": changes }), &human)
        }
    }
}

/// History entries as `history` prints them: one line per change, then its values.
fn changes_text(changes: &[claimtrack::Change]) -> String {
    let mut human = String::new();
    for c in changes {
        human.push_str(&format!(
            "#{} {} {} {} {} {}",
            c.seq, c.at, c.actor, c.operation, c.kind, c.entity
        ));
        if let Some(r) = &c.reason {
            human.push_str(&format!(" ({r})"));
        }
        human.push('\n');
        if let Some(b) = &c.before {
            human.push_str(&format!("    before: {b}\n"));
        }
        if let Some(a) = &c.after {
            human.push_str(&format!("    after:  {a}\n"));
        }
        match c.unverified {
            Some(u) if c.after.is_none() => {
                human.push_str(&format!("    after:  not shown ({u}: see claimtrack check)\n"));
            }
            Some(u) => {
                human.push_str(&format!(
                    "    (not checked on this read: {u}; claimtrack check checks it)\n"
                ));
            }
            None => {}
        }
    }
    human
}

fn claim_id(s: &str) -> std::result::Result<ClaimId, Failure> {
    Ok(s.parse::<ClaimId>()?)
}

/// A source given by id, or by a name or alias that matches exactly one source.
fn source_ref(store: &Store, s: &str, flag: &str) -> std::result::Result<SourceId, Failure> {
    if let Ok(id) = s.parse::<SourceId>() {
        store.source(id)?;
        return Ok(id);
    }
    let found = store.find_sources(s)?;
    match found.as_slice() {
        [one] => Ok(one.id),
        [] => Err(Failure::Input(format!(
            "{flag}: no source with the id or name {s:?}"
        ))),
        many => Err(Failure::Input(format!(
            "{flag}: {} sources answer to {s:?}; give an id ({})",
            many.len(),
            many.iter()
                .map(|m| m.id.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

fn progress(len: Option<u64>) -> indicatif::ProgressBar {
    if !io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    match len {
        Some(n) => {
            let bar = indicatif::ProgressBar::new(n);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{spinner} importing [{bar:40}] {bytes}/{total_bytes} {msg} ({eta})",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        }
        None => {
            let bar = indicatif::ProgressBar::new_spinner();
            if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} importing {bytes} {msg}") {
                bar.set_style(style);
            }
            bar
        }
    }
}

fn import(store: &Store, format: ImportFormat, file: &str, strict: bool, json: bool) -> Outcome {
    let (input, len): (Box<dyn Read>, Option<u64>) = if file == "-" {
        (Box::new(io::stdin().lock()), None)
    } else {
        if Path::new(file).is_dir() {
            return Err(Failure::Input(format!(
                "{file} is a directory; give the file to import"
            )));
        }
        let f = std::fs::File::open(file)
            .map_err(|e| Failure::Lib(Error::Io(io::Error::new(e.kind(), format!("{file}: {e}")))))?;
        let len = f.metadata().ok().map(|m| m.len());
        (Box::new(f), len)
    };
    // Every format shows progress the same way: the bytes read of the input, and the records written
    // so far from the import's one progress callback.
    let bar = progress(len);
    let input = io::BufReader::new(bar.wrap_read(input));
    let mut written = |p: &claimtrack::BatchProgress| bar.set_message(format!("{} records", p.records));
    let mut options = ImportOptions::default().progress(1_000, &mut written);
    if strict {
        options = options.strict();
    }
    let result = match format {
        ImportFormat::Bundle => bundle::read_bundle(input).and_then(|b| bundle::import(store, &b, options)),
        ImportFormat::Jsonl => jsonl::import(store, input, options),
        ImportFormat::Claimreview => claimreview::import(store, input, options),
        ImportFormat::FactcheckApi => factcheck::import(store, input, options),
        ImportFormat::Fever => claimtrack::io::fever::import(store, input, options),
        ImportFormat::Liar => claimtrack::io::liar::import(store, input, options),
        ImportFormat::ClimateFever => claimtrack::io::climate_fever::import(store, input, options),
        ImportFormat::Averitec => claimtrack::io::averitec::import(store, input, options),
    };
    bar.finish_and_clear();
    let report = result?;
    let human = format!("imported {file}: {report}");
    print(json, serde_json::to_value(&report).unwrap_or(Value::Null), &human)?;
    // ClaimReview and Fact Check Tools imports keep what they can; when that is nothing at all, the
    // import failed, whatever the report says.
    if report.inserted + report.updated + report.unchanged == 0
        && matches!(format, ImportFormat::Claimreview | ImportFormat::FactcheckApi)
    {
        return Err(Failure::Input(format!("{file}: nothing could be imported")));
    }
    Ok(())
}

fn export(
    store: &Store,
    db: &Path,
    format: ExportFormat,
    claim: Option<ClaimId>,
    output: Option<&Path>,
) -> Outcome {
    if let Some(c) = claim {
        store.claim(c)?;
    }
    let write = |out: &mut dyn Write| -> Result<()> {
        match (format, claim) {
            (ExportFormat::Bundle, None) => bundle::export_to(store, out),
            (ExportFormat::Bundle, Some(c)) => bundle::write_bundle(&bundle::export_claim(store, c)?, out),
            (ExportFormat::Jsonl, None) => jsonl::export(store, out),
            (ExportFormat::Jsonl, Some(c)) => jsonl::export_claim(store, c, out),
            (ExportFormat::Claimreview, None) => claimreview::export(store, out),
            (ExportFormat::Claimreview, Some(c)) => claimreview::export_claim(store, c, out),
            (ExportFormat::Csv, _) => csv::export(store, out),
            (ExportFormat::CsvVerbatim, _) => csv::export_verbatim(store, out),
            (ExportFormat::Dot, Some(c)) => dot::export_claim(store, c, out),
            (ExportFormat::Dot, None) => Err(Error::Invalid {
                field: "claim",
                reason: "the dot format draws one claim: give --claim ID".into(),
            }),
        }
    };
    if matches!(format, ExportFormat::Csv | ExportFormat::CsvVerbatim) && claim.is_some() {
        return Err(Failure::Input(
            "the csv format lists every claim; --claim is not supported".into(),
        ));
    }
    match output {
        None => {
            let mut out = io::stdout().lock();
            write(&mut out)?;
            out.flush()?;
        }
        Some(path) => output::write_file(path, db, write)?,
    }
    Ok(())
}

fn show(store: &Store, id: ClaimId, json: bool) -> Outcome {
    let b = bundle::export_claim(store, id)?;
    let summary = store.evidence_summary(id)?;
    let name = |s: SourceId| {
        b.sources
            .iter()
            .find(|x| x.id == s)
            .map_or_else(|| s.to_string(), |x| x.name.clone())
    };
    let claim = &b.claims[0];
    if json {
        let names: serde_json::Map<String, Value> = b
            .sources
            .iter()
            .map(|s| (s.id.to_string(), json!(s.name)))
            .collect();
        return print(
            true,
            json!({
                "claim": claim,
                "attributions": b.attributions,
                "evidence": b.evidence,
                "reviews": b.reviews,
                "links": b.links,
                "summary": summary,
                "source_names": names,
                "publications": b.publications,
            }),
            "",
        );
    }
    let mut h = String::new();
    h.push_str(&format!("Claim {} [{}]", claim.id, claim.kind));
    if let Some(l) = &claim.language {
        h.push_str(&format!(" ({l})"));
    }
    h.push_str(&format!("\n  {}\n", claim.text));
    if let Some(a) = &claim.about {
        h.push_str(&format!("  about: {a}\n"));
    }
    if let Some(d) = &claim.made_on {
        h.push_str(&format!("  made on: {d}\n"));
    }
    for q in &claim.quantities {
        h.push_str(&format!(
            "  figure: {} {} {}{}\n",
            q.bound.as_str().replace('_', " "),
            q.value,
            q.unit,
            q.subject.as_ref().map(|s| format!(" ({s})")).unwrap_or_default()
        ));
    }
    if !claim.tags.is_empty() {
        h.push_str(&format!("  tags: {}\n", claim.tags.join(", ")));
    }
    h.push_str(&format!("Attributions ({}):\n", b.attributions.len()));
    for a in &b.attributions {
        let mut chain: Vec<String> = a.speaker.map(name).into_iter().collect();
        chain.extend(
            a.relays
                .iter()
                .map(|r| format!("{} ({})", name(r.source), r.mode.as_str().replace('_', " "))),
        );
        if let Some(p) = a.publication {
            let title = b
                .publications
                .iter()
                .find(|x| x.id == p)
                .map_or_else(|| p.to_string(), |x| x.display_name().to_string());
            chain.push(format!("“{title}”"));
        }
        h.push_str(&format!(
            "  {} [{}]",
            chain.join(" → "),
            a.mode.as_str().replace('_', " ")
        ));
        if let Some(d) = &a.said_on {
            h.push_str(&format!(" on {d}"));
        }
        h.push('\n');
        if let Some(q) = &a.quote {
            h.push_str(&format!("    “{q}”\n"));
        }
    }
    h.push_str(&format!("Evidence ({}):\n", b.evidence.len()));
    for stance in Stance::ALL {
        let of: Vec<_> = b.evidence.iter().filter(|e| e.stance == *stance).collect();
        if !of.is_empty() {
            h.push_str(&format!("  {stance} ({}):\n", of.len()));
        }
        for e in of {
            if let Some(q) = &e.question {
                let how = e.answer_type.map(|t| format!(", {t} answer")).unwrap_or_default();
                h.push_str(&format!("    Q: {q}{how}\n"));
            }
            h.push_str(&format!(
                "    {} (credibility {})",
                e.source.map_or_else(|| "(no source)".to_string(), name),
                e.credibility.number()
            ));
            if let Some(d) = &e.as_of {
                h.push_str(&format!(" as of {d}"));
            }
            if let Some(x) = &e.excerpt {
                h.push_str(&format!(": “{x}”"));
            }
            h.push('\n');
        }
    }
    let origins = |groups: &[claimtrack::analysis::OriginGroup]| {
        groups
            .iter()
            .map(|g| {
                format!(
                    "{} ({} source{})",
                    g.name,
                    g.sources.len(),
                    if g.sources.len() == 1 { "" } else { "s" }
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    h.push_str(&format!(
        "Summary: {} — {} independent origin(s) for, {} against\n",
        summary.outcome,
        summary.independent_for(),
        summary.independent_against()
    ));
    if !summary.origins_for.is_empty() {
        h.push_str(&format!("  for: {}\n", origins(&summary.origins_for)));
    }
    if !summary.origins_against.is_empty() {
        h.push_str(&format!("  against: {}\n", origins(&summary.origins_against)));
    }
    h.push_str(&format!("Reviews ({}):\n", b.reviews.len()));
    for r in &b.reviews {
        h.push_str(&format!("  {}", Verdict::words_of(r.verdict)));
        if let Some(l) = &r.label {
            h.push_str(&format!(" “{l}”"));
        }
        if let Some(s) = r.reviewer {
            h.push_str(&format!(" by {}", name(s)));
        }
        if let Some(d) = &r.reviewed_on {
            h.push_str(&format!(" on {d}"));
        }
        if let Some(x) = &r.rationale {
            h.push_str(&format!(": {x}"));
        }
        h.push('\n');
    }
    if !b.links.is_empty() {
        h.push_str(&format!("Links ({}):\n", b.links.len()));
        for l in &b.links {
            let (dir, other) = if l.from == id {
                ("→", l.to)
            } else {
                ("←", l.from)
            };
            let text = b
                .claims
                .iter()
                .find(|c| c.id == other)
                .map_or("", |c| c.text.as_str());
            h.push_str(&format!("  {dir} {} {other}: {text}\n", l.kind));
        }
    }
    print(false, Value::Null, &h)
}
