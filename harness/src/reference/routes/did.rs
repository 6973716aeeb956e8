//! DID and VC routes as v0.1.96 answers them with `features.did.enabled:
//! false` (`server/routes_did.go`): none of them is registered, so each is its
//! 404 `endpoint_not_found` answer; only `GET /api/v1/registered-dids`, which
//! v0.1.96 registers unconditionally, answers 200 with an empty list. An SDK
//! with DID on logs its failed registration and carries on without DIDs, as
//! it does against that control plane. v0.1.96's 404 body also carries a
//! `help` block and fuzzy `suggestions` that advertise its own endpoints; the
//! reference leaves `help` out and answers `suggestions: null`.

use axum::http::{Method, StatusCode, Uri};
use axum::Json;
use chrono::{SecondsFormat, Utc};
use serde_json::{json, Value};

/// The paths DID-enabled v0.1.96 serves and DID-disabled v0.1.96 does not;
/// `{*rest}` covers every `/did/...` route of `DIDHandlers.RegisterRoutes`.
pub const DISABLED: [&str; 8] = [
    "/api/v1/did/{*rest}",
    "/api/v1/execution/vc",
    "/api/v1/policies",
    "/api/v1/revocations",
    "/api/v1/admin/public-key",
    "/api/v1/agents/{node_id}/tag-vc",
    "/.well-known/did.json",
    "/agents/{agent_id}/did.json",
];

/// Any method on a [`DISABLED`] path.
pub async fn disabled(method: Method, uri: Uri) -> (StatusCode, Json<Value>) {
    (
        StatusCode::NOT_FOUND,
        Json(json!({
            "error": "endpoint_not_found",
            "message": format!("{method} {} does not exist", uri.path()),
            "suggestions": null,
        })),
    )
}

/// `GET /api/v1/registered-dids`: no agent has a DID.
pub async fn registered_dids() -> Json<Value> {
    Json(json!({
        "registered_dids": [],
        "total": 0,
        "fetched_at": Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
    }))
}
