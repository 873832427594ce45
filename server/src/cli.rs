//! Command line: `nimo-server [serve] [--listen ADDR] [--database FILE] [--assets DIR]`.
//!
//! Every flag has an environment variable so that a service manager can
//! configure the server without a wrapper script.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::startup::Application;

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
}

#[derive(Debug, Clone, clap::Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "NIMO_LISTEN", default_value = Config::DEFAULT_LISTEN)]
    listen: SocketAddr,
    /// SQLite database file (created if absent).
    #[arg(long, env = "NIMO_DATABASE", default_value = Config::DEFAULT_DATABASE)]
    database: PathBuf,
    /// Directory of the built app, as made by `cargo xtask build`.
    #[arg(long, env = "NIMO_ASSETS", default_value = Config::DEFAULT_ASSETS)]
    assets: PathBuf,
    /// Serve the API only, without the app.
    #[arg(long, conflicts_with = "assets")]
    api_only: bool,
}

impl ServeArgs {
    fn into_config(self) -> Config {
        Config {
            listen: self.listen,
            database: self.database,
            assets: (!self.api_only).then_some(self.assets),
        }
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let args = match cli.command {
        Some(Command::Serve(args)) => args,
        None => cli.serve,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("nimo-server: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(serve(args.into_config()))
}

async fn serve(config: Config) -> ExitCode {
    let app = match Application::build(config).await {
        Ok(app) => app,
        Err(e) => {
            eprintln!("nimo-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Printed on stdout, one line, so that scripts and the browser tests can
    // learn the port when started with port 0.
    println!("nimo listening on http://{}", app.local_addr());
    match app.run_until_stopped().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("nimo-server: {e}");
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
