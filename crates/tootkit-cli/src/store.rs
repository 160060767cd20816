//! Credential stores: the OS keyring when one is reachable, otherwise a file only the
//! user can read. A credentials file that group or others can read is refused, as ssh
//! refuses a loose private key.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use keyring_core::{CredentialStore, Entry};
use serde::{Deserialize, Serialize};

use crate::config::{Paths, write_private};
use crate::failure::{Failure, Result};

/// Forces a store: `file` or `keyring`.
pub const ENV_CREDENTIAL_STORE: &str = "TOOTKIT_CREDENTIAL_STORE";

/// The keyring service name entries are filed under.
const SERVICE: &str = "tootkit";

/// Where a secret is kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoreKind {
    Keyring,
    File,
}

impl StoreKind {
    /// Where the secrets are, as a person reads it; for the file, what its permissions
    /// are now, not what tootkit made them.
    pub fn describe(self, paths: &Paths) -> String {
        match self {
            Self::Keyring => "the OS keyring".to_owned(),
            Self::File => {
                let file = paths.credentials_file();
                format!("{} ({})", file.display(), privacy(&file))
            }
        }
    }
}

/// Whether the credentials file is one tootkit reads, by the rule every command
/// applies, in words that fit in parentheses.
fn privacy(path: &std::path::Path) -> String {
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return "no such file".to_owned(),
        Err(err) => return format!("it cannot be opened: {err}"),
    };
    match refuse_untrusted(path, &file) {
        // Where the permissions are not checked, nothing is claimed of them.
        Ok(()) if cfg!(not(unix)) => "in your user profile".to_owned(),
        Ok(()) => "readable only by you".to_owned(),
        Err(refusal) => {
            let why = refusal.message.trim_end_matches('.');
            match why.strip_prefix(&path.display().to_string()) {
                Some(rest) => format!("refused: it{rest}"),
                None => format!("refused: {why}"),
            }
        }
    }
}

