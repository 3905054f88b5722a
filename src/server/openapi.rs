//! The OpenAPI 3.0 document served at `/openapi.json`. A test checks that its operations are exactly
//! the routes the server answers (see [`super::ROUTES`]).

use serde_json::{Value, json};

fn id_param() -> Value {
    json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } })
}

fn q(name: &str, required: bool, schema: Value, description: &str) -> Value {
    json!({ "name": name, "in": "query", "required": required, "schema": schema, "description": description })
}

fn responses(ok: &str, ok_description: &str) -> Value {
    json!({
        ok: { "description": ok_description, "content": { "application/json": { "schema": { "type": "object" } } } },
        "400": { "$ref": "#/components/responses/Error" },
        "401": { "$ref": "#/components/responses/Error" },
        "403": { "$ref": "#/components/responses/Error" },
        "404": { "$ref": "#/components/responses/Error" },
        "409": { "$ref": "#/components/responses/Error" },
        "413": { "$ref": "#/components/responses/Error" },
        "503": { "$ref": "#/components/responses/Error" }
    })
}

fn body(schema: &str) -> Value {
    json!({ "required": true, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } })
}

fn read(summary: &str, params: Vec<Value>) -> Value {
    json!({ "summary": summary, "parameters": params, "responses": responses("200", "OK") })
}

fn write(summary: &str, params: Vec<Value>, schema: &str) -> Value {
    json!({ "summary": summary, "parameters": params, "requestBody": body(schema), "responses": responses("201", "Created: {\"id\": …}") })
}

fn change(summary: &str, params: Vec<Value>, schema: &str) -> Value {
    json!({ "summary": summary, "parameters": params, "requestBody": body(schema), "responses": responses("200", "Done") })
}

fn date() -> Value {
    json!({ "type": "string", "pattern": "^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|1[0-9]|2[0-8])(T[0-9]{2}:[0-9]{2}:[0-9]{2}Z)?)?)?$",
            "description": "YYYY, YYYY-MM, YYYY-MM-DD or an RFC 3339 instant" })
}

/// Text that must hold something other than spaces.
fn required_text() -> Value {
    json!({ "type": "string", "minLength": 1, "pattern": "[^\\s]" })
}

fn uuid() -> Value {
    json!({ "type": "string", "format": "uuid" })
}

fn text() -> Value {
    json!({ "type": "string" })
}

fn strings(values: &[&str]) -> Value {
    json!({ "type": "string", "enum": values })
}

