//! nimo's developer commands. Run `cargo xtask help`.
//!
//! Plain Rust instead of shell scripts so that the same steps run on any
//! machine with cargo, and fail with a message that says what to do.

mod build;
mod setup;
mod util;

use std::process::ExitCode;

use util::{Error, cargo, root};

const HELP: &str = "\
cargo xtask <command>

  run        set up what is missing, build the app and serve it on
             http://127.0.0.1:8080 with the database ./nimo.sqlite3
  test       set up what is missing, then run every test: unit, API,
             simulation, crash and browser tests
  bench      build release assets and print the benchmark table (sizes,
             time to interactive, search, finder, sync beside PouchDB,
             500-device server load, Lighthouse); see BENCHMARKS.md
  fuzz       run the generated-input tests for longer: --minutes N
             (default 10) shared between them; prints the cases run and
             any failure's minimal input (its seed is kept under
             core/tests/generated/regressions/: commit it)
  soak       500 devices syncing against the release server for
             --minutes N (default 10), with a restart and a backup in the
             middle; fails if an acknowledged write is lost, prints the
             server's memory over the run
  dist       the release nimo-server with the app inside it, and its
             SHA-256, in target/dist/, for x86_64 and 64-bit ARM Linux
             (the latter with Debian's cross compiler; --x86_64-only
             skips it)
  build      build the app into dist/ (add --dev for a quick unoptimised
             build; --bench for the benchmark build in target/bench-dist;
             --names to keep function names in the wasm, for profiles)
  setup      install what is missing: the wasm32 target, rust-src, npm
             tools, Chromium, WebKitGTK's WebDriver and Xvfb (apt-get)
  help       this text
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("test") => test(&args[1..]),
        Some("build") => {
            let flag = |f: &str| args.iter().any(|a| a == f);
            // Like `run`: on a fresh machine the wasm target is not there yet.
            setup::build_tools().and_then(|()| build::build(&build::Variant { dev: flag("--dev"), bench: flag("--bench"), names: flag("--names") }).map(|_| ()))
        }
        Some("setup") => setup::all(),
        Some("fuzz") => minutes(&args[1..], 10).and_then(fuzz),
        Some("soak") => minutes(&args[1..], 10).and_then(soak),
        Some("dist") => dist(!args.iter().any(|a| a == "--x86_64-only")).map(drop),
        Some("bench") => bench(),
        Some("help") | None => {
            print!("{HELP}");
            Ok(())
        }
        Some(other) => Err(Error::msg(format!("unknown command {other:?}\n\n{HELP}"))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The server's own arguments after `cargo xtask run`: cargo hands the
/// `--` of `cargo xtask run -- create-group …` through to us, so it is
/// dropped here (with or without it, the rest goes to the server).
pub fn server_args(extra: &[String]) -> &[String] {
    match extra.first().map(String::as_str) {
        Some("--") => &extra[1..],
        _ => extra,
    }
}

fn run(extra: &[String]) -> Result<(), Error> {
    let extra = server_args(extra);
    let mut cmd = cargo();
    cmd.args(["run", "--release", "--package", "nimo-server", "--"]);
    // `cargo xtask run -- create-group --name …` (or backup, backups,
    // restore) runs that server command instead of serving, without
    // building the app.
    match extra.first().map(String::as_str) {
        Some("create-group" | "backup" | "backups" | "restore" | "help" | "--help") => {
            cmd.args(extra);
        }
        _ => {
            setup::build_tools()?;
            build::client(false)?;
            cmd.arg("serve").arg("--assets").arg(root().join("dist"));
            cmd.args(extra.iter().skip_while(|a| *a == "serve"));
        }
    }
    util::run(&mut cmd)
}

fn test(extra: &[String]) -> Result<(), Error> {
    setup::all()?;
    // Host tests first: they are fast and catch most mistakes. Every crate,
    // the app's and the xtask's own unit tests included.
    util::run(cargo().args(["test", "--workspace"]).args(extra))?;
    // The one file an operator copies (the app built on the way), which
    // the HTTPS browser test runs as README says; its systemd unit checked.
    let dist_binary = dist(true)?;
    systemd_verify(&dist_binary)?;
    arm_smoke(&root().join("target/dist/nimo-server-aarch64-linux"))?;
    util::run(cargo().args(["build", "--package", "nimo-server", "--package", "nimo-tests", "--bin", "nimo-server", "--bin", "nimo-soak", "--bin", "nimo-seed"]))?;
    // The soak's one-minute form, on the debug server the browser tests use.
    let root = root();
    util::run(std::process::Command::new(root.join("target/debug/nimo-soak")).arg("--server").arg(root.join("target/debug/nimo-server")).args(["--minutes", "1"]).current_dir(&root))?;
    browser_tests(&dist_binary)
}

/// The ARM binary, run under qemu-user: it starts, and serves the app it
/// carries (no `dist/` anywhere near it).
fn arm_smoke(binary: &std::path::Path) -> Result<(), Error> {
    use std::io::{BufRead, Read, Write};
    let scratch = root().join("target/xtask/arm-smoke");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch)?;
    let mut child = std::process::Command::new("qemu-aarch64")
        .args(["-L", "/usr/aarch64-linux-gnu"])
        .arg(binary)
        .args(["serve", "--listen", "127.0.0.1:0", "--database", "smoke.sqlite3"])
        .current_dir(&scratch)
        .stdout(std::process::Stdio::piped())
        .stderr(std::fs::File::create(scratch.join("stderr.log"))?)
        .spawn()
        .map_err(|e| Error::msg(format!("cannot run the ARM binary under qemu-aarch64: {e}")))?;
    let stdout = child.stdout.take().ok_or_else(|| Error::msg("no stdout"))?;
    let line = std::io::BufReader::new(stdout).lines().next().and_then(Result::ok).unwrap_or_default();
    let ask = |addr: &str| -> Result<String, Error> {
        let mut stream = std::net::TcpStream::connect(addr)?;
        stream.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer)?;
        Ok(answer)
    };
    let result = (|| {
        let addr = line.strip_prefix("nimo listening on http://").ok_or_else(|| Error::msg(format!("the ARM binary said {line:?}")))?;
        // Emulated, on a busy machine, the server can take many seconds
        // between saying where it listens and answering: up to a minute.
        let mut last = Err(Error::msg("not asked"));
        for _ in 0..30 {
            last = ask(addr);
            if last.as_ref().is_ok_and(|a| a.starts_with("HTTP/1.1 200")) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_secs(2));
        }
        let answer = last.map_err(|e| {
            let said = std::fs::read_to_string(scratch.join("stderr.log")).unwrap_or_default();
            Error::msg(format!("{e}; the ARM binary's last words: {}", said.lines().rev().take(5).collect::<Vec<_>>().join(" | ")))
        })?;
        if answer.starts_with("HTTP/1.1 200") && answer.contains("<html") {
            println!("xtask: the ARM binary serves the app it carries (under qemu-aarch64)");
            Ok(())
        } else {
            Err(Error::msg(format!("the ARM binary answered: {}", answer.lines().next().unwrap_or(""))))
        }
    })();
    let _ = child.kill();
    let _ = child.wait();
    result
}