/// Refuses a credentials file another user owns or may read or write, as ssh refuses
/// a loose key: the rule every command applies before reading one.
#[cfg(unix)]
fn refuse_untrusted(path: &std::path::Path, file: &std::fs::File) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    crate::config::refuse_foreign(path, file)?;
    // A file whose permissions cannot be read is not trusted either.
    let mode = file
        .metadata()
        .map(|m| m.permissions().mode() & 0o777)
        .map_err(|err| {
            Failure::local(format!(
                "The permissions of {} could not be read ({err}); check that it is yours and run `chmod 600` on it.",
                path.display()
            ))
        })?;
    if mode & 0o077 != 0 {
        let (who, exposed) = if mode & 0o044 != 0 {
            ("readable by other users", "its tokens may be exposed")
        } else {
            (
                "writable by other users",
                "its tokens may have been replaced",
            )
        };
        return Err(Failure::local(format!(
            "{} is {who} (mode {mode:04o}), so {exposed}; run `chmod 600 {}` and, if others could have touched it, sign in again.",
            path.display(),
            crate::commands::shell_word(&path.display().to_string())
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn refuse_untrusted(_path: &std::path::Path, _file: &std::fs::File) -> Result<()> {
    Ok(())
}

/// `credentials.toml`; without `Debug`, so that no log line can print its values.
#[derive(Default, Serialize, Deserialize)]
struct CredentialsFile {
    #[serde(default)]
    secrets: BTreeMap<String, String>,
}

/// The secrets of tootkit: tokens and application credentials, by key.
pub struct Secrets {
    file: PathBuf,
    keyring: OnceLock<std::result::Result<Arc<CredentialStore>, String>>,
    /// Set once the fallback to the file was announced: one warning per run, however
    /// many secrets a command stores (a first login stores the app's and the token).
    warned: std::sync::atomic::AtomicBool,
}

impl Secrets {
    pub fn new(paths: &Paths) -> Self {
        Self {
            file: paths.credentials_file(),
            keyring: OnceLock::new(),
            warned: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// A store built from a given keyring (for tests, with keyring-core's mock store).
    #[cfg(test)]
    pub fn with_keyring(paths: &Paths, keyring: Arc<CredentialStore>) -> Self {
        let secrets = Self::new(paths);
        let _ = secrets.keyring.set(Ok(keyring));
        secrets
    }

    fn keyring(&self) -> std::result::Result<&Arc<CredentialStore>, String> {
        self.keyring
            .get_or_init(open_keyring)
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Stores a secret in the keyring if one is reachable (unless the environment forces
    /// the file), else in the file after a one-line warning. Returns where it went.
    pub fn store(&self, key: &str, value: &str) -> Result<StoreKind> {
        let forced = std::env::var(ENV_CREDENTIAL_STORE).ok();
        match forced.as_deref().map(str::trim) {
            Some("file") => {
                self.set(StoreKind::File, key, value)?;
                return Ok(StoreKind::File);
            }
            Some("keyring") => {
                self.set(StoreKind::Keyring, key, value)?;
                return Ok(StoreKind::Keyring);
            }
            Some(other) if !other.is_empty() => {
                return Err(Failure::usage(format!(
                    "{ENV_CREDENTIAL_STORE} is `{other}`; set it to `keyring` or `file`, or unset it."
                )));
            }
            _ => {}
        }
        let attempt = self.keyring().and_then(|keyring| {
            Entry::new_in_store(keyring, SERVICE, key)
                .and_then(|entry| entry.set_password(value))
                .map_err(|err| err.to_string())
        });
        match attempt {
            Ok(()) => Ok(StoreKind::Keyring),
            Err(reason) => {
                if !self.warned.swap(true, std::sync::atomic::Ordering::Relaxed) {
                    errln!(
                        "warning: the OS keyring could not keep the credentials ({reason}); storing them in {} (mode 0600) instead.",
                        self.file.display()
                    );
                }
                self.set(StoreKind::File, key, value)?;
                Ok(StoreKind::File)
            }
        }
    }

    pub fn set(&self, kind: StoreKind, key: &str, value: &str) -> Result<()> {
        match kind {
            StoreKind::Keyring => {
                let entry = self.entry(key)?;
                entry.set_password(value).map_err(keyring_failure)
            }
            StoreKind::File => {
                let mut file = self.read_file()?;
                file.secrets.insert(key.to_owned(), value.to_owned());
                self.write_file(&file)
            }
        }
    }

    pub fn get(&self, kind: StoreKind, key: &str) -> Result<Option<String>> {
        match kind {
            StoreKind::Keyring => match self.entry(key)?.get_password() {
                Ok(value) => Ok(Some(value)),
                Err(keyring_core::Error::NoEntry) => Ok(None),
                Err(err) => Err(keyring_failure(err)),
            },
            StoreKind::File => Ok(self.read_file()?.secrets.get(key).cloned()),
        }
    }

    pub fn delete(&self, kind: StoreKind, key: &str) -> Result<()> {
        match kind {
            StoreKind::Keyring => match self.entry(key)?.delete_credential() {
                Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
                Err(err) => Err(keyring_failure(err)),
            },
            StoreKind::File => {
                let mut file = self.read_file()?;
                if file.secrets.remove(key).is_some() {
                    self.write_file(&file)?;
                }
                Ok(())
            }
        }
    }

    fn entry(&self, key: &str) -> Result<Entry> {
        let keyring = self.keyring().map_err(|reason| {
            Failure::local(format!(
                "The OS keyring is not reachable ({reason}); unlock it or start its service, or set {ENV_CREDENTIAL_STORE}=file and sign in again."
            ))
        })?;
        Entry::new_in_store(keyring, SERVICE, key).map_err(keyring_failure)
    }

    fn read_file(&self) -> Result<CredentialsFile> {
        let file = crate::config::read_toml_file(
            &self.file,
            |file| refuse_untrusted(&self.file, file),
            |why| {
                Failure::local(format!(
                    "{} is not a valid credentials file ({why}); move it aside and sign in again.",
                    self.file.display(),
                ))
            },
            // The place alone: the words of a TOML error may quote a stored secret.
            crate::config::toml_error_line,
        )?;
        Ok(file.unwrap_or_default())
    }

    fn write_file(&self, file: &CredentialsFile) -> Result<()> {
        let text = toml::to_string_pretty(file).map_err(|err| {
            Failure::bug(format_args!("The credentials could not be encoded ({err})"))
        })?;
        write_private(&self.file, text.as_bytes())
    }
}

fn keyring_failure(err: keyring_core::Error) -> Failure {
    Failure::local(format!(
        "The OS keyring failed ({err}); unlock it and try again, or set {ENV_CREDENTIAL_STORE}=file and sign in again."
    ))
}

#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
fn open_keyring() -> std::result::Result<Arc<CredentialStore>, String> {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        return Err("no D-Bus session, so no Secret Service".to_owned());
    }
    dbus_secret_service_keyring_store::Store::new()
        .map(|store| store as Arc<CredentialStore>)
        .map_err(|err| format!("the Secret Service is not available: {err}"))
}

#[cfg(target_os = "macos")]
fn open_keyring() -> std::result::Result<Arc<CredentialStore>, String> {
    apple_native_keyring_store::keychain::Store::new()
        .map(|store| store as Arc<CredentialStore>)
        .map_err(|err| format!("the macOS keychain is not available: {err}"))
}

#[cfg(target_os = "windows")]
fn open_keyring() -> std::result::Result<Arc<CredentialStore>, String> {
    windows_native_keyring_store::Store::new()
        .map(|store| store as Arc<CredentialStore>)
        .map_err(|err| format!("the Windows credential manager is not available: {err}"))
}

#[cfg(not(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "macos",
    target_os = "windows"
)))]
fn open_keyring() -> std::result::Result<Arc<CredentialStore>, String> {
    Err("this system has no keyring tootkit knows".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(dir: &std::path::Path) -> Paths {
        Paths {
            config_dir: dir.join("config"),
            data_dir: Ok(dir.join("data")),
        }
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tootkit-store-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn keyring_round_trip_through_the_keyring_api() {
        let dir = temp_dir("keyring");
        let store: Arc<CredentialStore> = keyring_core::mock::Store::new().expect("mock store");
        let secrets = Secrets::with_keyring(&paths(&dir), store);
        secrets
            .set(StoreKind::Keyring, "token:a@b", "s3cret")
            .unwrap();
        assert_eq!(
            secrets
                .get(StoreKind::Keyring, "token:a@b")
                .unwrap()
                .as_deref(),
            Some("s3cret")
        );
        secrets.delete(StoreKind::Keyring, "token:a@b").unwrap();
        assert_eq!(secrets.get(StoreKind::Keyring, "token:a@b").unwrap(), None);
        assert!(
            !paths(&dir).credentials_file().exists(),
            "nothing went to the file"
        );
    }

    #[cfg(unix)]
    #[test]
    fn file_store_is_private_and_refuses_loose_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = temp_dir("file");
        let paths = paths(&dir);
        let secrets = Secrets::new(&paths);
        secrets.set(StoreKind::File, "token:a@b", "s3cret").unwrap();
        let file = paths.credentials_file();
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let dir_mode = std::fs::metadata(&paths.config_dir)
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(dir_mode, 0o700);
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let refusal = secrets.get(StoreKind::File, "token:a@b").unwrap_err();
        assert!(
            refusal
                .message
                .contains("readable by other users (mode 0644)"),
            "{}",
            refusal.message
        );
        assert!(refusal.message.contains("chmod 600"));
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o620)).unwrap();
        let refusal = secrets.get(StoreKind::File, "token:a@b").unwrap_err();
        assert!(
            refusal.message.contains(
                "writable by other users (mode 0620), so its tokens may have been replaced"
            ),
            "{}",
            refusal.message
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
