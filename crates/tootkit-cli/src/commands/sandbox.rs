//! `tootkit sandbox`: a Mastodon-compatible instance on 127.0.0.1.

use std::net::{Ipv4Addr, SocketAddr};

use tootkit::Password;
use tootkit_sandbox::{Sandbox, SandboxConfig};

use super::Context;
use crate::cli::SandboxArgs;
use crate::failure::{Failure, Result};

pub async fn serve(context: &Context, args: SandboxArgs) -> Result<()> {
    let database = (!args.in_memory)
        .then(|| context.paths.sandbox_database())
        .transpose()?;
    let mut config = if let Some(path) = database.clone() {
        if let Some(dir) = path.parent() {
            crate::config::create_private_dir(dir).map_err(|err| {
                Failure::local(format!(
                    "The data directory {} could not be created ({err}); set TOOTKIT_DATA_DIR or use --in-memory.",
                    dir.display()
                ))
            })?;
        }
        SandboxConfig::with_database(path)
    } else {
        SandboxConfig::in_memory()
    };
    for user in &args.users {
        let Some((name, password)) = user.split_once(':') else {
            return Err(Failure::usage(
                "An account given with --user has no colon between its name and password; give it as --user alice:correct-horse.",
            ));
        };
        config = config.user(name, Password::new(password));
    }
    config = config
        .legacy_password_grant(args.legacy_password_grant)
        .before_4_3(args.before_4_3)
        .rate_limits(!args.no_rate_limits);
    let mut sandbox =
        Sandbox::start(config, SocketAddr::from((Ipv4Addr::LOCALHOST, args.port))).await?;
    let base = sandbox.base_url().clone();
    let state = match &database {
        None => "in memory, gone when it stops".to_owned(),
        Some(path) => format!("kept in {}", path.display()),
    };
    outln!("tootkit sandbox: a Mastodon-compatible instance at {base}");
    outln!(
        "  answers as Mastodon {}; state {state}",
        sandbox.mastodon_version()
    );
    if args.legacy_password_grant {
        outln!("  the legacy password grant is accepted (Mastodon 4.4 and later refuse it)");
    }
    if args.before_4_3 {
        outln!(
            "  as before Mastodon 4.3: no OAuth metadata, no `profile` scope, redirect URIs as one string"
        );
    }
    if args.no_rate_limits {
        outln!("  without rate limits (a real instance has them)");
    } else {
        outln!(
            "  with Mastodon's rate limits: 300 requests in 5 minutes per token, 300 statuses in 3 hours, 30 deletions in 30 minutes, 5 app registrations in 10 minutes"
        );
    }
    outln!();
    outln!("Accounts:");
    for account in sandbox.accounts() {
        if args.users.is_empty() {
            // The store keeps only a hash: a password shown again is a new one.
            let fresh = if database.is_some() {
                ", new at each start"
            } else {
                ""
            };
            outln!(
                "  {}  password: {}  (email {}{fresh})",
                account.username,
                account.password.expose(),
                account.email
            );
        } else {
            outln!(
                "  {}  password: as given  (email {})",
                account.username,
                account.email
            );
        }
    }
    let earlier = sandbox.earlier_accounts()?;
    if !earlier.is_empty() {
        outln!(
            "  and from earlier runs: {}  password: as set then",
            earlier.join(", ")
        );
    }
    outln!();
    outln!("Point a client at it:");
    outln!("  tootkit auth login --instance {base}");
    outln!("  Mastodon.py: Mastodon(api_base_url=\"{base}\")");
    if !args.before_4_3 {
        // Mastodon.py refuses OAuth endpoints over http; the sandbox hides them from
        // Python's requests, and --before-4-3 from every client, should one slip through.
        outln!(
            "               (if it says \"OAuth URLs must use with https\", start the sandbox with --before-4-3)"
        );
    }
    outln!("  any client:  MASTODON_API_BASE_URL={base}");
    outln!();
    outln!("Press Ctrl-C to stop.");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        result = sandbox.wait() => {
            if let Err(err) = result {
                return Err(Failure::local(format!("The sandbox stopped ({err}); start it again, on another port if this one is in trouble.")));
            }
        }
    }
    sandbox.stop().await;
    Ok(())
}
