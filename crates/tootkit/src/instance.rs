//! The server's description of itself: `client.instance()`.

use crate::client::ApiRequest;
use crate::entities::{Instance, InstanceV1};
use crate::{Client, Error};

/// Instance endpoints: `client.instance()`.
#[derive(Clone, Copy, Debug)]
pub struct InstanceApi<'a> {
    client: &'a Client,
}

impl Client {
    /// The server's description of itself.
    pub fn instance(&self) -> InstanceApi<'_> {
        InstanceApi { client: self }
    }
}

impl InstanceApi<'_> {
    /// `GET /api/v2/instance`, or `GET /api/v1/instance` converted when the server has no
    /// v2 (Mastodon before 4.0, some other servers).
    ///
    /// ```no_run
    /// # async fn run(client: tootkit::Client) -> Result<(), tootkit::Error> {
    /// let instance = client.instance().get().await?;
    /// println!("{} runs {}; posts up to {} characters", instance.domain, instance.version, instance.max_characters());
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// Network and server errors; [`Error::UnexpectedResponse`] when neither endpoint
    /// answers with an instance description.
    pub async fn get(&self) -> Result<Instance, Error> {
        match self.describe("/api/v2/instance", "an Instance").await {
            Ok(instance) => Ok(instance),
            Err(
                Error::NotFound { .. }
                | Error::Http { status: 410, .. }
                | Error::UnexpectedResponse { .. },
            ) => self.v1().await.map(Instance::from),
            Err(other) => Err(other),
        }
    }

    /// `GET /api/v1/instance` as the server sends it.
    ///
    /// # Errors
    ///
    /// Network and server errors.
    pub async fn v1(&self) -> Result<InstanceV1, Error> {
        self.describe("/api/v1/instance", "an Instance (v1)").await
    }

    /// The instance's description, asked for without the token as anyone may; asked
    /// again with it where the server answers only signed-in clients (limited
    /// federation) and the client has one.
    async fn describe<T: serde::de::DeserializeOwned>(
        &self,
        path: &'static str,
        expected: &'static str,
    ) -> Result<T, Error> {
        let anonymous = ApiRequest::get(path).anonymous();
        match self.client.json(anonymous, expected).await {
            Err(Error::TokenRequired { .. }) if self.client.access_token().is_some() => {
                self.client.json(ApiRequest::get(path), expected).await
            }
            other => other,
        }
    }
}