/// The document.
pub(crate) fn document() -> Value {
    let limit = |d: &str| q("limit", false, json!({ "type": "integer", "minimum": 1 }), d);
    let evidence_props = json!({
        "source": uuid(),
        "stance": strings(&["supports", "refutes", "mixed", "neutral"]),
        "credibility": { "type": "integer", "minimum": 1, "maximum": 6 },
        "excerpt": text(), "publication": uuid(), "as_of": date(),
        "reason": { "type": "string", "description": "revisions only: why the earlier record is superseded" }
    });
    let review_props = json!({
        "verdict": strings(&["false", "mostly_false", "mixed", "mostly_true", "true", "unverifiable"]),
        "label": text(), "rationale": text(), "reviewer": uuid(), "reviewed_on": date(), "url": text(),
        "rating": { "type": "object", "required": ["value", "best", "worst"], "properties": {
            "value": { "type": "number" }, "best": { "type": "number" }, "worst": { "type": "number" },
            "alternate_name": text() } },
        "reason": { "type": "string", "description": "corrections only: why the earlier review is superseded" }
    });
    let export_responses = json!({
                    "200": { "description": "The file", "content": {
                        "application/json": { "schema": {} }, "application/x-ndjson": { "schema": { "type": "string" } },
                        "application/ld+json": { "schema": {} }, "text/csv": { "schema": { "type": "string" } },
                        "text/vnd.graphviz": { "schema": { "type": "string" } } } },
                    "400": { "$ref": "#/components/responses/Error" },
                    "401": { "$ref": "#/components/responses/Error" },
                    "404": { "$ref": "#/components/responses/Error" } });
    let page_responses = json!({
                    "200": { "description": "HTML page or JSON", "content": { "text/html": { "schema": { "type": "string" } }, "application/json": { "schema": { "type": "object" } } } },
                    "400": { "$ref": "#/components/responses/Error" },
                    "401": { "$ref": "#/components/responses/Error" },
                    "404": { "$ref": "#/components/responses/Error" } });
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "claimtrack serve",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Claims, sources, attributions, evidence and reviews of a fact-checking desk. Every request carries `Authorization: Bearer <token>` (roles read < write < admin); errors are `{\"error\": {status, kind, field, message}}`."
        },
        "security": [ { "bearer": [] } ],
        "paths": {
            "/healthz": { "get": { "summary": "Liveness and schema version (no token needed)", "security": [], "responses": { "200": { "description": "OK" } } } },
            "/openapi.json": { "get": { "summary": "This document (no token needed)", "security": [], "responses": { "200": { "description": "OK" } } } },
            "/v1alpha1/claims:search": { "get": {
                "summary": "Google Fact Check Tools compatible search (anonymous too with --public-read)",
                "parameters": [
                    q("query", false, text(), "words to look for (required unless reviewPublisherSiteFilter is given)"),
                    q("languageCode", false, text(), "BCP 47 language of the claim"),
                    q("reviewPublisherSiteFilter", false, text(), "only reviews published on this site (the host of their URLs, without www.); alone, the site's newest reviews first"),
                    q("maxAgeDays", false, json!({ "type": "integer", "minimum": 0 }), "claim or review date within this many days"),
                    q("pageSize", false, json!({ "type": "integer", "minimum": 1 }), "claims per page (capped by the server)"),
                    q("pageToken", false, text(), "nextPageToken of the previous page"),
                    q("offset", false, json!({ "type": "integer", "minimum": 0 }), "results to skip")
                ],
                "responses": responses("200", "{claims: [{text, claimant, claimDate, claimReview: [...]}], nextPageToken}")
            } },
            "/claims/{id}": { "get": {
                "summary": "A claim page (Accept: text/html) or its JSON; anonymous with --public-read when it has a published review",
                "parameters": [ id_param() ],
                "responses": page_responses
            } },
            "/v1/claims": {
                "get": read("Claims, oldest first, by pages", vec![ limit("page size"), q("after", false, uuid(), "next_after of the previous page") ]),
                "post": write("Create a claim (write)", vec![], "NewClaim")
            },
            "/v1/claims/{id}": { "get": read("A claim with attributions, chains, evidence, summary, conflicts, reviews, links and history", vec![ id_param() ]) },
            "/v1/claims/{id}/history": { "get": read("Every change to a claim and its records", vec![ id_param() ]) },
            "/v1/claims/{id}/attributions": { "post": write("Record who said a claim, through whom (write)", vec![ id_param() ], "NewAttribution") },
            "/v1/claims/{id}/evidence": { "post": write("Record a source's stance on a claim (write)", vec![ id_param() ], "NewEvidence") },
            "/v1/claims/{id}/reviews": { "post": write("Record a verdict (write)", vec![ id_param() ], "NewReview") },
            "/v1/claims/{id}/links": { "post": write("Link this claim to another (write)", vec![ id_param() ], "NewLink") },
            "/v1/evidence/{id}/revise": { "post": write("Replace an evidence record by a new version (write)", vec![ id_param() ], "Revision") },
            "/v1/evidence/{id}/retract": { "post": change("Withdraw an evidence record (write)", vec![ id_param() ], "Reason") },
            "/v1/reviews/{id}/correct": { "post": write("Replace a review by a corrected one (write)", vec![ id_param() ], "Correction") },
            "/v1/reviews/{id}/retract": { "post": change("Withdraw a review (write)", vec![ id_param() ], "Reason") },
            "/v1/sources": { "post": write("Create a source (write)", vec![], "NewSource") },
            "/v1/sources/{id}": { "get": read("A source", vec![ id_param() ]) },
            "/v1/publications": { "post": write("Create a publication (write)", vec![], "NewPublication") },
            "/v1/search": { "get": read("Full-text search, best match first", vec![ q("q", true, text(), "words"), limit("most hits") ]) },
            "/v1/similar": { "get": read("Claims worded like a text", vec![ q("text", true, text(), "the text"), limit("most claims") ]) },
            "/v1/import": { "post": {
                "summary": "Import a file in one transaction: all of it or none (admin)",
                "parameters": [
                    q("format", true, strings(&["bundle", "jsonl", "claimreview", "factcheck-api"]), "the file's format"),
                    q("strict", false, strings(&["true", "false"]), "claimreview and factcheck-api: refuse the whole file at the first record that cannot be read (the other formats always do)")
                ],
                "requestBody": { "required": true, "content": { "application/json": { "schema": {} }, "application/x-ndjson": { "schema": { "type": "string" } } } },
                "responses": responses("200", "The import report")
            } },
            "/v1/export": { "get": {
                "summary": "Export the store or one claim",
                "parameters": [
                    q("format", true, strings(&["bundle", "jsonl", "claimreview", "csv", "dot"]), "output format"),
                    q("claim", false, uuid(), "only this claim (required for dot)")
                ],
                "responses": export_responses
            } },
            "/v1/tokens": { "get": read("The tokens, without secrets (admin)", vec![]) }
        },
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "responses": { "Error": { "description": "An error", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } } },
            "schemas": {
                "Error": { "type": "object", "required": ["error"], "properties": { "error": { "type": "object", "properties": {
                    "status": { "type": "integer" }, "kind": text(), "field": { "type": "string", "nullable": true }, "message": text() } } } },
                "NewSource": { "type": "object", "required": ["name", "kind"], "additionalProperties": false, "properties": {
                    "name": required_text(),
                    "kind": strings(&["person", "news_agency", "outlet", "government_body", "intelligence_service", "organisation", "collective", "document"]),
                    "aliases": { "type": "array", "items": text() }, "country": text(),
                    "part_of": uuid(), "controlled_by": uuid(), "reliability": strings(&["A", "B", "C", "D", "E", "F"]), "notes": text() } },
                "NewPublication": { "type": "object", "required": ["title"], "additionalProperties": false, "properties": {
                    "title": required_text(), "url": text(), "publisher": uuid(), "published": date(), "retrieved": date(), "language": text() } },
                "NewClaim": { "type": "object", "required": ["text"], "additionalProperties": false, "properties": {
                    "text": required_text(), "kind": strings(&["factual", "opinion", "prediction", "pledge"]), "language": text(),
                    "tags": { "type": "array", "items": text() }, "about": date(), "made_on": date(),
                    "quantities": { "type": "array", "items": { "type": "object", "required": ["value", "unit", "bound"], "properties": {
                        "value": { "type": "number" }, "unit": text(),
                        "bound": strings(&["exact", "about", "at_least", "more_than", "at_most", "less_than"]), "subject": text() } } } } },
                "NewAttribution": { "type": "object", "additionalProperties": false, "properties": {
                    "speaker": uuid(), "publication": uuid(), "quote": text(), "said_on": date(),
                    "mode": strings(&["direct_quote", "paraphrase", "translation", "summary"]),
                    "relays": { "type": "array", "items": { "type": "object", "required": ["source"], "properties": {
                        "source": uuid(), "mode": strings(&["direct_quote", "paraphrase", "translation", "summary"]) } } } } },
                "NewEvidence": { "type": "object", "required": ["source", "stance"], "additionalProperties": false, "properties": evidence_props.clone() },
                "Revision": { "type": "object", "required": ["source", "stance", "reason"], "additionalProperties": false, "properties": evidence_props },
                "NewReview": { "type": "object", "required": ["verdict"], "additionalProperties": false, "properties": review_props.clone() },
                "Correction": { "type": "object", "required": ["verdict", "reason"], "additionalProperties": false, "properties": review_props },
                "NewLink": { "type": "object", "required": ["kind", "to"], "additionalProperties": false, "properties": {
                    "kind": strings(&["contradicts", "corroborates", "duplicates", "supersedes", "denies"]), "to": uuid(), "note": text() } },
                "Reason": { "type": "object", "required": ["reason"], "additionalProperties": false, "properties": { "reason": required_text() } }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    #[test]
    fn document_lists_exactly_the_routes() {
        let doc = super::document();
        let mut documented = BTreeSet::new();
        for (path, ops) in doc["paths"].as_object().unwrap() {
            for method in ops.as_object().unwrap().keys() {
                documented.insert((method.to_uppercase(), path.clone()));
            }
        }
        let routed: BTreeSet<(String, String)> = super::super::ROUTES
            .iter()
            .map(|(m, p)| (m.to_string(), p.to_string()))
            .collect();
        assert_eq!(documented, routed);
    }

    #[test]
    fn every_schema_reference_resolves() {
        let doc = super::document();
        let text = doc.to_string();
        for part in text.split("\"$ref\":\"#/components/").skip(1) {
            let target = part.split('"').next().unwrap();
            let (section, name) = target.split_once('/').unwrap();
            assert!(doc["components"][section][name].is_object(), "{target}");
        }
    }
}
