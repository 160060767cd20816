//! Where tootkit keeps things, and the profiles file: which accounts on which instances,
//! which registered applications. No secret is in this file; those live in the
//! credential store (see `store.rs`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::failure::{Failure, Result};
use crate::store::StoreKind;

/// Overrides the configuration directory (profiles, credentials file).
pub const ENV_CONFIG_DIR: &str = "TOOTKIT_CONFIG_DIR";
/// Overrides the data directory (the sandbox's database).
pub const ENV_DATA_DIR: &str = "TOOTKIT_DATA_DIR";

/// The directories tootkit uses; never the current directory, so nothing lands in a
/// project that might be pushed.
#[derive(Clone, Debug)]
pub struct Paths {
    pub config_dir: PathBuf,
    /// Only the sandbox uses it, so a problem with it is told only there.
    pub data_dir: Result<PathBuf>,
}

impl Paths {
    pub fn from_env() -> Result<Self> {
        // `kept` says what the directory would hold, for the refusal.
        let dir = |var: &str, base: Option<PathBuf>, what: &str, kept: &str| {
            match std::env::var_os(var).filter(|v| !v.is_empty()) {
                // A relative directory would put credentials wherever the command
                // runs, such as a repository's working tree.
                Some(dir) if PathBuf::from(&dir).is_absolute() => Ok(PathBuf::from(dir)),
                Some(dir) => Err(Failure::usage(format!(
                    "{var} is the relative path `{}`, which would keep {kept} in whatever directory tootkit runs from; set it to an absolute path.",
                    PathBuf::from(dir).display()
                ))),
                // A relative HOME would do the same.
                None => match base {
                    Some(base) if base.is_absolute() => Ok(base.join("tootkit")),
                    Some(base) => Err(Failure::usage(format!(
                        "The {what} directory would be the relative path `{}` (HOME is relative), which would keep {kept} in whatever directory tootkit runs from; set HOME, or {var}, to an absolute path.",
                        base.display()
                    ))),
                    None => Err(Failure::local(format!(
                        "No {what} directory could be found for this user; set {var} to a directory tootkit may use."
                    ))),
                },
            }
        };
        Ok(Self {
            config_dir: dir(
                ENV_CONFIG_DIR,
                dirs::config_dir(),
                "configuration",
                "credentials",
            )?,
            data_dir: dir(
                ENV_DATA_DIR,
                dirs::data_dir(),
                "data",
                "the sandbox's database",
            ),
        })
    }

    pub fn profiles_file(&self) -> PathBuf {
        self.config_dir.join("profiles.toml")
    }

    pub fn credentials_file(&self) -> PathBuf {
        self.config_dir.join("credentials.toml")
    }

    pub fn sandbox_database(&self) -> Result<PathBuf> {
        self.data_dir.clone().map(|dir| dir.join("sandbox.sqlite3"))
    }
}

/// A signed-in account.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Profile {
    /// The instance's base URL.
    pub instance: String,
    /// The account, as `acct` (`username`).
    pub account: String,
    /// The account's ID on the instance.
    pub account_id: String,
    /// The scopes the token was granted.
    pub scopes: String,
    /// Where the token is kept.
    pub store: StoreKind,
    /// The registered application the token was issued to; none for a token made in the
    /// web interface.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<AppRef>,
}

/// Which registered application a token belongs to, and where its secret is kept.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AppRef {
    pub client_id: String,
    pub store: StoreKind,
}

/// The application registered on an instance most recently, reused by later sign-ins.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AppRecord {
    pub instance: String,
    pub client_id: String,
    pub name: String,
    pub scopes: String,
    pub redirect_uris: Vec<String>,
    /// Where the client ID and secret are kept.
    pub store: StoreKind,
}

/// The profiles file.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Profiles {
    /// The profile used when `--profile` is not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
    /// Registered applications, by instance authority (`mastodon.social`, `127.0.0.1:3000`).
    #[serde(default)]
    pub apps: BTreeMap<String, AppRecord>,
}

/// Refuses a file of tootkit's that another user owns, or whose directory other users
/// may write to (they could put a file of theirs in its place), as ssh's StrictModes
/// refuses a key: either could send your tokens elsewhere or replace them. Root may
/// own them too, as ssh allows.
#[cfg(unix)]
pub(crate) fn refuse_foreign(path: &std::path::Path, file: &std::fs::File) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let owner = file
        .metadata()
        .map_err(|err| unexaminable(path, err))?
        .uid();
    if !trusted_owner(owner) {
        return Err(Failure::local(format!(
            "{} belongs to another user (uid {owner}), who could have changed it; check it and `chown` it to yourself, or move it aside and sign in again.",
            path.display()
        )));
    }
    match path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        Some(dir) => refuse_foreign_dir(dir),
        None => Ok(()),
    }
}

/// Whether tootkit trusts a file's owner: the user running it, or root (as ssh does).
#[cfg(unix)]
fn trusted_owner(uid: u32) -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    uid == unsafe { libc::geteuid() } || uid == 0
}

