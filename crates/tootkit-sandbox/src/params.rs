//! Request parameters as Mastodon reads them: from the query string, a form body or a
//! JSON body, whichever the client sent, with `key[]=a&key[]=b` arrays.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use serde_json::{Map, Value};

use crate::error::Failure;

/// The merged parameters of a request.
#[derive(Debug, Default)]
pub(crate) struct Params(Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for Params {
    type Rejection = Failure;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let query = request.uri().query().unwrap_or("").to_owned();
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().starts_with("application/json"));
        let body = Bytes::from_request(request, state).await.map_err(|_| {
            Failure::api(
                StatusCode::BAD_REQUEST,
                "The request body could not be read",
            )
        })?;
        let mut params = Params::default();
        params.merge_form(query.as_bytes());
        if is_json && !body.is_empty() {
            match serde_json::from_slice::<Value>(&body) {
                Ok(Value::Object(object)) => params.0.extend(object),
                _ => {
                    return Err(Failure::api(
                        StatusCode::BAD_REQUEST,
                        "Error while parsing the request body: expected a JSON object",
                    ));
                }
            }
        } else {
            params.merge_form(&body);
        }
        Ok(params)
    }
}

impl Params {
    /// Parameters from a query string or form body alone.
    #[cfg(test)]
    pub(crate) fn from_form(form: &[u8]) -> Self {
        let mut params = Self::default();
        params.merge_form(form);
        params
    }

    fn merge_form(&mut self, form: &[u8]) {
        for (key, value) in url::form_urlencoded::parse(form) {
            let value = Value::String(value.into_owned());
            match key.strip_suffix("[]") {
                Some(name) => match self
                    .0
                    .entry(name.to_owned())
                    .or_insert_with(|| Value::Array(Vec::new()))
                {
                    Value::Array(items) => items.push(value),
                    other => *other = Value::Array(vec![other.take(), value]),
                },
                None => {
                    self.0.insert(key.into_owned(), value);
                }
            }
        }
    }

    /// A text parameter; numbers are given as their text, empty strings as absent.
    pub(crate) fn text(&self, key: &str) -> Option<String> {
        match self.0.get(key)? {
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// A boolean parameter, read as Rails reads one (`true`, `1`, `on`…).
    pub(crate) fn flag(&self, key: &str) -> Option<bool> {
        match self.0.get(key)? {
            Value::Bool(b) => Some(*b),
            Value::Number(n) => Some(n.as_i64() != Some(0)),
            Value::String(s) => Some(matches!(
                s.trim().to_ascii_lowercase().as_str(),
                "true" | "1" | "on" | "t" | "yes"
            )),
            _ => None,
        }
    }

    /// Whether any parameter is named `name` or starts with `name[` (a nested form
    /// field such as `poll[options][]`).
    pub(crate) fn has(&self, name: &str) -> bool {
        let nested = format!("{name}[");
        self.0.keys().any(|k| k == name || k.starts_with(&nested))
    }

    /// A list parameter: an array, or one value.
    pub(crate) fn list(&self, key: &str) -> Vec<String> {
        match self.0.get(key) {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            Some(Value::String(s)) => vec![s.clone()],
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rails_style_forms() {
        let params = Params::from_form(
            b"redirect_uris[]=a&redirect_uris[]=b&sensitive=true&status=hi+there&x=",
        );
        assert_eq!(params.list("redirect_uris"), ["a", "b"]);
        assert_eq!(params.flag("sensitive"), Some(true));
        assert_eq!(params.text("status").as_deref(), Some("hi there"));
        assert_eq!(params.text("x"), None);
        assert_eq!(params.text("missing"), None);
    }
}
