//! The HTML pages a person sees: sign-in, consent, the out-of-band code, messages.
//!
//! Plain HTML with no script, so the pages work the same in any browser and in the
//! scripted user agent that `tootkit demo` uses; the one exception, the form that
//! carries a `form_post` answer, has a button for a browser that runs none.

/// Escapes text for HTML content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

fn layout(title: &str, body: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · tootkit sandbox</title>
<style>
body {{ font-family: system-ui, sans-serif; background: #f3f2f8; color: #1f1b2e; margin: 0; }}
main {{ max-width: 26rem; margin: 3rem auto; background: #fff; padding: 2rem; border-radius: 12px; box-shadow: 0 2px 12px rgba(0,0,0,.08); }}
h1 {{ font-size: 1.4rem; margin-top: 0; }}
label {{ display: block; margin: 1rem 0 .3rem; font-weight: 600; }}
input[type=text], input[type=password] {{ width: 100%; box-sizing: border-box; padding: .6rem; font-size: 1rem; border: 1px solid #b9b4cc; border-radius: 6px; }}
button {{ margin-top: 1.2rem; padding: .6rem 1.2rem; font-size: 1rem; border: 0; border-radius: 6px; background: #563acc; color: #fff; cursor: pointer; }}
button.secondary {{ background: #e4e1ef; color: #1f1b2e; }}
.error {{ background: #fde8e8; color: #8a1c1c; padding: .6rem; border-radius: 6px; }}
.note {{ color: #5c5775; font-size: .9rem; }}
code, .code {{ font-family: ui-monospace, monospace; word-break: break-all; }}
article.status {{ border-top: 1px solid #e4e1ef; margin-top: 1rem; }}
</style>
</head>
<body>
<main>
{body}
<p class="note">tootkit sandbox: a local test instance. Nothing here leaves this machine.</p>
</main>
</body>
</html>
"#,
        title = escape(title),
    )
}

/// A page with a heading and a sentence.
pub(crate) fn message_page(title: &str, text: &str) -> String {
    layout(
        title,
        &format!(
            "<h1>{}</h1>\n<p id=\"message\">{}</p>",
            escape(title),
            escape(text)
        ),
    )
}

/// The sign-in form. `return_to` is where to continue after signing in. Its fields are
/// named as Mastodon's (Devise's `user[email]` and `user[password]`), so that a script
/// that signs in on a real instance signs in here too.
pub(crate) fn sign_in_page(csrf_token: &str, return_to: &str, error: Option<&str>) -> String {
    let error = error
        .map(|e| {
            format!(
                "<p class=\"error\" id=\"error\" role=\"alert\">{}</p>\n",
                escape(e)
            )
        })
        .unwrap_or_default();
    layout(
        "Sign in",
        &format!(
            r#"<h1>Sign in</h1>
{error}<form method="post" action="/auth/sign_in" id="sign-in">
<input type="hidden" name="authenticity_token" value="{csrf}">
<input type="hidden" name="return_to" value="{return_to}">
<label for="user_email">User name or email address</label>
<input type="text" id="user_email" name="user[email]" autocomplete="username" autocapitalize="none" required autofocus>
<label for="user_password">Password</label>
<input type="password" id="user_password" name="user[password]" autocomplete="current-password" required>
<button type="submit" id="sign-in-button">Sign in</button>
</form>"#,
            csrf = escape(csrf_token),
            return_to = escape(return_to),
        ),
    )
}

/// The hidden fields that carry an authorization request through the consent form.
pub(crate) struct PendingAuthorization<'a> {
    pub client_id: &'a str,
    pub redirect_uri: &'a str,
    pub scope: &'a str,
    pub state: Option<&'a str>,
    pub code_challenge: Option<&'a str>,
    pub code_challenge_method: Option<&'a str>,
}

/// The consent page: which application asks for what, as whom. As on Mastodon, two
/// forms carry the request: one posts it (authorize, the page's first form), the other
/// deletes it (deny, Rails' `_method=delete`, since a form cannot send DELETE); a third
/// signs out, to sign in as another account and come back (`return_to`).
pub(crate) fn consent_page(
    csrf_token: &str,
    app_name: &str,
    username: &str,
    scopes: &[&str],
    pending: &PendingAuthorization<'_>,
    return_to: &str,
) -> String {
    let items: String = scopes
        .iter()
        .map(|scope| {
            format!(
                "<li><code>{}</code> — {}</li>\n",
                escape(scope),
                escape(scope_description(scope))
            )
        })
        .collect();
    let hidden = |name: &str, value: Option<&str>| -> String {
        value
            .map(|value| hidden_input(name, value))
            .unwrap_or_default()
    };
    let fields = [
        hidden("authenticity_token", Some(csrf_token)),
        hidden("response_type", Some("code")),
        hidden("client_id", Some(pending.client_id)),
        hidden("redirect_uri", Some(pending.redirect_uri)),
        hidden("scope", Some(pending.scope)),
        hidden("state", pending.state),
        hidden("code_challenge", pending.code_challenge),
        hidden("code_challenge_method", pending.code_challenge_method),
    ]
    .concat();
    layout(
        "Authorize",
        &format!(
            r#"<h1>Authorize <span id="app-name">{app}</span>?</h1>
<p>Signed in as <strong id="account">@{user}</strong>.</p>
<p>This application asks to:</p>
<ul id="scopes">
{items}</ul>
<form method="post" action="/oauth/authorize" id="consent">
{fields}<button type="submit" id="authorize">Authorize</button>
</form>
<form method="post" action="/oauth/authorize" id="refusal">
<input type="hidden" name="_method" value="delete">
{fields}<button type="submit" id="deny" class="secondary">Deny</button>
</form>
<form method="post" action="/auth/sign_out" id="sign-out">
<input type="hidden" name="authenticity_token" value="{csrf}">
<input type="hidden" name="return_to" value="{return_to}">
<p class="note">Not @{user}? <button type="submit" id="sign-out-button" class="secondary">Sign out</button> and sign in as another account.</p>
</form>"#,
            app = escape(app_name),
            user = escape(username),
            csrf = escape(csrf_token),
            return_to = escape(return_to),
        ),
    )
}

/// The out-of-band page: the code to paste into the application.
pub(crate) fn code_page(code: &str) -> String {
    layout(
        "Authorization code",
        &format!(
            r#"<h1>Authorization code</h1>
<p>Copy this code and paste it into the application:</p>
<p><input type="text" id="code" class="code" readonly value="{code}"></p>"#,
            code = escape(code),
        ),
    )
}

/// A form's hidden field, one line.
fn hidden_input(name: &str, value: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
        escape(name),
        escape(value)
    )
}

/// The script that sends a `form_post` answer on at once, as Doorkeeper's page does.
pub(crate) const FORM_POST_SCRIPT: &str = "document.getElementById('form-post').submit();";

/// The `form_post` answer: a form that posts `fields` to the application's `action`.
pub(crate) fn form_post_page(action: &str, fields: &[(&str, &str)]) -> String {
    let inputs: String = fields
        .iter()
        .map(|(name, value)| hidden_input(name, value))
        .collect();
    layout(
        "Redirecting",
        &format!(
            r#"<h1>Back to the application</h1>
<form method="post" action="{action}" id="form-post">
{inputs}<button type="submit">Continue</button>
</form>
<script>{FORM_POST_SCRIPT}</script>"#,
            action = escape(action),
        ),
    )
}

/// A status as a web page shows it. `content_html` is the status's `content`, which the
/// sandbox wrote itself from escaped text.
pub(crate) struct ShownStatus {
    pub author: String,
    pub acct: String,
    pub url: String,
    pub content_html: String,
    pub spoiler_text: String,
    pub created_at: String,
}

fn status_article(status: &ShownStatus) -> String {
    let content = if status.spoiler_text.is_empty() {
        status.content_html.clone()
    } else {
        format!(
            "<details><summary>{}</summary>{}</details>",
            escape(&status.spoiler_text),
            status.content_html
        )
    };
    format!(
        r#"<article class="status">
<p class="note"><strong>{author}</strong> @{acct} · <a href="{url}">{at}</a></p>
<div class="content">{content}</div>
</article>
"#,
        author = escape(&status.author),
        acct = escape(&status.acct),
        url = escape(&status.url),
        at = escape(&status.created_at),
    )
}

/// An account's profile: its name and its latest statuses.
pub(crate) fn profile_page(display_name: &str, acct: &str, statuses: &[ShownStatus]) -> String {
    let shown = if statuses.is_empty() {
        "<p id=\"no-statuses\">No posts yet.</p>".to_owned()
    } else {
        statuses.iter().map(status_article).collect()
    };
    layout(
        &format!("@{acct}"),
        &format!(
            "<h1>{}</h1>\n<p class=\"note\">@{}</p>\n{shown}",
            escape(display_name),
            escape(acct)
        ),
    )
}

/// The latest public posts filed under a hashtag.
pub(crate) fn tag_page(name: &str, statuses: &[ShownStatus]) -> String {
    let shown = if statuses.is_empty() {
        "<p id=\"no-statuses\">No posts with this tag yet.</p>".to_owned()
    } else {
        statuses.iter().map(status_article).collect()
    };
    layout(
        &format!("#{name}"),
        &format!("<h1>#{}</h1>\n{shown}", escape(name)),
    )
}

/// One status.
pub(crate) fn status_page(status: &ShownStatus) -> String {
    layout(&format!("@{}", status.acct), &status_article(status))
}

fn scope_description(scope: &str) -> &'static str {
    match scope {
        "read" => "read all your account's data",
        "write" => "change all your account's data, and post",
        "follow" => "follow, block and mute accounts",
        "push" => "receive push notifications",
        "profile" => "read your profile information only",
        "read:accounts" => "see account information",
        "read:statuses" => "see posts",
        "write:statuses" => "publish and delete posts",
        "write:media" => "upload media",
        "read:notifications" => "see your notifications",
        s if s.starts_with("read:") => "read part of your account's data",
        s if s.starts_with("write:") => "change part of your account's data",
        s if s.starts_with("admin:") => "use administration features",
        _ => "a permission this sandbox does not describe",
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            super::escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