#[cfg(unix)]
fn unexaminable(what: &std::path::Path, err: std::io::Error) -> Failure {
    Failure::local(format!(
        "{} could not be examined ({err}); check that it is yours.",
        what.display()
    ))
}

/// Refuses a directory that another user owns or may write to: tootkit's files are
/// neither read from nor written to one.
#[cfg(unix)]
fn refuse_foreign_dir(dir: &std::path::Path) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(dir).map_err(|err| unexaminable(dir, err))?;
    let mode = meta.mode() & 0o7777;
    if !trusted_owner(meta.uid()) || mode & 0o022 != 0 {
        let why = if trusted_owner(meta.uid()) {
            format!("is writable by other users (mode {:04o})", mode)
        } else {
            format!("belongs to another user (uid {})", meta.uid())
        };
        return Err(Failure::local(format!(
            "{} {why}, who could put files of their own in place of tootkit's; run `chmod 700 {}` on a directory of yours, or set TOOTKIT_CONFIG_DIR to one.",
            dir.display(),
            crate::commands::shell_word(&dir.display().to_string())
        )));
    }
    Ok(())
}

/// A TOML file of tootkit's, read whole: `None` when there is none. Refused when `check`
/// refuses the file opened (by its owner or permissions: those of the file read, not of
/// whatever the path names later), when it cannot be read, or when it is no text or no
/// TOML, which `invalid` words with the reason (`place` saying where the TOML is wrong).
pub(crate) fn read_toml_file<T: serde::de::DeserializeOwned>(
    path: &Path,
    check: impl FnOnce(&std::fs::File) -> Result<()>,
    invalid: impl Fn(&str) -> Failure,
    place: fn(&str, &toml::de::Error) -> String,
) -> Result<Option<T>> {
    use std::io::Read;
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(unreadable(path, err)),
    };
    check(&file)?;
    let mut text = String::new();
    file.read_to_string(&mut text).map_err(|err| {
        if err.kind() == std::io::ErrorKind::InvalidData {
            invalid("it is not UTF-8 text")
        } else {
            unreadable(path, err)
        }
    })?;
    toml::from_str(&text)
        .map(Some)
        .map_err(|err| invalid(&place(&text, &err)))
}

/// A file of tootkit's that could not be read.
pub(crate) fn unreadable(path: &Path, err: std::io::Error) -> Failure {
    Failure::local(format!(
        "{} could not be read ({err}); check that it is a file you may read, in a directory that exists.",
        path.display()
    ))
}

/// A TOML file's error as a clause: what is wrong, and on which line.
pub(crate) fn toml_error(text: &str, err: &toml::de::Error) -> String {
    let message = err.message().trim_end_matches('.');
    match line_of(text, err) {
        Some(line) => format!("{message}, on line {line}"),
        None => message.to_owned(),
    }
}

/// Where a TOML file's error is, without its words (which may quote what the file
/// holds).
pub(crate) fn toml_error_line(text: &str, err: &toml::de::Error) -> String {
    match line_of(text, err) {
        Some(line) => format!("line {line} is malformed"),
        None => "it is malformed".to_owned(),
    }
}

fn line_of(text: &str, err: &toml::de::Error) -> Option<usize> {
    let before = &text.as_bytes()[..err.span()?.start.min(text.len())];
    Some(before.iter().filter(|&&b| b == b'\n').count() + 1)
}

impl Profiles {
    /// The profiles' names, as a list to show: `a, b, c`.
    pub fn names(&self) -> String {
        self.profiles.keys().cloned().collect::<Vec<_>>().join(", ")
    }

