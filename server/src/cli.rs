//! Command line:
//!
//! - `nimo-server [serve] [--listen ADDR] [--database FILE] [--assets DIR]`
//! - `nimo-server create-group --name NAME [--kind KIND]`: first-run setup;
//!   creates a group and prints the invite for its first coordinator.
//! - `nimo-server backup [--to FILE]`, `nimo-server backups` (list),
//!   `nimo-server restore --from FILE [--until TIME]`.
//! - `nimo-server status`: the version, the database's size, the last
//!   backup, the certificate's end, and any failure, in plain words.
//!
//! Every flag has an environment variable so that a service manager can
//! configure the server without a wrapper script.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use nimo_core::api::format_invite_code;
use nimo_core::sync::collection::Role;
use nimo_core::sync::ids::GroupId;

use crate::clock::{new_uuid, now_ms};
use crate::config::{Config, Limits};
use crate::routes::groups;
use crate::startup::{self, Application};
use crate::storage::{BackupPolicy, Database, Durability, accounts};

#[derive(Debug, Parser)]
#[command(name = "nimo-server", version, about = "nimo: offline-first records for peer supporters and family associations")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server (the default).
    Serve(ServeArgs),
    /// Create a group and print the invite for its first coordinator.
    CreateGroup(CreateGroupArgs),
    /// Print an invite that re-admits a member who lost both their
    /// passphrase and their recovery key (new keys; their private records
    /// are lost), for a group with no other coordinator to do it from the
    /// app. Joining with it asks for the group's recovery key.
    Readmit(ReadmitArgs),
    /// Write a consistent copy of the database (the server may be running).
    Backup(BackupArgs),
    /// List the backups the server made.
    Backups(BackupsArgs),
    /// Replace the database with a backup (stop the server first), then
    /// replay from the journal what came after it. Devices notice and send
    /// back whatever is still missing.
    Restore(RestoreArgs),
    /// Say how the server is: version, database size, the last backup and
    /// its age, the certificate's end, and any failed backup or renewal.
    Status(BackupsArgs),
}

#[derive(Debug, Clone, clap::Args)]
struct BackupsArgs {
    #[command(flatten)]
    common: Common,
}

#[derive(Debug, Clone, clap::Args)]
struct BackupArgs {
    #[command(flatten)]
    common: Common,
    /// Where to write the copy (must not exist). Without it, the backup
    /// goes into the backup directory with the scheduled ones, and
    /// `backups` lists it; a copy elsewhere is not in that list.
    #[arg(long)]
    to: Option<PathBuf>,
}

#[derive(Debug, Clone, clap::Args)]
struct RestoreArgs {
    #[command(flatten)]
    common: Common,
    /// The backup file.
    #[arg(long)]
    from: PathBuf,
    /// Replay the journal only up to this moment, Japan time: a restore to
    /// a point in time. `2026-12-01T14:00` keeps the whole minute (to
    /// 14:00:59); `2026-12-01T14:00:30` stops after that second.
    #[arg(long)]
    until: Option<String>,
    /// Do not replay the journal: the database is exactly the backup.
    #[arg(long)]
    without_journal: bool,
}

#[derive(Debug, Clone, clap::Args)]
struct Common {
    /// SQLite database file (created if absent).
    #[arg(long, env = "NIMO_DATABASE", default_value = Config::DEFAULT_DATABASE)]
    database: PathBuf,
    /// The address people open nimo at; invite links start with it, and
    /// https makes session cookies Secure. Default: https:// and the ACME
    /// domain, or the listening address (https when the server has TLS).
    #[arg(long, env = "NIMO_PUBLIC_URL")]
    public_url: Option<String>,
    /// Where backups and the journal are kept (default: beside the
    /// database, `<database>.backups`). Best on another disk.
    #[arg(long, env = "NIMO_BACKUP_DIR")]
    backup_dir: Option<PathBuf>,
}

impl Common {
    const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080";

    fn public_url(&self) -> String {
        self.public_url.clone().unwrap_or_else(|| Self::DEFAULT_PUBLIC_URL.to_owned())
    }

    fn backups(&self, every_minutes: u64) -> BackupPolicy {
        let mut policy = BackupPolicy::beside(&self.database);
        if let Some(dir) = &self.backup_dir {
            policy.dir = dir.clone();
        }
        policy.every = (every_minutes > 0).then(|| std::time::Duration::from_secs(every_minutes * 60));
        policy
    }
}