/// `systemd-analyze verify` of `deploy/nimo.service`, installed as README
/// says into a scratch root (the machine's own units beside it), where
/// systemd is there to ask.
fn systemd_verify(binary: &std::path::Path) -> Result<(), Error> {
    const ANALYZE: &str = "/usr/bin/systemd-analyze";
    if !std::path::Path::new(ANALYZE).exists() {
        eprintln!("xtask: no systemd-analyze here; deploy/nimo.service is not checked");
        return Ok(());
    }
    let scratch = root().join("target/xtask/systemd-root");
    let _ = std::fs::remove_dir_all(&scratch);
    for dir in ["usr/local/bin", "etc/systemd/system", "usr/lib/systemd", "bin"] {
        std::fs::create_dir_all(scratch.join(dir))?;
    }
    std::fs::copy(binary, scratch.join("usr/local/bin/nimo-server"))?;
    std::fs::copy("/bin/kill", scratch.join("bin/kill"))?;
    std::fs::copy(root().join("deploy/nimo.service"), scratch.join("etc/systemd/system/nimo.service"))?;
    util::run(std::process::Command::new("cp").args(["-a", "/usr/lib/systemd/system"]).arg(scratch.join("usr/lib/systemd/")))?;
    let out = std::process::Command::new(ANALYZE).arg("verify").arg(format!("--root={}", scratch.display())).arg("/etc/systemd/system/nimo.service").output()?;
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let ours: Vec<&str> = said.lines().filter(|l| l.contains("nimo")).collect();
    if !out.status.success() || !ours.is_empty() {
        return Err(Error::msg(format!("systemd-analyze verify deploy/nimo.service:\n{}", ours.join("\n"))));
    }
    println!("xtask: deploy/nimo.service verified by systemd-analyze");
    Ok(())
}

