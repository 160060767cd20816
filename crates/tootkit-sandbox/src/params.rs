//! Request parameters as Mastodon reads them: from the query string, a form body or a
//! JSON body, whichever the client sent, with `key[]=a&key[]=b` arrays.

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{StatusCode, header};
use serde_json::{Map, Value};

use crate::error::Failure;

/// The merged parameters of a request.
#[derive(Default)]
pub(crate) struct Params(Map<String, Value>);

/// Names the parameters, never their values: a form carries passwords, client secrets,
/// codes and verifiers.
impl std::fmt::Debug for Params {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

impl<S: Send + Sync> FromRequest<S> for Params {
    type Rejection = Failure;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let mut query = Params::default();
        query.merge_form(request.uri().query().unwrap_or("").as_bytes())?;
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let media_type = content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        // The bodies Rails reads: a form (and a POST that names no type, as Rack takes
        // it), multipart, and the types Mastodon registers as JSON. Any other is left
        // unread, its parameters unseen.
        let body_kind = match media_type.as_str() {
            "multipart/form-data" => Some(Body::Multipart),
            "application/json"
            | "text/x-json"
            | "application/jsonrequest"
            | "application/jrd+json"
            | "application/activity+json"
            | "application/ld+json" => Some(Body::Json),
            "application/x-www-form-urlencoded" => Some(Body::Form),
            "" if request.method() == axum::http::Method::POST => Some(Body::Form),
            _ => None,
        };
        let mut params = Params::default();
        match body_kind {
            Some(Body::Multipart) => {
                params
                    .merge_multipart(
                        Multipart::from_request(request, state)
                            .await
                            .map_err(|rejection| unreadable(&rejection.body_text()))?,
                    )
                    .await?;
            }
            Some(kind) => {
                let body = Bytes::from_request(request, state)
                    .await
                    .map_err(|_| unreadable("The request body could not be read"))?;
                if kind == Body::Form {
                    params.merge_form(&body)?;
                } else if !body.is_empty() {
                    match serde_json::from_slice::<Value>(&body) {
                        Ok(Value::Object(object)) => params.0.extend(object),
                        _ => {
                            return Err(unreadable(
                                "Error while parsing the request body: expected a JSON object",
                            ));
                        }
                    }
                }
            }
            None => {}
        }
        // As Rails's `request_parameters.merge(query_parameters)`: the query wins.
        params.0.extend(query.0);
        Ok(params)
    }
}

/// How a request body is read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Body {
    Form,
    Multipart,
    Json,
}

/// A 400 for parameters that are not UTF-8.
fn not_utf8() -> Failure {
    unreadable("Invalid request parameters: invalid encoding; send the parameters in UTF-8")
}

/// A 400 for a body that cannot be read, as Rails refuses one.
fn unreadable(message: &str) -> Failure {
    Failure::api(StatusCode::BAD_REQUEST, message)
}

impl Params {
    /// Parameters from a query string or form body alone.
    #[cfg(test)]
    pub(crate) fn from_form(form: &[u8]) -> Self {
        let mut params = Self::default();
        params.merge_form(form).unwrap();
        params
    }

    /// Adds a form's fields; a field that is not UTF-8 is refused, as Rails refuses it.
    fn merge_form(&mut self, form: &[u8]) -> Result<(), Failure> {
        // `parse` replaces bytes that are not UTF-8 with U+FFFD, which a client may also
        // send on purpose; the raw form tells the two apart, checked once.
        let mut checked = false;
        for (key, value) in url::form_urlencoded::parse(form) {
            if !checked
                && (key.contains(char::REPLACEMENT_CHARACTER)
                    || value.contains(char::REPLACEMENT_CHARACTER))
            {
                if percent_encoding::percent_decode(form)
                    .decode_utf8()
                    .is_err()
                {
                    return Err(not_utf8());
                }
                checked = true;
            }
            self.push(&key, Value::String(value.into_owned()));
        }
        Ok(())
    }

    /// Adds the text fields of a multipart form; a file field is noted by name only
    /// (the sandbox stores no media).
    async fn merge_multipart(&mut self, mut form: Multipart) -> Result<(), Failure> {
        let broken = |err: axum::extract::multipart::MultipartError| unreadable(&err.body_text());
        while let Some(field) = form.next_field().await.map_err(broken)? {
            let Some(name) = field.name().map(str::to_owned) else {
                continue;
            };
            if field.file_name().is_some() {
                self.push(&name, Value::Null);
                continue;
            }
            // The bytes as sent: `text()` would replace what is not UTF-8 and follow a
            // charset, where Rails refuses the first and ignores the second.
            let bytes = field.bytes().await.map_err(broken)?;
            let text = String::from_utf8(bytes.to_vec()).map_err(|_| not_utf8())?;
            self.push(&name, Value::String(text));
        }
        Ok(())
    }

