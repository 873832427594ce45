//! Installs what the build and the tests need, when it is missing:
//! the wasm32 target (rustup), npm tools (`npm ci`), Chromium and
//! ChromeDriver, WebKitGTK's WebDriver and Xvfb (apt-get). Each step checks
//! first, so a second run is quick.

use std::path::Path;
use std::process::Command;

use crate::util::{self, Error, output, root};

pub const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// WebKit (every iPhone browser's engine): WebKitGTK's WebDriver, which
/// drives its MiniBrowser, and the X server it draws in.
const WEBKIT_DRIVER: &str = "/usr/bin/WebKitWebDriver";
const XVFB: &str = "/usr/bin/Xvfb";
/// Let's Encrypt's test CA and its DNS, for the HTTPS tests; NSS's
/// `certutil`, to make Chromium trust that CA in a profile of the test's.
const PEBBLE: &str = "/usr/bin/pebble";
const CERTUTIL: &str = "/usr/bin/certutil";

/// Everything `cargo xtask test` needs.
pub fn all() -> Result<(), Error> {
    build_tools()?;
    browsers()
}

/// What building the client needs.
pub fn build_tools() -> Result<(), Error> {
    wasm_target()?;
    rust_src();
    npm_tools()
}

/// The standard library's source, which the release build recompiles
/// for size (`build::small_std`). Not fatal: without it the build uses
/// the prebuilt library.
fn rust_src() {
    if has_rust_src() {
        return;
    }
    eprintln!("xtask: adding the rust-src component (the release build recompiles the standard library for size)");
    if let Err(e) = util::run(Command::new("rustup").args(["component", "add", "rust-src"])) {
        eprintln!("xtask: {e}; the app will be built with the prebuilt standard library");
    }
}

pub fn has_rust_src() -> bool {
    let sysroot = output(Command::new("rustc").args(["--print", "sysroot"])).unwrap_or_default();
    Path::new(sysroot.trim()).join("lib/rustlib/src/rust/library/std/Cargo.toml").exists()
}

fn wasm_target() -> Result<(), Error> {
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if installed.lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        return Ok(());
    }
    eprintln!("xtask: adding the wasm32-unknown-unknown target");
    util::run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

fn npm_tools() -> Result<(), Error> {
    npm_ci(&root(), "node_modules/.bin/wasm-opt")
}

/// The benchmark's own tools, kept apart so that the test command does not
/// install them: PouchDB, pouchdb-server and Lighthouse (npm), and strace,
/// whose fault injection gives the server a disk that stalls on purpose.
pub fn bench_tools() -> Result<(), Error> {
    npm_ci(&root().join("bench"), "node_modules/.bin/pouchdb-server")?;
    if Path::new(STRACE).exists() {
        return Ok(());
    }
    eprintln!("xtask: installing strace with apt-get (the benchmark's stalling disk)");
    apt_install(&["strace"])
}

const STRACE: &str = "/usr/bin/strace";

/// `npm ci` in `dir` unless its node_modules is as new as its lock file and
/// holds `marker`.
fn npm_ci(dir: &Path, marker: &str) -> Result<(), Error> {
    let lock = dir.join("package-lock.json");
    let installed = dir.join("node_modules/.package-lock.json");
    if is_newer_or_same(&installed, &lock) && dir.join(marker).exists() {
        return Ok(());
    }
    if output(Command::new("npm").arg("--version")).is_none() {
        return Err(Error::msg("npm is not installed; install Node.js 20 or later"));
    }
    eprintln!("xtask: installing npm tools in {} (npm ci)", dir.display());
    util::run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(dir))
}

fn browsers() -> Result<(), Error> {
    if [CHROMIUM, CHROMEDRIVER, WEBKIT_DRIVER, XVFB, PEBBLE, CERTUTIL].iter().all(|p| Path::new(p).exists()) {
        return Ok(());
    }
    eprintln!("xtask: installing Chromium, ChromeDriver, WebKitGTK's WebDriver, Xvfb, pebble and certutil with apt-get");
    apt_install(&["chromium", "chromium-driver", "webkit2gtk-driver", "xvfb", "pebble", "libnss3-tools"])
}

/// What cross-building the server for 64-bit ARM Linux needs: Rust's
/// standard library for that target, Debian's cross C compiler (for
/// SQLite and ring), and qemu-user to run the result once.
pub fn aarch64() -> Result<(), Error> {
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if !installed.lines().any(|l| l.trim() == "aarch64-unknown-linux-gnu") {
        util::run(Command::new("rustup").args(["target", "add", "aarch64-unknown-linux-gnu"]))?;
    }
    if !Path::new("/usr/bin/aarch64-linux-gnu-gcc").exists() || !Path::new("/usr/bin/qemu-aarch64").exists() {
        eprintln!("xtask: installing Debian's cross compiler for aarch64, and qemu-user to try the result, with apt-get");
        apt_install(&["gcc-aarch64-linux-gnu", "libc6-dev-arm64-cross", "qemu-user"])?;
    }
    Ok(())
}

/// `apt-get install` of Debian's `packages` (through sudo unless root).
fn apt_install(packages: &[&str]) -> Result<(), Error> {
    let root_user = output(Command::new("id").arg("-u")).is_some_and(|s| s.trim() == "0");
    let apt = |args: &[&str]| {
        let mut cmd = if root_user { Command::new("apt-get") } else { sudo_apt() };
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        util::run(&mut cmd)
    };
    apt(&["update", "-q"])?;
    apt(&[&["install", "-y", "-q", "--no-install-recommends"], packages].concat())
}

fn sudo_apt() -> Command {
    let mut cmd = Command::new("sudo");
    cmd.arg("apt-get");
    cmd
}

fn is_newer_or_same(a: &Path, b: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    match (modified(a), modified(b)) {
        (Some(a), Some(b)) => a >= b,
        _ => false,
    }
}