/// `--minutes N` among `args`, or `default`.
fn minutes(args: &[String], default: u64) -> Result<u64, Error> {
    match args.iter().position(|a| a == "--minutes") {
        None => Ok(default),
        Some(i) => args
            .get(i + 1)
            .and_then(|n| n.parse().ok())
            .filter(|n| *n > 0)
            .ok_or_else(|| Error::msg("--minutes takes a whole number of minutes, e.g. --minutes 10")),
    }
}

/// The generated-input tests (`core/tests/generated`), each for an equal
/// share of `minutes`, two at a time (one per core), optimised.
fn fuzz(minutes: u64) -> Result<(), Error> {
    let test = || {
        let mut cmd = cargo();
        cmd.args(["test", "--release", "--package", "nimo-core", "--test", "generated", "--"]);
        cmd
    };
    util::run(cargo().args(["test", "--release", "--package", "nimo-core", "--test", "generated", "--no-run"]))?;
    let listed = util::output(test().args(["--list", "--format", "terse"])).ok_or_else(|| Error::msg("cannot list the generated-input tests"))?;
    let count = listed.lines().filter(|l| l.ends_with(": test")).count().max(1) as u64;
    const THREADS: u64 = 2;
    let seconds = (minutes * 60 * THREADS / count).max(1);
    println!("fuzz: {count} properties, {seconds} s each, {THREADS} at a time (about {minutes} min)");
    util::run(test().args(["--test-threads", &THREADS.to_string(), "--nocapture"]).env("NIMO_FUZZ_SECONDS", seconds.to_string()))
}

/// The one file an operator copies: the release server with the built app
/// embedded (`NIMO_EMBED_DIST`, read by `server/build.rs`), and its
/// SHA-256 beside it. Returns the x86_64 binary's path.
fn dist(aarch64: bool) -> Result<std::path::PathBuf, Error> {
    setup::build_tools()?;
    build::client(false)?;
    let root = root();
    let out = root.join("target/dist");
    std::fs::create_dir_all(&out)?;
    let mut targets = vec![("x86_64-unknown-linux-gnu", "x86_64-linux")];
    if aarch64 {
        setup::aarch64()?;
        targets.push(("aarch64-unknown-linux-gnu", "aarch64-linux"));
    }
    let mut first = None;
    for (triple, name) in targets {
        let mut cmd = cargo();
        cmd.args(["build", "--release", "--package", "nimo-server", "--bin", "nimo-server", "--target", triple]);
        cmd.env("NIMO_EMBED_DIST", root.join("dist"));
        if triple.starts_with("aarch64") {
            cmd.env("CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER", "aarch64-linux-gnu-gcc").env("CC_aarch64_unknown_linux_gnu", "aarch64-linux-gnu-gcc");
        }
        util::run(&mut cmd)?;
        let file = format!("nimo-server-{name}");
        let binary = out.join(&file);
        std::fs::copy(root.join(format!("target/{triple}/release/nimo-server")), &binary)?;
        let digest = sha2_hex(&util::read(&binary)?);
        // As `sha256sum` writes it, so that `sha256sum -c` checks it.
        std::fs::write(out.join(format!("{file}.sha256")), format!("{digest}  {file}\n"))?;
        println!("{}  ({} bytes, sha256 {digest})", binary.display(), std::fs::metadata(&binary)?.len());
        first.get_or_insert(binary);
    }
    first.ok_or_else(|| Error::msg("no target built"))
}

