//! Accounts: `client.accounts()`.

use crate::client::ApiRequest;
use crate::entities::Account;
use crate::{Client, Error};

/// Where an account is looked up by its address; its 404 says no such account.
pub(crate) const LOOKUP_PATH: &str = "/api/v1/accounts/lookup";

/// Account endpoints: `client.accounts()`.
#[derive(Clone, Copy, Debug)]
pub struct Accounts<'a> {
    client: &'a Client,
}

impl Client {
    /// Account endpoints.
    pub fn accounts(&self) -> Accounts<'_> {
        Accounts { client: self }
    }
}

impl Accounts<'_> {
    /// The account the token belongs to, with its private `source` details.
    ///
    /// ```no_run
    /// # async fn run(client: tootkit::Client) -> Result<(), tootkit::Error> {
    /// let me = client.accounts().verify_credentials().await?;
    /// println!("signed in as @{}", me.acct);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Unauthorized`] when the token is invalid; [`Error::Forbidden`] when it
    /// lacks `read:accounts` (or `profile`).
    pub async fn verify_credentials(&self) -> Result<Account, Error> {
        self.client
            .json(
                ApiRequest::get("/api/v1/accounts/verify_credentials"),
                "an Account",
            )
            .await
    }

    /// An account by ID.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when there is no such account.
    pub async fn get(&self, id: &str) -> Result<Account, Error> {
        let path = format!("/api/v1/accounts/{}", crate::path_segment(id)?);
        self.client.json(ApiRequest::get(path), "an Account").await
    }

    /// An account by its address, `user` (on this instance) or `user@domain`, as far as
    /// the instance already knows it (Mastodon 3.4 and later).
    ///
    /// ```no_run
    /// # async fn run(client: tootkit::Client) -> Result<(), tootkit::Error> {
    /// let bot = client.accounts().lookup("@howdybot@botsin.space").await?;
    /// println!("{} has {} followers", bot.acct, bot.followers_count);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when the instance knows no such account.
    pub async fn lookup(&self, acct: &str) -> Result<Account, Error> {
        let acct = acct.trim().trim_start_matches('@');
        self.client
            .json(
                ApiRequest::get(LOOKUP_PATH).query("acct", acct),
                "an Account",
            )
            .await
    }
}
