use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug)]
pub struct Error(String);

impl Error {
    pub fn msg(s: impl Into<String>) -> Self {
        Self(s.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Self(e.to_string())
    }
}

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_owned()
}

pub fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(root());
    cmd
}

/// Runs a command, inheriting stdio; fails when it fails.
pub fn run(cmd: &mut Command) -> Result<(), Error> {
    let shown = format!("{cmd:?}");
    let status = cmd.status().map_err(|e| Error::msg(format!("cannot start {shown}: {e}")))?;
    if status.success() { Ok(()) } else { Err(Error::msg(format!("{shown} failed ({status})"))) }
}

/// Runs a command in a process group of its own and kills the whole group
/// if it is still running after `limit`: a browser or Xvfb left behind by
/// a test must fail the run with a message, not hang CI until its timeout.
pub fn run_within(cmd: &mut Command, limit: std::time::Duration) -> Result<(), Error> {
    use std::os::unix::process::CommandExt;
    let shown = format!("{cmd:?}");
    let mut child = cmd.process_group(0).spawn().map_err(|e| Error::msg(format!("cannot start {shown}: {e}")))?;
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            // Whatever the tests started and left running goes with them.
            kill_group(child.id());
            return if status.success() { Ok(()) } else { Err(Error::msg(format!("{shown} failed ({status})"))) };
        }
        if started.elapsed() > limit {
            kill_group(child.id());
            let _ = child.wait();
            return Err(Error::msg(format!("{shown} did not finish within {} s and was stopped", limit.as_secs())));
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
}

fn kill_group(pid: u32) {
    let _ = Command::new("kill").args(["-KILL", "--", &format!("-{pid}")]).stderr(std::process::Stdio::null()).status();
}

/// Runs a command and returns its stdout, or None if it cannot run or fails.
pub fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

pub fn read(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|e| Error::msg(format!("cannot read {}: {e}", path.display())))
}

pub fn write(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, bytes).map_err(|e| Error::msg(format!("cannot write {}: {e}", path.display())))
}