#[derive(Debug, Clone, clap::Args)]
struct ServeArgs {
    /// Address to listen on. Default: 0.0.0.0:443 with TLS (--acme-domain
    /// or --tls-cert), else 127.0.0.1:8080.
    #[arg(long, env = "NIMO_LISTEN")]
    listen: Option<SocketAddr>,
    #[command(flatten)]
    common: Common,
    /// Directory of the built app, as made by `cargo xtask build`. Without
    /// it, a binary made by `cargo xtask dist` serves the copy it carries,
    /// and any other serves `dist`.
    #[arg(long, env = "NIMO_ASSETS")]
    assets: Option<PathBuf>,
    /// Serve the API only, without the app.
    #[arg(long, env = "NIMO_API_ONLY")]
    api_only: bool,
    /// Days a deleted record's tombstone is kept for devices to see.
    #[arg(long, env = "NIMO_TOMBSTONE_DAYS", default_value_t = Config::DEFAULT_TOMBSTONE_DAYS)]
    tombstone_days: u32,
    /// Minutes between the server's own backups (0: none; the journal is
    /// kept either way).
    #[arg(long, env = "NIMO_BACKUP_EVERY", default_value_t = BackupPolicy::DEFAULT_EVERY_MINUTES)]
    backup_every: u64,
    /// Seconds a client has to send a request's headers.
    #[arg(long, env = "NIMO_HEADER_TIMEOUT", default_value_t = Limits::HEADER_TIMEOUT.as_secs())]
    header_timeout: u64,
    /// The certificate chain (PEM) to serve HTTPS with; read again when
    /// the file changes or on SIGHUP.
    #[arg(long, env = "NIMO_TLS_CERT", requires = "tls_key", conflicts_with = "acme_domain")]
    tls_cert: Option<PathBuf>,
    /// Its private key (PEM).
    #[arg(long, env = "NIMO_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Get the certificate from an ACME CA for this name (may be repeated;
    /// in the variable, comma-separated). The name must reach this server
    /// on port 80 (see --http-listen).
    #[arg(long, env = "NIMO_ACME_DOMAIN", value_delimiter = ',')]
    acme_domain: Vec<String>,
    /// The address the CA may write to about the certificate.
    #[arg(long, env = "NIMO_ACME_EMAIL")]
    acme_email: Option<String>,
    /// The CA's directory URL.
    #[arg(long, env = "NIMO_ACME_DIRECTORY", default_value = crate::tls::acme::Settings::LETS_ENCRYPT)]
    acme_directory: String,
    /// A PEM root certificate to check the directory's own HTTPS against
    /// instead of the public roots (a private or test CA).
    #[arg(long, env = "NIMO_ACME_CA")]
    acme_ca: Option<PathBuf>,
    /// Where the ACME account and certificates are kept (files 0600).
    /// Default: beside the database, `<database>.acme`.
    #[arg(long, env = "NIMO_ACME_CACHE")]
    acme_cache: Option<PathBuf>,
    /// Plain HTTP beside HTTPS: answers the CA's HTTP-01 challenges and
    /// sends everything else to https. Default 0.0.0.0:80 with
    /// --acme-domain, none otherwise.
    #[arg(long, env = "NIMO_HTTP_LISTEN")]
    http_listen: Option<SocketAddr>,
    /// A reverse proxy (an address or network, e.g. 127.0.0.1 or
    /// 10.0.0.0/8; may be repeated, comma-separated in the variable) whose
    /// X-Forwarded-For and X-Forwarded-Proto are believed. From anyone else
    /// they are ignored.
    #[arg(long, env = "NIMO_TRUST_PROXY", value_delimiter = ',', value_parser = crate::client::Cidr::parse)]
    trust_proxy: Vec<crate::client::Cidr>,
}

#[derive(Debug, Clone, clap::Args)]
struct CreateGroupArgs {
    #[command(flatten)]
    common: Common,
    /// The group's name, e.g. 「○○市家族会」.
    #[arg(long)]
    name: String,
    /// peer_support, family_association or other.
    #[arg(long, default_value = "family_association")]
    kind: String,
    /// Days the first invite stays valid.
    #[arg(long, default_value_t = 7)]
    days: u32,
}

