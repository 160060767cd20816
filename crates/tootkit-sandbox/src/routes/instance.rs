//! `GET /api/v1/instance` and `/api/v2/instance`, and NodeInfo, by which clients such
//! as megalodon's detector tell what software a server runs.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use tootkit::{Instance, InstanceV1};

use crate::AppState;
use crate::error::Result;

pub(crate) async fn v2(State(state): State<Arc<AppState>>) -> Result<Json<Instance>> {
    Ok(Json(state.instance_entity()?))
}

/// `GET /api/v1/instance`, which Mastodon marks deprecated since 4.0 (RFC 9745's
/// `Deprecation`, the moment as Unix seconds), so that a client can tell.
pub(crate) async fn v1(
    State(state): State<Arc<AppState>>,
) -> Result<([(&'static str, &'static str); 1], Json<InstanceV1>)> {
    Ok((
        [("deprecation", "@1668384000")],
        Json(state.instance_v1_entity()?),
    ))
}

/// `GET /.well-known/nodeinfo`: where the NodeInfo document is.
pub(crate) async fn nodeinfo_links(State(state): State<Arc<AppState>>) -> Json<serde_json::Value> {
    let body = serde_json::json!({
        "links": [{
            "rel": "http://nodeinfo.diaspora.software/ns/schema/2.0",
            "href": format!("{}/nodeinfo/2.0", state.base_url.trim_end_matches('/')),
        }]
    });
    Json(body)
}

/// `GET /nodeinfo/2.0`: Mastodon, its version, and the sandbox's counts. Accounts are made only with `--user`, so registrations are closed.
pub(crate) async fn nodeinfo(
    State(state): State<Arc<AppState>>,
) -> Result<Json<serde_json::Value>> {
    let version = state.mastodon_version();
    let version = version.split(' ').next().unwrap_or(version);
    let body = serde_json::json!({
        "version": "2.0",
        "software": { "name": "mastodon", "version": version },
        "protocols": ["activitypub"],
        "services": { "outbound": [], "inbound": [] },
        "usage": {
            "users": {
                "total": state.store.accounts()?.len(),
                "activeMonth": 0,
                "activeHalfyear": 0,
            },
            "localPosts": state.store.status_total()?,
        },
        "openRegistrations": false,
        "metadata": { "nodeName": "tootkit sandbox", "nodeDescription": "" },
    });
    Ok(Json(body))
}
