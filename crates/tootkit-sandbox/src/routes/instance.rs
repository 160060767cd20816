//! `GET /api/v1/instance` and `/api/v2/instance`.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use tootkit::{Instance, InstanceV1};

use crate::AppState;
use crate::error::Result;

pub(crate) async fn v2(State(state): State<Arc<AppState>>) -> Result<Json<Instance>> {
    Ok(Json(state.instance_entity()?))
}

pub(crate) async fn v1(State(state): State<Arc<AppState>>) -> Result<Json<InstanceV1>> {
    Ok(Json(state.instance_v1_entity()?))
}