#[derive(Debug, Clone, clap::Args)]
struct ReadmitArgs {
    #[command(flatten)]
    common: Common,
    /// The group's id (as `create-group` printed it).
    #[arg(long)]
    group: String,
    /// The member's login name.
    #[arg(long)]
    login: String,
    /// Days the invite stays valid.
    #[arg(long, default_value_t = 2)]
    days: u32,
}

impl ServeArgs {
    fn into_config(self) -> Config {
        let mut limits = Limits::for_this_process();
        limits.header_timeout = std::time::Duration::from_secs(self.header_timeout.max(1));
        let tls = match (self.tls_cert, self.tls_key) {
            (Some(cert), Some(key)) => Some(crate::config::Tls::Files { cert, key }),
            _ if !self.acme_domain.is_empty() => Some(crate::config::Tls::Acme(crate::tls::acme::Settings {
                domains: self.acme_domain.clone(),
                email: self.acme_email,
                directory: self.acme_directory,
                ca: self.acme_ca,
                cache: self.acme_cache.unwrap_or_else(|| PathBuf::from(format!("{}.acme", self.common.database.display()))),
            })),
            _ => None,
        };
        let listen = self.listen.unwrap_or_else(|| match tls {
            Some(_) => SocketAddr::from(([0, 0, 0, 0], 443)),
            None => Config::DEFAULT_LISTEN.parse().unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 8080))),
        });
        let http_listen = self.http_listen.or_else(|| (!self.acme_domain.is_empty()).then(|| SocketAddr::from(([0, 0, 0, 0], 80))));
        // Where people open nimo: given, or what this server answers at.
        let public_url = self.common.public_url.clone().unwrap_or_else(|| {
            let port = listen.port();
            match (&tls, self.acme_domain.first()) {
                (Some(_), Some(domain)) => if port == 443 { format!("https://{domain}") } else { format!("https://{domain}:{port}") },
                (Some(_), None) => format!("https://localhost:{port}"),
                (None, _) if listen.ip().is_unspecified() => format!("http://127.0.0.1:{port}"),
                (None, _) => format!("http://{listen}"),
            }
        });
        Config {
            listen,
            backups: self.common.backups(self.backup_every),
            database: self.common.database,
            assets: (!self.api_only).then(|| match self.assets {
                Some(dir) => crate::assets::Source::Dir(dir),
                None if crate::assets::Source::embedded_available() => crate::assets::Source::Embedded,
                None => crate::assets::Source::Dir(Config::DEFAULT_ASSETS.into()),
            }),
            public_url,
            tombstone_days: self.tombstone_days,
            limits,
            tls,
            http_listen,
            trust_proxy: self.trust_proxy,
        }
    }
}

/// glibc gives each new thread its own malloc arena (up to 8 per core),
/// and each keeps what it once held: with 500 devices syncing flat out the
/// peak memory was 77 MiB, 58 MiB with two arenas. Set before any thread
/// starts; `MALLOC_ARENA_MAX` in the environment still wins.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only sets an allocator parameter; no thread
        // but this one exists yet.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}

pub fn main() -> ExitCode {
    limit_malloc_arenas();
    let cli = Cli::parse();
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("nimo-server: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match cli.command {
        Some(Command::Serve(args)) => runtime.block_on(serve(args.into_config())),
        None => runtime.block_on(serve(cli.serve.into_config())),
        Some(Command::CreateGroup(args)) => runtime.block_on(create_group(args)),
        Some(Command::Readmit(args)) => runtime.block_on(readmit(args)),
        Some(Command::Backup(args)) => runtime.block_on(backup(args)),
        Some(Command::Backups(args)) => list_backups(args),
        Some(Command::Restore(args)) => restore(args),
        Some(Command::Status(args)) => status(args),
    }
}