    /// "`a`, `b`", for a sentence.
    pub fn quoted_names(&self) -> String {
        self.profiles
            .keys()
            .map(|name| format!("`{name}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn load(paths: &Paths) -> Result<Self> {
        let path = paths.profiles_file();
        let profiles = read_toml_file(
            &path,
            // It holds no secret, but it says where each token is sent.
            |file| {
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    refuse_foreign(&path, file)?;
                    let mode = file
                        .metadata()
                        .map_err(|err| unreadable(&path, err))?
                        .permissions()
                        .mode()
                        & 0o777;
                    if mode & 0o022 != 0 {
                        return Err(Failure::local(format!(
                            "{} is writable by other users (mode {mode:04o}), who could send your tokens to another server; run `chmod 600 {}` and check the instances `tootkit auth status` lists.",
                            path.display(),
                            crate::commands::shell_word(&path.display().to_string())
                        )));
                    }
                }
                #[cfg(not(unix))]
                let _ = file;
                Ok(())
            },
            |why| {
                Failure::local(format!(
                    "{} is not a valid profiles file ({why}); fix it or move it aside and sign in again.",
                    path.display(),
                ))
            },
            toml_error,
        )?;
        Ok(profiles.unwrap_or_default())
    }

    pub fn save(&self, paths: &Paths) -> Result<()> {
        let text = toml::to_string_pretty(self).map_err(|err| {
            Failure::bug(format_args!("The profiles could not be encoded ({err})"))
        })?;
        write_private(&paths.profiles_file(), text.as_bytes())
    }

    /// Adds or replaces a profile. With no default, the profile in use stays in use: a
    /// new name beside the one profile there was leaves that one the default; otherwise
    /// the profile kept becomes the default.
    pub fn remember(&mut self, name: &str, profile: Profile) {
        if self
            .default
            .as_ref()
            .is_none_or(|d| !self.profiles.contains_key(d))
        {
            let only = match (self.profiles.len(), self.profiles.contains_key(name)) {
                (1, false) => self.profiles.keys().next().cloned(),
                _ => None,
            };
            self.default = Some(only.unwrap_or_else(|| name.to_owned()));
        }
        self.profiles.insert(name.to_owned(), profile);
    }

    /// The profile to use: the one named, else the default, else the only one.
    pub fn select(&self, name: Option<&str>) -> Result<(String, Profile)> {
        let chosen = match name {
            Some(name) => name.to_owned(),
            None => match (&self.default, self.profiles.len()) {
                (Some(default), _) => default.clone(),
                (None, 1) => self.profiles.keys().next().cloned().unwrap_or_default(),
                (None, 0) => {
                    return Err(Failure::auth(
                        "You are not signed in; run `tootkit auth login --instance HOST`, or set MASTODON_API_BASE_URL and MASTODON_ACCESS_TOKEN.",
                    ));
                }
                (None, _) => {
                    return Err(Failure::usage(format!(
                        "Several profiles exist ({}) and none is the default; choose one with --profile NAME, or make one the default with `tootkit auth switch NAME`.",
                        self.names()
                    )));
                }
            },
        };
        match self.profiles.get(&chosen) {
            Some(profile) => Ok((chosen, profile.clone())),
            None if name.is_none() => Err(Failure::local(if self.profiles.is_empty() {
                format!(
                    "profiles.toml names `{chosen}` as the default, but holds no profile at all; sign in with `tootkit auth login --instance HOST`."
                )
            } else {
                format!(
                    "profiles.toml names `{chosen}` as the default, but holds no profile of that name; make one of {} the default with `tootkit auth switch NAME`.",
                    self.quoted_names()
                )
            })),
            None => {
                // The name may come from the environment, where it is easily forgotten.
                let from =
                    if std::env::var("TOOTKIT_PROFILE").ok().as_deref() == Some(chosen.as_str()) {
                        " (named by TOOTKIT_PROFILE)"
                    } else {
                        ""
                    };
                let create = format!(
                    "sign in under this name with `tootkit --profile {} auth login --instance HOST`",
                    crate::commands::shell_word(&chosen)
                );
                // `alice` for `alice@botsin.space`: the name tootkit gave it, shortened.
                let meant: Vec<&String> = self
                    .profiles
                    .keys()
                    .filter(|known| known.split('@').next() == Some(chosen.as_str()))
                    .collect();
                let message = match (meant.as_slice(), self.profiles.len()) {
                    ([one], _) => format!(
                        "There is no profile named `{chosen}`{from}; pass the whole name `{one}` if that is the one meant, or {create}."
                    ),
                    (_, 0) => format!(
                        "There is no profile named `{chosen}`{from}, nor any other; {create}."
                    ),
                    (_, 1) => format!(
                        "There is no profile named `{chosen}`{from}; the one profile is {}, so pass that name, or {create}.",
                        self.quoted_names()
                    ),
                    _ => format!(
                        "There is no profile named `{chosen}`{from}; the profiles are {}, so pass one of those, or {create}.",
                        self.quoted_names()
                    ),
                };
                Err(Failure::usage(message))
            }
        }
    }
}

/// Writes a file only its owner can read (0600), replacing it atomically, in a directory
/// made for it only its owner can enter (0700) when there is none; refuses a directory another user owns or can
/// write to, which could hold a file of theirs in the file's place.
pub fn write_private(path: &Path, contents: &[u8]) -> Result<()> {
    let fail = |err: std::io::Error| {
        Failure::local(format!(
            "{} could not be written ({err}); check that its directory is writable.",
            path.display()
        ))
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    create_private_dir(dir).map_err(fail)?;
    // Secrets go only into a directory no one else can put files in.
    #[cfg(unix)]
    refuse_foreign_dir(dir)?;
    // This process's own: another tootkit writing at the same time has its own.
    let temporary = path.with_extension(format!("tmp.{}", std::process::id()));
    {
        use std::io::Write;
        // A new file, never one found there (nor what a link there points to); one of
        // this name is left only by a process that stopped midway.
        match std::fs::remove_file(&temporary) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => return Err(fail(err)),
            _ => {}
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&temporary).map_err(fail)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            file.set_permissions(std::fs::Permissions::from_mode(0o600))
                .map_err(fail)?;
        }
        file.write_all(contents).map_err(fail)?;
        file.sync_all().map_err(fail)?;
    }
    std::fs::rename(&temporary, path).map_err(fail)
}

/// Creates a directory only its owner can enter (0700), with its parents.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}
