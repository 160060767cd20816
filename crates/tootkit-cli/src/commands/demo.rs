//! `tootkit demo`: the whole walkthrough on a throwaway in-memory sandbox — register an
//! application, authorize, get a token, post "howdy universe!", read it back.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use tootkit::{AuthorizationRequest, LoopbackReceiver, Scopes};
use tootkit_sandbox::{AuthorizationOutcome, Sandbox, SandboxConfig, ScriptedUser};

use super::Context;
use crate::failure::{Failure, Result};

const TEXT: &str = "howdy universe!";

pub async fn run(context: &Context) -> Result<()> {
    let sandbox = Sandbox::start(
        SandboxConfig::in_memory(),
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
    )
    .await?;
    let outcome = walkthrough(context, &sandbox).await;
    sandbox.stop().await;
    outcome
}

async fn walkthrough(context: &Context, sandbox: &Sandbox) -> Result<()> {
    let base = sandbox.base_url().clone();
    let Some(demo) = sandbox.accounts().first().cloned() else {
        return Err(Failure::bug("The sandbox started without an account"));
    };
    outln!("tootkit demo: the bot walkthrough on a throwaway sandbox instance.");
    outln!();
    outln!("0. Started a sandbox at {base} (in memory; it disappears when the demo ends).");

    let client = context.client_builder(base.clone()).build()?;
    let scopes = Scopes::read_write();
    let app = client
        .apps()
        .register("tootkit demo")
        .scopes(scopes.clone())
        .redirect_uri(LoopbackReceiver::REGISTERED_REDIRECT_URI)
        .send()
        .await?;
    outln!(
        "1. Registered an application: client ID {} (its client secret was issued too).",
        app.client_id
    );

    let server = client.oauth().discover().await?;
    let receiver = LoopbackReceiver::bind().await?;
    let request = AuthorizationRequest::new(&app.client_id, &receiver.redirect_uri(), scopes);
    let url = request.url(&server);
    outln!(
        "2. Authorization URL (PKCE S256, random state, redirect to {}):",
        receiver.redirect_uri()
    );
    outln!("   {url}");

    outln!(
        "3. Signing in as @{} and approving, as a person would in the browser…",
        demo.username
    );
    let state = request.state().to_owned();
    let wait = receiver.receive(&state, Duration::from_secs(60));
    let browse = async {
        let mut user = ScriptedUser::new()?;
        match user.authorize(&url, &demo.username, &demo.password).await? {
            // The browser follows the redirect to the loopback listener.
            AuthorizationOutcome::Redirect(target) => {
                let _ = ScriptedUser::new()?.visit(&target).await;
                Ok(())
            }
            AuthorizationOutcome::Code(_) => Err(Failure::bug(
                "The sandbox showed a code page instead of redirecting",
            )),
        }
    };
    let (code, browsed) = tokio::join!(wait, browse);
    browsed?;
    let code = code?;
    outln!("4. The redirect reached tootkit's loopback listener with the code (state checked).");

    let token = client
        .oauth()
        .exchange_code(&app.credentials(), &request, code)
        .await?;
    outln!(
        "5. Exchanged the code for an access token (scopes: {}).",
        token.scope
    );

    let bot = client.with_access_token(token.access_token.clone());
    let me = bot.accounts().verify_credentials().await?;
    outln!("6. The token works: it belongs to @{}.", me.acct);

    let status = bot.statuses().create(TEXT).send().await?;
    let shown = status.url.clone().unwrap_or_else(|| status.uri.clone());
    outln!("7. Posted \"{TEXT}\": {shown}");

    let read = bot.statuses().get(&status.id).await?;
    outln!(
        "8. Read it back: {} by @{}",
        read.content,
        read.account.acct
    );

    outln!();
    outln!("The three strings a bot needs — SANDBOX VALUES, valid only while this demo runs:");
    outln!("  client ID:     {}", app.client_id);
    outln!("  client secret: {}", app.client_secret.expose());
    outln!("  access token:  {}", token.access_token.expose());
    outln!("  (instance:     {base})");
    outln!();
    outln!("On a real instance (your bot's account on mastodon.social, say):");
    outln!(
        "  tootkit auth login --instance mastodon.social   # registers tootkit, opens the browser, keeps the token in the keyring (or a 0600 file)"
    );
    outln!(
        "  tootkit auth add-token --instance mastodon.social < token.txt   # or store a token made under Preferences > Development"
    );
    outln!("  tootkit post \"{TEXT}\"");
    outln!(
        "  eval \"$(tootkit auth export)\"                   # the same strings as MASTODON_* variables, for any bot"
    );
    outln!("To try your bot offline first: tootkit sandbox");
    Ok(())
}