async fn backup(args: BackupArgs) -> ExitCode {
    if let Some(to) = args.to.as_ref().filter(|to| to.exists()) {
        eprintln!("nimo-server: {} exists; choose a new file", to.display());
        return ExitCode::FAILURE;
    }
    // Without the journal: the running server owns it.
    let path = args.common.database.clone();
    let policy = args.common.backups(0);
    let result = match tokio::task::spawn_blocking(move || Database::open_with(&path, Durability::Full, None)).await {
        Ok(Ok(db)) => match &args.to {
            Some(to) => db.backup(to).await,
            None => crate::storage::backup_into(&db, &policy).await,
        },
        Ok(Err(e)) => Err(e),
        Err(e) => {
            eprintln!("nimo-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    match result {
        Ok(snapshot) => {
            println!("Backed up {} to {} (readable by this user only).", args.common.database.display(), snapshot.path.display());
            ExitCode::SUCCESS
        }
        Err(e @ crate::storage::StorageError::Full(_)) => {
            eprintln!("nimo-server: バックアップできませんでした。ディスクの空き容量がありません。 / backup failed: {e}");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("nimo-server: バックアップできませんでした。 / backup failed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn list_backups(args: BackupsArgs) -> ExitCode {
    let policy = args.common.backups(0);
    match crate::storage::list_backups(&policy.dir) {
        Ok(list) if list.is_empty() => {
            println!("No backups in {} yet.", policy.dir.display());
            ExitCode::SUCCESS
        }
        Ok(list) => {
            for (ms, path) in list {
                let at = nimo_core::base::time::JstDateTime::from_unix_ms(ms as i64);
                println!("{at}  {}", path.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("nimo-server: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The last millisecond `--until` keeps: the whole minute of `…T14:00`,
/// the whole second of `…T14:00:30`.
fn until_ms(text: &str) -> Option<u64> {
    let (minute, seconds) = match text.len() {
        16 => (text, None),
        19 if text.as_bytes()[16] == b':' => (&text[..16], Some(text[17..].parse::<u64>().ok().filter(|s| *s < 60)?)),
        _ => return None,
    };
    let start = nimo_core::base::time::JstDateTime::parse(minute).ok()?.to_unix_ms() as u64;
    Some(match seconds {
        None => start + 59_999,
        Some(s) => start + s * 1000 + 999,
    })
}

/// What an operator asks first, said plainly: nothing secret in it.
fn status(args: BackupsArgs) -> ExitCode {
    let db = &args.common.database;
    let size: u64 = ["", "-wal"].iter().filter_map(|s| std::fs::metadata(format!("{}{s}", db.display())).ok()).map(|m| m.len()).sum();
    let now = now_ms();
    let at = |ms: u64| nimo_core::base::time::JstDateTime::from_unix_ms(ms as i64).to_string().replacen('T', " ", 1);
    let age = |ms: u64| {
        let minutes = now.saturating_sub(ms) / 60_000;
        if minutes < 120 { format!("{minutes} minutes ago") } else if minutes < 48 * 60 { format!("{} hours ago", minutes / 60) } else { format!("{} days ago", minutes / 1440) }
    };
    println!("nimo-server {}", env!("CARGO_PKG_VERSION"));
    if !db.exists() {
        println!("データベース / database: {} does not exist yet", db.display());
        return ExitCode::FAILURE;
    }
    println!("データベース / database: {} ({:.1} MB)", db.display(), size as f64 / 1_048_576.0);
    let policy = args.common.backups(0);
    match crate::storage::list_backups(&policy.dir).ok().and_then(|l| l.last().cloned()) {
        Some((ms, path)) => println!("最後のバックアップ / last backup: {} ({}), {}", at(ms), age(ms), path.display()),
        None => println!("最後のバックアップ / last backup: none in {}", policy.dir.display()),
    }
    let mut problems = 0;
    match crate::ops::read(db) {
        None => println!("稼働状況 / running: no status file; the server has not run here yet"),
        Some(s) => {
            println!("起動 / started: {}", at(s.started_ms));
            if let Some(f) = &s.backup_failed {
                problems += 1;
                println!("バックアップ失敗 / backup FAILED: {} ({}): {}", at(f.at_ms), age(f.at_ms), f.error);
            }
            match s.certificate_expires_ms {
                Some(ms) if ms <= now => {
                    problems += 1;
                    println!("証明書 / certificate: EXPIRED on {}", at(ms));
                }
                Some(ms) => println!("証明書 / certificate: valid until {} ({} days left)", at(ms), (ms - now) / 86_400_000),
                None => println!("証明書 / certificate: none (plain HTTP, or behind a proxy)"),
            }
            if let Some(f) = &s.certificate_failed {
                problems += 1;
                println!("証明書の更新失敗 / certificate renewal FAILED: {} ({}): {}", at(f.at_ms), age(f.at_ms), f.error);
            }
        }
    }
    if problems == 0 {
        println!("問題はありません / no problems");
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn restore(args: RestoreArgs) -> ExitCode {
    let until = match args.until.as_deref().map(until_ms) {
        None => None,
        Some(Some(ms)) => Some(ms),
        Some(None) => {
            eprintln!("nimo-server: --until is a Japan time like 2026-12-01T14:00 or 2026-12-01T14:00:30");
            return ExitCode::FAILURE;
        }
    };
    let journal = args.common.backups(0).dir;
    let result = if args.without_journal {
        crate::storage::restore(&args.from, &args.common.database).map(|()| None)
    } else {
        crate::storage::restore_with_journal(&args.from, &args.common.database, &journal, until).map(Some)
    };
    match result {
        Ok(replay) => {
            println!("Restored {} from {}.", args.common.database.display(), args.from.display());
            if let Some(r) = replay {
                println!(
                    "Replayed from the journal in {}: {} record states merged; {} already in the backup or after --until; {} of groups the backup lacks (not kept); {} unreadable lines.",
                    journal.display(), r.merged, r.skipped, r.without_group, r.unreadable
                );
            }
            println!("Devices will notice the restore and send back what is still missing.");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("nimo-server: restore failed: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A line on stdout from the running server. Not `println!`: a server
/// whose stdout was closed (a supervisor, a script that read the first
/// line) must not die of a message.
fn say(line: &str) {
    use std::io::Write as _;
    let mut out = std::io::stdout();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

async fn serve(config: Config) -> ExitCode {
    let public_url = config.public_url.clone();
    let app = match Application::build(config).await {
        Ok(app) => app,
        Err(e) => {
            eprintln!("nimo-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Printed on stdout, one line, so that scripts and the browser tests can
    // learn the port when started with port 0.
    say(&format!("nimo listening on {}://{}", if app.serves_tls() { "https" } else { "http" }, app.local_addr()));
    for file in app.database().exposed_files() {
        eprintln!(
            "nimo-server: WARNING: {} can be read by other users of this machine; it holds people's notes. Run: chmod 600 {}",
            file.display(),
            file.display()
        );
    }
    // First run: nobody can join an empty server; a one-time link makes the
    // first group and its coordinator.
    if let Some(token) = app.setup_token() {
        // A URL made from `--listen` with port 0 takes the port chosen.
        let base = match public_url.strip_suffix(":0") {
            Some(head) => format!("{head}:{}", app.local_addr().port()),
            None => public_url.trim_end_matches('/').to_owned(),
        };
        say("No group yet. Open this link once to create the first group and its coordinator:");
        say(&format!("  {base}/#/setup/{token}"));
        say("(or from the command line: nimo-server create-group --name 「○○家族会」)");
    }
    match app.run_until_stopped().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("nimo-server: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn create_group(args: CreateGroupArgs) -> ExitCode {
    let name = match nimo_core::api::check_name(&args.name, 60) {
        Ok(name) => name,
        Err(e) => {
            eprintln!("nimo-server: --name: {e}");
            return ExitCode::FAILURE;
        }
    };
    if !["peer_support", "family_association", "other"].contains(&args.kind.as_str()) {
        eprintln!("nimo-server: --kind must be peer_support, family_association or other");
        return ExitCode::FAILURE;
    }
    if !(1..=30).contains(&args.days) {
        eprintln!("nimo-server: --days must be 1 to 30");
        return ExitCode::FAILURE;
    }
    let Some(db) = open_for_command(&args.common.database).await else { return ExitCode::FAILURE };
    let state = command_state(&args.common, &db);
    let now = now_ms();
    let group = match GroupId::parse(&new_uuid()) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("nimo-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (g, n, k) = (group.clone(), name.clone(), args.kind.clone());
    if let Err(e) = db.write(move |tx| accounts::create_group(tx, &g, &n, &k, now)).await {
        eprintln!("nimo-server: cannot create the group: {e}");
        return ExitCode::FAILURE;
    }
    match groups::create(&state, &group, Role::Coordinator, args.days, None, now).await {
        Ok((code, _)) => {
            println!("Created the group 「{name}」 ({group}).");
            println!("Invite for its first coordinator (valid {} days, one use):", args.days);
            print_invite(&args.common, &code);
            println!("Whoever joins with it makes the group's first key on their phone, and is shown the group's recovery key.");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("nimo-server: cannot create the invite: {e}");
            ExitCode::FAILURE
        }
    }
}

fn command_state(common: &Common, db: &Database) -> crate::state::AppState {
    let mut config = Config::for_database(common.database.clone());
    config.public_url = common.public_url();
    startup::state(&config, db.clone())
}

/// The code and the link; the link carries the code after `#`, which a
/// browser never sends to a server.
fn print_invite(common: &Common, code: &str) {
    let base = common.public_url();
    let base = base.trim_end_matches('/');
    println!("  code: {}", format_invite_code(code));
    println!("  link: {base}/join#{}", format_invite_code(code));
}

async fn open_for_command(path: &std::path::Path) -> Option<Database> {
    let p = path.to_owned();
    match tokio::task::spawn_blocking(move || Database::open_with(&p, Durability::Full, None)).await {
        Ok(Ok(db)) => Some(db),
        Ok(Err(e)) => {
            eprintln!("nimo-server: cannot use the database {}: {e}", path.display());
            None
        }
        Err(e) => {
            eprintln!("nimo-server: {e}");
            None
        }
    }
}

async fn readmit(args: ReadmitArgs) -> ExitCode {
    let Ok(group) = GroupId::parse(&args.group) else {
        eprintln!("nimo-server: --group: not a group id");
        return ExitCode::FAILURE;
    };
    if !(1..=30).contains(&args.days) {
        eprintln!("nimo-server: --days must be 1 to 30");
        return ExitCode::FAILURE;
    }
    let Ok(login) = nimo_core::api::normalize_login(&args.login) else {
        eprintln!("nimo-server: --login: not a login name");
        return ExitCode::FAILURE;
    };
    let Some(db) = open_for_command(&args.common.database).await else { return ExitCode::FAILURE };
    let state = command_state(&args.common, &db);
    let (g, l) = (group.clone(), login.clone());
    let found = db
        .read(move |tx| {
            let user = accounts::credentials(tx, &l)?.map(|c| c.user);
            let role = match &user {
                Some(u) => accounts::user_exists_in(tx, &g, u)?,
                None => None,
            };
            Ok::<_, crate::storage::StorageError>(user.zip(role))
        })
        .await;
    let (user, role) = match found {
        Ok(Some(found)) => found,
        Ok(None) => {
            eprintln!("nimo-server: {login} is not a member of that group");
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("nimo-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    match groups::create(&state, &group, role, args.days, Some(user), now_ms()).await {
        Ok((code, _)) => {
            println!("Invite re-admitting {login} (valid {} days, one use):", args.days);
            print_invite(&args.common, &code);
            println!("Joining with it asks for the group's recovery key (shown to the group's first coordinator when the group's key was made).");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("nimo-server: cannot create the invite: {e}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging() {
    let level = match std::env::var("NIMO_LOG").as_deref() {
        Ok("debug") => tracing::Level::DEBUG,
        Ok("warn") => tracing::Level::WARN,
        Ok("error") => tracing::Level::ERROR,
        _ => tracing::Level::INFO,
    };
    // Logs go to stderr; stdout carries only the "listening" line.
    let _ = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::until_ms;

    #[test]
    fn until_keeps_the_whole_minute_or_the_whole_second_it_names() {
        let minute = until_ms("2026-12-01T14:00").unwrap();
        let second = until_ms("2026-12-01T14:00:30").unwrap();
        assert_eq!(minute - second, 29_000, "14:00 keeps to 14:00:59.999, 14:00:30 to 14:00:30.999");
        assert_eq!(until_ms("2026-12-01T14:00:00").unwrap() + 59_000, minute);
        for bad in ["2026-12-01T14:00:60", "2026-12-01T14:00:3", "2026-12-01 14:00", "tomorrow", "2026-12-01T14:00:xx"] {
            assert_eq!(until_ms(bad), None, "{bad}");
        }
    }
}