fn sha2_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// `nimo-soak` against the release server for `minutes`.
fn soak(minutes: u64) -> Result<(), Error> {
    util::run(cargo().args(["build", "--release", "--package", "nimo-server", "--package", "nimo-tests", "--bin", "nimo-server", "--bin", "nimo-soak"]))?;
    let root = root();
    util::run(
        std::process::Command::new(root.join("target/release/nimo-soak"))
            .arg("--server")
            .arg(root.join("target/release/nimo-server"))
            .args(["--minutes", &minutes.to_string()])
            .current_dir(&root),
    )
}

fn bench() -> Result<(), Error> {
    setup::all()?;
    setup::bench_tools()?;
    build::build(&build::Variant::RELEASE)?;
    build::build(&build::Variant { dev: false, bench: true, names: false })?;
    util::run(cargo().args(["build", "--release", "--package", "nimo-server", "--package", "nimo-tests", "--bin", "nimo-server", "--bin", "nimo-load", "--bin", "nimo-seed"]))?;
    let root = root();
    let mut cmd = std::process::Command::new("node");
    cmd.arg(root.join("bench/run.mjs"));
    cmd.env("NIMO_SERVER_BIN", root.join("target/release/nimo-server"));
    cmd.env("NIMO_DIST", root.join("dist"));
    cmd.env("NIMO_BENCH_DIST", root.join("target/bench-dist"));
    cmd.env("NIMO_LOAD_BIN", root.join("target/release/nimo-load"));
    cmd.env("NIMO_SEED_BIN", root.join("target/release/nimo-seed"));
    cmd.env("NIMO_SIZES", root.join("target/xtask/sizes.json"));
    cmd.current_dir(&root);
    util::run(&mut cmd)
}

fn browser_tests(dist_binary: &std::path::Path) -> Result<(), Error> {
    let dir = root().join("tests/browser");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map_err(|e| Error::msg(format!("cannot read {}: {e}", dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with(".test.mjs")))
        .collect();
    files.sort();
    let mut cmd = std::process::Command::new("node");
    // --test-force-exit: a file whose tests are done exits even if a child
    // process (Xvfb, a browser) still holds its event loop open.
    cmd.args(["--test", "--test-concurrency=1", "--test-force-exit", "--test-reporter=spec"]);
    cmd.args(&files);
    cmd.env("NIMO_SERVER_BIN", root().join("target/debug/nimo-server"));
    cmd.env("NIMO_DIST", root().join("dist"));
    cmd.env("NIMO_DIST_BIN", dist_binary);
    cmd.env("NIMO_SEED_BIN", root().join("target/debug/nimo-seed"));
    cmd.current_dir(root());
    // The whole browser suite takes about 6 minutes here; 30 is a hang.
    util::run_within(&mut cmd, std::time::Duration::from_secs(30 * 60))
}

#[cfg(test)]
mod tests {
    use super::server_args;

    #[test]
    fn the_double_dash_cargo_passes_on_is_dropped() {
        let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(server_args(&args(&["--", "create-group", "--name", "x"])), args(&["create-group", "--name", "x"]));
        assert_eq!(server_args(&args(&["create-group", "--name", "x"])), args(&["create-group", "--name", "x"]));
        assert_eq!(server_args(&args(&["--", "--listen", "0.0.0.0:8080"])), args(&["--listen", "0.0.0.0:8080"]));
        assert!(server_args(&[]).is_empty());
    }
}