    /// Sets `key`, or appends to the list `name` for a `name[]` key.
    fn push(&mut self, key: &str, value: Value) {
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
                self.0.insert(key.to_owned(), value);
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

    /// A number parameter, read as Ruby's `String#to_i` reads one: leading whitespace,
    /// a sign and the digits that follow, anything after ignored; 0 when no digit
    /// comes (`abc`). Absent when blank.
    pub(crate) fn integer(&self, key: &str) -> Option<i64> {
        let text = self.text(key)?;
        let text = text.trim_start();
        let (negative, rest) = match text.as_bytes().first() {
            Some(b'-') => (true, &text[1..]),
            Some(b'+') => (false, &text[1..]),
            _ => (false, text),
        };
        let digits = rest
            .bytes()
            .take_while(u8::is_ascii_digit)
            .fold(0i64, |n, d| {
                n.saturating_mul(10).saturating_add(i64::from(d - b'0'))
            });
        Some(if negative { -digits } else { digits })
    }

    /// A boolean parameter, read as Rails reads one ([`truthy`]); absent when blank.
    pub(crate) fn flag(&self, key: &str) -> Option<bool> {
        match self.0.get(key)? {
            Value::Bool(b) => Some(*b),
            Value::Number(n) => Some(n.as_i64() != Some(0)),
            Value::String(s) if s.is_empty() => None,
            Value::String(s) => Some(truthy(s)),
            _ => None,
        }
    }

    /// Whether a parameter named `name`, or a nested form field under it (such as
    /// `poll[options][]`), is present as Rails means it (`present?`): neither null, nor
    /// blank text, nor `false`, nor an empty list or object. Mastodon ignores the rest,
    /// as clients that send every optional field as null expect.
    pub(crate) fn present(&self, name: &str) -> bool {
        let nested = format!("{name}[");
        self.0
            .iter()
            .any(|(k, v)| (k == name || k.starts_with(&nested)) && !is_blank_value(v))
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

/// Rails' `ActiveModel::Type::Boolean`: only `0`, `f`, `false` and `off` (all lower
/// or all upper case) are false; any other text is true, Python's `False` included.
fn truthy(value: &str) -> bool {
    !matches!(value, "0" | "f" | "F" | "false" | "FALSE" | "off" | "OFF")
}

/// Ruby's `blank?` for a parameter's value.
fn is_blank_value(value: &Value) -> bool {
    match value {
        Value::Null | Value::Bool(false) => true,
        Value::String(s) => tootkit::text::is_blank(s),
        Value::Array(items) => items.is_empty(),
        Value::Object(fields) => fields.is_empty(),
        Value::Bool(true) | Value::Number(_) => false,
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

    #[test]
    fn reads_booleans_as_rails_does() {
        let params = Params::from_form(b"a=True&b=yes&c=False&d=off&e=0&f=FALSE&g=");
        let flags: Vec<_> = ["a", "b", "c", "d", "e", "f", "g", "h"]
            .iter()
            .map(|k| params.flag(k))
            .collect();
        let (t, f) = (Some(true), Some(false));
        assert_eq!(flags, [t, t, t, f, f, f, None, None]);
    }

    #[test]
    fn a_number_is_read_as_ruby_reads_one() {
        let params = Params::from_form(b"a=5&b=%2B-3&c=%2B7&d=12abc&e=abc&f=&g=%20-3");
        let read = |key| params.integer(key);
        assert_eq!(
            ["a", "c", "d", "e", "f", "g", "h"].map(read),
            [Some(5), Some(7), Some(12), Some(0), None, Some(-3), None]
        );
        assert_eq!(read("b"), Some(0), "a sign and no digit");
    }

    #[test]
    fn refuses_a_form_that_is_not_utf8_but_keeps_a_real_replacement_character() {
        let mut params = Params::default();
        assert!(params.merge_form(b"status=%FF%FE").is_err());
        assert!(params.merge_form(b"status=\xff").is_err());
        params
            .merge_form("status=%EF%BF%BD+\u{FFFD}".as_bytes())
            .unwrap();
        assert_eq!(params.text("status").as_deref(), Some("\u{FFFD} \u{FFFD}"));
        // Many such fields: the raw form is looked at once, not once for each.
        let many = "a%5B%5D=%EF%BF%BD&".repeat(40_000);
        let mut params = Params::default();
        params.merge_form(many.as_bytes()).unwrap();
        assert_eq!(params.list("a").len(), 40_000);
        // Debug names the fields, never what they hold.
        let shown = format!("{:?}", Params::from_form(b"password=hunter2&code=abc"));
        assert_eq!(shown, r#"{"code", "password"}"#);
        // A byte that is not UTF-8 after a real replacement character is still found.
        let mut params = Params::default();
        assert!(params.merge_form(b"a=%EF%BF%BD&b=%FF").is_err());
    }
}
